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

/* A hook's program that is not there: looked up in acmed's own PATH,
 * unless an env table gives hooks another one. */
static void
lint_command(const struct config *cfg, const struct config_hook *h)
{
	struct stat sb;
	char *path;

	if (strchr(h->cmd, '/') == NULL &&
	    config_env_get(&cfg->global.env, "PATH") != NULL)
		return;
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

/* The hooks of a list not looked at yet (seen: one flag per hook). */
static void
lint_hooks(const struct config *cfg, const struct config_hook_list *l,
    char *seen)
{
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		k = (size_t)(l->hooks[i] - cfg->hooks);
		if (!seen[k]) {
			seen[k] = 1;
			lint_command(cfg, l->hooks[i]);
		}
	}
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
			lint_hooks(cfg, &c->hooks, seen);
		if (used != NULL)
			used[c->endpoint - cfg->endpoints] = 1;
	}
	for (i = 0; seen != NULL && i < cfg->naccounts; i++)
		lint_hooks(cfg, &cfg->accounts[i].hooks, seen);
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
