/*
 * load.c - config_load(): reads the main file and, depth first, the files
 * it includes, then runs the builders over the merged entries.
 *
 * Includes follow ACMEd: a pattern is relative to the directory of the
 * (canonical) including file, expanded as Rust's glob crate does (with
 * "**", see util/pathglob.h), and a pattern that matches nothing is only
 * a warning.  Each file is read once
 * (a file included again is skipped, so includes cannot loop).  Sections
 * are merged in reading order: the includer's entries first, then those of
 * each included file.  For [global], a later file overrides an earlier one
 * key by key, for every key (env: variable by variable).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/intern.h"
#include "toml/toml.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/pathglob.h"

static void	load_file(struct config_ctx *, const char *display,
		    const char *fspath, const struct config_item *from);

static int
add_section(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	struct config_items *s = &ctx->sect[off];
	struct config_item el, *nv;
	size_t i, n;

	(void)obj;
	n = it->v != NULL && toml_type(it->v) == TOML_ARRAY ?
	    toml_array_len(it->v) : 1;
	if (s->n + n > s->alloc) {
		size_t na = s->alloc ? s->alloc : 16;

		while (na < s->n + n)
			na *= 2;
		if ((nv = config_reallocarray(ctx, s->v, na,
		    sizeof(*nv))) == NULL)
			return -1;
		s->v = nv;
		s->alloc = na;
	}
	if (toml_type(it->v) != TOML_ARRAY) {
		s->v[s->n++] = *it;
		return 0;
	}
	for (i = 0; i < n; i++)
		if (config_elem_of(it, i, TOML_TABLE, &el) != NULL)
			s->v[s->n++] = el;
	return 0;
}

enum {
	TOP_GLOBAL,
	TOP_ENDPOINT,
	TOP_RATE_LIMIT,
	TOP_HOOK,
	TOP_GROUP,
	TOP_ACCOUNT,
	TOP_CERTIFICATE,
	TOP_INCLUDE,
	TOP__COUNT
};

static const struct config_key top_keys[TOP__COUNT] = {
	[TOP_GLOBAL] = { "global", CONFIG_T_TABLE, 0, add_section,
	    CONFIG_SECT_GLOBAL },
	[TOP_ENDPOINT] = { "endpoint", CONFIG_T_TABLES, 0, add_section,
	    CONFIG_SECT_ENDPOINT },
	[TOP_RATE_LIMIT] = { "rate-limit", CONFIG_T_TABLES, 0, add_section,
	    CONFIG_SECT_RATE_LIMIT },
	[TOP_HOOK] = { "hook", CONFIG_T_TABLES, 0, add_section,
	    CONFIG_SECT_HOOK },
	[TOP_GROUP] = { "group", CONFIG_T_TABLES, 0, add_section,
	    CONFIG_SECT_GROUP },
	[TOP_ACCOUNT] = { "account", CONFIG_T_TABLES, 0, add_section,
	    CONFIG_SECT_ACCOUNT },
	[TOP_CERTIFICATE] = { "certificate", CONFIG_T_TABLES, 0, add_section,
	    CONFIG_SECT_CERTIFICATE },
	/* Expanded once the file's own entries are in. */
	[TOP_INCLUDE] = { "include", CONFIG_T_STRINGS, 0, NULL, 0 },
};

/* How a file is named in messages: relative to the working directory
 * when it is below it, so that messages stay short. */
static const char *
display_path(struct config_ctx *ctx, const char *path)
{
	size_t n = strlen(ctx->cwd);

	if (n > 1 && strncmp(path, ctx->cwd, n) == 0 && path[n] == '/' &&
	    path[n + 1] != '\0')
		return path + n + 1;
	return path;
}

static void
include_one(struct config_ctx *ctx, const struct config_item *el,
    const char *dir)
{
	const char *pattern = config_str(el), *root;
	struct pathglob g;
	size_t i;

	if (*pattern == '\0') {
		config_error(ctx, el, "include: a pattern must not be empty");
		return;
	}
	if (pathglob_check(pattern) == -1) {
		config_error(ctx, el, "include: pattern \"%s\": %s", pattern,
		    err_msg());
		return;
	}
	/* dir comes from realpath(): only memory can fail now. */
	if (pathglob(dir, pattern, &g) == -1) {
		config_oom(ctx);
		return;
	}
	if (g.n == 0) {
		root = *pattern == '/' || strcmp(dir, "/") == 0 ? "" : dir;
		log_warn("pattern `%s` (expanded as `%s%s%s`): no matching "
		    "configuration file found", pattern, root,
		    *pattern == '/' ? "" : "/", pattern);
	}
	for (i = 0; i < g.n; i++)
		load_file(ctx, display_path(ctx, g.paths[i]), g.paths[i], el);
	pathglob_free(&g);
}

