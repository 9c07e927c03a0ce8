/*
 * hash.h - message digests and HMAC, for the few places that hash outside
 * a signature: thumbprints, proofs, ACMEd's account file hashes, and the
 * external account binding MAC.
 */
#ifndef ACMED_CRYPTO_HASH_H
#define ACMED_CRYPTO_HASH_H

#include <stddef.h>

#include "crypto/keytype.h"

#define CRYPTO_HASH_MAX	64	/* bytes of the largest digest, SHA-512 */

/* 32, 48 or 64. */
size_t	 crypto_digest_size(enum crypto_digest d);

/* Writes crypto_digest_size(d) bytes to out.  -1 with err. */
int	 crypto_hash(enum crypto_digest d, const void *data, size_t len,
	    unsigned char out[CRYPTO_HASH_MAX]);

/* HMAC (RFC 2104) with the given digest; writes crypto_digest_size(d)
 * bytes to out.  -1 with err. */
int	 crypto_hmac(enum crypto_digest d, const void *key, size_t keylen,
	    const void *data, size_t len, unsigned char out[CRYPTO_HASH_MAX]);

#endif
