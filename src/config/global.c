/*
 * global.c - the [global] table: defaults, then every file's [global] in
 * reading order, a later value replacing an earlier one for every key
 * (env: variable by variable).  Also file modes, owners and extensions.
 */
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_config.h"
#include "config/intern.h"
#include "util/log.h"

struct gbuild {
	struct config_global	 g;
	struct config_inherit	 inh;
	struct config_strv	 roots;
};

#define FIELD(type, obj, off)	((type *)(void *)((char *)(obj) + (off)))

static int
set_mode(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	int64_t v = toml_int(it->v), d;
	int octal_looking = toml_int_decimal(it->v) && v >= 8 && v <= 777;

	/* 644 written in base 10 is 0o1204, and 400 is 0o620: digits that
	 * read as a mode in octal were meant so. */
	for (d = v; octal_looking && d > 0; d /= 10)
		octal_looking = d % 10 <= 7;
	if (v < 0)
		return config_error(ctx, it, "%s: %lld is not a file mode "
		    "(expected 0o000 to 0o777)", it->key, (long long)v);
	if (v > 0777 && octal_looking)
		return config_error(ctx, it, "%s: %lld is a decimal number, "
		    "0o%llo, not a file mode: write 0o%lld", it->key,
		    (long long)v, (unsigned long long)v, (long long)v);
	if (v > 0777)
		return config_error(ctx, it, "%s: 0o%llo is not a file mode "
		    "(expected 0o000 to 0o777)", it->key,
		    (unsigned long long)v);
	if (octal_looking)
		log_warn("%s:%u:%u: %s: %lld is a decimal number: the mode "
		    "is 0o%llo (write 0o%lld for that mode, or 0o%llo to keep "
		    "this one without this warning)", it->doc->path, it->line,
		    it->col, it->key, (long long)v, (unsigned long long)v,
		    (long long)v, (unsigned long long)v);
	*FIELD(mode_t, obj, off) = (mode_t)v;
	return 0;
}

/* A mode written in the configuration, not the default: it is given to
 * every file written, also one replacing a file of another mode.  For
 * cert_file_mode and pk_file_mode, told apart by where they go. */
static int
set_file_mode(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	struct gbuild *b = obj;

	if (set_mode(ctx, it, obj, off) == -1)
		return -1;
	if (off == offsetof(struct gbuild, g.cert_file_mode))
		b->g.cert_file_mode_set = 1;
	else
		b->g.pk_file_mode_set = 1;
	return 0;
}

/* An all-digit string is a numeric id; -1 is "unchanged" to chown(2). */
static int
parse_id(const char *s, uint32_t *id)
{
	unsigned long long v = 0;
	const char *p;

	if (*s == '\0')
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long long)(*p - '0');
		if (v >= UINT32_MAX)
			return 1;
	}
	*id = (uint32_t)v;
	return 0;
}

static size_t
pw_bufsize(int name)
{
	long n = sysconf(name);

	return n > 0 && n < 1024 * 1024 ? (size_t)n : 16384;
}

static int
set_uid(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	const char *s = config_str(it);
	struct passwd pw, *res = NULL;
	size_t size = pw_bufsize(_SC_GETPW_R_SIZE_MAX);
	uint32_t id;
	char *b = NULL;
	int rc;

	if ((rc = parse_id(s, &id)) == 0) {
		*FIELD(uid_t, obj, off) = (uid_t)id;
		return 0;
	}
	if (rc == 1)
		return config_error(ctx, it, "%s: user id %s is too large",
		    it->key, s);
	if (*s == '\0')
		return config_error(ctx, it, "%s: must not be empty", it->key);
	for (;;) {
		char *nb;

		if ((nb = realloc(b, size)) == NULL) {
			free(b);
			return config_oom(ctx);
		}
		b = nb;
		rc = getpwnam_r(s, &pw, b, size, &res);
		if (rc != ERANGE || size >= 1024 * 1024)
			break;
		size *= 2;
	}
	if (res == NULL) {
		free(b);
		if (rc != 0 && rc != ENOENT && rc != ESRCH)
			return config_error(ctx, it, "%s: cannot look up user "
			    "\"%s\": %s", it->key, s, strerror(rc));
		return config_error(ctx, it, "%s: unknown user \"%s\"",
		    it->key, s);
	}
	*FIELD(uid_t, obj, off) = pw.pw_uid;
	free(b);
	return 0;
}

