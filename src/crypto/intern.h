/*
 * intern.h - private to src/crypto/: the structures behind the opaque
 * handles of the public headers and the helpers the files share.  Nothing
 * outside this folder includes it.
 */
#ifndef ACMED_CRYPTO_INTERN_H
#define ACMED_CRYPTO_INTERN_H

#include <stddef.h>

#include <jansson.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "crypto/ident.h"
#include "crypto/keytype.h"
#include "util/buf.h"

/* The largest public key octets (struct crypto_key_spki): a P-521 point,
 * uncompressed. */
#define CRYPTO_KEY_PUB_MAX	(1 + 2 * 66)

struct crypto_key {
	EVP_PKEY		*pkey;
	enum crypto_key_type	 type;
	int			 has_private;
	/* A new key's public octets, kept from its generation for the CSR,
	 * the certificate check and the key file: reading them from OpenSSL
	 * converts the EC point to affine coordinates (a field inversion)
	 * each time.  publen 0: not kept, read them. */
	unsigned char		 pub[CRYPTO_KEY_PUB_MAX];
	size_t			 publen;
};

struct crypto_signer {
	struct crypto_key	*key;	/* its own reference to the EVP_PKEY */
	enum crypto_jws_alg	 alg;
	EVP_MD_CTX		*tmpl;	/* initialized once, copied for each
					   signature: initializing looks the
					   algorithms up by name each time */
	char			 thumbprint[43]; /* base64url of SHA-256,
						    computed once: every
						    challenge needs it */
};

/* ossl_err.c: records "<message>: <OpenSSL's reason>" with err_set() and
 * empties OpenSSL's error queue.  Always returns -1. */
int	 crypto_ossl_err(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* chain.c: the next "CERTIFICATE" block of a chain's PEM data (from
 * PEM_read_bio), its DER into *der (OPENSSL_free) and *len.  1: one read;
 * 0: no more blocks; -1 with err: a block that is not a certificate
 * (unnamed: it may be a "PRIVATE KEY", which no log line has; n, the
 * certificates read before it, is named), or PEM that does not decode. */
int	 crypto_pem_next_cert(BIO *bio, size_t n, unsigned char **der,
	    long *len);

/* key.c: wraps pkey after checking that it is one of the seven supported
 * key types.  Takes ownership of pkey, also on failure. */
struct crypto_key *crypto_key_wrap(EVP_PKEY *pkey, int has_private);

/* key_pem.c: an unencrypted PKCS#8 PEM key file of an EC key (with its
 * public key) or an EdDSA key, read from its values without OpenSSL's
 * decoders.  NULL for anything else, or on any error: the caller then
 * asks OpenSSL. */
struct crypto_key *crypto_key_from_pkcs8_values(const void *pem,
	    size_t len);

/* key.c: a public key as a SubjectPublicKeyInfo holds it, for the EC and
 * EdDSA keys: the algorithm (and curve) and the key's octets (the X9.62
 * point; the raw EdDSA key), which go into a BIT STRING as they are. */
struct crypto_key_spki {
	int		 alg;	/* NID_X9_62_id_ecPublicKey, NID_ED25519,
				   NID_ED448 */
	int		 curve;	/* NID of the curve; NID_undef for EdDSA */
	unsigned char	*octets;	/* OPENSSL_malloc()ed */
	size_t		 len;
};

/* 0 (octets to OPENSSL_free()), 1 for RSA keys (nothing read: use the
 * generic OpenSSL calls), -1 with err. */
int	 crypto_key_public_octets(const struct crypto_key *k,
	    struct crypto_key_spki *out);

/* key.c: appends private key bytes to out, which must be empty: a
 * buffer that grows by realloc() would leave unwiped copies behind. */
int	 crypto_secret_put(struct buf *out, const void *p, size_t n);

/* ecdsa_sig.c: JWS ECDSA signatures are r||s, each left-padded to the
 * size of the curve's field (RFC 7518 section 3.4); OpenSSL speaks DER. */
size_t	 crypto_ecdsa_field_size(enum crypto_key_type t);
int	 crypto_ecdsa_der_to_raw(const unsigned char *der, size_t len,
	    size_t field, struct buf *out);
/* *der is allocated by OpenSSL: OPENSSL_free(). */
int	 crypto_ecdsa_raw_to_der(const unsigned char *raw, size_t len,
	    size_t field, unsigned char **der, size_t *derlen);

/* hash.c: the OpenSSL name of a digest ("SHA256"...). */
const char *crypto_digest_ossl_name(enum crypto_digest d);

/* hash.c: the digest to sign a CSR or certificate with: d, or NULL for
 * the EdDSA keys. */
const char *crypto_x509_md_name(const struct crypto_key *key,
	    enum crypto_digest d);

/* signer.c: the digest a JWS algorithm signs with; NULL for EdDSA (which
 * hashes internally) and for the HMAC algorithms. */
const char *crypto_alg_md_name(enum crypto_jws_alg a);

/* jws.c: the flattened JWS {"protected","payload","signature"} for a
 * protected header (consumed: json_decref()ed in all cases) and a payload,
 * signed by sign(arg, signing input).  New object; NULL with err. */
json_t	*crypto_jws_flatten(json_t *protected, const void *payload,
	    size_t len, int (*sign)(void *arg, const void *input, size_t n,
	    struct buf *sig), void *arg);

/* jws.c: json_object_set_new() of a string that may come from outside
 * (URLs, nonces): -1 with err when it is not UTF-8. */
int	 crypto_json_set_str(json_t *o, const char *name, const char *value);

/* san.c: a subjectAltName holding the identifiers, the dNSNames first (in
 * the given order), then the iPAddresses, as ACMEd orders them.  -1 with
 * err on an empty list or a malformed value. */
GENERAL_NAMES *crypto_san_build(const struct crypto_ident *ids, size_t n);

/* san.c: a copy of one identifier as a GENERAL_NAME. */
GENERAL_NAME *crypto_san_name(const struct crypto_ident *id);

/* subject.c: adds the subject attributes present in values (indexed by
 * enum crypto_subject_attr) to name, in the enum's order.  -1 with err. */
int	 crypto_subject_build(X509_NAME *name, const char *const values[]);

/* ipaddr.c: parses an IPv4 or IPv6 address in text form into out (4 or
 * 16 bytes); returns the length, or 0 when s is not an address. */
size_t	 crypto_ip_parse(const char *s, unsigned char out[16]);

/* ipaddr.c: the canonical text of a 4- or 16-byte address. */
int	 crypto_ip_format(const unsigned char *ip, size_t len,
	    struct buf *out);

#endif
