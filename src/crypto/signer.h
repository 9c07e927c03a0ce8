/*
 * signer.h - the account key as ACME code sees it: something that signs
 * bytes with one JWS algorithm and can show its public JWK.
 *
 * ACME code holds a struct crypto_signer, never a key: the signer is the
 * seam where a later step puts a key process between the network code and
 * the account keys (the network side would keep a proxy with the same
 * functions).  Build signers where the account is loaded, hand them to the
 * ACME layer, and use jws.h to turn them into requests.
 */
#ifndef ACMED_CRYPTO_SIGNER_H
#define ACMED_CRYPTO_SIGNER_H

#include <stddef.h>

#include <jansson.h>

#include "crypto/key.h"
#include "crypto/keytype.h"
#include "util/buf.h"

struct crypto_signer;

/* A signer for a private key and an algorithm that suits it (see
 * crypto_key_type_check_alg(): its error text is ACMEd's).  The signer
 * takes its own reference to the key: the caller may free key at once.
 * Allocated, free with crypto_signer_free(); NULL with err. */
struct crypto_signer *crypto_signer_new(const struct crypto_key *key,
	    enum crypto_jws_alg alg);

void	 crypto_signer_free(struct crypto_signer *s);

enum crypto_jws_alg crypto_signer_alg(const struct crypto_signer *s);
enum crypto_key_type crypto_signer_key_type(const struct crypto_signer *s);

/* Appends the JWS signature of data (RFC 7518): RSASSA-PKCS1-v1_5 with
 * SHA-256 for RS256; r||s, each padded to 32/48/66 bytes, for ES256/384/
 * 512; pure EdDSA (64 or 114 bytes) for Ed25519/Ed448.  -1 with err. */
int	 crypto_signer_sign(const struct crypto_signer *s, const void *data,
	    size_t len, struct buf *sig);

/* The signer's public JWK and thumbprint, as jwk.h describes them.  The
 * JSON object is new (caller json_decref()s). */
json_t	*crypto_signer_jwk_json(const struct crypto_signer *s);
int	 crypto_signer_jwk(const struct crypto_signer *s, struct buf *out);
int	 crypto_signer_thumbprint(const struct crypto_signer *s,
	    struct buf *out);

/* The public key in PEM, whose SHA-256 is ACMEd's "key_hash" (see
 * crypto_key_public_pem()). */
int	 crypto_signer_public_pem(const struct crypto_signer *s,
	    struct buf *out);

/* Checks a JWS signature made with alg (same forms as
 * crypto_signer_sign()) under a private or public key.  0 when valid, -1
 * with "invalid signature" or another err. */
int	 crypto_signature_verify(const struct crypto_key *key,
	    enum crypto_jws_alg alg, const void *data, size_t len,
	    const void *sig, size_t siglen);

#endif
