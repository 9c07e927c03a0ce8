/*
 * intern.h - what the files of the config layer share: the loading context,
 * error collection, name registries and the declarative key tables.
 *
 * Loading has two phases.  load.c reads the main file and its includes
 * (depth first, each file once) and sorts the top-level entries of every
 * file into one list per section, in merged order.  The builders
 * (global.c, endpoint.c, hook.c, account.c, certificate.c) then read each
 * entry through config_table(), which checks every key against a table of
 * { name, type, required, handler } and reports unknown keys, wrong types
 * and missing keys; the handlers check the values.  Every problem is
 * recorded with its position and loading goes on, so that one run shows
 * them all.
 */
#ifndef ACMED_CONFIG_INTERN_H
#define ACMED_CONFIG_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "toml/toml.h"

/* A file read: its name in messages and its tree. */
struct config_doc {
	size_t		 idx;		/* in ctx->docs */
	const char	*path;		/* borrowed from c->files */
	char		*canon;		/* realpath(): a file is read once */
	struct toml_value *root;	/* NULL: unreadable or not TOML */
};

/* A value of the configuration and where it was written. */
struct config_item {
	const struct config_doc	*doc;
	const char		*key;		/* for messages: "args" */
	unsigned		 kline, kcol;	/* the key */
	unsigned		 line, col;	/* the value */
	const struct toml_value	*v;
};

enum config_sect {
	CONFIG_SECT_GLOBAL,
	CONFIG_SECT_ENDPOINT,
	CONFIG_SECT_RATE_LIMIT,
	CONFIG_SECT_HOOK,
	CONFIG_SECT_GROUP,
	CONFIG_SECT_ACCOUNT,
	CONFIG_SECT_CERTIFICATE,
	CONFIG_SECT_COUNT
};

struct config_items {
	struct config_item	*v;
	size_t			 n;
	size_t			 alloc;
};

/* An optional period: set only where the file says so. */
struct config_opt_period {
	int		 set;
	uint64_t	 seconds;
};

/* What a certificate inherits from its endpoint or the global table. */
struct config_inherit {
	char			*file_name_format;	/* source; NULL: unset */
	struct config_opt_period renew_delay;
	struct config_opt_period random_early_renew;
};

struct config_strv {
	char	**v;
	size_t	  n;
};

/* Kinds in the hook namespace, which hooks and groups share. */
enum config_name_kind {
	CONFIG_NAME_HOOK,
	CONFIG_NAME_GROUP,
};

/* A defined name and where: duplicates and references. */
struct config_name {
	const char		*name;		/* borrowed */
	int			 kind;
	size_t			 idx;
	const struct config_doc	*doc;
	unsigned		 line, col;
};

struct config_names {
	struct config_name	*v;
	size_t			 n;
	size_t			 alloc;
	size_t			*slots;		/* open addressing: index + 1 */
	size_t			 nslots;	/* a power of two, > 2 n */
};

enum config_group_state {
	CONFIG_GROUP_NEW,
	CONFIG_GROUP_VISITING,
	CONFIG_GROUP_DONE,
};

struct config_group {
	const char		*name;		/* borrowed from the tree */
	struct config_item	 hooks;		/* the "hooks" array */
	int			 has_hooks;
	enum config_group_state	 state;
	int			 broken;	/* a member failed: no list */
	struct config_hook_list	 list;		/* expanded */
};

struct config_error {
	size_t		 doc;		/* SIZE_MAX: no file */
	unsigned	 line, col;	/* 0: no position */
	size_t		 seq;
	char		*msg;
};