static void
include_all(struct config_ctx *ctx, const struct config_doc *doc,
    const struct config_item *inc)
{
	struct config_item el;
	char *copy, *dir;
	size_t i;

	if ((copy = config_strdup(ctx, doc->canon)) == NULL)
		return;
	dir = dirname(copy);
	for (i = 0; i < toml_array_len(inc->v); i++) {
		/* Bad elements were reported by config_table(). */
		if (config_elem_of(inc, i, TOML_STRING, &el) != NULL)
			include_one(ctx, &el, dir);
	}
	free(copy);
}

static struct config_doc *
doc_new(struct config_ctx *ctx, const char *display)
{
	struct config *c = ctx->c;
	struct config_doc *doc = NULL, **nd;
	char **nf, *path = NULL;

	if ((doc = calloc(1, sizeof(*doc))) == NULL ||
	    (path = strdup(display)) == NULL)
		goto fail;
	if ((nd = reallocarray(ctx->docs, ctx->ndocs + 1,
	    sizeof(*nd))) == NULL)
		goto fail;
	ctx->docs = nd;
	if ((nf = reallocarray(c->files, c->nfiles + 1, sizeof(*nf))) == NULL)
		goto fail;
	c->files = nf;
	c->files[c->nfiles++] = path;
	doc->idx = ctx->ndocs;
	doc->path = path;
	ctx->docs[ctx->ndocs++] = doc;
	return doc;
fail:
	free(doc);
	free(path);
	config_oom(ctx);
	return NULL;
}

/* Reads a regular file whole.  A FIFO or a device would block or never
 * end; O_NONBLOCK keeps open() itself from waiting on a FIFO. */
static int
read_file(const char *path, struct buf *b)
{
	struct stat st;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) ==
	    -1)
		return err_sys("cannot open");
	if (fstat(fd, &st) == -1) {
		err_sys("cannot stat");
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set("not a regular file");
		goto out;
	}
	if (buf_read_fd(b, fd) == -1)
		goto out;
	rc = 0;
out:
	close(fd);
	return rc;
}

static void
load_file(struct config_ctx *ctx, const char *display, const char *fspath,
    const struct config_item *from)
{
	struct config_item root, inc;
	struct config_seen seen;
	struct config_doc *doc;
	struct buf data;
	unsigned line, col;
	size_t i;
	char *canon;
	int off;

	buf_init(&data, BUF_MAX_LARGE);
	if ((canon = realpath(fspath, NULL)) == NULL) {
		if (from != NULL)
			config_error(ctx, from, "include: %s: %s", display,
			    strerror(errno));
		else
			config_error_at(ctx, NULL, 0, 0, "%s: %s", display,
			    strerror(errno));
		ctx->load_failed = 1;
		return;
	}
	for (i = 0; i < ctx->ndocs; i++) {
		if (ctx->docs[i]->canon != NULL &&
		    strcmp(ctx->docs[i]->canon, canon) == 0) {
			log_info("%s: configuration file already loaded",
			    display);
			free(canon);
			return;
		}
	}
	if ((doc = doc_new(ctx, display)) == NULL) {
		free(canon);
		ctx->load_failed = 1;
		return;
	}
	doc->canon = canon;
	log_info("%s: loading configuration file", display);
	if (read_file(fspath, &data) == -1) {
		if (from != NULL)
			config_error(ctx, from, "include: %s: %s", display,
			    err_msg());
		else
			config_error_at(ctx, doc, 0, 0, "%s", err_msg());
		ctx->load_failed = 1;
		goto out;
	}
	if ((doc->root = toml_parse(data.data != NULL ? data.data : "",
	    data.len)) == NULL) {
		off = 0;
		if (sscanf(err_msg(), "%u:%u: %n", &line, &col, &off) == 2 &&
		    off > 0)
			config_error_at(ctx, doc, line, col, "%s",
			    err_msg() + off);
		else
			config_error_at(ctx, doc, 0, 0, "%s", err_msg());
		ctx->load_failed = 1;
		goto out;
	}
	memset(&root, 0, sizeof(root));
	root.doc = doc;
	root.key = "";
	root.v = doc->root;
	root.line = root.kline = 1;
	root.col = root.kcol = 1;
	(void)config_table(ctx, &root, "the top-level table", top_keys,
	    TOP__COUNT, NULL, &seen);
	if (seen.found[TOP_INCLUDE] && toml_type(seen.item[TOP_INCLUDE].v) ==
	    TOML_ARRAY) {
		inc = seen.item[TOP_INCLUDE];
		include_all(ctx, doc, &inc);
	}
out:
	buf_free_secure(&data);	/* it may hold an EAB key */
}

