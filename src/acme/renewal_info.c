/*
 * renewal_info.c - RFC 9773 renewal information (see renewal_info.h).
 */
#include <stdlib.h>
#include <string.h>

#include "acme/json.h"
#include "acme/renewal_info.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/period.h"

int
acme_renewal_info_parse(struct acme_renewal_info *ri, const char *body,
    size_t len)
{
	json_t *doc, *win;
	const char *url;
	struct buf safe;
	int rc = -1;

	memset(ri, 0, sizeof(*ri));
	ri->retry_after = -1;
	if ((doc = json_parse_object(body, len)) == NULL)
		return -1;
	if (json_get_object(doc, "suggestedWindow", 1, &win) == -1 ||
	    json_get_string(doc, "explanationURL", 0, &url) == -1)
		goto out;
	if (json_get_time(win, "start", 1, &ri->start) == -1 ||
	    json_get_time(win, "end", 1, &ri->end) == -1) {
		err_prefix("suggestedWindow");
		goto out;
	}
	/* Section 4.2: such a window is malformed; the client decides. */
	if (ri->end <= ri->start) {
		err_set("suggestedWindow: the end is not after the start");
		goto out;
	}
	if (url != NULL) {
		buf_init(&safe, 1100);
		json_safe_text(&safe, url, 1000);
		if ((ri->explanation = buf_steal(&safe)) == NULL) {
			err_set("out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

int
acme_renewal_info_offered(struct acme_session *s)
{
	struct acme_directory *d;
	int offered;

	/* Checks are made by the thousand: while the CA is down, one failed
	 * directory fetch answers for all of them for a while. */
	if (acme_endpoint_directory_down(s->ep))
		return err_set("%s: the directory could not be fetched less "
		    "than %d s ago", s->ep->url, ACME_DIRECTORY_DOWN_MS / 1000);
	if ((d = acme_session_directory(s)) == NULL)
		return -1;
	offered = d->renewal_info != NULL;
	acme_directory_put(d);
	return offered;
}

int
acme_renewal_info_get(struct acme_session *s, const char *cert_id,
    struct acme_renewal_info *ri)
{
	struct acme_directory *d;
	struct http_response r;
	struct buf url;
	int rc = -1;

	memset(ri, 0, sizeof(*ri));
	if ((d = acme_session_directory(s)) == NULL)
		return -1;
	buf_init(&url, 8192);
	http_response_init(&r);
	if (d->renewal_info == NULL) {
		err_set("%s: the directory lists no renewalInfo", s->ep->url);
		goto out;
	}
	/* Section 4.1: the path ends "/" cert_id, with a "/" between. */
	if (buf_printf(&url, "%s%s%s", d->renewal_info,
	    d->renewal_info[strlen(d->renewal_info) - 1] == '/' ? "" : "/",
	    cert_id) == -1) {
		err_set("out of memory");
		goto out;
	}
	if (acme_get(s, buf_str(&url), &r) == -1)
		goto out;
	if (acme_renewal_info_parse(ri, buf_str(&r.body), r.body.len) == -1) {
		err_prefix("%s", buf_str(&url));
		goto out;
	}
	ri->retry_after = r.retry_after;
	rc = 0;
out:
	http_response_free(&r);
	buf_free(&url);
	acme_directory_put(d);
	return rc;
}

void
acme_renewal_info_free(struct acme_renewal_info *ri)
{
	free(ri->explanation);
	ri->explanation = NULL;
}

/* splitmix64's finalizer: every bit of x moves every bit of the result. */
static uint64_t
renewal_info_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

int64_t
acme_renewal_info_pick(const struct acme_renewal_info *ri,
    const char *cert_id)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	uint64_t span = (uint64_t)(ri->end - ri->start);

	for (; *cert_id != '\0'; cert_id++)
		h = (h ^ (unsigned char)*cert_id) * 0x100000001b3ULL;
	h = renewal_info_mix(h ^ renewal_info_mix((uint64_t)ri->start) ^
	    (uint64_t)ri->end);
	return ri->start + (int64_t)(h % span);
}

long long
acme_renewal_info_recheck(const struct acme_renewal_info *ri)
{
	if (ri->retry_after < 0)
		return ACME_ARI_DEFAULT_S;
	return acme_renewal_info_clamp(ri->retry_after);
}

long long
acme_renewal_info_clamp(long long retry_after)
{
	if (retry_after < ACME_ARI_MIN_S)
		return ACME_ARI_MIN_S;
	return retry_after > ACME_ARI_MAX_S ? ACME_ARI_MAX_S : retry_after;
}

int
acme_renewal_info_encode(const struct acme_renewal_info *ri,
    const char *endpoint, const char *cert_id, int64_t until,
    struct buf *out)
{
	char start[PERIOD_UTC_LEN], end[PERIOD_UTC_LEN], at[PERIOD_UTC_LEN];
	json_t *doc;
	char *text = NULL;
	int rc = -1;

	period_utc(ri->start, start);
	period_utc(ri->end, end);
	period_utc(until, at);
	doc = json_pack("{s:{s:s,s:s},s:{s:s,s:s,s:s}}", "suggestedWindow",
	    "start", start, "end", end, "acmed", "endpoint", endpoint,
	    "certificate", cert_id, "next", at);
	if (doc != NULL && ri->explanation != NULL &&
	    json_object_set_new(doc, "explanationURL",
	    json_string(ri->explanation)) == -1) {
		json_decref(doc);
		doc = NULL;
	}
	if (doc == NULL || (text = json_dump_compact(doc)) == NULL ||
	    buf_puts(out, text) == -1 || buf_putc(out, '\n') == -1)
		err_set("out of memory");
	else
		rc = 0;
	free(text);
	json_decref(doc);
	return rc;
}

int
acme_renewal_info_decode(const char *text, size_t len, const char *endpoint,
    const char *cert_id, struct acme_renewal_info *ri, int64_t *until)
{
	const char *ep, *id;
	json_t *doc, *own;
	int rc = -1;

	if (acme_renewal_info_parse(ri, text, len) == -1)
		return -1;
	if ((doc = json_parse_object(text, len)) == NULL)
		goto out;
	if (json_get_object(doc, "acmed", 1, &own) == -1 ||
	    json_get_string(own, "endpoint", 1, &ep) == -1 ||
	    json_get_string(own, "certificate", 1, &id) == -1 ||
	    json_get_time(own, "next", 1, until) == -1)
		goto out;
	rc = strcmp(ep, endpoint) == 0 && strcmp(id, cert_id) == 0;
out:
	json_decref(doc);
	if (rc != 1)
		acme_renewal_info_free(ri);
	return rc;
}
