/*
 * endpoint.c - [[rate-limit]] and [[endpoint]].  Every one is checked,
 * whether a certificate uses it or not.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/intern.h"
#include "util/url.h"

#define FIELD(type, obj, off)	((type *)(void *)((char *)(obj) + (off)))

/* The sliding window keeps one timestamp per allowed request. */
#define RATE_LIMIT_MAX_NUMBER	100000

static int
set_number(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	int64_t v = toml_int(it->v);

	if (v <= 0 || v > RATE_LIMIT_MAX_NUMBER)
		return config_error(ctx, it, "%s: must be from 1 to %d, not "
		    "%lld", it->key, RATE_LIMIT_MAX_NUMBER, (long long)v);
	*FIELD(uint64_t, obj, off) = (uint64_t)v;
	return 0;
}

static int
set_rl_period(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	struct config_opt_period p = { 0, 0 };

	if (config_set_period(ctx, it, &p, 0) == -1)
		return -1;
	if (p.seconds == 0)
		return config_error(ctx, it, "%s: must be longer than 0s",
		    it->key);
	*FIELD(uint64_t, obj, off) = p.seconds;
	return 0;
}

enum { RL_NAME, RL_NUMBER, RL_PERIOD, RL__COUNT };

static const struct config_key rl_keys[RL__COUNT] = {
	[RL_NAME] = { "name", CONFIG_T_STRING, CONFIG_REQ, config_set_str,
	    offsetof(struct config_rate_limit, name) },
	[RL_NUMBER] = { "number", CONFIG_T_INTEGER, CONFIG_REQ, set_number,
	    offsetof(struct config_rate_limit, number) },
	[RL_PERIOD] = { "period", CONFIG_T_STRING, CONFIG_REQ, set_rl_period,
	    offsetof(struct config_rate_limit, period_s) },
};

void
config_build_rate_limits(struct config_ctx *ctx)
{
	const struct config_items *s = &ctx->sect[CONFIG_SECT_RATE_LIMIT];
	struct config *c = ctx->c;
	struct config_seen seen;
	size_t i;

	if (s->n == 0)
		return;
	if ((c->rate_limits = calloc(s->n, sizeof(*c->rate_limits))) == NULL) {
		config_oom(ctx);
		return;
	}
	for (i = 0; i < s->n; i++) {
		struct config_rate_limit *rl = &c->rate_limits[i];

		c->nrate_limits++;
		(void)config_table(ctx, &s->v[i], "[[rate-limit]]", rl_keys,
		    RL__COUNT, rl, &seen);
		if (seen.ok[RL_NAME])
			(void)config_name_add(ctx, &ctx->rate_limits,
			    "rate limit", rl->name, 0, i,
			    &seen.item[RL_NAME]);
	}
}

struct epbuild {
	struct config_endpoint	 ep;
	struct config_inherit	 inh;
	struct config_strv	 roots;
};

/*
 * The host of a URL, in the authority that follows "scheme://" up to the
 * path, the query or the fragment, after a user name if there is one.
 * Read here only to refuse early what the client would refuse or misread
 * later: a URL without a host, plain HTTP to another host.  NULL with a
 * reason when there is no host.
 */
static const char *
config_url_host(const char *url, size_t *hlen, const char **why)
{
	size_t alen;
	const char *auth = url_authority(url, &alen), *host = auth, *p;

	for (p = auth; p < auth + alen; p++)
		if (*p == '@')
			host = p + 1;
	if (*host == '[')
		*hlen = (p = memchr(host, ']', (size_t)(auth + alen - host)))
		    == NULL ? 0 : (size_t)(p - host) + 1;
	else
		*hlen = strcspn(host, ":/?#");
	if (*hlen == 0) {
		*why = "the URL has no host";
		return NULL;
	}
	/* A user name makes "http://localhost@ca.example" look local. */
	if (host != auth && strncasecmp(url, "http://", 7) == 0) {
		*why = "a plain http:// URL cannot have a user name";
		return NULL;
	}
	return host;
}

/* 1 when the host of a URL (hlen bytes) is this machine. */
static int
config_host_loopback(const char *host, size_t hlen)
{
	static const char *const hosts[] = { "127.0.0.1", "[::1]",
	    "localhost" };
	size_t i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (hlen == strlen(hosts[i]) &&
		    strncasecmp(host, hosts[i], hlen) == 0)
			return 1;
	return 0;
}

static int
set_url(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	const char *s = config_str(it), *host, *why = NULL;
	int plain = strncasecmp(s, "http://", 7) == 0;
	size_t hlen;

	if (strpbrk(s, " \t\r\n") != NULL)
		return config_error(ctx, it, "%s: a URL cannot contain spaces",
		    it->key);
	if (strncasecmp(s, "https://", 8) == 0 || plain) {
		if ((host = config_url_host(s, &hlen, &why)) == NULL)
			return config_error(ctx, it, "%s: \"%s\": %s",
			    it->key, s, why);
		/* Plain HTTP only to a test CA on this host. */
		if (!plain || config_host_loopback(host, hlen))
			return config_set_str(ctx, it, obj, off);
	}
	return config_error(ctx, it, "%s: \"%s\" is not an https:// URL "
	    "(http:// is accepted only for 127.0.0.1, [::1] and localhost)",
	    it->key, s);
}

