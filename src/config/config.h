/*
 * config.h - the acmed.toml model: everything the daemon needs, resolved
 * and validated, immutable once config_load() returns.
 *
 * References are pointers (a certificate points at its account, endpoint
 * and hooks), inheritance is applied (certificate -> endpoint -> global ->
 * built-in default), groups are expanded into flat hook lists, templates
 * are compiled, identifiers are normalised, user and group names are
 * resolved.  A reload builds a new struct config and swaps it in; the old
 * one is freed once nothing uses it.
 *
 * Ownership: config_load() returns an allocated model, freed with
 * config_free(); every pointer inside is owned by the model.
 */
#ifndef ACMED_CONFIG_CONFIG_H
#define ACMED_CONFIG_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "crypto/csr.h"
#include "crypto/ident.h"
#include "crypto/keytype.h"
#include "tmpl/tmpl.h"
#include "util/buf.h"

/* ACMEd's built-in defaults (acmed-behaviour.md, appendix B). */
#define CONFIG_DEFAULT_RENEW_DELAY	(30ull * 86400)
#define CONFIG_DEFAULT_CERT_KEY		CRYPTO_KEY_RSA2048
#define CONFIG_DEFAULT_ACCOUNT_KEY	CRYPTO_KEY_ECDSA_P256
#define CONFIG_DEFAULT_CERT_MODE	0644
#define CONFIG_DEFAULT_PK_MODE		0600
#define CONFIG_DEFAULT_ACCOUNT_MODE	0600
#define CONFIG_DEFAULT_FILE_FORMAT \
	"{{ name }}_{{ key_type }}.{{ file_type }}.{{ ext }}"
#define CONFIG_DEFAULT_HOOK_TIMEOUT	300	/* seconds; our extension */

/* Hook types, in acmed.toml(5)'s spelling (config_hook_type_name()). */
enum config_hook_type {
	CONFIG_HOOK_FILE_PRE_CREATE,
	CONFIG_HOOK_FILE_POST_CREATE,
	CONFIG_HOOK_FILE_PRE_EDIT,
	CONFIG_HOOK_FILE_POST_EDIT,
	CONFIG_HOOK_CHALLENGE_HTTP01,
	CONFIG_HOOK_CHALLENGE_HTTP01_CLEAN,
	CONFIG_HOOK_CHALLENGE_DNS01,
	CONFIG_HOOK_CHALLENGE_DNS01_CLEAN,
	CONFIG_HOOK_CHALLENGE_TLSALPN01,
	CONFIG_HOOK_CHALLENGE_TLSALPN01_CLEAN,
	CONFIG_HOOK_POST_OPERATION,
	CONFIG_HOOK__MAX
};
#define CONFIG_HOOK_BIT(t)	(1u << (t))

/* "file-pre-create" ... "post-operation".  Static string. */
const char *config_hook_type_name(enum config_hook_type t);

/* An ordered string map (env tables).  Later keys win on merge. */
struct config_env {
	char	**keys;
	char	**values;
	size_t	  n;
};

/* Where something was written, for messages at run time. */
struct config_pos {
	const char	*file;		/* owned by the model */
	unsigned	 line;
	unsigned	 col;
};

struct config_hook {
	char		*name;
	struct config_pos pos;
	unsigned	 types;		/* CONFIG_HOOK_BIT()s */
	char		*cmd;		/* not a template */
	struct tmpl	**args;		/* compiled */
	char		**args_src;	/* as written, for logs */
	size_t		 nargs;
	struct tmpl	*stdin_path;	/* "stdin": a file fed to stdin */
	struct tmpl	*stdin_str;	/* "stdin_str": literal text */
	struct tmpl	*stdout_path;	/* NULL: captured and logged */
	struct tmpl	*stderr_path;	/* NULL: captured and logged */
	int		 allow_failure;
	unsigned	 timeout_s;	/* "timeout" (a period); default 300 */
	/* The sources of the four templates above, as written (NULL when
	 * absent), for logs and config_dump(). */
	char		*stdin_path_src;
	char		*stdin_str_src;
	char		*stdout_path_src;
	char		*stderr_path_src;
};

/* A hook or group reference, expanded: hooks in declaration order,
 * duplicates kept (a hook listed twice runs twice). */
struct config_hook_list {
	const struct config_hook **hooks;
	size_t			   n;
};

struct config_rate_limit {
	char		*name;
	uint64_t	 number;	/* > 0 */
	uint64_t	 period_s;
};

struct config_endpoint {
	char		*name;
	struct config_pos pos;
	char		*url;
	int		 tos_agreed;
	const struct config_rate_limit **rate_limits;
	size_t		 nrate_limits;
	/* --root-cert files, then the endpoint's, then the global ones;
	 * absolute paths. */
	char		**root_certificates;
	size_t		 nroot_certificates;
};

