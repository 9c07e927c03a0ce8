/*
 * key.h - private keys: generation, the key type of a loaded key, the
 * formats ACMEd stores keys in.
 *
 * A struct crypto_key is opaque.  Outside the crypto layer, certificate
 * keys are handled only by the storage code and the CSR builder (csr.h),
 * and account keys only through a signer (signer.h), so that a later step
 * can move both into a separate key process.
 *
 * Every buffer these functions fill with private key bytes must be empty
 * when passed (so no copy is left behind by a reallocation) and must be
 * released with buf_free_secure().  The key itself is wiped by OpenSSL
 * when the last reference is freed.
 */
#ifndef ACMED_CRYPTO_KEY_H
#define ACMED_CRYPTO_KEY_H

#include <stddef.h>

#include "crypto/keytype.h"
#include "util/buf.h"

struct crypto_key;

/* A new key: RSA with exponent 65537, EC on a named curve, Ed25519 or
 * Ed448.  Allocated, free with crypto_key_free(); NULL with err. */
struct crypto_key *crypto_key_generate(enum crypto_key_type t);

/* Loads the first private key of PEM data: PKCS#8 ("PRIVATE KEY") as
 * ACMEd writes it, or the traditional "RSA PRIVATE KEY" and "EC PRIVATE
 * KEY" forms.  Other key types, RSA sizes and curves are refused with
 * "<bits>: unsupported RSA key size", "unsupported EC key" or
 * "unsupported key type: <name>"; encrypted keys are refused (no prompt).
 * Allocated; NULL with err. */
struct crypto_key *crypto_key_from_pem(const void *pem, size_t len);

/* Appends the key as unencrypted PKCS#8 PEM, the key file format of ACMEd
 * (-----BEGIN PRIVATE KEY-----).  out: see above.  -1 with err. */
int	 crypto_key_to_pem(const struct crypto_key *k, struct buf *out);

/* Appends the DER that ACMEd's account file stores: PKCS#1 RSAPrivateKey
 * for RSA, SEC1 ECPrivateKey for EC, PKCS#8 for Ed25519 and Ed448.  out:
 * see above.  -1 with err. */
int	 crypto_key_to_der(const struct crypto_key *k, struct buf *out);

/* Loads a key written by crypto_key_to_der() (any of the three forms,
 * with no trailing bytes), with the same type checks as
 * crypto_key_from_pem().  Allocated; NULL with err. */
struct crypto_key *crypto_key_from_der(const void *der, size_t len);

/* Loads a JWK (RFC 7517/7518/8037: RSA, EC or OKP), private when it has
 * "d", public otherwise.  Used for published test vectors and for keys
 * handed over as JSON.  Allocated; NULL with err. */
struct crypto_key *crypto_key_from_jwk(const char *json, size_t len);

/* Appends the public key as OpenSSL writes it in PEM
 * (-----BEGIN PUBLIC KEY-----, SubjectPublicKeyInfo).  ACMEd's account
 * file identifies the key a server knows by the SHA-256 of these bytes.
 * -1 with err. */
int	 crypto_key_public_pem(const struct crypto_key *k, struct buf *out);

enum crypto_key_type crypto_key_get_type(const struct crypto_key *k);

/* 1 when the key holds its private half (generated or loaded from a
 * private format), 0 for a public JWK. */
int	 crypto_key_is_private(const struct crypto_key *k);

/* 1 when both keys have the same public key, else 0. */
int	 crypto_key_same_public(const struct crypto_key *a,
	    const struct crypto_key *b);

void	 crypto_key_free(struct crypto_key *k);

#endif