static int
set_gid(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	const char *s = config_str(it);
	struct group gr, *res = NULL;
	size_t size = pw_bufsize(_SC_GETGR_R_SIZE_MAX);
	uint32_t id;
	char *b = NULL;
	int rc;

	if ((rc = parse_id(s, &id)) == 0) {
		*FIELD(gid_t, obj, off) = (gid_t)id;
		return 0;
	}
	if (rc == 1)
		return config_error(ctx, it, "%s: group id %s is too large",
		    it->key, s);
	if (*s == '\0')
		return config_error(ctx, it, "%s: must not be empty", it->key);
	for (;;) {
		char *nb;

		if ((nb = realloc(b, size)) == NULL) {
			free(b);
			return config_oom(ctx);
		}
		b = nb;
		rc = getgrnam_r(s, &gr, b, size, &res);
		if (rc != ERANGE || size >= 1024 * 1024)
			break;
		size *= 2;
	}
	if (res == NULL) {
		free(b);
		if (rc != 0 && rc != ENOENT && rc != ESRCH)
			return config_error(ctx, it, "%s: cannot look up group "
			    "\"%s\": %s", it->key, s, strerror(rc));
		return config_error(ctx, it, "%s: unknown group \"%s\"",
		    it->key, s);
	}
	*FIELD(gid_t, obj, off) = gr.gr_gid;
	free(b);
	return 0;
}

/* The extension ends a file name: it cannot hold a folder separator. */
static int
set_ext(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	if (strchr(config_str(it), '/') != NULL)
		return config_error(ctx, it, "%s: a file extension cannot "
		    "contain '/'", it->key);
	return config_set_str(ctx, it, obj, off);
}

/* Not in ACMEd, whose hooks always inherit its whole environment. */
static int
set_hook_env(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	const char *s = config_str(it);

	if (strcmp(s, "inherit") == 0)
		*FIELD(int, obj, off) = 0;
	else if (strcmp(s, "scrub") == 0)
		*FIELD(int, obj, off) = 1;
	else
		return config_error(ctx, it, "%s: \"%s\" is not \"inherit\" "
		    "or \"scrub\"", it->key, s);
	return 0;
}

enum {
	G_ACCOUNTS_DIRECTORY,
	G_CERTIFICATES_DIRECTORY,
	G_CERT_FILE_MODE,
	G_CERT_FILE_USER,
	G_CERT_FILE_GROUP,
	G_CERT_FILE_EXT,
	G_PK_FILE_MODE,
	G_PK_FILE_USER,
	G_PK_FILE_GROUP,
	G_PK_FILE_EXT,
	G_ENV,
	G_HOOK_ENV,
	G_FILE_NAME_FORMAT,
	G_RANDOM_EARLY_RENEW,
	G_RENEW_DELAY,
	G_ROOT_CERTIFICATES,
	G__COUNT
};

#define G(f)	offsetof(struct gbuild, f)

