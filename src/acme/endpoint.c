/*
 * endpoint.c - shared per-CA state (see endpoint.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "acme/endpoint.h"
#include "acme/json.h"
#include "util/err.h"
#include "util/period.h"
#include "util/url.h"

struct acme_directory *
acme_directory_parse(const char *body, size_t len)
{
	struct acme_directory *d;
	json_t *doc, *meta = NULL, *profiles = NULL, *v;
	const char *tos, *key;
	int ear = 0;

	if ((doc = json_parse_object(body, len)) == NULL)
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		json_decref(doc);
		err_set("out of memory");
		return NULL;
	}
	atomic_init(&d->refs, 1);
	if (json_get_url(doc, "newNonce", 1, &d->new_nonce) == -1 ||
	    json_get_url(doc, "newAccount", 1, &d->new_account) == -1 ||
	    json_get_url(doc, "newOrder", 1, &d->new_order) == -1 ||
	    json_get_url(doc, "revokeCert", 0, &d->revoke_cert) == -1 ||
	    json_get_url(doc, "keyChange", 0, &d->key_change) == -1 ||
	    json_get_url(doc, "newAuthz", 0, &d->new_authz) == -1 ||
	    json_get_url(doc, "renewalInfo", 0, &d->renewal_info) == -1 ||
	    json_get_object(doc, "meta", 0, &meta) == -1)
		goto fail;
	if (meta != NULL) {
		if (json_get_string(meta, "termsOfService", 0, &tos) == -1 ||
		    json_get_bool(meta, "externalAccountRequired", 0,
		    &ear) == -1 ||
		    json_get_object(meta, "profiles", 0, &profiles) == -1) {
			err_prefix("meta");
			goto fail;
		}
		d->external_account_required = ear;
		if (tos != NULL && (d->terms_of_service = strdup(tos)) == NULL)
			goto oom;
		if (profiles != NULL) {
			json_object_foreach(profiles, key, v) {
				if (d->nprofiles == ACME_MAX_PROFILES)
					break;
				if ((d->profiles[d->nprofiles] = strdup(key)) ==
				    NULL)
					goto oom;
				d->nprofiles++;
			}
		}
	}
	json_decref(doc);
	return d;
oom:
	err_set("out of memory");
fail:
	err_prefix("directory");
	json_decref(doc);
	acme_directory_put(d);
	return NULL;
}

void
acme_directory_put(struct acme_directory *d)
{
	size_t i;

	if (d == NULL || atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	free(d->new_nonce);
	free(d->new_account);
	free(d->new_order);
	free(d->revoke_cert);
	free(d->key_change);
	free(d->new_authz);
	free(d->renewal_info);
	free(d->terms_of_service);
	for (i = 0; i < d->nprofiles; i++)
		free(d->profiles[i]);
	free(d);
}

char *
acme_url_origin(const char *url)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL, *p;
	CURLU *u;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK &&
	    asprintf(&out, "%s://%s:%s", scheme, host, port) == -1)
		out = NULL;
	for (p = out; p != NULL && *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

/* The directory URL up to the end of its authority, and "/": a URL that
 * starts with it has the directory's origin.  NULL when the authority
 * holds a user name (no shortcut then). */
static char *
origin_prefix(const char *url)
{
	const char *a, *end;
	char *out;
	size_t alen;

	if ((a = url_authority(url, &alen)) == NULL)
		return NULL;
	end = a + alen;
	if (end == a || memchr(a, '@', (size_t)(end - a)) != NULL ||
	    (out = malloc((size_t)(end - url) + 2)) == NULL)
		return NULL;
	memcpy(out, url, (size_t)(end - url));
	memcpy(out + (end - url), "/", 2);
	return out;
}

int
acme_endpoint_same_origin(const struct acme_endpoint *ep, const char *url)
{
	const unsigned char *p;
	size_t n;

	if (ep->prefix == NULL)
		return 0;
	n = strlen(ep->prefix);
	if (strncmp(url, ep->prefix, n) != 0)
		return 0;
	/* The rest must be what a URL parser takes as it is. */
	for (p = (const unsigned char *)url + n; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("\"<>\\^`{|}", *p))
			return 0;
	return 1;
}

