/*
 * verify.c - checking a JWS signature.  acmed itself never verifies one;
 * this is the other half of signer.c, so that the tests can check the
 * published vectors and our own signatures through the same conversions.
 */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/intern.h"
#include "crypto/signer.h"
#include "util/err.h"

int
crypto_signature_verify(const struct crypto_key *key, enum crypto_jws_alg alg,
    const void *data, size_t len, const void *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char *der = NULL;
	const unsigned char *s = sig;
	size_t slen = siglen;
	int r, rc = -1;

	if (crypto_key_type_check_alg(key->type, alg) == -1)
		goto out;
	if (alg == CRYPTO_ALG_ES256 || alg == CRYPTO_ALG_ES384 ||
	    alg == CRYPTO_ALG_ES512) {
		if (crypto_ecdsa_raw_to_der(sig, siglen,
		    crypto_ecdsa_field_size(key->type), &der, &slen) == -1)
			goto out;
		s = der;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit_ex(ctx, NULL, crypto_alg_md_name(alg),
	    NULL, NULL, key->pkey, NULL) != 1) {
		crypto_ossl_err("cannot verify with %s",
		    crypto_jws_alg_name(alg));
		goto out;
	}
	r = EVP_DigestVerify(ctx, s, slen, data, len);
	if (r != 1) {
		/* OpenSSL's reason adds nothing: a bad signature is bad. */
		ERR_clear_error();
		err_set("invalid signature");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(ctx);
	return rc;
}