static int
set_rate_limits(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	struct config_endpoint *ep = &((struct epbuild *)obj)->ep;
	const struct config_name *n;
	struct config_item el;
	size_t i, len = toml_array_len(it->v);
	int rc = 0;

	(void)off;
	if (len == 0)
		return 0;
	if ((ep->rate_limits = calloc(len, sizeof(*ep->rate_limits))) == NULL)
		return config_oom(ctx);
	for (i = 0; i < len; i++) {
		if (config_elem_of(it, i, TOML_STRING, &el) == NULL)
			continue;
		if ((n = config_name_find(&ctx->rate_limits,
		    config_str(&el))) == NULL) {
			rc = config_error(ctx, &el, "unknown rate limit \"%s\"",
			    config_str(&el));
			continue;
		}
		ep->rate_limits[ep->nrate_limits++] =
		    &ctx->c->rate_limits[n->idx];
	}
	return rc;
}

enum {
	EP_NAME,
	EP_URL,
	EP_TOS_AGREED,
	EP_RATE_LIMITS,
	EP_FILE_NAME_FORMAT,
	EP_RANDOM_EARLY_RENEW,
	EP_RENEW_DELAY,
	EP_ROOT_CERTIFICATES,
	EP__COUNT
};

#define EP(f)	offsetof(struct epbuild, f)

static const struct config_key ep_keys[EP__COUNT] = {
	[EP_NAME] = { "name", CONFIG_T_STRING, CONFIG_REQ, config_set_str,
	    EP(ep.name) },
	[EP_URL] = { "url", CONFIG_T_STRING, CONFIG_REQ, set_url,
	    EP(ep.url) },
	[EP_TOS_AGREED] = { "tos_agreed", CONFIG_T_BOOL, CONFIG_REQ,
	    config_set_bool, EP(ep.tos_agreed) },
	[EP_RATE_LIMITS] = { "rate_limits", CONFIG_T_STRINGS, 0,
	    set_rate_limits, 0 },
	[EP_FILE_NAME_FORMAT] = { "file_name_format", CONFIG_T_STRING, 0,
	    config_set_format, EP(inh.file_name_format) },
	[EP_RANDOM_EARLY_RENEW] = { "random_early_renew", CONFIG_T_STRING, 0,
	    config_set_period, EP(inh.random_early_renew) },
	[EP_RENEW_DELAY] = { "renew_delay", CONFIG_T_STRING, 0,
	    config_set_period, EP(inh.renew_delay) },
	[EP_ROOT_CERTIFICATES] = { "root_certificates", CONFIG_T_STRINGS, 0,
	    config_set_paths, EP(roots) },
};

/* --root-cert files, then the endpoint's, then the global ones. */
static int
ep_roots(struct config_ctx *ctx, struct epbuild *b)
{
	struct config_endpoint *ep = &b->ep;
	const struct config_opts *o = ctx->o;
	size_t n, i;
	char *s;

	n = o->nroot_certs + b->roots.n + ctx->global_roots.n;
	if (n == 0)
		return 0;
	if ((ep->root_certificates = calloc(n,
	    sizeof(*ep->root_certificates))) == NULL)
		return config_oom(ctx);
	for (i = 0; i < o->nroot_certs; i++) {
		if ((s = config_abspath(ctx, o->root_certs[i])) == NULL)
			return -1;
		ep->root_certificates[ep->nroot_certificates++] = s;
	}
	for (i = 0; i < b->roots.n; i++) {
		ep->root_certificates[ep->nroot_certificates++] = b->roots.v[i];
		b->roots.v[i] = NULL;
	}
	for (i = 0; i < ctx->global_roots.n; i++) {
		if ((s = config_strdup(ctx, ctx->global_roots.v[i])) == NULL)
			return -1;
		ep->root_certificates[ep->nroot_certificates++] = s;
	}
	return 0;
}

void
config_build_endpoints(struct config_ctx *ctx)
{
	const struct config_items *s = &ctx->sect[CONFIG_SECT_ENDPOINT];
	struct config *c = ctx->c;
	struct config_seen seen;
	struct epbuild b;
	size_t i;

	if (s->n == 0)
		return;
	if ((c->endpoints = calloc(s->n, sizeof(*c->endpoints))) == NULL ||
	    (ctx->ep_inh = calloc(s->n, sizeof(*ctx->ep_inh))) == NULL) {
		config_oom(ctx);
		return;
	}
	for (i = 0; i < s->n; i++) {
		memset(&b, 0, sizeof(b));
		b.ep.pos.file = s->v[i].doc->path;
		b.ep.pos.line = s->v[i].line;
		b.ep.pos.col = s->v[i].col;
		(void)config_table(ctx, &s->v[i], "[[endpoint]]", ep_keys,
		    EP__COUNT, &b, &seen);
		(void)ep_roots(ctx, &b);
		config_strv_free(&b.roots);
		c->endpoints[i] = b.ep;
		ctx->ep_inh[i] = b.inh;
		c->nendpoints++;
		if (seen.ok[EP_NAME])
			(void)config_name_add(ctx, &ctx->endpoints, "endpoint",
			    c->endpoints[i].name, 0, i, &seen.item[EP_NAME]);
	}
}
