/*
 * hash.c - one-shot digests and HMAC over OpenSSL's EVP interfaces.
 */
#include <openssl/evp.h>

#include "crypto/hash.h"
#include "crypto/intern.h"
#include "util/err.h"

static const char *const ossl_names[] = {
	[CRYPTO_DIGEST_SHA256] = "SHA256",
	[CRYPTO_DIGEST_SHA384] = "SHA384",
	[CRYPTO_DIGEST_SHA512] = "SHA512",
};

static const size_t sizes[] = {
	[CRYPTO_DIGEST_SHA256] = 32,
	[CRYPTO_DIGEST_SHA384] = 48,
	[CRYPTO_DIGEST_SHA512] = 64,
};

const char *
crypto_digest_ossl_name(enum crypto_digest d)
{
	return ossl_names[d];
}

size_t
crypto_digest_size(enum crypto_digest d)
{
	return sizes[d];
}

int
crypto_hash(enum crypto_digest d, const void *data, size_t len,
    unsigned char out[CRYPTO_HASH_MAX])
{
	size_t n = 0;

	if (EVP_Q_digest(NULL, ossl_names[d], NULL, data, len, out,
	    &n) != 1 || n != sizes[d])
		return crypto_ossl_err("%s failed", crypto_digest_name(d));
	return 0;
}

int
crypto_hmac(enum crypto_digest d, const void *key, size_t keylen,
    const void *data, size_t len, unsigned char out[CRYPTO_HASH_MAX])
{
	size_t n = 0;

	if (EVP_Q_mac(NULL, "HMAC", NULL, ossl_names[d], NULL, key, keylen,
	    data, len, out, CRYPTO_HASH_MAX, &n) == NULL || n != sizes[d])
		return crypto_ossl_err("HMAC-%s failed",
		    crypto_digest_name(d));
	return 0;
}

const char *
crypto_x509_md_name(const struct crypto_key *key, enum crypto_digest d)
{
	/* EdDSA signs the message itself; a digest is an error. */
	if (key->type == CRYPTO_KEY_ED25519 || key->type == CRYPTO_KEY_ED448)
		return NULL;
	return ossl_names[d];
}
