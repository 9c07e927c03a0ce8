/*
 * hook.c - hook execution (see hook.h).
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "daemon/hook.h"
#include "util/err.h"
#include "util/log.h"
#include "util/spawn.h"

#define HOOK_ARG_MAX	(64u * 1024)
#define HOOK_STDIN_MAX	(1024u * 1024)
#define HOOK_OUTPUT_MAX	(64u * 1024)
#define HOOK_TAIL_LINES	5
#define HOOK_NOFILE	1024

static char **hook_environ;
static atomic_int hook_scrub;

/* What a scrubbed environment keeps of the process's. */
static const char *const hook_scrub_keep[] = {
	"PATH", "HOME", "LANG", "LC_ALL", "TZ",
};

static void hook_strv_free(char **v);

void
hook_init(char **environ_at_start)
{
	struct rlimit none = { 0, 0 };

	hook_environ = environ_at_start;
	/* No core files, for acmed and so for every hook it starts (posix
	 * spawn has no per-child limits, and this one must hold from the
	 * child's first instruction): acmed's memory holds private keys,
	 * a hook's its environment and the proofs. */
	(void)setrlimit(RLIMIT_CORE, &none);
}

void
hook_set_env_scrub(int scrub)
{
	atomic_store(&hook_scrub, scrub != 0);
}

static int
hook_env_kept(const char *key, size_t keylen)
{
	size_t i;

	if (!atomic_load(&hook_scrub))
		return 1;
	for (i = 0; i < sizeof(hook_scrub_keep) / sizeof(*hook_scrub_keep);
	    i++)
		if (strlen(hook_scrub_keep[i]) == keylen &&
		    strncmp(hook_scrub_keep[i], key, keylen) == 0)
			return 1;
	return 0;
}

int
hook_any(const struct config_hook_list *hooks, enum config_hook_type type)
{
	size_t i;

	for (i = 0; i < hooks->n; i++)
		if (hooks->hooks[i]->types & CONFIG_HOOK_BIT(type))
			return 1;
	return 0;
}

/* The environment of a hook: the process's, then each layer (later keys
 * win).  Values are borrowed from the process environment and the
 * layers; keys are allocated. */
struct hook_env {
	char		**keys;
	const char	**values;
	size_t		  n;
};

static void
hook_env_free(struct hook_env *e)
{
	size_t i;

	for (i = 0; e->keys != NULL && i < e->n; i++)
		free(e->keys[i]);
	free(e->keys);
	free(e->values);
	memset(e, 0, sizeof(*e));
}

static int
hook_env_set(struct hook_env *e, const char *key, size_t keylen,
    const char *value)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strncmp(e->keys[i], key, keylen) == 0 &&
		    e->keys[i][keylen] == '\0') {
			e->values[i] = value;
			return 0;
		}
	if ((e->keys[e->n] = strndup(key, keylen)) == NULL)
		return err_set("out of memory");
	e->values[e->n++] = value;
	return 0;
}

static int
hook_env_build(struct hook_env *e, const struct config_env *const *layers,
    size_t nlayers)
{
	size_t cap = 0, i, j;

	memset(e, 0, sizeof(*e));
	for (i = 0; hook_environ != NULL && hook_environ[i] != NULL; i++)
		cap++;
	for (i = 0; i < nlayers; i++)
		if (layers[i] != NULL)
			cap += layers[i]->n;
	if ((e->keys = calloc(cap + 1, sizeof(*e->keys))) == NULL ||
	    (e->values = calloc(cap + 1, sizeof(*e->values))) == NULL)
		goto oom;
	for (i = 0; hook_environ != NULL && hook_environ[i] != NULL; i++) {
		const char *eq = strchr(hook_environ[i], '=');

		if (eq != NULL && eq != hook_environ[i] &&
		    hook_env_kept(hook_environ[i],
		    (size_t)(eq - hook_environ[i])) &&
		    hook_env_set(e, hook_environ[i],
		    (size_t)(eq - hook_environ[i]), eq + 1) == -1)
			goto fail;
	}
	for (i = 0; i < nlayers; i++)
		for (j = 0; layers[i] != NULL && j < layers[i]->n; j++)
			if (hook_env_set(e, layers[i]->keys[j],
			    strlen(layers[i]->keys[j]),
			    layers[i]->values[j]) == -1)
				goto fail;
	return 0;
oom:
	err_set("out of memory");
fail:
	hook_env_free(e);
	return -1;
}

/* The "env" template variable (a map keeps its keys sorted, as ACMEd's
 * MiniJinja shows them). */