struct config_ctx {
	struct config		 *c;
	const struct config_opts *o;
	char			 *cwd;
	struct config_doc	**docs;
	size_t			  ndocs;
	struct config_error	 *errs;
	size_t			  nerrs;
	size_t			  ndropped;
	int			  load_failed;	/* a file is unreadable */
	int			  oom;
	struct config_items	  sect[CONFIG_SECT_COUNT];
	/* Built by global.c, used by endpoints and certificates. */
	struct config_inherit	  global_inh;
	struct config_strv	  global_roots;
	struct config_inherit	 *ep_inh;	/* one per endpoint */
	struct config_names	  rate_limits;
	struct config_names	  hook_names;	/* hooks and groups */
	struct config_names	  endpoints;
	struct config_names	  accounts;
	struct config_names	  cert_ids;
	struct config_group	 *groups;
	size_t			  ngroups;
	size_t			 *gstack;	/* groups being expanded */
	size_t			  ngstack;
};

/* Errors are kept at most this many; a summary line counts the rest. */
#define CONFIG_MAX_ERRORS	500
/* A group or a hook list never expands to more hooks than this. */
#define CONFIG_MAX_HOOK_LIST	10000
/* The longest hook timeout: spawn takes milliseconds in an int. */
#define CONFIG_MAX_HOOK_TIMEOUT	(24u * 86400)

/*
 * error.c.  Each records one error and returns -1.  config_error() is at
 * the value of it, config_error_key() at its key, config_error_at() at an
 * explicit place (line 0: the file only; doc NULL: no file).  Control
 * characters in messages are escaped when they are written out.
 */
