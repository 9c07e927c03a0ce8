/*
 * order.c - orders, authorizations and challenges (see order.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "acme/json.h"
#include "acme/order.h"
#include "crypto/proof.h"
#include "util/b64url.h"
#include "util/err.h"
#include "util/period.h"
#include "util/log.h"
#include "util/stop.h"

static const char *const acme_status_names[] = {
	[ACME_ST_UNKNOWN] = "unknown",
	[ACME_ST_PENDING] = "pending",
	[ACME_ST_READY] = "ready",
	[ACME_ST_PROCESSING] = "processing",
	[ACME_ST_VALID] = "valid",
	[ACME_ST_INVALID] = "invalid",
	[ACME_ST_DEACTIVATED] = "deactivated",
	[ACME_ST_EXPIRED] = "expired",
	[ACME_ST_REVOKED] = "revoked",
};

enum acme_status
acme_status_parse(const char *s)
{
	size_t i;

	for (i = 1; i < sizeof(acme_status_names) / sizeof(*acme_status_names);
	    i++)
		if (s != NULL && strcmp(s, acme_status_names[i]) == 0)
			return (enum acme_status)i;
	return ACME_ST_UNKNOWN;
}

const char *
acme_status_name(enum acme_status st)
{
	return acme_status_names[st];
}

int
acme_token_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if (i == ACME_TOKEN_MAX || !((c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_'))
			return 0;
	}
	return i > 0;
}

/* Server text that ends up in messages and hook variables: printable
 * ASCII only (identifiers are A-labels or addresses, challenge types are
 * tokens), so that nothing can forge a log line or a hook argument. */
static int
plain_text(const char *key, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i == 1024)
			return err_set("member \"%s\" is too long", key);
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return err_set("member \"%s\" has characters outside "
			    "printable ASCII", key);
	}
	return 0;
}

/* The "error" member of an order or challenge, if any. */
static void
problem_member(json_t *obj, struct acme_problem *p)
{
	json_t *e;
	char *text;

	if (json_get_object(obj, "error", 0, &e) == 0 && e != NULL &&
	    (text = json_dumps(e, JSON_COMPACT)) != NULL) {
		acme_problem_parse(p, 0, text, strlen(text));
		free(text);
	}
	err_clear();
}

/* Frees what the server said, keeping the order's URL and whether we
 * finalized it (a poll replaces the fields, not the order). */
static void
order_clear_fields(struct acme_order *o)
{
	size_t i;
	char *url = o->url;
	int finalized = o->finalized;

	free(o->finalize);
	free(o->certificate);
	for (i = 0; i < o->nauthz; i++)
		free(o->authz[i]);
	acme_problem_free(&o->error);
	memset(o, 0, sizeof(*o));
	o->url = url;
	o->finalized = finalized;
}

void
acme_order_free(struct acme_order *o)
{
	order_clear_fields(o);
	free(o->url);
	o->url = NULL;
	o->finalized = 0;
}

int
acme_order_parse(struct acme_order *o, const char *body, size_t len)
{
	const char *status;
	json_t *doc, *arr, *v;
	size_t i;

	order_clear_fields(o);
	if ((doc = json_parse_object(body, len)) == NULL)
		return err_prefix("order");
	if (json_get_string(doc, "status", 1, &status) == -1 ||
	    json_get_url(doc, "finalize", 1, &o->finalize) == -1 ||
	    json_get_url(doc, "certificate", 0, &o->certificate) == -1 ||
	    json_get_array(doc, "authorizations", 1, &arr) == -1)
		goto fail;
	o->status = acme_status_parse(status);
	if (json_array_size(arr) > ACME_MAX_AUTHZ) {
		err_set("too many authorizations (%zu)", json_array_size(arr));
		goto fail;
	}
	json_array_foreach(arr, i, v) {
		const char *u = json_string_value(v);

		if (!json_is_url(u)) {
			err_set("authorization %zu is not an http(s) URL", i);
			goto fail;
		}
		if ((o->authz[o->nauthz] = strdup(u)) == NULL) {
			err_set("out of memory");
			goto fail;
		}
		o->nauthz++;
	}
	problem_member(doc, &o->error);
	json_decref(doc);
	return 0;
fail:
	json_decref(doc);
	return err_prefix("order");
}