static struct tmpl_value *
hook_env_map(const struct hook_env *e)
{
	struct tmpl_value *m = tmpl_value_map();
	size_t i;

	for (i = 0; m != NULL && i < e->n; i++)
		if (tmpl_map_set(m, e->keys[i],
		    tmpl_value_str(e->values[i])) == -1) {
			tmpl_value_free(m);
			m = NULL;
		}
	return m;
}

/* "KEY=value" strings for execve, in one allocation (one free()): a
 * hook's environment is some thirty of them, built for every hook. */
static char **
hook_envp(const struct hook_env *e)
{
	size_t i, size = (e->n + 1) * sizeof(char *), len;
	char **envp, *p;

	for (i = 0; i < e->n; i++)
		size += strlen(e->keys[i]) + strlen(e->values[i]) + 2;
	if ((envp = malloc(size)) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	p = (char *)(envp + e->n + 1);
	for (i = 0; i < e->n; i++) {
		envp[i] = p;
		len = strlen(e->keys[i]);
		memcpy(p, e->keys[i], len);
		p += len;
		*p++ = '=';
		len = strlen(e->values[i]) + 1;
		memcpy(p, e->values[i], len);
		p += len;
	}
	envp[e->n] = NULL;
	return envp;
}

static void
hook_strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static char *
hook_render(const struct tmpl *t, const struct tmpl_value *vars, size_t max,
    const char *what)
{
	struct buf b;

	buf_init(&b, max);
	if (tmpl_render(t, vars, &b) == -1) {
		buf_free(&b);
		err_prefix("%s: template error", what);
		return NULL;
	}
	return buf_steal(&b);
}

/* The last few lines of captured output, on one line. */
static void
hook_tail(struct buf *msg, const char *name, const struct buf *out)
{
	const char *p, *start;
	int lines = 0;

	if (out->len == 0)
		return;
	start = out->data;
	for (p = out->data + out->len - 1; p > out->data; p--) {
		if (*p == '\n' && p != out->data + out->len - 1 &&
		    ++lines == HOOK_TAIL_LINES) {
			start = p + 1;
			break;
		}
	}
	buf_printf(msg, "; %s: ", name);
	for (p = start; p < out->data + out->len && msg->len < 1500; p++)
		buf_putc(msg, (*p == '\n' || *p == '\r') ? '|' :
		    ((unsigned char)*p < 0x20 ? '?' : *p));
}

static void
hook_log_output(const char *who, const struct config_hook *h,
    const char *stream, const struct buf *out)
{
	if (out->len > 0)
		log_debug("%s: hook \"%s\": %s: %.*s", who, h->name, stream,
		    (int)(out->len > 4000 ? 4000 : out->len), out->data);
}

static int
hook_run_one(const struct config_hook *h, enum config_hook_type type,
    const struct tmpl_value *vars, char **envp, const char *who)
{
	struct spawn_cmd cmd;
	struct spawn_status st;
	struct buf out, errb, msg;
	char **argv = NULL, *stdin_str = NULL, *stdin_path = NULL;
	char *stdout_path = NULL, *stderr_path = NULL, desc[160];
	size_t i;
	int rc = -1;

	memset(&cmd, 0, sizeof(cmd));
	buf_init(&out, HOOK_OUTPUT_MAX);
	buf_init(&errb, HOOK_OUTPUT_MAX);
	buf_init(&msg, 2048);
	log_debug("%s: calling hook \"%s\" (%s)", who, h->name,
	    config_hook_type_name(type));

	/* Render everything first: a template error runs nothing. */
	if ((argv = calloc(h->nargs + 2, sizeof(char *))) == NULL) {
		err_set("out of memory");
		goto out;
	}
	if ((argv[0] = strdup(h->cmd)) == NULL) {
		err_set("out of memory");
		goto out;
	}
	for (i = 0; i < h->nargs; i++)
		if ((argv[i + 1] = hook_render(h->args[i], vars, HOOK_ARG_MAX,
		    "args")) == NULL)
			goto out;
	if (h->stdin_str != NULL &&
	    (stdin_str = hook_render(h->stdin_str, vars, HOOK_STDIN_MAX,
	    "stdin_str")) == NULL)
		goto out;
	if (h->stdin_path != NULL &&
	    (stdin_path = hook_render(h->stdin_path, vars, HOOK_ARG_MAX,
	    "stdin")) == NULL)
		goto out;
	if (h->stdout_path != NULL &&
	    (stdout_path = hook_render(h->stdout_path, vars, HOOK_ARG_MAX,
	    "stdout")) == NULL)
		goto out;
	if (h->stderr_path != NULL &&
	    (stderr_path = hook_render(h->stderr_path, vars, HOOK_ARG_MAX,
	    "stderr")) == NULL)
		goto out;
	/* The templates, not their values: an argument may well carry a
	 * token from env, and no secret goes to the log. */
	for (i = 0; log_threshold >= LOGL_TRACE && i <= h->nargs; i++)
		log_trace("%s: hook \"%s\": argv[%zu] = %s", who, h->name, i,
		    i == 0 ? h->cmd : h->args_src[i - 1]);

	cmd.file = h->cmd;
	cmd.argv = argv;
	cmd.envp = envp;
	cmd.stdin_data = stdin_str;
	cmd.stdin_len = stdin_str ? strlen(stdin_str) : 0;
	cmd.stdin_path = stdin_path;
	cmd.stdout_path = stdout_path;
	cmd.stderr_path = stderr_path;
	cmd.stdout_buf = stdout_path ? NULL : &out;
	cmd.stderr_buf = stderr_path ? NULL : &errb;
	cmd.timeout_ms = (int)(h->timeout_s > 2000000 ? 2000000000u :
	    h->timeout_s * 1000u);
	/* A challenge hook is abandoned when acmed stops; clean-up, file and
	 * post-operation hooks are left to finish (within their timeout). */
	/* select() breaks past 1024 descriptors: hooks get the classic
	 * soft limit even when acmed was given more. */
	cmd.nofile = HOOK_NOFILE;
	cmd.stoppable = type == CONFIG_HOOK_CHALLENGE_HTTP01 ||
	    type == CONFIG_HOOK_CHALLENGE_DNS01 ||
	    type == CONFIG_HOOK_CHALLENGE_TLSALPN01;
	if (spawn_run(&cmd, &st) == -1) {
		/* A program this host lacks is a failure like any other
		 * (ACMEd made it fatal whatever allow_failure said). */
		if (st.not_found && h->allow_failure) {
			log_warn("%s: hook \"%s\": %s, allowed to fail", who,
			    h->name, err_msg());
			err_clear();
			rc = 0;
		}
		goto out;
	}
	hook_log_output(who, h, "stdout", &out);
	hook_log_output(who, h, "stderr", &errb);
	spawn_describe(&st, &cmd, desc, sizeof(desc));
	log_debug("%s: hook \"%s\": %s", who, h->name, desc);
	if (spawn_ok(&st)) {
		rc = 0;
		goto out;
	}
	if (h->allow_failure && !st.timed_out) {
		log_info("%s: hook \"%s\" failed (%s), allowed to fail", who,
		    h->name, desc);
		rc = 0;
		goto out;
	}
	if (h->allow_failure) {
		log_warn("%s: hook \"%s\" %s, allowed to fail", who, h->name,
		    desc);
		rc = 0;
		goto out;
	}
	buf_printf(&msg, "unrecoverable failure: %s", desc);
	hook_tail(&msg, "stderr", &errb);
	hook_tail(&msg, "stdout", &out);
	err_set("%s", buf_str(&msg));
out:
	if (rc == -1)
		err_prefix("hook \"%s\" (%s)", h->name,
		    config_hook_type_name(type));
	hook_strv_free(argv);
	free(stdin_str);
	free(stdin_path);
	free(stdout_path);
	free(stderr_path);
	buf_free(&out);
	buf_free(&errb);
	buf_free(&msg);
	return rc;
}

int
hook_run(const struct config_hook_list *hooks, enum config_hook_type type,
    struct tmpl_value *vars, const struct config_env *const *layers,
    size_t nlayers, const char *who)
{
	struct tmpl_value *env = NULL;
	struct hook_env e;
	char **envp = NULL;
	size_t i;
	int rc = 0;

	if (!hook_any(hooks, type))
		return 0;
	if (hook_env_build(&e, layers, nlayers) == -1)
		return err_prefix("%s", who);
	if ((env = hook_env_map(&e)) == NULL || (envp = hook_envp(&e)) == NULL ||
	    tmpl_map_set(vars, "env", tmpl_value_ref(env)) == -1) {
		rc = err_prefix("%s", who);
		goto out;
	}
	for (i = 0; i < hooks->n && rc == 0; i++)
		if (hooks->hooks[i]->types & CONFIG_HOOK_BIT(type))
			rc = hook_run_one(hooks->hooks[i], type, vars, envp,
			    who);
out:
	free(envp);
	tmpl_value_free(env);
	hook_env_free(&e);
	return rc;
}
