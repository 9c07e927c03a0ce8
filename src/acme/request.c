/*
 * request.c - signed requests and the retry policy (see request.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "acme/json.h"
#include "acme/request.h"
#include "crypto/jws.h"
#include "util/err.h"
#include "util/period.h"
#include "util/log.h"
#include "util/stop.h"

/* A CA may reject any share of nonces (Pebble's robustness setting,
 * PEBBLE_WFE_NONCEREJECT, goes up to 90 %).  Each retry is one immediate
 * request answered with a fresh nonce, so the bound is generous: with 90 %
 * rejected, 150 retries fail one POST in ten million (20 failed one in
 * nine, most issuances of a few certificates). */
#define ACME_NONCE_RETRIES	150
#define ACME_BACKOFF_RETRIES	3
#define ACME_LATER_RETRIES	2

void
acme_session_init(struct acme_session *s, struct acme_endpoint *ep,
    struct http_client *http)
{
	memset(s, 0, sizeof(*s));
	s->ep = ep;
	s->http = http;
	s->retry_after = -1;
	s->max_wait_s = 60;
	s->backoff_base_ms = 1000;
}

void
acme_session_clear(struct acme_session *s)
{
	acme_problem_free(&s->problem);
	s->retry_after = -1;
}

void
acme_session_free(struct acme_session *s)
{
	acme_session_clear(s);
	free(s->kid);
	s->kid = NULL;
}

int
acme_session_check_url(const struct acme_session *s, const char *url)
{
	const struct acme_endpoint *ep = s->ep;
	char *got;
	int rc = 0;

	/* Most URLs start with the directory's own scheme://authority/. */
	if (acme_endpoint_same_origin(ep, url))
		return 0;
	if (ep->origin == NULL)
		return err_set("%s: not a valid URL", ep->url);
	if ((got = acme_url_origin(url)) == NULL)
		rc = err_set("%s: not a valid URL", url);
	else if (strcmp(ep->origin, got) != 0)
		rc = err_set("%s: refusing to send a request to another origin "
		    "than the directory's (%s): the CA must not send us "
		    "elsewhere", url, ep->origin);
	free(got);
	return rc;
}

void
acme_err_retry_after(long long secs)
{
	char msg[ERR_MSG_MAX], when[PERIOD_UTC_LEN];
	time_t t = time(NULL);

	if (secs < 0)
		return;
	snprintf(msg, sizeof(msg), "%s", err_msg());
	/* Past a century, neither the date nor the seconds (capped by
	 * http_parse_retry_after) would be what the server wrote. */
	if (secs > ACME_RETRY_AFTER_CENTURY_S) {
		err_set("%s (the server asks to retry in more than 100 years)",
		    msg);
		return;
	}
	t += (time_t)secs;
	period_utc(t, when);
	err_set("%s (the server asks to retry after %s, in %lld s)", msg, when,
	    secs);
}

/* base * 2^attempt, times a random factor in [0.5, 1.5). */
static int
acme_backoff(const struct acme_session *s, int attempt)
{
	unsigned int r = 0;
	long long ms = (long long)s->backoff_base_ms << attempt;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = 0x80000000u;
	ms = ms / 2 + (long long)((double)ms * (r / 4294967296.0));
	return stop_sleep_ms(ms);
}

/* One request through the rate limiter; counts it, keeps its nonce. */
static int
acme_send(struct acme_session *s, const char *method, const char *url,
    const char *accept, const char *ctype, const char *body, size_t len,
    struct http_response *r)
{
	int rc;

	if (ratelimit_acquire(s->ep->rl) == -1)
		return -1;
	atomic_fetch_add(&s->ep->nrequests, 1);
	rc = http_request(s->http, &s->ep->target, method, url, accept, ctype,
	    body, len, r);
	if (rc == 0) {
		log_trace("%s %s: HTTP %ld", method, url, r->status);
		acme_endpoint_nonce_put(s->ep, r->nonce);
		r->nonce = NULL;
	}
	return rc;
}

static int
acme_is_2xx(long status)
{
	return status >= 200 && status < 300;
}

/* Turns a non-2xx response into s->problem and err. */
static int
acme_fail(struct acme_session *s, const char *url,
    const struct http_response *r)
{
	struct buf where;

	acme_problem_free(&s->problem);
	acme_problem_parse(&s->problem, r->status, buf_str(&r->body),
	    r->body.len);
	s->retry_after = r->retry_after;
	if (r->status >= 300 && r->status < 400) {
		/* Not followed: a signed request must reach the URL it
		 * names, and a redirect may lead to plain HTTP. */
		buf_init(&where, 300);
		json_safe_text(&where, r->location ? r->location : "nowhere",
		    256);
		err_set("%s: HTTP %ld redirect to %s refused (ACME requests "
		    "are not redirected)", url, r->status, buf_str(&where));
		buf_free(&where);
		return -1;
	}
	return acme_problem_err(&s->problem, url);
}

