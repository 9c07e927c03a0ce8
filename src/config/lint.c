/*
 * lint.c - mistakes a configuration can load with but that are certain
 * to fail later, after the CA was asked: each is a warning, as ACMEd
 * loaded such a configuration too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/spawn.h"

/* The hook types that publish each challenge's proof. */
static const struct {
	const char		*challenge;
	enum config_hook_type	 type;
} lint_publish[] = {
	{ "http-01", CONFIG_HOOK_CHALLENGE_HTTP01 },
	{ "dns-01", CONFIG_HOOK_CHALLENGE_DNS01 },
	{ "tls-alpn-01", CONFIG_HOOK_CHALLENGE_TLSALPN01 },
};

/* A challenge of the certificate that none of its hooks publishes: the
 * CA would be told a proof is there that nobody put there, and each
 * failed validation counts against the CA's limits. */
static void
lint_challenges(const struct config_certificate *c)
{
	unsigned types = 0, warned = 0;
	size_t i, j;

	for (i = 0; i < c->hooks.n; i++)
		types |= c->hooks.hooks[i]->types;
	for (i = 0; i < c->nidentifiers; i++)
		for (j = 0; j < sizeof(lint_publish) /
		    sizeof(lint_publish[0]); j++) {
			if (strcmp(c->identifiers[i].challenge,
			    lint_publish[j].challenge) != 0 ||
			    (types & CONFIG_HOOK_BIT(lint_publish[j].type)) ||
			    (warned & (1u << j)))
				continue;
			warned |= 1u << j;
			log_warn("%s:%u:%u: certificate \"%s\": no hook of "
			    "type %s publishes its %s proofs (%s)",
			    c->pos.file, c->pos.line, c->pos.col, c->id,
			    config_hook_type_name(lint_publish[j].type),
			    lint_publish[j].challenge,
			    c->identifiers[i].value);
		}
}

/* A hook's program that is not there: looked up in acmed's own PATH
 * (the caller passes over the hooks whose env tables give another). */
static void
lint_command(const struct config_hook *h)
{
	struct stat sb;
	char *path;

	if ((path = spawn_which(h->cmd, NULL)) == NULL) {
		log_warn("%s:%u:%u: hook \"%s\": %s", h->pos.file,
		    h->pos.line, h->pos.col, h->name, err_msg());
		err_clear();
		return;
	}
	if (stat(path, &sb) == -1 || access(path, X_OK) == -1)
		log_warn("%s:%u:%u: hook \"%s\": %s: %s", h->pos.file,
		    h->pos.line, h->pos.col, h->name, path, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		log_warn("%s:%u:%u: hook \"%s\": %s is not a file",
		    h->pos.file, h->pos.line, h->pos.col, h->name, path);
	free(path);
}

/* The hooks of a list not looked at yet (seen: one flag per hook) whose
 * programs are looked up in acmed's PATH: the hooks of a certificate,
 * identifier or account whose env gives another PATH are not. */
static void
lint_hooks(const struct config *cfg, const struct config_hook_list *l,
    int other_path, char *seen)
{
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		k = (size_t)(l->hooks[i] - cfg->hooks);
		if (!seen[k] && (strchr(l->hooks[i]->cmd, '/') != NULL ||
		    !other_path)) {
			seen[k] = 1;
			lint_command(l->hooks[i]);
		}
	}
}

/* Whether an env table of the certificate (the global one included) or
 * of one of its identifiers gives its hooks a PATH of their own. */
static int
lint_other_path(const struct config_certificate *c)
{
	size_t i;

	if (config_env_get(&c->env, "PATH") != NULL)
		return 1;
	for (i = 0; i < c->nidentifiers; i++)
		if (config_env_get(&c->identifiers[i].env, "PATH") != NULL)
			return 1;
	return 0;
}

void
config_lint(const struct config *cfg)
{
	char *seen = calloc(cfg->nhooks + 1, 1), *used;
	size_t i;

	used = calloc(cfg->nendpoints + 1, 1);
	for (i = 0; i < cfg->ncertificates; i++) {
		const struct config_certificate *c = &cfg->certificates[i];

		lint_challenges(c);
		if (seen != NULL)
			lint_hooks(cfg, &c->hooks, lint_other_path(c), seen);
		if (used != NULL)
			used[c->endpoint - cfg->endpoints] = 1;
	}
	/* Account hooks get the account's env alone. */
	for (i = 0; seen != NULL && i < cfg->naccounts; i++)
		lint_hooks(cfg, &cfg->accounts[i].hooks,
		    config_env_get(&cfg->accounts[i].env, "PATH") != NULL, seen);
	/* A CA with terms refuses a new account without the agreement. */
	for (i = 0; used != NULL && i < cfg->nendpoints; i++) {
		const struct config_endpoint *e = &cfg->endpoints[i];

		if (used[i] && !e->tos_agreed)
			log_warn("%s:%u:%u: endpoint \"%s\": tos_agreed is "
			    "false: a CA with terms of service refuses to "
			    "register an account until it is true",
			    e->pos.file, e->pos.line, e->pos.col, e->name);
	}
	free(seen);
	free(used);
}
