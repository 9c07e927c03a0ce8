/*
 * csr.h - the certificate signing request sent at finalization (RFC 8555
 * section 7.4): PKCS#10, DER.
 *
 * The CSR is version 1 (0), holds the certificate key's public half, the
 * subject built from acmed.toml's subject_attributes (no CN is added: ACME
 * takes the names from the extension), one non-critical subjectAltName
 * extension with every DNS identifier then every IP identifier, each group
 * in the order given, and is signed with the chosen digest (none for
 * Ed25519 and Ed448, which hash internally).
 */
#ifndef ACMED_CRYPTO_CSR_H
#define ACMED_CRYPTO_CSR_H

#include <stddef.h>

#include "crypto/ident.h"
#include "crypto/key.h"
#include "crypto/keytype.h"
#include "util/buf.h"

/*
 * The subject attributes of acmed.toml(5).  The subject lists them in this
 * order, one RDN each, whatever the order of the configuration (ACMEd's
 * order is random): the usual order of a distinguished name, from the
 * widest to the narrowest.
 */
enum crypto_subject_attr {
	CRYPTO_SUBJ_COUNTRY_NAME,		/* C */
	CRYPTO_SUBJ_STATE_OR_PROVINCE_NAME,	/* ST */
	CRYPTO_SUBJ_LOCALITY_NAME,		/* L */
	CRYPTO_SUBJ_POSTAL_CODE,		/* postalCode */
	CRYPTO_SUBJ_STREET,			/* street */
	CRYPTO_SUBJ_POSTAL_ADDRESS,		/* postalAddress */
	CRYPTO_SUBJ_ORGANIZATION_NAME,		/* O */
	CRYPTO_SUBJ_ORGANIZATIONAL_UNIT_NAME,	/* OU */
	CRYPTO_SUBJ_TITLE,			/* title */
	CRYPTO_SUBJ_NAME,			/* name */
	CRYPTO_SUBJ_GIVEN_NAME,			/* GN */
	CRYPTO_SUBJ_INITIALS,			/* initials */
	CRYPTO_SUBJ_SURNAME,			/* SN */
	CRYPTO_SUBJ_GENERATION_QUALIFIER,	/* generationQualifier */
	CRYPTO_SUBJ_PKCS9_EMAIL_ADDRESS,	/* emailAddress */
};
#define CRYPTO_SUBJ_COUNT	15

/* The acmed.toml key ("country_name"...).  -1 with
 * "<key>: unknown subject attribute" otherwise. */
int	 crypto_subject_attr_parse(const char *key,
	    enum crypto_subject_attr *out);

/* The acmed.toml key of an attribute.  Static string. */
const char *crypto_subject_attr_name(enum crypto_subject_attr a);

struct crypto_csr_req {
	const struct crypto_ident *idents;	/* at least one */
	size_t			 n_idents;
	/* UTF-8 values indexed by enum crypto_subject_attr; NULL: absent. */
	const char		*subject[CRYPTO_SUBJ_COUNT];
	enum crypto_digest	 digest;	/* ignored for EdDSA keys */
};

/* Appends the DER of a CSR signed by key.  -1 with err naming the bad
 * identifier or attribute ("subject attribute country_name: ..."). */
int	 crypto_csr_der(const struct crypto_key *key,
	    const struct crypto_csr_req *req, struct buf *out);

#endif