struct config_account {
	char		*name;
	struct config_pos pos;
	char		**contacts;	/* URIs: "mailto:certs@example.org" */
	size_t		 ncontacts;
	enum crypto_key_type key_type;
	enum crypto_jws_alg signature_algorithm;
	int		 has_eab;
	char		*eab_id;
	unsigned char	*eab_key;	/* decoded; wiped by config_free() */
	size_t		 eab_keylen;
	enum crypto_jws_alg eab_alg;
	struct config_hook_list hooks;	/* only file-* types are used */
	struct config_env env;
};

struct config_identifier {
	enum crypto_ident_type type;
	char		*value;		/* normalised: A-labels, lower case,
					   canonical IP text; "*." kept */
	char		*raw;		/* as written */
	char		*challenge;	/* "http-01", "dns-01", "tls-alpn-01" */
	struct config_env env;		/* the identifier's own table */
};

struct config_certificate {
	char		*name;		/* "name", or the first identifier as
					   written, with * : / made _ */
	char		*id;		/* "<name>_<key type display form>" */
	struct config_pos pos;
	const struct config_account *account;
	const struct config_endpoint *endpoint;
	struct config_identifier *identifiers;
	size_t		 nidentifiers;
	struct config_hook_list hooks;
	enum crypto_key_type key_type;
	enum crypto_digest csr_digest;
	int		 kp_reuse;
	char		*profile;	/* the CA's certificate profile to
					   ask for; NULL: its default */
	char		*preferred_chain; /* the issuer CN of the topmost
					   certificate of the chain to keep
					   among the CA's; NULL: its first */
	char		*directory;	/* absolute */
	const struct tmpl *file_name_format;	/* inherited, compiled; one
						   per distinct text, owned by
						   struct config */
	uint64_t	 renew_delay;		/* inherited, seconds */
	uint64_t	 random_early_renew;	/* inherited, seconds */
	struct config_env env;		/* global env, then the certificate's */
	char		*subject[CRYPTO_SUBJ_COUNT];	/* NULL: absent */
	const char	*file_name_format_src;	/* its source, as inherited */
};

struct config_global {
	char		*accounts_directory;	/* absolute */
	char		*certificates_directory;	/* absolute */
	/* A mode, user or group the configuration does not set is, for a
	 * file being replaced, the old file's (daemon/storage.c); the mode
	 * here is then only a new file's. */
	mode_t		 cert_file_mode;
	int		 cert_file_mode_set;	/* cert_file_mode written */
	uid_t		 cert_file_uid;		/* (uid_t)-1: not set */
	gid_t		 cert_file_gid;		/* (gid_t)-1: not set */
	char		*cert_file_ext;
	mode_t		 pk_file_mode;
	int		 pk_file_mode_set;	/* pk_file_mode written */
	uid_t		 pk_file_uid;
	gid_t		 pk_file_gid;
	char		*pk_file_ext;
	struct config_env env;
	int		 hook_env_scrub;	/* hook_env = "scrub": hooks
						   get PATH, HOME, LANG,
						   LC_ALL and TZ of acmed's
						   environment, not all of
						   it (daemon/hook.h) */
};

struct config {
	struct config_global	  global;
	struct config_endpoint	 *endpoints;
	size_t			  nendpoints;
	struct config_rate_limit *rate_limits;
	size_t			  nrate_limits;
	struct config_hook	 *hooks;
	size_t			  nhooks;
	struct config_account	 *accounts;
	size_t			  naccounts;
	struct config_certificate *certificates;
	size_t			  ncertificates;
	char			**files;	/* every file read, in order */
	size_t			  nfiles;
	/* The distinct file name formats the certificates use, compiled
	 * once: ten thousand certificates share one or two. */
	struct tmpl		**formats;
	char			**format_srcs;
	size_t			  nformats;
};

struct config_opts {
	const char	 *path;		/* the main file */
	char *const	 *root_certs;	/* --root-cert, in order */
	size_t		  nroot_certs;
	/* The absolute folder that relative paths (path, root_certs, the
	 * directories and root certificates of the file) are resolved
	 * against; NULL: the working directory.  A reload after the daemon
	 * changed to / passes the folder of the first load, so that the
	 * same file gives the same model. */
	const char	 *cwd;
};

/*
 * Loads and validates a configuration.  Returns the model, or NULL after
 * appending to errors every problem found, one per line, each as
 * "file:line:col: message" (or "file: message" where no position
 * applies).  Warnings (an include pattern that matches nothing) are logged.
 */
struct config	*config_load(const struct config_opts *o, struct buf *errors);
void		 config_free(struct config *c);

/* A stable text dump of the whole model, for golden tests. */
int		 config_dump(const struct config *c, struct buf *out);

/* Logs a warning for each mistake the configuration loaded with but
 * that is certain to fail after the CA was asked: a challenge none of a
 * certificate's hooks publishes, a hook's program that is not there, an
 * endpoint in use whose terms are not agreed to.  Best effort. */
void		 config_lint(const struct config *c);

/* One line per certificate: name, endpoint, account, identifiers with
 * their challenges, key type (acmed --check-config). */
int		 config_summary(const struct config *c, struct buf *out);

/* Looks up an env key; NULL when absent.  Borrowed. */
const char	*config_env_get(const struct config_env *e, const char *key);

#endif
