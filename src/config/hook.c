/*
 * hook.c - [[hook]] and [[group]], and the expansion of a list of hook and
 * group names into a flat list of hooks.
 *
 * Hooks and groups share one namespace.  A group is expanded once, depth
 * first, in declaration order (a hook listed twice runs twice); a group
 * that contains itself, directly or through others, is reported with the
 * cycle instead of recursing for ever.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/intern.h"
#include "tmpl/tmpl.h"
#include "util/buf.h"
#include "util/period.h"

static const char *const hook_types[CONFIG_HOOK__MAX] = {
	[CONFIG_HOOK_FILE_PRE_CREATE] = "file-pre-create",
	[CONFIG_HOOK_FILE_POST_CREATE] = "file-post-create",
	[CONFIG_HOOK_FILE_PRE_EDIT] = "file-pre-edit",
	[CONFIG_HOOK_FILE_POST_EDIT] = "file-post-edit",
	[CONFIG_HOOK_CHALLENGE_HTTP01] = "challenge-http-01",
	[CONFIG_HOOK_CHALLENGE_HTTP01_CLEAN] = "challenge-http-01-clean",
	[CONFIG_HOOK_CHALLENGE_DNS01] = "challenge-dns-01",
	[CONFIG_HOOK_CHALLENGE_DNS01_CLEAN] = "challenge-dns-01-clean",
	[CONFIG_HOOK_CHALLENGE_TLSALPN01] = "challenge-tls-alpn-01",
	[CONFIG_HOOK_CHALLENGE_TLSALPN01_CLEAN] =
	    "challenge-tls-alpn-01-clean",
	[CONFIG_HOOK_POST_OPERATION] = "post-operation",
};

const char *
config_hook_type_name(enum config_hook_type t)
{
	if ((unsigned)t >= CONFIG_HOOK__MAX)
		return "?";
	return hook_types[t];
}

static int
set_types(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	struct config_hook *h = obj;
	struct config_item el;
	size_t i, t;
	int rc = 0;

	(void)off;
	for (i = 0; i < toml_array_len(it->v); i++) {
		if (config_elem_of(it, i, TOML_STRING, &el) == NULL)
			continue;
		for (t = 0; t < CONFIG_HOOK__MAX; t++)
			if (strcmp(config_str(&el), hook_types[t]) == 0)
				break;
		if (t == CONFIG_HOOK__MAX) {
			rc = config_error(ctx, &el, "%s: unknown hook type "
			    "\"%s\"", it->key, config_str(&el));
			continue;
		}
		h->types |= CONFIG_HOOK_BIT(t);
	}
	return rc;
}

static int
set_args(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	struct config_hook *h = obj;
	struct config_item el;
	size_t i, n = toml_array_len(it->v);
	int rc = 0;

	(void)off;
	if (n == 0)
		return 0;
	if ((h->args = calloc(n, sizeof(*h->args))) == NULL ||
	    (h->args_src = calloc(n, sizeof(*h->args_src))) == NULL)
		return config_oom(ctx);
	for (i = 0; i < n; i++) {
		if (config_elem_of(it, i, TOML_STRING, &el) == NULL)
			continue;
		if ((h->args_src[h->nargs] = config_strdup(ctx,
		    config_str(&el))) == NULL)
			return -1;
		if ((h->args[h->nargs++] = config_compile(ctx, &el,
		    config_str(&el))) == NULL)
			rc = -1;
	}
	return rc;
}

static int
set_tmpl(struct config_ctx *ctx, const struct config_item *it,
    struct tmpl **t, char **src)
{
	if ((*src = config_strdup(ctx, config_str(it))) == NULL)
		return -1;
	if ((*t = config_compile(ctx, it, config_str(it))) == NULL)
		return -1;
	return 0;
}

static int
set_stdin(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	struct config_hook *h = obj;

	(void)off;
	return set_tmpl(ctx, it, &h->stdin_path, &h->stdin_path_src);
}

static int
set_stdin_str(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	struct config_hook *h = obj;

	(void)off;
	return set_tmpl(ctx, it, &h->stdin_str, &h->stdin_str_src);
}

static int
set_stdout(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	struct config_hook *h = obj;

	(void)off;
	return set_tmpl(ctx, it, &h->stdout_path, &h->stdout_path_src);
}

static int
set_stderr(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	struct config_hook *h = obj;

	(void)off;
	return set_tmpl(ctx, it, &h->stderr_path, &h->stderr_path_src);
}

static int
set_timeout(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	struct config_opt_period p = { 0, 0 };
	struct config_hook *h = obj;

	(void)off;
	if (config_set_period(ctx, it, &p, 0) == -1)
		return -1;
	if (p.seconds == 0 || p.seconds > CONFIG_MAX_HOOK_TIMEOUT)
		return config_error(ctx, it, "%s: must be longer than 0s and "
		    "at most 24d", it->key);
	h->timeout_s = (unsigned)p.seconds;
	return 0;
}

enum {
	H_NAME,
	H_TYPE,
	H_CMD,
	H_ARGS,
	H_STDIN,
	H_STDIN_STR,
	H_STDOUT,
	H_STDERR,
	H_ALLOW_FAILURE,
	H_TIMEOUT,
	H__COUNT
};

static const struct config_key hook_keys[H__COUNT] = {
	[H_NAME] = { "name", CONFIG_T_STRING, CONFIG_REQ, config_set_str,
	    offsetof(struct config_hook, name) },
	[H_TYPE] = { "type", CONFIG_T_STRINGS, CONFIG_REQ, set_types, 0 },
	[H_CMD] = { "cmd", CONFIG_T_STRING, CONFIG_REQ, config_set_nonempty,
	    offsetof(struct config_hook, cmd) },
	[H_ARGS] = { "args", CONFIG_T_STRINGS, 0, set_args, 0 },
	[H_STDIN] = { "stdin", CONFIG_T_STRING, 0, set_stdin, 0 },
	[H_STDIN_STR] = { "stdin_str", CONFIG_T_STRING, 0, set_stdin_str, 0 },
	[H_STDOUT] = { "stdout", CONFIG_T_STRING, 0, set_stdout, 0 },
	[H_STDERR] = { "stderr", CONFIG_T_STRING, 0, set_stderr, 0 },
	[H_ALLOW_FAILURE] = { "allow_failure", CONFIG_T_BOOL, 0,
	    config_set_bool, offsetof(struct config_hook, allow_failure) },
	[H_TIMEOUT] = { "timeout", CONFIG_T_STRING, 0, set_timeout, 0 },
};

void
config_build_hooks(struct config_ctx *ctx)
{
	const struct config_items *s = &ctx->sect[CONFIG_SECT_HOOK];
	struct config *c = ctx->c;
	struct config_seen seen;
	const struct config_item *a, *b;
	size_t i;

	if (s->n == 0)
		return;
	if ((c->hooks = calloc(s->n, sizeof(*c->hooks))) == NULL) {
		config_oom(ctx);
		return;
	}
	for (i = 0; i < s->n; i++) {
		struct config_hook *h = &c->hooks[i];

		c->nhooks++;
		h->pos.file = s->v[i].doc->path;
		h->pos.line = s->v[i].line;
		h->pos.col = s->v[i].col;
		h->timeout_s = CONFIG_DEFAULT_HOOK_TIMEOUT;
		(void)config_table(ctx, &s->v[i], "[[hook]]", hook_keys,
		    H__COUNT, h, &seen);
		if (seen.found[H_STDIN] && seen.found[H_STDIN_STR]) {
			/* At whichever comes second. */
			a = &seen.item[H_STDIN];
			b = &seen.item[H_STDIN_STR];
			if (a->kline > b->kline ||
			    (a->kline == b->kline && a->kcol > b->kcol))
				b = a;
			config_error_key(ctx, b, "a hook cannot have both stdin "
			    "and stdin_str");
		}
		if (seen.ok[H_NAME])
			(void)config_name_add(ctx, &ctx->hook_names, "hook",
			    h->name, CONFIG_NAME_HOOK, i, &seen.item[H_NAME]);
	}
}

