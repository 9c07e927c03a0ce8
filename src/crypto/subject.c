/*
 * subject.c - acmed.toml's subject_attributes: their names and the X.509
 * name built from them.
 */
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#include "crypto/csr.h"
#include "crypto/intern.h"
#include "util/err.h"

static const struct {
	const char	*key;
	int		 nid;
} attrs[CRYPTO_SUBJ_COUNT] = {
	[CRYPTO_SUBJ_COUNTRY_NAME] = { "country_name", NID_countryName },
	[CRYPTO_SUBJ_STATE_OR_PROVINCE_NAME] =
	    { "state_or_province_name", NID_stateOrProvinceName },
	[CRYPTO_SUBJ_LOCALITY_NAME] = { "locality_name", NID_localityName },
	[CRYPTO_SUBJ_POSTAL_CODE] = { "postal_code", NID_postalCode },
	[CRYPTO_SUBJ_STREET] = { "street", NID_streetAddress },
	[CRYPTO_SUBJ_POSTAL_ADDRESS] = { "postal_address", NID_postalAddress },
	[CRYPTO_SUBJ_ORGANIZATION_NAME] =
	    { "organization_name", NID_organizationName },
	[CRYPTO_SUBJ_ORGANIZATIONAL_UNIT_NAME] =
	    { "organizational_unit_name", NID_organizationalUnitName },
	[CRYPTO_SUBJ_TITLE] = { "title", NID_title },
	[CRYPTO_SUBJ_NAME] = { "name", NID_name },
	[CRYPTO_SUBJ_GIVEN_NAME] = { "given_name", NID_givenName },
	[CRYPTO_SUBJ_INITIALS] = { "initials", NID_initials },
	[CRYPTO_SUBJ_SURNAME] = { "surname", NID_surname },
	[CRYPTO_SUBJ_GENERATION_QUALIFIER] =
	    { "generation_qualifier", NID_generationQualifier },
	[CRYPTO_SUBJ_PKCS9_EMAIL_ADDRESS] =
	    { "pkcs9_email_address", NID_pkcs9_emailAddress },
};

int
crypto_subject_attr_parse(const char *key, enum crypto_subject_attr *out)
{
	size_t i;

	for (i = 0; i < CRYPTO_SUBJ_COUNT; i++) {
		if (strcmp(key, attrs[i].key) == 0) {
			*out = (enum crypto_subject_attr)i;
			return 0;
		}
	}
	return err_set("%s: unknown subject attribute", key);
}

const char *
crypto_subject_attr_name(enum crypto_subject_attr a)
{
	return attrs[a].key;
}

int
crypto_subject_build(X509_NAME *name, const char *const values[])
{
	size_t i;

	for (i = 0; i < CRYPTO_SUBJ_COUNT; i++) {
		if (values[i] == NULL)
			continue;
		/* OpenSSL picks the string type and enforces the sizes of
		 * X.520 (a country is two PrintableString letters). */
		if (X509_NAME_add_entry_by_NID(name, attrs[i].nid,
		    MBSTRING_UTF8, (const unsigned char *)values[i], -1, -1,
		    0) != 1)
			return crypto_ossl_err("subject attribute %s",
			    attrs[i].key);
	}
	return 0;
}
