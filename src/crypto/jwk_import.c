/*
 * jwk_import.c - a key from a JWK (RFC 7518 section 6, RFC 8037 section
 * 2): how the published test vectors give their keys.  The input is
 * trusted to be consistent (d really belongs to n or to x and y).
 */
#include <string.h>

#include <jansson.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "crypto/intern.h"
#include "crypto/key.h"
#include "util/b64url.h"
#include "util/err.h"

/* Grows the empty buffer b to hold n bytes, so that decoding a private
 * value into it never reallocates and leaves unwiped copies behind. */
static int
reserve(struct buf *b, size_t n)
{
	static const char zeros[256];
	size_t chunk;

	while (b->len < n) {
		chunk = n - b->len < sizeof(zeros) ? n - b->len : sizeof(zeros);
		if (buf_append(b, zeros, chunk) == -1)
			return -1;
	}
	buf_reset(b);
	return 0;
}

/* Decodes member name of o into out (empty).  0 when present, 1 when
 * absent, -1 with err when not a base64url string. */
static int
member(json_t *o, const char *name, struct buf *out)
{
	json_t *v = json_object_get(o, name);

	if (v == NULL)
		return 1;
	if (!json_is_string(v))
		return err_set("JWK member \"%s\" is not a string", name);
	if (reserve(out, json_string_length(v) / 4 * 3 + 3) == -1)
		return err_prefix("JWK member \"%s\"", name);
	if (b64url_decode_buf(out, json_string_value(v),
	    json_string_length(v)) == -1)
		return err_prefix("JWK member \"%s\"", name);
	return 0;
}

/* Adds member name as a BIGNUM parameter; absent is fine unless
 * required.  Returns 1 when added, 0 when absent, -1 with err. */
static int
push_bn(OSSL_PARAM_BLD *bld, BIGNUM **bns, size_t *nbn, json_t *o,
    const char *name, const char *param, int required)
{
	struct buf b;
	BIGNUM *bn;
	int r;

	buf_init(&b, 4096);
	if ((r = member(o, name, &b)) != 0) {
		buf_free_secure(&b);
		if (r == 1 && required)
			return err_set("JWK has no \"%s\"", name);
		return r == 1 ? 0 : -1;
	}
	bn = BN_secure_new();
	if (bn == NULL || BN_bin2bn((unsigned char *)b.data, (int)b.len,
	    bn) == NULL) {
		BN_clear_free(bn);
		buf_free_secure(&b);
		return crypto_ossl_err("cannot import JWK member \"%s\"",
		    name);
	}
	buf_free_secure(&b);
	bns[(*nbn)++] = bn;
	if (OSSL_PARAM_BLD_push_BN(bld, param, bn) != 1)
		return crypto_ossl_err("cannot import JWK member \"%s\"",
		    name);
	return 1;
}

static EVP_PKEY *
fromdata(const char *type, OSSL_PARAM_BLD *bld, int private)
{
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, private ? EVP_PKEY_KEYPAIR :
	    EVP_PKEY_PUBLIC_KEY, params) != 1) {
		crypto_ossl_err("cannot import the JWK");
		pkey = NULL;
	}
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