static int
set_group_hooks(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	struct config_group *g = obj;

	(void)ctx;
	(void)off;
	g->hooks = *it;
	g->has_hooks = 1;
	return 0;
}

enum { GR_NAME, GR_HOOKS, GR__COUNT };

static const struct config_key group_keys[GR__COUNT] = {
	[GR_NAME] = { "name", CONFIG_T_STRING, CONFIG_REQ, NULL, 0 },
	[GR_HOOKS] = { "hooks", CONFIG_T_STRINGS, CONFIG_REQ, set_group_hooks,
	    0 },
};

static int
list_add(struct config_ctx *ctx, struct config_hook_list *l,
    const struct config_hook *const *hooks, size_t n,
    const struct config_item *it)
{
	const struct config_hook **nv;

	if (n > CONFIG_MAX_HOOK_LIST || l->n > CONFIG_MAX_HOOK_LIST - n)
		return config_error(ctx, it, "more than %u hooks in one list",
		    CONFIG_MAX_HOOK_LIST);
	if (n == 0)
		return 0;
	if ((nv = config_reallocarray(ctx, l->hooks, l->n + n,
	    sizeof(*nv))) == NULL)
		return -1;
	l->hooks = nv;
	memcpy(&l->hooks[l->n], hooks, n * sizeof(*hooks));
	l->n += n;
	return 0;
}