static const struct config_key global_keys[G__COUNT] = {
	[G_ACCOUNTS_DIRECTORY] = { "accounts_directory", CONFIG_T_STRING, 0,
	    config_set_path, G(g.accounts_directory) },
	[G_CERTIFICATES_DIRECTORY] = { "certificates_directory",
	    CONFIG_T_STRING, 0, config_set_path, G(g.certificates_directory) },
	[G_CERT_FILE_MODE] = { "cert_file_mode", CONFIG_T_INTEGER, 0,
	    set_file_mode, G(g.cert_file_mode) },
	[G_CERT_FILE_USER] = { "cert_file_user", CONFIG_T_STRING, 0, set_uid,
	    G(g.cert_file_uid) },
	[G_CERT_FILE_GROUP] = { "cert_file_group", CONFIG_T_STRING, 0,
	    set_gid, G(g.cert_file_gid) },
	[G_CERT_FILE_EXT] = { "cert_file_ext", CONFIG_T_STRING, 0, set_ext,
	    G(g.cert_file_ext) },
	[G_PK_FILE_MODE] = { "pk_file_mode", CONFIG_T_INTEGER, 0,
	    set_file_mode, G(g.pk_file_mode) },
	[G_PK_FILE_USER] = { "pk_file_user", CONFIG_T_STRING, 0, set_uid,
	    G(g.pk_file_uid) },
	[G_PK_FILE_GROUP] = { "pk_file_group", CONFIG_T_STRING, 0, set_gid,
	    G(g.pk_file_gid) },
	[G_PK_FILE_EXT] = { "pk_file_ext", CONFIG_T_STRING, 0, set_ext,
	    G(g.pk_file_ext) },
	[G_ENV] = { "env", CONFIG_T_TABLE, 0, config_set_env, G(g.env) },
	[G_HOOK_ENV] = { "hook_env", CONFIG_T_STRING, 0, set_hook_env,
	    G(g.hook_env_scrub) },
	[G_FILE_NAME_FORMAT] = { "file_name_format", CONFIG_T_STRING, 0,
	    config_set_format, G(inh.file_name_format) },
	[G_RANDOM_EARLY_RENEW] = { "random_early_renew", CONFIG_T_STRING, 0,
	    config_set_period, G(inh.random_early_renew) },
	[G_RENEW_DELAY] = { "renew_delay", CONFIG_T_STRING, 0,
	    config_set_period, G(inh.renew_delay) },
	[G_ROOT_CERTIFICATES] = { "root_certificates", CONFIG_T_STRINGS, 0,
	    config_set_paths, G(roots) },
};

void
config_inherit_free(struct config_inherit *inh)
{
	free(inh->file_name_format);
	inh->file_name_format = NULL;
}

void
config_build_global(struct config_ctx *ctx)
{
	const struct config_items *s = &ctx->sect[CONFIG_SECT_GLOBAL];
	struct gbuild b;
	size_t i;

	memset(&b, 0, sizeof(b));
	b.g.accounts_directory = config_strdup(ctx,
	    ACMED_DEFAULT_ACCOUNTS_DIR);
	b.g.certificates_directory = config_strdup(ctx,
	    ACMED_DEFAULT_CERT_DIR);
	b.g.cert_file_mode = CONFIG_DEFAULT_CERT_MODE;
	b.g.cert_file_uid = (uid_t)-1;
	b.g.cert_file_gid = (gid_t)-1;
	b.g.cert_file_ext = config_strdup(ctx, "pem");
	b.g.pk_file_mode = CONFIG_DEFAULT_PK_MODE;
	b.g.pk_file_uid = (uid_t)-1;
	b.g.pk_file_gid = (gid_t)-1;
	b.g.pk_file_ext = config_strdup(ctx, "pem");
	b.inh.renew_delay.set = 1;
	b.inh.renew_delay.seconds = CONFIG_DEFAULT_RENEW_DELAY;
	b.inh.random_early_renew.set = 1;
	b.inh.random_early_renew.seconds = 0;
	b.inh.file_name_format = config_strdup(ctx,
	    CONFIG_DEFAULT_FILE_FORMAT);
	for (i = 0; i < s->n; i++)
		(void)config_table(ctx, &s->v[i], "[global]", global_keys,
		    G__COUNT, &b, NULL);
	ctx->c->global = b.g;
	ctx->global_inh = b.inh;
	ctx->global_roots = b.roots;
}