int
acme_authz_parse(struct acme_authz *a, const char *body, size_t len)
{
	const char *status, *type, *value;
	json_t *doc, *ident, *arr, *c;
	size_t i;
	int wildcard = 0;

	memset(a, 0, sizeof(*a));
	if ((doc = json_parse_object(body, len)) == NULL)
		return err_prefix("authorization");
	if (json_get_string(doc, "status", 1, &status) == -1 ||
	    json_get_object(doc, "identifier", 1, &ident) == -1 ||
	    json_get_string(ident, "type", 1, &type) == -1 ||
	    json_get_string(ident, "value", 1, &value) == -1 ||
	    json_get_bool(doc, "wildcard", 0, &wildcard) == -1 ||
	    json_get_array(doc, "challenges", 1, &arr) == -1 ||
	    plain_text("value", value) == -1)
		goto fail;
	if (strcmp(type, "dns") == 0)
		a->type = CRYPTO_IDENT_DNS;
	else if (strcmp(type, "ip") == 0)
		a->type = CRYPTO_IDENT_IP;
	else {
		err_set("unknown identifier type");
		goto fail;
	}
	a->status = acme_status_parse(status);
	a->wildcard = wildcard;
	if ((a->value = strdup(value)) == NULL) {
		err_set("out of memory");
		goto fail;
	}
	json_array_foreach(arr, i, c) {
		struct acme_challenge *ch;
		const char *ctype, *cstatus, *token;

		if (a->nchall == ACME_MAX_CHALLENGES)
			break;
		if (!json_is_object(c)) {
			err_set("challenge %zu is not an object", i);
			goto fail;
		}
		ch = &a->chall[a->nchall++];
		if (json_get_string(c, "type", 1, &ctype) == -1 ||
		    json_get_url(c, "url", 1, &ch->url) == -1 ||
		    json_get_string(c, "status", 1, &cstatus) == -1 ||
		    json_get_string(c, "token", 0, &token) == -1 ||
		    plain_text("type", ctype) == -1) {
			err_prefix("challenge %zu", i);
			goto fail;
		}
		ch->status = acme_status_parse(cstatus);
		if ((ch->type = strdup(ctype)) == NULL ||
		    (token != NULL && (ch->token = strdup(token)) == NULL)) {
			err_set("out of memory");
			goto fail;
		}
		problem_member(c, &ch->error);
	}
	json_decref(doc);
	return 0;
fail:
	json_decref(doc);
	acme_authz_free(a);
	return err_prefix("authorization");
}

void
acme_authz_free(struct acme_authz *a)
{
	size_t i;

	free(a->value);
	for (i = 0; i < a->nchall; i++) {
		free(a->chall[i].type);
		free(a->chall[i].url);
		free(a->chall[i].token);
		acme_problem_free(&a->chall[i].error);
	}
	memset(a, 0, sizeof(*a));
}

