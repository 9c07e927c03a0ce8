/*
 * keychange.c - the nested JWS of an account key rollover (RFC 8555
 * section 7.3.5).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/intern.h"
#include "crypto/jws.h"
#include "util/err.h"

int
crypto_jws_key_change(const struct crypto_signer *old_key,
    const struct crypto_signer *new_key, const char *account_url,
    const char *url, const char *nonce, struct buf *out)
{
	struct crypto_jws_hdr inner_hdr = { url, NULL, NULL };
	struct crypto_jws_hdr outer_hdr = { url, nonce, account_url };
	json_t *payload = NULL, *old_jwk = NULL;
	char *payload_text = NULL;
	struct buf inner;
	int rc = -1;

	buf_init(&inner, BUF_MAX_DEFAULT);

	if (account_url == NULL || nonce == NULL) {
		err_set("a key change needs the account URL and a nonce");
		goto out;
	}
	if ((payload = json_object()) == NULL) {
		err_set("out of memory");
		goto out;
	}
	if (crypto_json_set_str(payload, "account", account_url) == -1)
		goto out;
	if ((old_jwk = crypto_signer_jwk_json(old_key)) == NULL)
		goto out;
	if (json_object_set_new(payload, "oldKey", old_jwk) == -1) {
		err_set("out of memory");
		goto out;
	}
	if ((payload_text = json_dumps(payload, JSON_COMPACT)) == NULL) {
		err_set("out of memory");
		goto out;
	}
	if (crypto_jws_sign(new_key, &inner_hdr, payload_text,
	    strlen(payload_text), &inner) == -1)
		goto out;
	rc = crypto_jws_sign(old_key, &outer_hdr, inner.data, inner.len, out);
out:
	free(payload_text);
	buf_free(&inner);
	json_decref(payload);
	return rc;
}
