/*
 * csr.c - the PKCS#10 request of a certificate order (see csr.h).
 */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/csr.h"
#include "crypto/intern.h"
#include "util/err.h"

/*
 * The request's SubjectPublicKeyInfo, set from the key's public bytes.
 * X509_REQ_set_pubkey() would encode the key and decode it back, and
 * OpenSSL 3.0 searches all its decoders for that (a fifth of the client's
 * work per certificate).  RSA keys, whose generation costs far more, take
 * that road all the same.
 */
static int
csr_set_pubkey(X509_REQ *req, const struct crypto_key *key)
{
	X509_PUBKEY *pub = X509_REQ_get_X509_PUBKEY(req);
	struct crypto_key_spki k;
	int rc;

	if ((rc = crypto_key_public_octets(key, &k)) == 1)
		return X509_REQ_set_pubkey(req, key->pkey) == 1 ? 0 : -1;
	if (rc == -1 || pub == NULL)
		goto fail;
	/* On success, pub owns the octets. */
	if (X509_PUBKEY_set0_param(pub, OBJ_nid2obj(k.alg),
	    k.curve != NID_undef ? V_ASN1_OBJECT : V_ASN1_UNDEF,
	    k.curve != NID_undef ? OBJ_nid2obj(k.curve) : NULL, k.octets,
	    (int)k.len) != 1)
		goto fail;
	return 0;
fail:
	OPENSSL_free(k.octets);
	return -1;
}

int
crypto_csr_der(const struct crypto_key *key, const struct crypto_csr_req *r,
    struct buf *out)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509_EXTENSION *ext = NULL;
	GENERAL_NAMES *san = NULL;
	EVP_MD_CTX *mctx = NULL;
	unsigned char *der = NULL;
	X509_REQ *req = NULL;
	int len, rc = -1;

	if (!key->has_private) {
		err_set("cannot sign a CSR with a public key");
		goto out;
	}
	if ((san = crypto_san_build(r->idents, r->n_idents)) == NULL)
		goto out;
	if ((req = X509_REQ_new()) == NULL ||
	    X509_REQ_set_version(req, X509_REQ_VERSION_1) != 1 ||
	    csr_set_pubkey(req, key) == -1) {
		crypto_ossl_err("cannot build the CSR");
		goto out;
	}
	if (crypto_subject_build(X509_REQ_get_subject_name(req),
	    r->subject) == -1)
		goto out;
	if ((exts = sk_X509_EXTENSION_new_null()) == NULL ||
	    (ext = X509V3_EXT_i2d(NID_subject_alt_name, 0, san)) == NULL ||
	    sk_X509_EXTENSION_push(exts, ext) <= 0) {
		X509_EXTENSION_free(ext);
		crypto_ossl_err("cannot build the CSR");
		goto out;
	}
	if (X509_REQ_add_extensions(req, exts) != 1) {
		crypto_ossl_err("cannot build the CSR");
		goto out;
	}
	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(mctx, NULL, crypto_x509_md_name(key,
	    r->digest), NULL, NULL, key->pkey, NULL) != 1 ||
	    X509_REQ_sign_ctx(req, mctx) <= 0) {
		crypto_ossl_err("cannot sign the CSR");
		goto out;
	}
	if ((len = i2d_X509_REQ(req, &der)) <= 0) {
		crypto_ossl_err("cannot encode the CSR");
		goto out;
	}
	rc = buf_append(out, der, (size_t)len);
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(mctx);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	GENERAL_NAMES_free(san);
	X509_REQ_free(req);
	return rc;
}