static json_t *
order_identifiers(const struct acme_order_ident *ids, size_t n)
{
	json_t *arr = json_array(), *id;
	size_t i;

	for (i = 0; arr != NULL && i < n; i++) {
		id = json_pack("{s:s,s:s}", "type",
		    ids[i].type == CRYPTO_IDENT_IP ? "ip" : "dns",
		    "value", ids[i].value);
		if (id == NULL || json_array_append_new(arr, id) == -1) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static int
order_failure(const struct acme_order *o, const char *what)
{
	int typed = o->error.type != ACME_ERR_NONE;
	struct buf b;

	buf_init(&b, ERR_MSG_MAX);
	buf_printf(&b, "%s: order is %s %s", o->url,
	    acme_status_name(o->status), what);
	if (o->error.detail != NULL || typed)
		buf_printf(&b, ": %s%s%s",
		    typed ? acme_error_name(o->error.type) : "",
		    typed && o->error.detail ? ": " : "",
		    o->error.detail ? o->error.detail : "");
	/* Which identifier failed, and why (a CAA record, say). */
	acme_problem_subs(&o->error, &b);
	err_set("%s", b.len ? buf_str(&b) : "out of memory");
	buf_free(&b);
	return -1;
}

/* A profile the directory lists (draft-ietf-acme-profiles): a CA that
 * does not know it could ignore it and issue its default. */
static int
order_check_profile(const struct acme_session *s,
    const struct acme_directory *d, const char *profile)
{
	struct buf offered;
	size_t i;

	for (i = 0; i < d->nprofiles; i++)
		if (strcmp(d->profiles[i], profile) == 0)
			return 0;
	buf_init(&offered, 1024);
	for (i = 0; i < d->nprofiles; i++)
		buf_printf(&offered, "%s%s", i ? ", " : "", d->profiles[i]);
	err_set("%s: the CA offers no profile \"%s\" (offered: %s)",
	    s->ep->url, profile, d->nprofiles ? buf_str(&offered) : "none");
	buf_free(&offered);
	return -1;
}

int
acme_order_new(struct acme_session *s, const struct acme_order_ident *ids,
    size_t n, const char *profile, const char *replaces,
    struct acme_order *o)
{
	struct acme_directory *d;
	struct http_response r;
	json_t *payload;
	char *text = NULL;
	int rc = -1;

	memset(o, 0, sizeof(*o));
	if ((d = acme_session_directory(s)) == NULL)
		return -1;
	/* RFC 9773 section 5: only to a CA that offers renewal info. */
	if (d->renewal_info == NULL)
		replaces = NULL;
	http_response_init(&r);
	if (profile != NULL && order_check_profile(s, d, profile) == -1) {
		payload = NULL;
		goto out;
	}
	payload = json_object();
	if (payload == NULL || json_object_set_new(payload, "identifiers",
	    order_identifiers(ids, n)) == -1 ||
	    (profile != NULL && json_object_set_new(payload, "profile",
	    json_string(profile)) == -1) ||
	    (replaces != NULL && json_object_set_new(payload, "replaces",
	    json_string(replaces)) == -1) ||
	    (text = json_dump_compact(payload)) == NULL) {
		err_set("out of memory");
		goto out;
	}
	if (acme_post(s, d->new_order, text, NULL, &r) == -1)
		goto out;
	if (r.location == NULL) {
		err_set("%s: no order location found", d->new_order);
		goto out;
	}
	if (acme_session_check_url(s, r.location) == -1) {
		err_prefix("%s: order location", d->new_order);
		goto out;
	}
	if (acme_order_parse(o, buf_str(&r.body), r.body.len) == -1) {
		err_prefix("%s", d->new_order);
		goto out;
	}
	if ((o->url = strdup(r.location)) == NULL) {
		err_set("out of memory");
		goto out;
	}
	if (o->status == ACME_ST_INVALID || o->status == ACME_ST_UNKNOWN) {
		order_failure(o, "at creation");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		acme_order_free(o);
	free(text);
	json_decref(payload);
	http_response_free(&r);
	acme_directory_put(d);
	return rc;
}


static void
poll_defaults(struct acme_poll_opts *p, const struct acme_poll_opts *in)
{
	p->deadline_ms = 300000;
	p->first_ms = 100;
	p->max_ms = 5000;
	if (in != NULL) {
		if (in->deadline_ms > 0)
			p->deadline_ms = in->deadline_ms;
		if (in->first_ms > 0)
			p->first_ms = in->first_ms;
		if (in->max_ms > 0)
			p->max_ms = in->max_ms;
	}
}

/* Sleeps before the next poll: a doubling wait, or the server's
 * Retry-After when it is longer; never past the deadline.  A Retry-After
 * past the deadline fails at once (no point in sleeping until the
 * deadline), and s->retry_after tells the scheduler. */
static int
poll_wait(struct acme_session *s, const struct http_response *r,
    long long *next, const struct acme_poll_opts *p, long long deadline,
    const char *url)
{
	long long wait = *next, left = deadline - period_now_ms();

	if (left <= 0)
		return err_set("%s: still not done after %lld s", url,
		    p->deadline_ms / 1000);
	if (r->retry_after >= 0) {
		if (r->retry_after > left / 1000) {
			s->retry_after = r->retry_after;
			err_set("%s: still not done, and the next poll the "
			    "server allows is past the poll deadline (%lld s)",
			    url, p->deadline_ms / 1000);
			acme_err_retry_after(r->retry_after);
			return -1;
		}
		/* Only longer: "0", or a date already past, would have the
		 * polls go back to back until the deadline. */
		if (r->retry_after * 1000 > wait)
			wait = r->retry_after * 1000;
	}
	if (wait > left)
		wait = left;
	*next = *next * 2 > p->max_ms ? p->max_ms : *next * 2;
	return stop_sleep_ms(wait);
}

/* Reads an authorization (POST-as-GET) into a, replacing what a held.
 * -1 with err naming url. */
static int
authz_read(struct acme_session *s, const char *url, struct acme_authz *a,
    struct http_response *r)
{
	if (acme_post(s, url, NULL, NULL, r) == -1)
		return -1;
	acme_authz_free(a);
	if (acme_authz_parse(a, buf_str(&r->body), r->body.len) == -1)
		return err_prefix("%s", url);
	return 0;
}

/* Polls an authorization until it leaves pending/processing. */
static int
poll_authz(struct acme_session *s, const char *url, struct acme_authz *a,
    const struct acme_poll_opts *p)
{
	long long next = p->first_ms;
	long long deadline = period_now_ms() + p->deadline_ms;
	struct http_response r;
	int rc = -1;

	http_response_init(&r);
	for (;;) {
		if (authz_read(s, url, a, &r) == -1)
			break;
		if (a->status != ACME_ST_PENDING &&
		    a->status != ACME_ST_PROCESSING) {
			rc = 0;
			break;
		}
		if (poll_wait(s, &r, &next, p, deadline, url) == -1)
			break;
	}
	http_response_free(&r);
	return rc;
}

/* 1 when a and b list the same authorizations, in any order (Pebble
 * shuffles them in every answer). */
static int
order_same_authz(const struct acme_order *a, const struct acme_order *b)
{
	size_t i, j;

	if (a->nauthz != b->nauthz)
		return 0;
	for (i = 0; i < a->nauthz; i++) {
		for (j = 0; j < b->nauthz; j++)
			if (strcmp(a->authz[i], b->authz[j]) == 0)
				break;
		if (j == b->nauthz)
			return 0;
	}
	return 1;
}

/* Polls the order until it is no longer pending/processing.  An answer
 * is taken only whole: one that does not parse, or that lists other
 * authorizations than the order was created with (RFC 8555 fixes them;
 * their order may change), leaves o as it was, so that the order can
 * still be abandoned (its pending authorizations deactivated). */
static int
poll_order(struct acme_session *s, struct acme_order *o,
    const struct acme_poll_opts *p, const struct http_response *prev)
{
	long long next = p->first_ms;
	long long deadline = period_now_ms() + p->deadline_ms;
	struct acme_order t;
	struct http_response r;
	size_t i;
	int rc = -1;

	memset(&t, 0, sizeof(t));
	http_response_init(&r);
	/* RFC 8555 7.4: after finalize, poll "after the time given in the
	 * Retry-After header field of the response, if any". */
	if (prev != NULL)
		r.retry_after = prev->retry_after;
	while (o->status == ACME_ST_PROCESSING ||
	    o->status == ACME_ST_PENDING) {
		if (poll_wait(s, &r, &next, p, deadline, o->url) == -1)
			goto out;
		if (acme_post(s, o->url, NULL, NULL, &r) == -1)
			goto out;
		if (acme_order_parse(&t, buf_str(&r.body), r.body.len) == -1) {
			err_prefix("%s", o->url);
			goto out;
		}
		if (!order_same_authz(&t, o)) {
			err_set("%s: the order's authorizations changed",
			    o->url);
			goto out;
		}
		/* The authorizations stay as newOrder listed them: callers
		 * index them. */
		for (i = 0; i < t.nauthz; i++)
			free(t.authz[i]);
		memcpy(t.authz, o->authz, o->nauthz * sizeof(o->authz[0]));
		o->nauthz = 0;
		order_clear_fields(o);
		t.url = o->url;
		t.finalized = o->finalized;
		*o = t;
		memset(&t, 0, sizeof(t));
	}
	rc = 0;
out:
	order_clear_fields(&t);
	http_response_free(&r);
	return rc;
}

/* "dns:example.org: http-01 challenge invalid: <detail>" */
static int
authz_failure(const struct acme_authz *a, const char *url)
{
	size_t i;

	for (i = 0; i < a->nchall; i++) {
		const struct acme_challenge *c = &a->chall[i];

		if (c->status == ACME_ST_INVALID || c->error.type != 0 ||
		    c->error.detail != NULL) {
			return err_set("%s: %s:%s: authorization is %s: %s "
			    "challenge failed: %s%s%s", url, a->type ==
			    CRYPTO_IDENT_IP ? "ip" : "dns", a->value,
			    acme_status_name(a->status), c->type,
			    c->error.type ? acme_error_name(c->error.type) :
			    "", c->error.detail ? ": " : "",
			    c->error.detail ? c->error.detail : "");
		}
	}
	return err_set("%s: %s:%s: authorization is %s", url, a->type ==
	    CRYPTO_IDENT_IP ? "ip" : "dns", a->value,
	    acme_status_name(a->status));
}

/* The configured identifier an authorization is for. */
static const struct acme_order_ident *
authz_ident(const struct acme_authz *a, const struct acme_order_ident *ids,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *v = ids[i].value;
		int wild = strncmp(v, "*.", 2) == 0;

		if (ids[i].type != a->type || wild != (a->wildcard != 0))
			continue;
		if (strcmp(wild ? v + 2 : v, a->value) == 0)
			return &ids[i];
	}
	return NULL;
}

static void
task_free(struct acme_challenge_task *t)
{
	free(t->url);
	free(t->token);
	free(t->key_authorization);
	free(t->proof);
	free(t->raw_proof);
	free(t->file_name);
	free(t->identifier_tls_alpn);
	memset(t, 0, sizeof(*t));
}

static int
task_build(struct acme_session *s, struct acme_challenge_task *t,
    const struct acme_order_ident *id, const struct acme_challenge *c)
{
	struct crypto_ident cid = { id->type, id->value };
	struct buf b;

	memset(t, 0, sizeof(*t));
	/* The task outlives the parsed authorization (polls replace it):
	 * nothing in it may point there. */
	t->ident = id;
	t->challenge = id->challenge;
	buf_init(&b, 4096);
	if (c->token == NULL || !acme_token_valid(c->token)) {
		buf_free(&b);
		return err_set("%s: invalid challenge token: only "
		    "[A-Za-z0-9_-] is accepted", c->url);
	}
	if ((t->token = strdup(c->token)) == NULL ||
	    (t->url = strdup(c->url)) == NULL)
		goto oom;
	if (crypto_key_authorization(s->signer, c->token, &b) == -1)
		goto fail;
	t->key_authorization = buf_steal(&b);
	if (strcmp(c->type, "http-01") == 0) {
		t->proof = strdup(t->key_authorization);
		t->raw_proof = strdup("");
		t->file_name = strdup(t->token);
	} else if (strcmp(c->type, "dns-01") == 0) {
		if (crypto_dns01_value(t->key_authorization, &b) == -1)
			goto fail;
		t->proof = buf_steal(&b);
		t->raw_proof = strdup("");
		t->file_name = strdup("");
	} else {
		if (crypto_tls_alpn01_ext_text(t->key_authorization, &b) == -1)
			goto fail;
		t->proof = buf_steal(&b);
		if (crypto_dns01_value(t->key_authorization, &b) == -1)
			goto fail;
		t->raw_proof = buf_steal(&b);
		t->file_name = strdup("");
	}
	if (crypto_tls_alpn_name(&cid, &b) == -1)
		goto fail;
	t->identifier_tls_alpn = buf_steal(&b);
	if (t->proof == NULL || t->raw_proof == NULL || t->file_name == NULL ||
	    t->identifier_tls_alpn == NULL)
		goto oom;
	return 0;
oom:
	err_set("out of memory");
fail:
	buf_free(&b);
	task_free(t);
	return -1;
}

struct authz_work {
	struct acme_authz		 authz;
	const struct acme_order_ident	*ident;
	const struct acme_challenge	*chall;
	struct acme_challenge_task	 task;
	int				 set_up;
	int				 done;	/* valid already */
	int				 sel;	/* in the current round */
};

/* tls-alpn-01 needs the port to itself: its round holds it alone. */
static int
authz_exclusive(const struct authz_work *w)
{
	return strcmp(w->ident->challenge, "tls-alpn-01") == 0;
}

/* dns-01 proofs are published one authorization at a time, as ACMEd
 * does (publish, answer, wait until valid, clean up, then the next):
 * acmed cannot tell which TXT record a proof ends up in.  Two names may
 * share one (a name and the wildcard under it), and so may unrelated
 * names whose _acme-challenge records are CNAMEd to one record (the
 * acme-dns setup), which acmed cannot see.  A hook may replace that
 * record (nsupdate's delete and add, many DNS APIs' "set record")
 * rather than add a value to it, and the clean-up of one proof removes
 * the other's value too: two at once, and the CA finds the wrong value.
 * A hook written for ACMEd is written for one at a time.
 *
 * Where they fit in the rounds: the first dns-01 proof goes in the
 * first round, beside every http-01 proof, and each next one in a round
 * of its own, in the order's order.  http-01 proofs are files named by
 * their tokens, which no DNS hook touches and which do not touch one
 * another, so they stay together in the first round (validated in
 * parallel; an order of http-01 names needs a single round), and
 * sharing it with one dns-01 proof costs nothing and saves a round. */
static int
authz_dns01(const struct authz_work *w)
{
	return strcmp(w->ident->challenge, "dns-01") == 0;
}

/* Selects the next round: every http-01 authorization left and the
 * first dns-01 one left (the CA validates them in parallel), or, once
 * none is left, one tls-alpn-01 alone.  Returns how many were selected,
 * 0 when every authorization is done. */
static size_t
authz_pick(struct authz_work *w, size_t nw)
{
	size_t i, nsel = 0;
	int dns = 0;

	for (i = 0; i < nw; i++) {
		w[i].sel = 0;
		if (w[i].done || authz_exclusive(&w[i]))
			continue;
		if (authz_dns01(&w[i])) {
			if (dns)
				continue;
			dns = 1;
		}
		w[i].sel = 1;
		nsel++;
	}
	for (i = 0; i < nw && nsel == 0; i++)
		if (!w[i].done && authz_exclusive(&w[i])) {
			w[i].sel = 1;
			nsel++;
		}
	return nsel;
}

/* 1 when every authorization not done is in the round about to run: it
 * is the last, and may poll the order instead. */
static int
authz_last_round(const struct authz_work *w, size_t nw)
{
	size_t i;

	for (i = 0; i < nw; i++)
		if (!w[i].done && !w[i].sel)
			return 0;
	return 1;
}

static void
authz_withdraw(struct authz_work *w, const struct acme_solver *solver)
{
	if (w->set_up && solver->cleanup != NULL)
		solver->cleanup(solver->arg, &w->task);
	w->set_up = 0;
}

/* Reads the selected authorizations again: 1 with err saying why for
 * the first that failed, 0 when none did, -1 (err) when one cannot be
 * read. */
static int
authz_why(struct acme_session *s, const struct acme_order *o,
    struct authz_work *w, size_t nw)
{
	struct http_response r;
	size_t i;
	int rc = -1;

	http_response_init(&r);
	for (i = 0; i < nw; i++) {
		if (!w[i].sel)
			continue;
		w[i].chall = NULL;
		if (authz_read(s, o->authz[i], &w[i].authz, &r) == -1)
			goto out;
		if (w[i].authz.status != ACME_ST_VALID &&
		    w[i].authz.status != ACME_ST_PENDING &&
		    w[i].authz.status != ACME_ST_PROCESSING) {
			authz_failure(&w[i].authz, o->authz[i]);
			rc = 1;
			goto out;
		}
	}
	rc = 0;
out:
	http_response_free(&r);
	return rc;
}

/* After the last round the order tells at once whether every
 * authorization is valid (it turns ready) or one failed (invalid): one
 * poll instead of one per authorization.  Whatever newOrder said, the
 * order is polled at least once: its proofs stay up until then.  When
 * it fails, the authorizations are read again to say which failed and
 * why; failing that, the order's own error says it.  So they are when
 * the order is still pending at the poll deadline: a CA may leave it so
 * after an authorization failed (RFC 8555 says it turns invalid). */
static int
authz_wait_order(struct acme_session *s, struct acme_order *o,
    struct authz_work *w, size_t nw, const struct acme_poll_opts *p)
{
	long long deadline = period_now_ms() + p->deadline_ms;
	char msg[ERR_MSG_MAX];

	o->status = ACME_ST_PENDING;
	if (poll_order(s, o, p, NULL) == -1) {
		if (stop_is_set() || period_now_ms() < deadline ||
		    o->status != ACME_ST_PENDING)
			return -1;
		snprintf(msg, sizeof(msg), "%s", err_msg());
		if (authz_why(s, o, w, nw) != 1)
			err_set("%s", msg);
		return -1;
	}
	if (o->status == ACME_ST_READY || o->status == ACME_ST_VALID)
		return 0;
	if (authz_why(s, o, w, nw) != 1)
		order_failure(o, "while its authorizations were validated");
	return -1;
}

/* Runs one round: publishes the proofs of the selected authorizations,
 * tells the CA, waits for each to be decided (by polling each, or, when
 * the round is the last, the order) and withdraws them, whatever
 * happened, before the next round publishes a proof that may go where
 * one of them was.  A tls-alpn-01 round holds the responder's port
 * throughout. */
static int
authz_round(struct acme_session *s, struct acme_order *o,
    struct authz_work *w, size_t nw, const struct acme_solver *solver,
    const struct acme_poll_opts *p)
{
	struct http_response r;
	char msg[ERR_MSG_MAX];
	size_t i;
	int rc = -1, excl = 0, last = authz_last_round(w, nw);

	http_response_init(&r);
	for (i = 0; i < nw; i++)
		if (w[i].sel && authz_exclusive(&w[i]))
			excl = 1;
	if (excl && solver->exclusive != NULL)
		solver->exclusive(solver->arg, 1);
	for (i = 0; i < nw; i++) {
		if (!w[i].sel)
			continue;
		w[i].set_up = 1;
		if (solver->setup(solver->arg, &w[i].task) == -1)
			goto out;
	}
	for (i = 0; i < nw; i++) {
		if (!w[i].sel || w[i].chall->status != ACME_ST_PENDING)
			continue;
		if (acme_post(s, w[i].chall->url, "{}", NULL, &r) == -1)
			goto out;
	}
	if (last) {
		if (authz_wait_order(s, o, w, nw, p) == -1)
			goto out;
		for (i = 0; i < nw; i++)
			if (w[i].sel) {
				w[i].chall = NULL;
				w[i].done = 1;
			}
		rc = 0;
		goto out;
	}
	for (i = 0; i < nw; i++) {
		if (!w[i].sel)
			continue;
		if (poll_authz(s, o->authz[i], &w[i].authz, p) == -1)
			goto out;
		/* poll_authz replaced the parsed authorization. */
		w[i].chall = NULL;
		w[i].done = 1;
		if (w[i].authz.status != ACME_ST_VALID) {
			authz_failure(&w[i].authz, o->authz[i]);
			goto out;
		}
	}
	rc = 0;
out:
	/* A failing clean-up must not hide why the round failed. */
	if (rc == -1)
		snprintf(msg, sizeof(msg), "%s", err_msg());
	for (i = 0; i < nw; i++)
		if (w[i].sel)
			authz_withdraw(&w[i], solver);
	if (rc == -1)
		err_set("%s", msg);
	if (excl && solver->exclusive != NULL)
		solver->exclusive(solver->arg, 0);
	http_response_free(&r);
	return rc;
}

int
acme_order_authorize(struct acme_session *s, struct acme_order *o,
    const struct acme_order_ident *ids, size_t n,
    const struct acme_solver *solver, const struct acme_poll_opts *popts)
{
	struct acme_poll_opts p;
	struct authz_work *w;
	struct http_response r;
	size_t i, j, nw = o->nauthz;
	int rc = -1;

	poll_defaults(&p, popts);
	if (nw == 0)
		return 0;
	if ((w = calloc(nw, sizeof(*w))) == NULL)
		return err_set("out of memory");
	http_response_init(&r);

	/* 1. Read every authorization and pick its challenge. */
	for (i = 0; i < nw; i++) {
		if (authz_read(s, o->authz[i], &w[i].authz, &r) == -1)
			goto out;
		if (w[i].authz.status == ACME_ST_VALID) {
			w[i].done = 1;
			continue;
		}
		if (w[i].authz.status != ACME_ST_PENDING) {
			authz_failure(&w[i].authz, o->authz[i]);
			goto out;
		}
		w[i].ident = authz_ident(&w[i].authz, ids, n);
		if (w[i].ident == NULL) {
			err_set("%s: %s%s: identifier not found in the "
			    "certificate's configuration", o->authz[i],
			    w[i].authz.wildcard ? "*." : "", w[i].authz.value);
			goto out;
		}
		for (j = 0; j < w[i].authz.nchall; j++)
			if (strcmp(w[i].authz.chall[j].type,
			    w[i].ident->challenge) == 0)
				w[i].chall = &w[i].authz.chall[j];
		if (w[i].chall == NULL) {
			struct buf offered;

			buf_init(&offered, 512);
			for (j = 0; j < w[i].authz.nchall; j++) {
				buf_puts(&offered, j ? ", " : "");
				json_safe_text(&offered,
				    w[i].authz.chall[j].type, 32);
			}
			err_set("%s: the CA offers no %s challenge for %s "
			    "(offered: %s)", o->authz[i], w[i].ident->challenge,
			    w[i].ident->value, offered.len ? buf_str(&offered) :
			    "none");
			buf_free(&offered);
			goto out;
		}
		if (task_build(s, &w[i].task, w[i].ident, w[i].chall) == -1)
			goto out;
	}

	/* 2. Rounds, until every authorization is valid.  The first holds
	 * every http-01 proof and the first dns-01 one, and the CA
	 * validates them in parallel: an order with at most one dns-01
	 * proof needs no other.  Each further dns-01 proof has a round of
	 * its own, as with ACMEd (see authz_dns01), and tls-alpn-01 proofs
	 * come last, one a round. */
	while (authz_pick(w, nw) > 0)
		if (authz_round(s, o, w, nw, solver, &p) == -1)
			goto out;
	rc = 0;
out:
	/* Every round withdrew what it had published. */
	for (i = 0; i < nw; i++) {
		task_free(&w[i].task);
		acme_authz_free(&w[i].authz);
	}
	free(w);
	http_response_free(&r);
	return rc;
}

/* Polls a finalized order until it is valid with a certificate to
 * download (prev: the finalize answer, for its Retry-After). */
static int
order_wait_valid(struct acme_session *s, struct acme_order *o,
    const struct acme_poll_opts *p, const struct http_response *prev)
{
	if (poll_order(s, o, p, prev) == -1)
		return -1;
	if (o->status != ACME_ST_VALID)
		return order_failure(o, "after finalization");
	if (o->certificate == NULL)
		return err_set("%s: no certificate available for download",
		    o->url);
	return 0;
}

int
acme_order_finalize(struct acme_session *s, struct acme_order *o,
    const void *csr, size_t csrlen, const struct acme_poll_opts *popts)
{
	struct acme_poll_opts p;
	struct http_response r;
	struct buf body;
	char *finalize = NULL;
	int rc = -1, attempt;

	poll_defaults(&p, popts);
	buf_init(&body, HTTP_MAX_BODY);
	http_response_init(&r);
	if (buf_puts(&body, "{\"csr\":\"") == -1 ||
	    b64url_encode_buf(&body, csr, csrlen) == -1 ||
	    buf_puts(&body, "\"}") == -1)
		goto out;
	/* Parsing an answer replaces (or, failing, clears) o->finalize. */
	if ((finalize = strdup(o->finalize)) == NULL) {
		err_set("out of memory");
		goto out;
	}
	/* The order becomes ready once every authorization is valid; the
	 * server may take a moment to notice.  (Finalizing at once, without
	 * this poll, made Pebble 2.4 stop answering newOrder now and then.) */
	if (o->status == ACME_ST_PENDING && poll_order(s, o, &p, NULL) == -1)
		goto out;
	for (attempt = 0; ; attempt++) {
		/* After orderNotReady: a try of ours whose answer was lost
		 * (acme_post() sent the request again) reached the CA.  The
		 * certificate is checked against the key all the same. */
		if (attempt > 0 && (o->status == ACME_ST_PROCESSING ||
		    o->status == ACME_ST_VALID)) {
			o->finalized = 1;
			rc = order_wait_valid(s, o, &p, NULL);
			goto out;
		}
		if (o->status == ACME_ST_VALID) {
			err_set("%s: the order is already valid (the CA reused "
			    "it) and cannot be finalized with a new key", o->url);
			goto out;
		}
		if (o->status != ACME_ST_READY) {
			order_failure(o, "instead of ready");
			goto out;
		}
		if (acme_post(s, finalize, body.data, NULL, &r) == 0)
			break;
		/* No answer, or a server error (a proxy's 502, say): the CA
		 * may have taken the CSR all the same. */
		if (s->problem.status == 0 || s->problem.status >= 500)
			o->finalized = 1;
		/* A CA whose parts disagree for a moment may call an order
		 * it showed ready orderNotReady: poll it again, once. */
		if (attempt == 1 || s->problem.type != ACME_ERR_orderNotReady)
			goto out;
		o->status = ACME_ST_PENDING;
		if (poll_order(s, o, &p, NULL) == -1) {
			/* Processing: our CSR (see above), still. */
			if (o->status == ACME_ST_PROCESSING)
				o->finalized = 1;
			goto out;
		}
	}
	o->finalized = 1;
	if (acme_order_parse(o, buf_str(&r.body), r.body.len) == -1) {
		err_prefix("%s", finalize);
		goto out;
	}
	rc = order_wait_valid(s, o, &p, &r);
out:
	free(finalize);
	buf_free(&body);
	http_response_free(&r);
	return rc;
}

int
acme_order_resume(struct acme_session *s, struct acme_order *o,
    const void *csr, size_t csrlen, const struct acme_poll_opts *popts)
{
	struct acme_poll_opts p;

	poll_defaults(&p, popts);
	/* Read it again whatever it was: a valid order's certificate URL
	 * comes with it. */
	o->status = ACME_ST_PROCESSING;
	if (poll_order(s, o, &p, NULL) == -1)
		return -1;
	/* The finalize request whose answer was lost did not reach it. */
	if (o->status == ACME_ST_READY)
		return acme_order_finalize(s, o, csr, csrlen, popts);
	return order_wait_valid(s, o, &p, NULL);
}

static int
download_one(struct acme_session *s, const char *url, struct buf *out,
    struct http_response *r)
{
	if (acme_post(s, url, NULL, ACME_CT_PEM, r) == -1)
		return -1;
	if (strstr(buf_str(&r->body), "-----BEGIN CERTIFICATE-----") == NULL)
		return err_set("%s: the response is not a PEM certificate "
		    "chain", url);
	return buf_append(out, r->body.data, r->body.len);
}

int
acme_order_download(struct acme_session *s, const struct acme_order *o,
    struct buf *chain, struct buf *alts, size_t *nalts)
{
	struct http_response r, ra;
	size_t i, n = 0;
	int rc = -1;

	http_response_init(&r);
	http_response_init(&ra);
	if (download_one(s, o->certificate, chain, &r) == -1)
		goto out;
	for (i = 0; alts != NULL && i < r.nalternates; i++) {
		if (download_one(s, r.alternates[i], &alts[n], &ra) == -1) {
			log_warn("alternate chain: %s", err_msg());
			continue;
		}
		n++;
	}
	rc = 0;
out:
	if (nalts != NULL)
		*nalts = n;
	http_response_free(&r);
	http_response_free(&ra);
	return rc;
}

void
acme_order_abandon(struct acme_session *s, const struct acme_order *o)
{
	struct http_response r;
	struct acme_authz a;
	struct acme_problem problem;
	char msg[ERR_MSG_MAX];
	long long retry_after;
	int backoff_ms;
	size_t i;

	/* The caller reports why the order was abandoned: keep its error
	 * and its problem, whatever the requests below do. */
	snprintf(msg, sizeof(msg), "%s", err_msg());
	problem = s->problem;
	retry_after = s->retry_after;
	memset(&s->problem, 0, sizeof(s->problem));
	/* Best effort: short retries, and none at all once the CA has not
	 * answered (it is often why the order is abandoned). */
	backoff_ms = s->backoff_base_ms;
	if (s->backoff_base_ms > 100)
		s->backoff_base_ms = 100;
	http_response_init(&r);
	for (i = 0; i < o->nauthz; i++) {
		if (acme_post(s, o->authz[i], NULL, NULL, &r) == -1) {
			log_warn("abandoning the order: %s", err_msg());
			if (s->problem.status == 0)
				break;
			continue;
		}
		if (acme_authz_parse(&a, buf_str(&r.body), r.body.len) == -1)
			continue;
		if (a.status == ACME_ST_PENDING &&
		    acme_post(s, o->authz[i], "{\"status\":\"deactivated\"}",
		    NULL, &r) == -1)
			log_warn("deactivating %s: %s", o->authz[i], err_msg());
		acme_authz_free(&a);
	}
	http_response_free(&r);
	s->backoff_base_ms = backoff_ms;
	acme_problem_free(&s->problem);
	s->problem = problem;
	s->retry_after = retry_after;
	if (msg[0] != '\0')
		err_set("%s", msg);
	else
		err_clear();
}
