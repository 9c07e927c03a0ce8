/*
 * key_der.c - private keys in the DER forms of ACMEd's account file (see
 * acmed-behaviour section 3.2): whatever OpenSSL's generic private-key DER
 * export writes, that is PKCS#1 for RSA, SEC1 for EC and PKCS#8 for
 * Ed25519 and Ed448.
 */
#include <limits.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "crypto/intern.h"
#include "crypto/key.h"
#include "util/err.h"

int
crypto_key_to_der(const struct crypto_key *k, struct buf *out)
{
	unsigned char *der = NULL;
	int len, rc = -1;

	if (!k->has_private)
		return err_set("no private key to export");
	/* i2d_PrivateKey() prefers the "type-specific" structure and falls
	 * back to PKCS#8 for the EdDSA keys, which have none; it falls back
	 * also when the first encoder runs out of memory, so a size asked
	 * for first may not be the size written next (a heap overflow,
	 * found by the allocation-failure runs).  One call, which allocates
	 * what it writes. */
	if ((len = i2d_PrivateKey(k->pkey, &der)) <= 0) {
		der = NULL;
		crypto_ossl_err("cannot export the private key");
		goto out;
	}
	rc = crypto_secret_put(out, der, (size_t)len);
out:
	OPENSSL_clear_free(der, der != NULL ? (size_t)len : 0);
	return rc;
}

struct crypto_key *
crypto_key_from_der(const void *der, size_t len)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey;

	ERR_clear_error();
	if (len > LONG_MAX) {
		err_set("private key too large");
		return NULL;
	}
	/* Guesses the structure (PKCS#8, then each type-specific form). */
	if ((pkey = d2i_AutoPrivateKey_ex(NULL, &p, (long)len, NULL,
	    NULL)) == NULL) {
		crypto_ossl_err("cannot decode the private key");
		return NULL;
	}
	if ((size_t)(p - (const unsigned char *)der) != len) {
		EVP_PKEY_free(pkey);
		err_set("trailing data after the private key");
		return NULL;
	}
	/* The structures tried before the right one leave errors. */
	ERR_clear_error();
	return crypto_key_wrap(pkey, 1);
}