int
acme_get(struct acme_session *s, const char *url, struct http_response *r)
{
	int attempt;

	acme_session_clear(s);
	if (acme_session_check_url(s, url) == -1)
		return -1;
	for (attempt = 0; ; attempt++) {
		if (acme_send(s, "GET", url, ACME_CT_JSON, NULL, NULL, 0,
		    r) == 0) {
			if (acme_is_2xx(r->status))
				return 0;
			acme_fail(s, url, r);
			/* A long Retry-After is the scheduler's business. */
			if (r->status < 500 || s->retry_after > s->max_wait_s) {
				acme_err_retry_after(s->retry_after);
				return -1;
			}
		} else if (r->permanent)
			return -1;
		if (attempt == ACME_BACKOFF_RETRIES) {
			acme_err_retry_after(s->retry_after);
			return -1;
		}
		log_debug("%s (retrying)", err_msg());
		if (s->retry_after >= 0 ? stop_sleep_ms(s->retry_after *
		    1000) == -1 : acme_backoff(s, attempt) == -1)
			return -1;
	}
}

struct acme_directory *
acme_session_directory(struct acme_session *s)
{
	static const char *const members[] = { "newNonce", "newAccount",
	    "newOrder", "revokeCert", "keyChange", "newAuthz", "renewalInfo" };
	struct acme_directory *d;
	struct acme_endpoint *ep = s->ep;
	struct http_response r;
	unsigned long seen;
	size_t i;

	/* One fetch at a time: the workers that start together (a daemon's
	 * first renewals or checks) share it, and open one connection to
	 * the CA instead of one each. */
	pthread_mutex_lock(&ep->mu);
	for (;;) {
		if ((d = ep->dir) != NULL && period_now_ms() / 1000 -
		    d->fetched < ACME_DIRECTORY_MAX_AGE_S) {
			atomic_fetch_add(&d->refs, 1);
			pthread_mutex_unlock(&ep->mu);
			return d;
		}
		if (!ep->dir_fetching)
			break;
		seen = ep->dir_fetches;
		while (ep->dir_fetching && ep->dir_fetches == seen)
			pthread_cond_wait(&ep->dir_cv, &ep->mu);
		/* The fetch waited for failed: its failure is this one's
		 * (trying again at once would multiply the waits on a CA
		 * that is down).  One that worked, but whose directory has
		 * been forgotten since, is made again. */
		if (ep->dir_fetches != seen && ep->dir_failed_ms != 0) {
			s->retry_after = ep->dir_retry_after;
			err_set("%s", ep->dir_error);
			pthread_mutex_unlock(&ep->mu);
			return NULL;
		}
	}
	ep->dir_fetching = 1;
	pthread_mutex_unlock(&ep->mu);

	http_response_init(&r);
	if (acme_get(s, s->ep->url, &r) == 0) {
		d = acme_directory_parse(buf_str(&r.body), r.body.len);
		if (d == NULL)
			err_prefix("%s", s->ep->url);
		else
			d->fetched = (time_t)(period_now_ms() / 1000);
	}
	/* Every request goes to the directory's origin: one that sends us
	 * elsewhere is refused at once rather than at each request. */
	for (i = 0; d != NULL && i < sizeof(members) / sizeof(*members); i++) {
		const char *urls[] = { d->new_nonce, d->new_account,
		    d->new_order, d->revoke_cert, d->key_change, d->new_authz,
		    d->renewal_info };

		if (urls[i] != NULL && acme_session_check_url(s, urls[i]) ==
		    -1) {
			err_prefix("%s: directory: member \"%s\"", s->ep->url,
			    members[i]);
			acme_directory_put(d);
			d = NULL;
		}
	}
	http_response_free(&r);
	pthread_mutex_lock(&ep->mu);
	if (d == NULL) {
		ep->dir_failed_ms = period_now_ms();
		ep->dir_retry_after = s->retry_after;
		snprintf(ep->dir_error, sizeof(ep->dir_error), "%s", err_msg());
	} else {
		atomic_fetch_add(&d->refs, 1);
		acme_directory_put(ep->dir);
		ep->dir = d;
		ep->dir_failed_ms = 0;
	}
	ep->dir_fetches++;
	ep->dir_fetching = 0;
	pthread_cond_broadcast(&ep->dir_cv);
	pthread_mutex_unlock(&ep->mu);
	return d;
}

