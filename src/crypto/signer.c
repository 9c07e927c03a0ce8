/*
 * signer.c - signing with an account key (see signer.h).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/intern.h"
#include "crypto/jwk.h"
#include "crypto/signer.h"
#include "util/err.h"

const char *
crypto_alg_md_name(enum crypto_jws_alg a)
{
	switch (a) {
	case CRYPTO_ALG_RS256:
	case CRYPTO_ALG_ES256:
		return "SHA256";
	case CRYPTO_ALG_ES384:
		return "SHA384";
	case CRYPTO_ALG_ES512:
		return "SHA512";
	default:
		return NULL;
	}
}

struct crypto_signer *
crypto_signer_new(const struct crypto_key *key, enum crypto_jws_alg alg)
{
	struct crypto_signer *s = NULL;
	struct buf tp;

	if (!key->has_private) {
		err_set("cannot sign with a public key");
		return NULL;
	}
	if (crypto_key_type_check_alg(key->type, alg) == -1)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->key = calloc(1, sizeof(*s->key))) == NULL) {
		free(s);
		err_set("out of memory");
		return NULL;
	}
	if (EVP_PKEY_up_ref(key->pkey) != 1) {
		free(s->key);
		free(s);
		crypto_ossl_err("cannot reference the key");
		return NULL;
	}
	*s->key = *key;
	s->alg = alg;
	if ((s->tmpl = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(s->tmpl, NULL, crypto_alg_md_name(alg),
	    NULL, NULL, key->pkey, NULL) != 1) {
		crypto_ossl_err("cannot sign with %s",
		    crypto_jws_alg_name(alg));
		crypto_signer_free(s);
		return NULL;
	}
	buf_init(&tp, 64);
	if (crypto_key_thumbprint(key, &tp) == -1 ||
	    tp.len != sizeof(s->thumbprint)) {
		buf_free(&tp);
		crypto_signer_free(s);
		err_set("cannot compute the key's thumbprint");
		return NULL;
	}
	memcpy(s->thumbprint, tp.data, tp.len);
	buf_free(&tp);
	return s;
}

void
crypto_signer_free(struct crypto_signer *s)
{
	if (s == NULL)
		return;
	crypto_key_free(s->key);
	EVP_MD_CTX_free(s->tmpl);
	free(s);
}

enum crypto_jws_alg
crypto_signer_alg(const struct crypto_signer *s)
{
	return s->alg;
}

enum crypto_key_type
crypto_signer_key_type(const struct crypto_signer *s)
{
	return s->key->type;
}

int
crypto_signer_sign(const struct crypto_signer *s, const void *data,
    size_t len, struct buf *sig)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char *raw = NULL;
	size_t rawlen = (size_t)EVP_PKEY_get_size(s->key->pkey);
	int rc = -1;

	if ((raw = OPENSSL_malloc(rawlen)) == NULL) {
		err_set("out of memory");
		goto out;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_MD_CTX_copy_ex(ctx, s->tmpl) != 1) {
		crypto_ossl_err("cannot sign with %s",
		    crypto_jws_alg_name(s->alg));
		goto out;
	}
	/* The copy is used once: FINALISE spares OpenSSL a copy of its own
	 * to keep the context reusable. */
	EVP_MD_CTX_set_flags(ctx, EVP_MD_CTX_FLAG_FINALISE);
	if (EVP_DigestSign(ctx, raw, &rawlen, data, len) != 1) {
		crypto_ossl_err("cannot sign with %s",
		    crypto_jws_alg_name(s->alg));
		goto out;
	}
	switch (s->alg) {
	case CRYPTO_ALG_ES256:
	case CRYPTO_ALG_ES384:
	case CRYPTO_ALG_ES512:
		rc = crypto_ecdsa_der_to_raw(raw, rawlen,
		    crypto_ecdsa_field_size(s->key->type), sig);
		break;
	default:
		rc = buf_append(sig, raw, rawlen);
		break;
	}
out:
	OPENSSL_free(raw);
	EVP_MD_CTX_free(ctx);
	return rc;
}

json_t *
crypto_signer_jwk_json(const struct crypto_signer *s)
{
	return crypto_key_jwk_json(s->key);
}

int
crypto_signer_jwk(const struct crypto_signer *s, struct buf *out)
{
	return crypto_key_jwk(s->key, out);
}

int
crypto_signer_thumbprint(const struct crypto_signer *s, struct buf *out)
{
	return buf_append(out, s->thumbprint, sizeof(s->thumbprint));
}

int
crypto_signer_public_pem(const struct crypto_signer *s, struct buf *out)
{
	return crypto_key_public_pem(s->key, out);
}
