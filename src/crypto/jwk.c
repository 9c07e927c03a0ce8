/*
 * jwk.c - the public JWK of a key and its RFC 7638 thumbprint.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "crypto/hash.h"
#include "crypto/intern.h"
#include "crypto/jwk.h"
#include "util/b64url.h"
#include "util/err.h"

/* The members of a JWK, base64url values allocated. */
struct jwk_parts {
	const char	*kty;
	const char	*crv;	/* EC and OKP */
	const char	*alg;
	char		*n, *e;	/* RSA */
	char		*x, *y;	/* EC: x and y; OKP: x */
};

static void
jwk_parts_free(struct jwk_parts *p)
{
	free(p->n);
	free(p->e);
	free(p->x);
	free(p->y);
	memset(p, 0, sizeof(*p));
}

/* base64url of a BIGNUM parameter, minimal (pad == 0) or left-padded. */
static char *
bn_param_b64(EVP_PKEY *pkey, const char *name, size_t pad)
{
	unsigned char bin[1024];
	BIGNUM *bn = NULL;
	char *s = NULL;
	int n;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) {
		crypto_ossl_err("cannot read the public key (%s)", name);
		goto out;
	}
	if ((size_t)BN_num_bytes(bn) > (pad != 0 ? pad : sizeof(bin))) {
		err_set("public key parameter %s too large", name);
		goto out;
	}
	n = pad != 0 ? BN_bn2binpad(bn, bin, (int)pad) : BN_bn2bin(bn, bin);
	if (n < 0) {
		crypto_ossl_err("cannot read the public key (%s)", name);
		goto out;
	}
	if ((s = b64url_encode(bin, (size_t)n)) == NULL)
		err_set("out of memory");
out:
	BN_free(bn);
	return s;
}

static int
jwk_parts_get(const struct crypto_key *k, struct jwk_parts *p)
{
	unsigned char raw[64];
	size_t len = sizeof(raw);
	size_t field;

	memset(p, 0, sizeof(*p));
	switch (k->type) {
	case CRYPTO_KEY_RSA2048:
	case CRYPTO_KEY_RSA4096:
		p->kty = "RSA";
		p->alg = "RS256";
		if ((p->n = bn_param_b64(k->pkey, OSSL_PKEY_PARAM_RSA_N,
		    0)) == NULL ||
		    (p->e = bn_param_b64(k->pkey, OSSL_PKEY_PARAM_RSA_E,
		    0)) == NULL)
			goto fail;
		return 0;
	case CRYPTO_KEY_ECDSA_P256:
	case CRYPTO_KEY_ECDSA_P384:
	case CRYPTO_KEY_ECDSA_P521:
		p->kty = "EC";
		p->crv = k->type == CRYPTO_KEY_ECDSA_P256 ? "P-256" :
		    k->type == CRYPTO_KEY_ECDSA_P384 ? "P-384" : "P-521";
		p->alg = k->type == CRYPTO_KEY_ECDSA_P256 ? "ES256" :
		    k->type == CRYPTO_KEY_ECDSA_P384 ? "ES384" : "ES512";
		field = crypto_ecdsa_field_size(k->type);
		if ((p->x = bn_param_b64(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X,
		    field)) == NULL ||
		    (p->y = bn_param_b64(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y,
		    field)) == NULL)
			goto fail;
		return 0;
	case CRYPTO_KEY_ED25519:
	case CRYPTO_KEY_ED448:
		p->kty = "OKP";
		p->crv = k->type == CRYPTO_KEY_ED25519 ? "Ed25519" : "Ed448";
		p->alg = "EdDSA";
		if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &len) != 1) {
			crypto_ossl_err("cannot read the public key");
			goto fail;
		}
		if ((p->x = b64url_encode(raw, len)) == NULL) {
			err_set("out of memory");
			goto fail;
		}
		return 0;
	}
	err_set("internal error: unknown key type");
fail:
	jwk_parts_free(p);
	return -1;
}

/* Adds a string member; the values are ASCII, so only ENOMEM fails. */
static int
set_str(json_t *o, const char *name, const char *value)
{
	if (json_object_set_new(o, name, json_string(value)) == -1)
		return err_set("out of memory");
	return 0;
}

json_t *
crypto_key_jwk_json(const struct crypto_key *k)
{
	struct jwk_parts p;
	json_t *o = NULL;
	int rc = -1;

	if (jwk_parts_get(k, &p) == -1)
		return NULL;
	if ((o = json_object()) == NULL) {
		err_set("out of memory");
		goto out;
	}
	/* Inserted in sorted order: Jansson keeps insertion order, and
	 * ACMEd's JWKs are sorted. */
	if (set_str(o, "alg", p.alg) == -1)
		goto out;
	if (p.crv != NULL && set_str(o, "crv", p.crv) == -1)
		goto out;
	if (p.e != NULL && set_str(o, "e", p.e) == -1)
		goto out;
	if (set_str(o, "kty", p.kty) == -1)
		goto out;
	if (p.n != NULL && set_str(o, "n", p.n) == -1)
		goto out;
	if (set_str(o, "use", "sig") == -1)
		goto out;
	if (p.x != NULL && set_str(o, "x", p.x) == -1)
		goto out;
	if (p.y != NULL && set_str(o, "y", p.y) == -1)
		goto out;
	rc = 0;
out:
	jwk_parts_free(&p);
	if (rc == -1) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

int
crypto_key_jwk(const struct crypto_key *k, struct buf *out)
{
	json_t *o;
	char *s;
	int rc;

	if ((o = crypto_key_jwk_json(k)) == NULL)
		return -1;
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (s == NULL)
		return err_set("out of memory");
	rc = buf_puts(out, s);
	free(s);
	return rc;
}

int
crypto_key_thumbprint_input(const struct crypto_key *k, struct buf *out)
{
	struct jwk_parts p;
	int rc;

	if (jwk_parts_get(k, &p) == -1)
		return -1;
	/*
	 * RFC 7638 section 3: the required members in lexicographic order,
	 * no whitespace.  Every value is a fixed name or base64url, so
	 * nothing needs escaping; this is the one JSON text of the project
	 * written by hand.
	 */
	if (p.n != NULL)
		rc = buf_printf(out, "{\"e\":\"%s\",\"kty\":\"%s\","
		    "\"n\":\"%s\"}", p.e, p.kty, p.n);
	else if (p.y != NULL)
		rc = buf_printf(out, "{\"crv\":\"%s\",\"kty\":\"%s\","
		    "\"x\":\"%s\",\"y\":\"%s\"}", p.crv, p.kty, p.x, p.y);
	else
		rc = buf_printf(out, "{\"crv\":\"%s\",\"kty\":\"%s\","
		    "\"x\":\"%s\"}", p.crv, p.kty, p.x);
	jwk_parts_free(&p);
	return rc;
}

int
crypto_key_thumbprint(const struct crypto_key *k, struct buf *out)
{
	unsigned char md[CRYPTO_HASH_MAX];
	struct buf in;
	int rc = -1;

	buf_init(&in, BUF_MAX_SMALL);
	if (crypto_key_thumbprint_input(k, &in) == -1 ||
	    crypto_hash(CRYPTO_DIGEST_SHA256, in.data, in.len, md) == -1)
		goto out;
	rc = b64url_encode_buf(out, md, 32);
out:
	buf_free(&in);
	return rc;
}
