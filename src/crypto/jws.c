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

/* The parts of a flattened JWS, each base64url: the signing input
 * "<protected>.<payload>" (the first plen bytes are the protected header)
 * and the signature. */
struct jws_parts {
	struct buf	input;
	size_t		plen;
	struct buf	sig;
};

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

static void
jws_parts_free(struct jws_parts *p)
{
	buf_free(&p->input);
	buf_free(&p->sig);
}

/* Signs; protected is consumed.  -1 with err, p freed. */
static int
jws_parts_make(json_t *protected, const void *payload, size_t len,
    int (*sign)(void *, const void *, size_t, struct buf *), void *arg,
    struct jws_parts *p)
{
	struct buf raw;
	char *hdr;
	int rc = -1;

	buf_init(&p->input, JWS_MAX);
	buf_init(&p->sig, BUF_MAX_SMALL);
	buf_init(&raw, BUF_MAX_SMALL);
	hdr = json_dumps(protected, JSON_COMPACT);
	json_decref(protected);
	if (hdr == NULL) {
		err_set("out of memory");
		goto out;
	}
	if (b64url_encode_buf(&p->input, hdr, strlen(hdr)) == -1)
		goto out;
	p->plen = p->input.len;
	if (buf_putc(&p->input, '.') == -1 ||
	    b64url_encode_buf(&p->input, payload, len) == -1 ||
	    sign(arg, p->input.data, p->input.len, &raw) == -1 ||
	    b64url_encode_buf(&p->sig, raw.data, raw.len) == -1)
		goto out;
	rc = 0;
out:
	free(hdr);
	buf_free(&raw);
	if (rc == -1)
		jws_parts_free(p);
	return rc;
}

json_t *
crypto_jws_flatten(json_t *protected, const void *payload, size_t len,
    int (*sign)(void *, const void *, size_t, struct buf *), void *arg)
{
	struct jws_parts p;
	json_t *jws;

	if (jws_parts_make(protected, payload, len, sign, arg, &p) == -1)
		return NULL;
	/* The three parts are base64url (ASCII), so json_stringn() only
	 * fails for lack of memory. */
	if ((jws = json_object()) == NULL ||
	    json_object_set_new(jws, "protected",
	    json_stringn(p.input.data, p.plen)) == -1 ||
	    json_object_set_new(jws, "payload",
	    json_string(p.input.data + p.plen + 1)) == -1 ||
	    json_object_set_new(jws, "signature",
	    json_string(buf_str(&p.sig))) == -1) {
		json_decref(jws);
		jws = NULL;
		err_set("out of memory");
	}
	jws_parts_free(&p);
	return jws;
}

static int
signer_cb(void *arg, const void *input, size_t len, struct buf *sig)
{
	return crypto_signer_sign(arg, input, len, sig);
}

/* The protected header: alg, then jwk or kid, nonce, url. */
static json_t *
jws_header(const struct crypto_signer *s, const struct crypto_jws_hdr *h)
{
	json_t *hdr, *jwk;

	if (h->url == NULL) {
		err_set("a JWS needs a url");
		return NULL;
	}
	if ((hdr = json_object()) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	if (crypto_json_set_str(hdr, "alg",
	    crypto_jws_alg_header(crypto_signer_alg(s))) == -1)
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
	return hdr;
fail:
	json_decref(hdr);
	return NULL;
}

int
crypto_jws_sign(const struct crypto_signer *s, const struct crypto_jws_hdr *h,
    const void *payload, size_t len, struct buf *out)
{
	struct jws_parts p;
	json_t *hdr;
	int rc;

	if ((hdr = jws_header(s, h)) == NULL)
		return -1;
	/* The signer is only read; the callback interface takes void *. */
	if (jws_parts_make(hdr, payload, len, signer_cb,
	    (void *)(uintptr_t)s, &p) == -1)
		return -1;
	/* Written out, not through a JSON object: the parts are base64url,
	 * which needs no escaping, and Jansson would check and copy each
	 * character of them (a CSR's are a kilobyte) twice. */
	rc = buf_printf(out, "{\"protected\":\"%.*s\",\"payload\":\"%s\","
	    "\"signature\":\"%s\"}", (int)p.plen, p.input.data,
	    p.input.data + p.plen + 1, buf_str(&p.sig));
	jws_parts_free(&p);
	return rc;
}
