/*
 * alpn_cert.c - the RFC 8737 tls-alpn-01 certificate (see alpn_cert.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/alpn_cert.h"
#include "crypto/intern.h"
#include "crypto/ossl.h"
#include "crypto/proof.h"
#include "util/err.h"

#define ACME_ID_OID	"1.3.6.1.5.5.7.1.31"
#define VALIDITY_DAYS	7

struct crypto_alpn_cert {
	struct crypto_key	*key;
	X509			*x509;
};

static int
set_name(X509 *x)
{
	X509_NAME *name;
	int rc = -1;

	if ((name = X509_NAME_new()) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"ACMEd", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"ACMEd TLS-ALPN-01 Authority", -1, -1,
	    0) != 1 ||
	    X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, name) != 1)
		crypto_ossl_err("cannot set the certificate name");
	else
		rc = 0;
	X509_NAME_free(name);
	return rc;
}

static int
set_serial(X509 *x)
{
	unsigned char r[4];
	uint64_t v;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return crypto_ossl_err("cannot draw a serial number");
	v = ((uint64_t)(r[0] & 0x7f) << 24) | (uint64_t)r[1] << 16 |
	    (uint64_t)r[2] << 8 | r[3];
	if (v == 0)	/* RFC 5280: positive */
		v = 1;
	if (ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), v) != 1)
		return crypto_ossl_err("cannot set the serial number");
	return 0;
}

static int
add_extensions(X509 *x, const struct crypto_alpn_req *r)
{
	unsigned char der[2 + CRYPTO_ACME_ID_LEN];
	BASIC_CONSTRAINTS *bc = NULL;
	GENERAL_NAMES *san = NULL;
	ASN1_OBJECT *oid = NULL;
	ASN1_OCTET_STRING *value = NULL;
	X509_EXTENSION *ext = NULL;
	int rc = -1;

	if ((bc = BASIC_CONSTRAINTS_new()) == NULL ||
	    X509_add1_ext_i2d(x, NID_basic_constraints, bc, 0,
	    X509V3_ADD_DEFAULT) != 1) {
		crypto_ossl_err("cannot add basicConstraints");
		goto out;
	}
	if ((san = crypto_san_build(&r->ident, 1)) == NULL)
		goto out;
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, san, 0,
	    X509V3_ADD_DEFAULT) != 1) {
		crypto_ossl_err("cannot add the subjectAltName");
		goto out;
	}
	if (r->acme_id != NULL) {
		/* extnValue holds the DER of an OCTET STRING of 32 bytes. */
		der[0] = 0x04;
		der[1] = CRYPTO_ACME_ID_LEN;
		memcpy(der + 2, r->acme_id, CRYPTO_ACME_ID_LEN);
		if ((oid = OBJ_txt2obj(ACME_ID_OID, 1)) == NULL ||
		    (value = ASN1_OCTET_STRING_new()) == NULL ||
		    ASN1_OCTET_STRING_set(value, der, sizeof(der)) != 1 ||
		    (ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 1,
		    value)) == NULL ||
		    X509_add_ext(x, ext, -1) != 1) {
			crypto_ossl_err("cannot add acmeIdentifier");
			goto out;
		}
	}
	rc = 0;
out:
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(value);
	ASN1_OBJECT_free(oid);
	GENERAL_NAMES_free(san);
	BASIC_CONSTRAINTS_free(bc);
	return rc;
}

struct crypto_alpn_cert *
crypto_alpn_cert_new(const struct crypto_alpn_req *r)
{
	struct crypto_alpn_cert *c = NULL;
	EVP_MD_CTX *mctx = NULL;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		err_set("out of memory");
		goto fail;
	}
	if ((c->key = crypto_key_generate(r->key_type)) == NULL)
		goto fail;
	if ((c->x509 = X509_new()) == NULL ||
	    X509_set_version(c->x509, X509_VERSION_3) != 1) {
		crypto_ossl_err("cannot build the certificate");
		goto fail;
	}
	if (set_serial(c->x509) == -1 || set_name(c->x509) == -1)
		goto fail;
	if (X509_gmtime_adj(X509_getm_notBefore(c->x509), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(c->x509),
	    (long)VALIDITY_DAYS * 86400) == NULL ||
	    X509_set_pubkey(c->x509, c->key->pkey) != 1) {
		crypto_ossl_err("cannot build the certificate");
		goto fail;
	}
	if (add_extensions(c->x509, r) == -1)
		goto fail;
	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(mctx, NULL, crypto_x509_md_name(c->key,
	    r->digest), NULL, NULL, c->key->pkey, NULL) != 1 ||
	    X509_sign_ctx(c->x509, mctx) <= 0) {
		crypto_ossl_err("cannot sign the certificate");
		goto fail;
	}
	EVP_MD_CTX_free(mctx);
	return c;
fail:
	EVP_MD_CTX_free(mctx);
	crypto_alpn_cert_free(c);
	return NULL;
}

void
crypto_alpn_cert_free(struct crypto_alpn_cert *c)
{
	if (c == NULL)
		return;
	crypto_key_free(c->key);
	X509_free(c->x509);
	free(c);
}

int
crypto_alpn_cert_pem(const struct crypto_alpn_cert *c, struct buf *out)
{
	BIO *bio = NULL;
	char *data;
	long len;
	int rc = -1;

	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_X509(bio, c->x509) != 1 ||
	    (len = BIO_get_mem_data(bio, &data)) <= 0)
		crypto_ossl_err("cannot encode the certificate");
	else
		rc = buf_append(out, data, (size_t)len);
	BIO_free(bio);
	return rc;
}

const struct crypto_key *
crypto_alpn_cert_key(const struct crypto_alpn_cert *c)
{
	return c->key;
}

EVP_PKEY *
crypto_alpn_cert_pkey(const struct crypto_alpn_cert *c)
{
	return c->key->pkey;
}

X509 *
crypto_alpn_cert_x509(const struct crypto_alpn_cert *c)
{
	return c->x509;
}