static EVP_PKEY *
rsa_key(json_t *o, int *private)
{
	static const char *const crt[][2] = {
		{ "p", OSSL_PKEY_PARAM_RSA_FACTOR1 },
		{ "q", OSSL_PKEY_PARAM_RSA_FACTOR2 },
		{ "dp", OSSL_PKEY_PARAM_RSA_EXPONENT1 },
		{ "dq", OSSL_PKEY_PARAM_RSA_EXPONENT2 },
		{ "qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1 },
	};
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *bns[8];
	size_t i, nbn = 0;
	int r, ncrt = 0;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL) {
		crypto_ossl_err("cannot import the JWK");
		goto out;
	}
	if (push_bn(bld, bns, &nbn, o, "n", OSSL_PKEY_PARAM_RSA_N, 1) == -1 ||
	    push_bn(bld, bns, &nbn, o, "e", OSSL_PKEY_PARAM_RSA_E, 1) == -1 ||
	    (r = push_bn(bld, bns, &nbn, o, "d", OSSL_PKEY_PARAM_RSA_D,
	    0)) == -1)
		goto out;
	*private = r;
	for (i = 0; *private && i < sizeof(crt) / sizeof(crt[0]); i++) {
		if ((r = push_bn(bld, bns, &nbn, o, crt[i][0], crt[i][1],
		    0)) == -1)
			goto out;
		ncrt += r;
	}
	if (ncrt != 0 && ncrt != 5) {
		err_set("JWK has only some of p, q, dp, dq and qi");
		goto out;
	}
	pkey = fromdata("RSA", bld, *private);
out:
	for (i = 0; i < nbn; i++)
		BN_clear_free(bns[i]);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static EVP_PKEY *
ec_key(json_t *o, const char *crv, int *private)
{
	unsigned char pub[1 + 2 * 66];
	OSSL_PARAM_BLD *bld = NULL;
	struct buf x, y;
	EVP_PKEY *pkey = NULL;
	BIGNUM *bns[1];
	size_t field, nbn = 0;
	const char *group;
	int r;

	buf_init(&x, 256);
	buf_init(&y, 256);
	if (strcmp(crv, "P-256") == 0) {
		group = "P-256";
		field = 32;
	} else if (strcmp(crv, "P-384") == 0) {
		group = "P-384";
		field = 48;
	} else if (strcmp(crv, "P-521") == 0) {
		group = "P-521";
		field = 66;
	} else {
		err_set("unsupported EC key");
		goto out;
	}
	if ((r = member(o, "x", &x)) != 0 || (r = member(o, "y", &y)) != 0) {
		if (r == 1)
			err_set("JWK needs both \"x\" and \"y\"");
		goto out;
	}
	if (x.len != field || y.len != field) {
		err_set("JWK coordinates are not %zu bytes long", field);
		goto out;
	}
	pub[0] = 0x04;	/* uncompressed point */
	memcpy(pub + 1, x.data, field);
	memcpy(pub + 1 + field, y.data, field);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pub, 1 + 2 * field) != 1) {
		crypto_ossl_err("cannot import the JWK");
		goto out;
	}
	if ((r = push_bn(bld, bns, &nbn, o, "d", OSSL_PKEY_PARAM_PRIV_KEY,
	    0)) == -1)
		goto out;
	*private = r;
	pkey = fromdata("EC", bld, *private);
out:
	if (nbn > 0)
		BN_clear_free(bns[0]);
	OSSL_PARAM_BLD_free(bld);
	buf_free(&x);
	buf_free(&y);
	return pkey;
}

static EVP_PKEY *
okp_key(json_t *o, const char *crv, int *private)
{
	unsigned char raw[64];
	size_t rawlen = sizeof(raw);
	struct buf x, d;
	EVP_PKEY *pkey = NULL;
	const char *type;
	int r;

	buf_init(&x, 256);
	buf_init(&d, 256);
	if (strcmp(crv, "Ed25519") == 0)
		type = "ED25519";
	else if (strcmp(crv, "Ed448") == 0)
		type = "ED448";
	else {
		err_set("unsupported key type: %s", crv);
		goto out;
	}
	if ((r = member(o, "x", &x)) != 0) {
		if (r == 1)
			err_set("JWK has no \"x\"");
		goto out;
	}
	if ((r = member(o, "d", &d)) == -1)
		goto out;
	*private = r == 0;
	if (*private)
		pkey = EVP_PKEY_new_raw_private_key_ex(NULL, type, NULL,
		    (unsigned char *)d.data, d.len);
	else
		pkey = EVP_PKEY_new_raw_public_key_ex(NULL, type, NULL,
		    (unsigned char *)x.data, x.len);
	if (pkey == NULL) {
		crypto_ossl_err("cannot import the JWK");
		goto out;
	}
	/* With d, x is redundant: it must be the public key d yields. */
	if (EVP_PKEY_get_raw_public_key(pkey, raw, &rawlen) != 1 ||
	    rawlen != x.len || memcmp(raw, x.data, rawlen) != 0) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
		err_set("JWK \"x\" does not match \"d\"");
	}
out:
	buf_free(&x);
	buf_free_secure(&d);
	return pkey;
}

struct crypto_key *
crypto_key_from_jwk(const char *json, size_t len)
{
	json_error_t jerr;
	json_t *o, *kty, *crv;
	EVP_PKEY *pkey = NULL;
	int private = 0;

	ERR_clear_error();
	if ((o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		err_set("invalid JWK: %s", jerr.text);
		return NULL;
	}
	kty = json_object_get(o, "kty");
	crv = json_object_get(o, "crv");
	if (!json_is_object(o) || !json_is_string(kty))
		err_set("invalid JWK: no \"kty\"");
	else if (strcmp(json_string_value(kty), "RSA") == 0)
		pkey = rsa_key(o, &private);
	else if (!json_is_string(crv))
		err_set("invalid JWK: no \"crv\"");
	else if (strcmp(json_string_value(kty), "EC") == 0)
		pkey = ec_key(o, json_string_value(crv), &private);
	else if (strcmp(json_string_value(kty), "OKP") == 0)
		pkey = okp_key(o, json_string_value(crv), &private);
	else
		err_set("unsupported key type: %s", json_string_value(kty));
	json_decref(o);
	if (pkey == NULL)
		return NULL;
	return crypto_key_wrap(pkey, private);
}
