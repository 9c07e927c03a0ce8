/*
 * keytype.h - the vocabularies of the crypto layer: key types, JWS
 * signature algorithms and digests, parsed and displayed exactly as ACMEd
 * does (acmed.toml(5), key_type, signature_algorithm, csr_digest), and the
 * key type / algorithm compatibility rule.
 *
 * Nothing here needs OpenSSL: the config layer uses this header to validate
 * acmed.toml without touching a key.
 */
#ifndef ACMED_CRYPTO_KEYTYPE_H
#define ACMED_CRYPTO_KEYTYPE_H

enum crypto_key_type {
	CRYPTO_KEY_RSA2048,
	CRYPTO_KEY_RSA4096,
	CRYPTO_KEY_ECDSA_P256,
	CRYPTO_KEY_ECDSA_P384,
	CRYPTO_KEY_ECDSA_P521,
	CRYPTO_KEY_ED25519,
	CRYPTO_KEY_ED448,
};
#define CRYPTO_KEY_TYPE_COUNT	7

/*
 * The names of ACMEd's signature_algorithm.  CRYPTO_ALG_ED25519 and
 * CRYPTO_ALG_ED448 are what acmed.toml and the account file call them; on
 * the wire both are sent as "EdDSA" (RFC 8037), see crypto_jws_alg_header().
 */
enum crypto_jws_alg {
	CRYPTO_ALG_HS256,
	CRYPTO_ALG_HS384,
	CRYPTO_ALG_HS512,
	CRYPTO_ALG_RS256,
	CRYPTO_ALG_ES256,
	CRYPTO_ALG_ES384,
	CRYPTO_ALG_ES512,
	CRYPTO_ALG_ED25519,
	CRYPTO_ALG_ED448,
};
#define CRYPTO_JWS_ALG_COUNT	9

enum crypto_digest {
	CRYPTO_DIGEST_SHA256,
	CRYPTO_DIGEST_SHA384,
	CRYPTO_DIGEST_SHA512,
};

/* Case-insensitive, '-' read as '_' ("ECDSA-P256" is ecdsa_p256).
 * -1 with "<input>: unknown algorithm" otherwise. */
int	 crypto_key_type_parse(const char *s, enum crypto_key_type *out);

/* "rsa2048", "ecdsa-p256", "ed25519"...: the form used in file names,
 * logs and hook variables.  Static string. */
const char *crypto_key_type_name(enum crypto_key_type t);

/* Case-insensitive ("es256" is ES256).  -1 with
 * "<input>: unknown algorithm." otherwise. */
int	 crypto_jws_alg_parse(const char *s, enum crypto_jws_alg *out);

/* "HS256" ... "ES512", "Ed25519", "Ed448": ACMEd's display form, stored in
 * the account file.  Static string. */
const char *crypto_jws_alg_name(enum crypto_jws_alg a);

/* The JOSE "alg" header value: as crypto_jws_alg_name() except "EdDSA"
 * for both EdDSA algorithms.  Static string. */
const char *crypto_jws_alg_header(enum crypto_jws_alg a);

/* The algorithm a key type signs with when the account sets none. */
enum crypto_jws_alg crypto_key_type_default_alg(enum crypto_key_type t);

/* 0 when the key type can sign with the algorithm (RSA: RS256; P-256:
 * ES256; P-384: ES384; P-521: ES512; Ed25519 and Ed448: themselves), else
 * -1 with "incompatible signature algorithm: <ALG> cannot be used with an
 * <keytype> key". */
int	 crypto_key_type_check_alg(enum crypto_key_type t,
	    enum crypto_jws_alg a);

/* Parses an external account binding algorithm: HS256, HS384 or HS512
 * (case-insensitive).  -1 with "<input>: unknown algorithm." or
 * "<ALG>: invalid signature algorithm for external account binding". */
int	 crypto_eab_alg_parse(const char *s, enum crypto_jws_alg *out);

/* Case-insensitive, '-' and '_' removed ("SHA-256" is sha256).  -1 with
 * "<normalised input>: unknown hash function." otherwise. */
int	 crypto_digest_parse(const char *s, enum crypto_digest *out);

/* "sha256", "sha384", "sha512".  Static string. */
const char *crypto_digest_name(enum crypto_digest d);

#endif