/* A nonce from the pool, or from newNonce when the pool is empty. */
static char *
acme_nonce(struct acme_session *s)
{
	struct acme_directory *d;
	struct http_response r;
	char *n;

	if ((n = acme_endpoint_nonce_take(s->ep)) != NULL)
		return n;
	if ((d = acme_session_directory(s)) == NULL)
		return NULL;
	http_response_init(&r);
	atomic_fetch_add(&s->ep->nnew_nonce, 1);
	if (acme_send(s, "HEAD", d->new_nonce, NULL, NULL, NULL, 0,
	    &r) == 0 && !acme_is_2xx(r.status))
		acme_fail(s, d->new_nonce, &r);
	else if (r.status != 0 &&
	    (n = acme_endpoint_nonce_take(s->ep)) == NULL)
		err_set("%s: no Replay-Nonce in the response", d->new_nonce);
	http_response_free(&r);
	if (n == NULL)
		acme_endpoint_forget_directory(s->ep);
	acme_directory_put(d);
	return n;
}

struct acme_signed {
	struct acme_session	*s;
	const char		*payload;
};

static int
acme_sign_payload(void *arg, const char *url, const char *nonce,
    struct buf *out)
{
	struct acme_signed *a = arg;
	struct crypto_jws_hdr hdr = { url, nonce, a->s->kid };

	return crypto_jws_sign(a->s->signer, &hdr, a->payload ? a->payload :
	    "", a->payload ? strlen(a->payload) : 0, out);
}

int
acme_post(struct acme_session *s, const char *url, const char *payload,
    const char *accept, struct http_response *r)
{
	struct acme_signed a = { s, payload };

	return acme_post_body(s, url, acme_sign_payload, &a, accept, r);
}

int
acme_post_body(struct acme_session *s, const char *url, acme_body_fn build,
    void *arg, const char *accept, struct http_response *r)
{
	struct acme_directory *d;
	struct buf jws;
	int nonce_tries = 0, backoff_tries = 0, later_tries = 0;
	enum acme_retry policy;
	char *nonce = NULL;
	int rc = -1, sent;

	buf_init(&jws, HTTP_MAX_BODY);
	acme_session_clear(s);
	if (acme_session_check_url(s, url) == -1)
		goto out;
	for (;;) {
		acme_session_clear(s);
		/* The directory fetch has retries of its own: retrying it
		 * here as well would multiply the waits on a CA that is
		 * down (minutes instead of seconds). */
		if ((d = acme_session_directory(s)) == NULL) {
			err_prefix("%s", url);
			goto out;
		}
		acme_directory_put(d);
		if ((nonce = acme_nonce(s)) == NULL) {
			err_prefix("%s", url);
			goto transport;
		}
		buf_reset(&jws);
		if (build(arg, url, nonce, &jws) == -1) {
			err_prefix("%s: signing", url);
			goto out;
		}
		free(nonce);
		nonce = NULL;
		sent = acme_send(s, "POST", url, accept ? accept :
		    ACME_CT_JSON, ACME_CT_JOSE, jws.data, jws.len, r);
		if (sent == -1 && r->permanent)
			goto out;
		if (sent == -1)
			goto transport;
		if (acme_is_2xx(r->status)) {
			rc = 0;
			goto out;
		}
		acme_fail(s, url, r);
		policy = acme_error_retry(s->problem.type);
		/* Also without a problem document (rateLimited): a proxy or
		 * CDN in front of the CA sends a bare 429. */
		if ((r->status == 503 || r->status == 429) &&
		    policy == ACME_RETRY_NO)
			policy = ACME_RETRY_LATER;
		if (r->status >= 500 && policy == ACME_RETRY_NO)
			policy = ACME_RETRY_BACKOFF;
		switch (policy) {
		case ACME_RETRY_NONCE:
			if (++nonce_tries > ACME_NONCE_RETRIES)
				goto out;
			log_debug("%s (retrying with a fresh nonce)",
			    err_msg());
			continue;
		case ACME_RETRY_LATER:
			if (s->retry_after < 0 &&
			    s->problem.type != ACME_ERR_rateLimited)
				goto backoff;	/* a 503 or 429 without a hint */
			/* A long wait is the scheduler's business, not one
			 * request's. */
			if (s->retry_after < 0 ||
			    s->retry_after > s->max_wait_s ||
			    ++later_tries > ACME_LATER_RETRIES) {
				acme_err_retry_after(s->retry_after);
				goto out;
			}
			log_info("%s (retrying in %lld s)", err_msg(),
			    s->retry_after);
			if (stop_sleep_ms(s->retry_after * 1000) == -1)
				goto out;
			continue;
		case ACME_RETRY_BACKOFF:
			goto backoff;
		case ACME_RETRY_NO:
			goto out;
		}
transport:
		/* The directory may be what changed. */
		acme_endpoint_forget_directory(s->ep);
backoff:
		if (backoff_tries == ACME_BACKOFF_RETRIES || stop_is_set())
			goto out;
		log_debug("%s (retrying)", err_msg());
		if (acme_backoff(s, backoff_tries++) == -1)
			goto out;
	}
out:
	free(nonce);
	buf_free(&jws);
	return rc;
}
