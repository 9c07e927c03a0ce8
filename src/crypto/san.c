/*
 * san.c - subjectAltName values from identifiers, shared by the CSR and
 * the tls-alpn-01 certificate.
 */
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/x509v3.h>

#include "crypto/intern.h"
#include "util/err.h"

GENERAL_NAME *
crypto_san_name(const struct crypto_ident *id)
{
	unsigned char ip[16];
	ASN1_STRING *s = NULL;
	GENERAL_NAME *gn = NULL;
	size_t len, i;

	if (id->type == CRYPTO_IDENT_DNS) {
		/* IA5String; IDNA has already made the name ASCII. */
		len = strlen(id->value);
		for (i = 0; i < len; i++)
			if (id->value[i] <= ' ' || id->value[i] > '~')
				break;
		if (len == 0 || i < len) {
			err_set("\"%s\": invalid DNS name", id->value);
			return NULL;
		}
		s = ASN1_IA5STRING_new();
		if (s == NULL || ASN1_STRING_set(s, id->value,
		    (int)len) != 1)
			goto fail;
	} else {
		if ((len = crypto_ip_parse(id->value, ip)) == 0) {
			err_set("%s: invalid IP address", id->value);
			return NULL;
		}
		s = ASN1_OCTET_STRING_new();
		if (s == NULL || ASN1_OCTET_STRING_set(s, ip, (int)len) != 1)
			goto fail;
	}
	if ((gn = GENERAL_NAME_new()) == NULL)
		goto fail;
	GENERAL_NAME_set0_value(gn, id->type == CRYPTO_IDENT_DNS ? GEN_DNS :
	    GEN_IPADD, s);
	return gn;
fail:
	ASN1_STRING_free(s);
	crypto_ossl_err("cannot encode the subjectAltName");
	return NULL;
}

GENERAL_NAMES *
crypto_san_build(const struct crypto_ident *ids, size_t n)
{
	GENERAL_NAMES *names = NULL;
	GENERAL_NAME *gn;
	size_t i;
	int pass;

	if (n == 0) {
		err_set("no identifier");
		return NULL;
	}
	if ((names = GENERAL_NAMES_new()) == NULL) {
		crypto_ossl_err("cannot encode the subjectAltName");
		return NULL;
	}
	/* DNS names first, then addresses, each in the order given. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			if ((ids[i].type == CRYPTO_IDENT_DNS) != (pass == 0))
				continue;
			if ((gn = crypto_san_name(&ids[i])) == NULL)
				goto fail;
			if (sk_GENERAL_NAME_push(names, gn) <= 0) {
				GENERAL_NAME_free(gn);
				crypto_ossl_err("cannot encode the "
				    "subjectAltName");
				goto fail;
			}
		}
	}
	return names;
fail:
	GENERAL_NAMES_free(names);
	return NULL;
}