static int	group_expand(struct config_ctx *, size_t gi,
		    const struct config_item *via);

/* One name of a hooks array, appended to out. */
static int
hook_ref(struct config_ctx *ctx, const struct config_item *el,
    struct config_hook_list *out)
{
	const struct config_name *n;
	const struct config_hook *h;
	const struct config_group *g;
	char hint[256];

	if ((n = config_name_find(&ctx->hook_names, config_str(el))) == NULL)
		return config_error(ctx, el, "unknown hook or group \"%s\"%s",
		    config_str(el), config_did_you_mean(&ctx->hook_names,
		    config_str(el), hint, sizeof(hint)));
	if (n->kind == CONFIG_NAME_HOOK) {
		h = &ctx->c->hooks[n->idx];
		return list_add(ctx, out, &h, 1, el);
	}
	if (group_expand(ctx, n->idx, el) == -1)
		return -1;
	g = &ctx->groups[n->idx];
	return list_add(ctx, out, g->list.hooks, g->list.n, el);
}

static void
report_cycle(struct config_ctx *ctx, size_t gi, const struct config_item *via)
{
	struct buf path;
	size_t i, start;

	for (start = 0; start < ctx->ngstack; start++)
		if (ctx->gstack[start] == gi)
			break;
	buf_init(&path, BUF_MAX_SMALL);
	for (i = start; i < ctx->ngstack; i++) {
		(void)buf_printf(&path, "%s -> ",
		    ctx->groups[ctx->gstack[i]].name);
		ctx->groups[ctx->gstack[i]].broken = 1;
	}
	(void)buf_puts(&path, ctx->groups[gi].name);
	config_error(ctx, via, "group \"%s\" contains itself: %s",
	    ctx->groups[gi].name, buf_str(&path));
	buf_free(&path);
}

static int
group_expand(struct config_ctx *ctx, size_t gi, const struct config_item *via)
{
	struct config_group *g = &ctx->groups[gi];
	struct config_item el;
	size_t i;

	if (g->state == CONFIG_GROUP_DONE)
		return g->broken ? -1 : 0;
	if (g->state == CONFIG_GROUP_VISITING) {
		report_cycle(ctx, gi, via);
		return -1;
	}
	g->state = CONFIG_GROUP_VISITING;
	ctx->gstack[ctx->ngstack++] = gi;
	if (g->has_hooks)
		for (i = 0; i < toml_array_len(g->hooks.v); i++)
			if (config_elem_of(&g->hooks, i, TOML_STRING,
			    &el) != NULL && hook_ref(ctx, &el, &g->list) == -1)
				g->broken = 1;
	ctx->ngstack--;
	g->state = CONFIG_GROUP_DONE;
	return g->broken ? -1 : 0;
}

void
config_build_groups(struct config_ctx *ctx)
{
	const struct config_items *s = &ctx->sect[CONFIG_SECT_GROUP];
	struct config_seen seen;
	size_t i;

	if (s->n == 0)
		return;
	if ((ctx->groups = calloc(s->n, sizeof(*ctx->groups))) == NULL ||
	    (ctx->gstack = calloc(s->n, sizeof(*ctx->gstack))) == NULL) {
		config_oom(ctx);
		return;
	}
	for (i = 0; i < s->n; i++) {
		struct config_group *g = &ctx->groups[i];

		ctx->ngroups++;
		g->state = CONFIG_GROUP_NEW;
		if (config_table(ctx, &s->v[i], "[[group]]", group_keys,
		    GR__COUNT, g, &seen) == -1 && !seen.ok[GR_NAME])
			g->broken = 1;
		if (seen.ok[GR_NAME]) {
			g->name = config_str(&seen.item[GR_NAME]);
			if (config_name_add(ctx, &ctx->hook_names, "group",
			    g->name, CONFIG_NAME_GROUP, i,
			    &seen.item[GR_NAME]) == -1)
				g->broken = 1;
		} else
			g->name = "";
	}
	/* Every group is checked, used or not. */
	for (i = 0; i < ctx->ngroups; i++)
		(void)group_expand(ctx, i, NULL);
}

int
config_hook_refs(struct config_ctx *ctx, const struct config_item *arr,
    struct config_hook_list *out)
{
	struct config_item el;
	size_t i;
	int rc = 0;

	for (i = 0; i < toml_array_len(arr->v); i++)
		if (config_elem_of(arr, i, TOML_STRING, &el) != NULL &&
		    hook_ref(ctx, &el, out) == -1)
			rc = -1;
	return rc;
}

void
config_groups_free(struct config_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->ngroups; i++)
		free(ctx->groups[i].list.hooks);
	free(ctx->groups);
	free(ctx->gstack);
	ctx->groups = NULL;
	ctx->gstack = NULL;
	ctx->ngroups = 0;
}
