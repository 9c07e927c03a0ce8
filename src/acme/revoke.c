/*
 * revoke.c - revokeCert (see revoke.h).
 */
#include <stdlib.h>

#include "acme/json.h"
#include "acme/revoke.h"
#include "util/b64url.h"
#include "util/err.h"

int
acme_revoke(struct acme_session *s, const void *der, size_t len, int reason)
{
	struct acme_directory *d;
	struct http_response r;
	json_t *payload = NULL;
	char *cert = NULL, *text = NULL;
	int rc = -1;

	if ((d = acme_session_directory(s)) == NULL)
		return -1;
	http_response_init(&r);
	if (d->revoke_cert == NULL) {
		err_set("%s: the CA's directory lists no revokeCert", s->ep->url);
		goto out;
	}
	if ((cert = b64url_encode(der, len)) == NULL ||
	    (payload = json_object()) == NULL ||
	    json_object_set_new(payload, "certificate",
	    json_string(cert)) == -1 ||
	    (reason != ACME_REVOKE_NO_REASON &&
	    json_object_set_new(payload, "reason", json_integer(reason)) ==
	    -1) || (text = json_dump_compact(payload)) == NULL) {
		err_set("out of memory");
		goto out;
	}
	rc = acme_post(s, d->revoke_cert, text, NULL, &r);
out:
	http_response_free(&r);
	json_decref(payload);
	free(cert);
	free(text);
	acme_directory_put(d);
	return rc;
}
