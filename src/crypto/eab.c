/*
 * eab.c - the external account binding JWS (see eab.h).
 */
#include <stdlib.h>

#include "crypto/eab.h"
#include "crypto/hash.h"
#include "crypto/intern.h"
#include "util/err.h"

struct mac_key {
	enum crypto_digest	 digest;
	const void		*key;
	size_t			 keylen;
};

static int
hmac_cb(void *arg, const void *input, size_t len, struct buf *sig)
{
	const struct mac_key *mk = arg;
	unsigned char mac[CRYPTO_HASH_MAX];

	if (crypto_hmac(mk->digest, mk->key, mk->keylen, input, len,
	    mac) == -1)
		return -1;
	return buf_append(sig, mac, crypto_digest_size(mk->digest));
}

json_t *
crypto_eab_json(enum crypto_jws_alg alg, const void *key, size_t keylen,
    const char *kid, const char *url, const struct crypto_signer *account)
{
	struct mac_key mk = { CRYPTO_DIGEST_SHA256, key, keylen };
	struct buf jwk;
	json_t *hdr = NULL, *jws = NULL;

	buf_init(&jwk, BUF_MAX_SMALL);
	switch (alg) {
	case CRYPTO_ALG_HS256:
		mk.digest = CRYPTO_DIGEST_SHA256;
		break;
	case CRYPTO_ALG_HS384:
		mk.digest = CRYPTO_DIGEST_SHA384;
		break;
	case CRYPTO_ALG_HS512:
		mk.digest = CRYPTO_DIGEST_SHA512;
		break;
	default:
		err_set("%s: invalid signature algorithm for external "
		    "account binding", crypto_jws_alg_name(alg));
		goto out;
	}
	if (kid == NULL || url == NULL) {
		err_set("external account binding needs a key id and a URL");
		goto out;
	}
	if ((hdr = json_object()) == NULL) {
		err_set("out of memory");
		goto out;
	}
	if (crypto_json_set_str(hdr, "alg", crypto_jws_alg_name(alg)) == -1 ||
	    crypto_json_set_str(hdr, "kid", kid) == -1 ||
	    crypto_json_set_str(hdr, "url", url) == -1)
		goto out;
	if (crypto_signer_jwk(account, &jwk) == -1)
		goto out;
	jws = crypto_jws_flatten(hdr, jwk.data, jwk.len, hmac_cb, &mk);
	hdr = NULL;	/* consumed */
out:
	json_decref(hdr);
	buf_free(&jwk);
	return jws;
}

int
crypto_eab(enum crypto_jws_alg alg, const void *key, size_t keylen,
    const char *kid, const char *url, const struct crypto_signer *account,
    struct buf *out)
{
	json_t *jws;
	char *text;
	int rc;

	if ((jws = crypto_eab_json(alg, key, keylen, kid, url,
	    account)) == NULL)
		return -1;
	text = json_dumps(jws, JSON_COMPACT);
	json_decref(jws);
	if (text == NULL)
		return err_set("out of memory");
	rc = buf_puts(out, text);
	free(text);
	return rc;
}