struct acme_endpoint *
acme_endpoint_new(const struct acme_endpoint_opts *o)
{
	struct acme_endpoint *ep;

	if ((ep = calloc(1, sizeof(*ep))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	pthread_mutex_init(&ep->mu, NULL);
	pthread_cond_init(&ep->dir_cv, NULL);
	http_target_defaults(&ep->target);
	ep->target.allow_http = o->allow_http;
	if (o->timeout_ms > 0)
		ep->target.timeout_ms = o->timeout_ms;
	if ((ep->name = strdup(o->name)) == NULL ||
	    (ep->url = strdup(o->url)) == NULL) {
		err_set("out of memory");
		goto fail;
	}
	/* NULL when the URL does not parse: every request then fails,
	 * naming it. */
	ep->origin = acme_url_origin(o->url);
	ep->prefix = ep->origin != NULL ? origin_prefix(o->url) : NULL;
	if ((ep->target.trust = http_trust_new(o->roots, o->nroots)) == NULL ||
	    (ep->target.share = http_share_new()) == NULL ||
	    (ep->rl = ratelimit_new()) == NULL)
		goto fail;
	return ep;
fail:
	err_prefix("endpoint \"%s\"", o->name);
	acme_endpoint_free(ep);
	return NULL;
}

void
acme_endpoint_free(struct acme_endpoint *ep)
{
	size_t i;

	if (ep == NULL)
		return;
	acme_directory_put(ep->dir);
	for (i = 0; i < ep->nnonces; i++)
		free(ep->nonces[i]);
	ratelimit_free(ep->rl);
	http_share_free(ep->target.share);
	http_trust_free(ep->target.trust);
	pthread_mutex_destroy(&ep->mu);
	pthread_cond_destroy(&ep->dir_cv);
	free(ep->name);
	free(ep->url);
	free(ep->origin);
	free(ep->prefix);
	free(ep);
}

int
acme_endpoint_add_limit(struct acme_endpoint *ep, uint64_t number,
    uint64_t period_s)
{
	return ratelimit_add(ep->rl, number, period_s);
}

int
acme_endpoint_directory_down(struct acme_endpoint *ep)
{
	int down;

	pthread_mutex_lock(&ep->mu);
	/* A stale directory may still be cached: the last fetch decides. */
	down = ep->dir_failed_ms != 0 &&
	    period_now_ms() - ep->dir_failed_ms < ACME_DIRECTORY_DOWN_MS;
	pthread_mutex_unlock(&ep->mu);
	return down;
}

void
acme_endpoint_forget_directory(struct acme_endpoint *ep)
{
	struct acme_directory *d;

	pthread_mutex_lock(&ep->mu);
	d = ep->dir;
	ep->dir = NULL;
	pthread_mutex_unlock(&ep->mu);
	acme_directory_put(d);
}

char *
acme_endpoint_nonce_take(struct acme_endpoint *ep)
{
	char *n = NULL;

	pthread_mutex_lock(&ep->mu);
	if (ep->nnonces > 0)
		n = ep->nonces[--ep->nnonces];	/* the freshest */
	pthread_mutex_unlock(&ep->mu);
	return n;
}

void
acme_endpoint_nonce_put(struct acme_endpoint *ep, char *nonce)
{
	char *drop = NULL;

	if (nonce == NULL)
		return;
	pthread_mutex_lock(&ep->mu);
	if (ep->nnonces == ACME_NONCE_POOL_MAX) {
		drop = ep->nonces[0];
		memmove(ep->nonces, ep->nonces + 1,
		    (ACME_NONCE_POOL_MAX - 1) * sizeof(ep->nonces[0]));
		ep->nnonces--;
	}
	ep->nonces[ep->nnonces++] = nonce;
	pthread_mutex_unlock(&ep->mu);
	free(drop);
}