static void
ctx_free(struct config_ctx *ctx)
{
	size_t i;

	config_errors_free(ctx);
	for (i = 0; i < ctx->ndocs; i++) {
		toml_free(ctx->docs[i]->root);
		free(ctx->docs[i]->canon);
		free(ctx->docs[i]);
	}
	free(ctx->docs);
	for (i = 0; i < CONFIG_SECT_COUNT; i++)
		free(ctx->sect[i].v);
	config_inherit_free(&ctx->global_inh);
	config_strv_free(&ctx->global_roots);
	if (ctx->ep_inh != NULL)
		for (i = 0; i < ctx->c->nendpoints; i++)
			config_inherit_free(&ctx->ep_inh[i]);
	free(ctx->ep_inh);
	config_names_free(&ctx->rate_limits);
	config_names_free(&ctx->hook_names);
	config_names_free(&ctx->endpoints);
	config_names_free(&ctx->accounts);
	config_names_free(&ctx->cert_ids);
	config_groups_free(ctx);
	free(ctx->cwd);
}

/* The folder without trailing slashes ("/" stays), to join and strip. */
static char *
base_folder(const char *cwd)
{
	char *s;
	size_t n;

	if ((s = strdup(cwd)) == NULL)
		return NULL;
	for (n = strlen(s); n > 1 && s[n - 1] == '/'; n--)
		s[n - 1] = '\0';
	return s;
}

struct config *
config_load(const struct config_opts *o, struct buf *errors)
{
	struct config_ctx ctx;
	struct config *c;
	char *main_path = NULL;

	memset(&ctx, 0, sizeof(ctx));
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		(void)buf_puts(errors, "out of memory\n");
		return NULL;
	}
	ctx.c = c;
	ctx.o = o;
	if (o == NULL || o->path == NULL || *o->path == '\0')
		config_error_at(&ctx, NULL, 0, 0, "no configuration file");
	else if (o->cwd != NULL && o->cwd[0] != '/')
		config_error_at(&ctx, NULL, 0, 0, "%s: the base folder must be "
		    "an absolute path", o->cwd);
	else if (o->cwd != NULL && (ctx.cwd = base_folder(o->cwd)) == NULL)
		config_oom(&ctx);
	else if (o->cwd == NULL && (ctx.cwd = getcwd(NULL, 0)) == NULL)
		config_error_at(&ctx, NULL, 0, 0, "cannot get the working "
		    "directory: %s", strerror(errno));
	else if (o->path[0] == '/' || o->cwd == NULL)
		load_file(&ctx, o->path, o->path, NULL);
	else if ((main_path = config_abspath(&ctx, o->path)) != NULL)
		load_file(&ctx, o->path, main_path, NULL);
	/* A file that cannot be read may define what others refer to: its
	 * error alone says more than the cascade it would cause. */
	if (!ctx.load_failed && !ctx.oom) {
		config_build_rate_limits(&ctx);
		config_build_hooks(&ctx);
		config_build_groups(&ctx);
		config_build_global(&ctx);
		config_build_endpoints(&ctx);
		config_build_accounts(&ctx);
		config_build_certificates(&ctx);
	}
	free(main_path);
	if (ctx.nerrs > 0 || ctx.ndropped > 0 || ctx.oom) {
		config_errors_write(&ctx, errors);
		ctx_free(&ctx);
		config_free(c);
		return NULL;
	}
	ctx_free(&ctx);
	return c;
}
