/*
 * jws.c - flattened JWS for ACME requests (see jws.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/intern.h"
#include "crypto/jws.h"
#include "util/b64url.h"
#include "util/err.h"

/* Large enough for any payload acmed sends (a CSR of many names, a key
 * change), small enough to bound a mistake. */
#define JWS_MAX	BUF_MAX_DEFAULT

int
crypto_json_set_str(json_t *o, const char *name, const char *value)
{
	json_t *v;

	if ((v = json_string(value)) == NULL)
		return err_set("%s is not valid UTF-8", name);
	if (json_object_set_new(o, name, v) == -1)
		return err_set("out of memory");
	return 0;
}

json_t *
crypto_jws_flatten(json_t *protected, const void *payload, size_t len,
    int (*sign)(void *, const void *, size_t, struct buf *), void *arg)
{
	struct buf input, sig, enc;
	json_t *jws = NULL;
	char *hdr = NULL;
	size_t plen;

	buf_init(&input, JWS_MAX);
	buf_init(&sig, BUF_MAX_SMALL);
	buf_init(&enc, BUF_MAX_SMALL);
	if ((hdr = json_dumps(protected, JSON_COMPACT)) == NULL) {
		err_set("out of memory");
		goto fail;
	}
	/* Signing input: b64url(protected) "." b64url(payload). */
	if (b64url_encode_buf(&input, hdr, strlen(hdr)) == -1)
		goto fail;
	plen = input.len;
	if (buf_putc(&input, '.') == -1 ||
	    b64url_encode_buf(&input, payload, len) == -1)
		goto fail;
	if (sign(arg, input.data, input.len, &sig) == -1 ||
	    b64url_encode_buf(&enc, sig.data, sig.len) == -1)
		goto fail;
	/* The three parts are base64url (ASCII), so json_stringn() only
	 * fails for lack of memory. */
	if ((jws = json_object()) == NULL ||
	    json_object_set_new(jws, "protected",
	    json_stringn(input.data, plen)) == -1 ||
	    json_object_set_new(jws, "payload",
	    json_string(input.data + plen + 1)) == -1 ||
	    json_object_set_new(jws, "signature",
	    json_string(buf_str(&enc))) == -1) {
		err_set("out of memory");
		goto fail;
	}
	goto out;
fail:
	json_decref(jws);
	jws = NULL;
out:
	json_decref(protected);
	free(hdr);
	buf_free(&input);
	buf_free(&sig);
	buf_free(&enc);
	return jws;
}

static int
signer_cb(void *arg, const void *input, size_t len, struct buf *sig)
{
	return crypto_signer_sign(arg, input, len, sig);
}

json_t *
crypto_jws_sign_json(const struct crypto_signer *s,
    const struct crypto_jws_hdr *h, const void *payload, size_t len)
{
	json_t *hdr = NULL, *jwk = NULL;

	if (h->url == NULL) {
		err_set("a JWS needs a url");
		return NULL;
	}
	if ((hdr = json_object()) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	if (crypto_json_set_str(hdr, "alg",
	    crypto_jws_alg_header(s->alg)) == -1)
		goto fail;
	if (h->kid == NULL) {
		if ((jwk = crypto_signer_jwk_json(s)) == NULL)
			goto fail;
		if (json_object_set_new(hdr, "jwk", jwk) == -1) {
			err_set("out of memory");
			goto fail;
		}
	} else if (crypto_json_set_str(hdr, "kid", h->kid) == -1)
		goto fail;
	if (h->nonce != NULL &&
	    crypto_json_set_str(hdr, "nonce", h->nonce) == -1)
		goto fail;
	if (crypto_json_set_str(hdr, "url", h->url) == -1)
		goto fail;
	/* The signer is only read; the callback interface takes void *. */
	return crypto_jws_flatten(hdr, payload, len, signer_cb,
	    (void *)(uintptr_t)s);
fail:
	json_decref(hdr);
	return NULL;
}

int
crypto_jws_sign(const struct crypto_signer *s, const struct crypto_jws_hdr *h,
    const void *payload, size_t len, struct buf *out)
{
	json_t *jws;
	char *text;
	int rc;

	if ((jws = crypto_jws_sign_json(s, h, payload, len)) == NULL)
		return -1;
	text = json_dumps(jws, JSON_COMPACT);
	json_decref(jws);
	if (text == NULL)
		return err_set("out of memory");
	rc = buf_puts(out, text);
	free(text);
	return rc;
}