int	config_error(struct config_ctx *, const struct config_item *it,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int	config_error_key(struct config_ctx *, const struct config_item *it,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int	config_error_at(struct config_ctx *, const struct config_doc *doc,
	    unsigned line, unsigned col, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* Records "out of memory" once. */
int	config_oom(struct config_ctx *);
/* Appends the errors to out, sorted by file, line and column. */
void	config_errors_write(struct config_ctx *, struct buf *out);
void	config_errors_free(struct config_ctx *);
/* "file:line:col" of a place, into out (size n). */
const char *config_where(const struct config_doc *doc, unsigned line,
	    unsigned col, char *out, size_t n);

/* Allocation helpers: NULL/-1 after config_oom(). */
char	*config_strdup(struct config_ctx *, const char *s);
void	*config_reallocarray(struct config_ctx *, void *p, size_t n,
	    size_t size);
int	 config_strv_push(struct config_ctx *, struct config_strv *v,
	    char *s);	/* takes s, also on failure */
void	 config_strv_free(struct config_strv *v);

/* Name registries (names.c). */
int	config_name_add(struct config_ctx *, struct config_names *names,
	    const char *what, const char *name, int kind, size_t idx,
	    const struct config_item *it);
const struct config_name *config_name_find(const struct config_names *,
	    const char *name);
/* " (did you mean "x"?)" in out (size bytes), x the name of the set
 * nearest to name if it is a typo's distance away (CONFIG_NEAR), else "".
 * Returns out. */
const char *config_did_you_mean(const struct config_names *,
	    const char *name, char *out, size_t size);
/* The Levenshtein distance of a[0..la) and b (SIZE_MAX when either is
 * long); names nearer than CONFIG_NEAR(la) are taken for typos of each
 * other: one edit for a short one, two for a longer one. */
size_t	config_distance(const char *a, size_t la, const char *b);
#define CONFIG_NEAR(la)	((la) >= 6 ? 3 : 2)
void	config_names_free(struct config_names *);

/*
 * The key tables (keys.c).  config_table() walks the table it->v: each key
 * must be in keys (else "unknown key"), of the right type (else "expected
 * a string, found an integer"), and is then given to its handler with
 * obj; keys flagged CONFIG_REQ must be present.  what names the table in
 * messages ("[[hook]]").  seen (may be NULL) tells the caller which keys
 * were found and accepted, indexed like keys.  Returns 0 when every key
 * was fine, else -1 (the errors are recorded).
 */
enum config_vtype {
	CONFIG_T_STRING,
	CONFIG_T_BOOL,
	CONFIG_T_INTEGER,
	CONFIG_T_STRINGS,	/* array of strings */
	CONFIG_T_TABLE,
	CONFIG_T_TABLES,	/* array of tables */
};

#define CONFIG_REQ	0x1

struct config_key {
	const char	*name;
	enum config_vtype type;
	unsigned	 flags;
	int		(*set)(struct config_ctx *, const struct config_item *,
			    void *obj, size_t off);
	size_t		 off;
};

#define CONFIG_MAX_KEYS	16

struct config_seen {
	struct config_item	item[CONFIG_MAX_KEYS];
	unsigned char		found[CONFIG_MAX_KEYS];
	unsigned char		ok[CONFIG_MAX_KEYS];
};

int	config_table(struct config_ctx *, const struct config_item *it,
	    const char *what, const struct config_key *keys, size_t nkeys,
	    void *obj, struct config_seen *seen);

/* "a string", "an integer": for "expected ..., found ...".  Static. */
const char *config_a_type(enum toml_type t);
/* The element i of an array item, positioned; returns it. */
struct config_item *config_elem(const struct config_item *arr, size_t i,
	    struct config_item *out);
/* The same if the element has type want (a string: without NUL), else
 * NULL: config_table() reported it, the handler skips it. */
struct config_item *config_elem_of(const struct config_item *arr, size_t i,
	    enum toml_type want, struct config_item *out);
/* The string of a string item (checked by config_table()).  Borrowed. */
const char *config_str(const struct config_item *it);

/* Handlers: obj + off points at the field named. */
int	config_set_str(struct config_ctx *, const struct config_item *,
	    void *, size_t);			/* char * */
int	config_set_nonempty(struct config_ctx *, const struct config_item *,
	    void *, size_t);			/* char *, not "" */
int	config_set_bool(struct config_ctx *, const struct config_item *,
	    void *, size_t);			/* int */
int	config_set_period(struct config_ctx *, const struct config_item *,
	    void *, size_t);			/* struct config_opt_period */
int	config_set_path(struct config_ctx *, const struct config_item *,
	    void *, size_t);			/* char *, made absolute */
int	config_set_paths(struct config_ctx *, const struct config_item *,
	    void *, size_t);			/* struct config_strv */
int	config_set_env(struct config_ctx *, const struct config_item *,
	    void *, size_t);			/* struct config_env, merged */
int	config_set_format(struct config_ctx *, const struct config_item *,
	    void *, size_t);			/* char *, a valid template */
int	config_set_key_type(struct config_ctx *, const struct config_item *,
	    void *, size_t);			/* enum crypto_key_type */

/* Compiles a template; on error records "<key>: invalid template: ...". */
struct tmpl *config_compile(struct config_ctx *, const struct config_item *,
	    const char *src);

/* path.c: an absolute path (cwd joined, "." and "//" removed).  Allocated. */
char	*config_abspath(struct config_ctx *, const char *path);

/* env.c */
int	config_env_set(struct config_ctx *, struct config_env *e,
	    const char *key, const char *value);
int	config_env_merge(struct config_ctx *, struct config_env *dst,
	    const struct config_env *src);
void	config_env_free(struct config_env *e);

/* Builders, in the order config_load() calls them. */
void	config_build_rate_limits(struct config_ctx *);
void	config_build_hooks(struct config_ctx *);
void	config_build_groups(struct config_ctx *);
void	config_build_global(struct config_ctx *);
void	config_build_endpoints(struct config_ctx *);
void	config_build_accounts(struct config_ctx *);
void	config_build_certificates(struct config_ctx *);

/* hook.c: resolves an array of hook and group names into out (appended). */
int	config_hook_refs(struct config_ctx *, const struct config_item *arr,
	    struct config_hook_list *out);
void	config_groups_free(struct config_ctx *);

/* ident.c: an identifier table into id.  0 or -1 (errors recorded). */
int	config_identifier(struct config_ctx *, const struct config_item *it,
	    struct config_identifier *id);
void	config_identifier_free(struct config_identifier *id);

/* global.c */
void	config_inherit_free(struct config_inherit *);

#endif
