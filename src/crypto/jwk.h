/*
 * jwk.h - the public key as a JSON Web Key (RFC 7517) and its RFC 7638
 * thumbprint.
 *
 * The JWK has ACMEd's members (acmed-behaviour section 4.8), in sorted
 * order:
 *   RSA {"alg":"RS256","e":..,"kty":"RSA","n":..,"use":"sig"}
 *   EC  {"alg":"ES256","crv":"P-256","kty":"EC","use":"sig","x":..,"y":..}
 *   OKP {"alg":"EdDSA","crv":"Ed25519","kty":"OKP","use":"sig","x":..}
 * RSA n and e are minimal big-endian, EC x and y are left-padded to the
 * field size (32, 48, 66 bytes), OKP x is the raw public key.  The
 * thumbprint covers only the required members (no alg, no use).
 *
 * ACME code reaches these through the signer (signer.h); the functions on
 * a key serve storage and tests.
 */
#ifndef ACMED_CRYPTO_JWK_H
#define ACMED_CRYPTO_JWK_H

#include <jansson.h>

#include "crypto/key.h"
#include "util/buf.h"

/* The JWK as a new JSON object (caller json_decref()s); NULL with err. */
json_t	*crypto_key_jwk_json(const struct crypto_key *k);

/* Appends the JWK as compact JSON.  -1 with err. */
int	 crypto_key_jwk(const struct crypto_key *k, struct buf *out);

/* Appends the RFC 7638 canonical form: the required members in
 * lexicographic order, no whitespace.  -1 with err. */
int	 crypto_key_thumbprint_input(const struct crypto_key *k,
	    struct buf *out);

/* Appends base64url(SHA-256(canonical form)).  -1 with err. */
int	 crypto_key_thumbprint(const struct crypto_key *k, struct buf *out);

#endif
