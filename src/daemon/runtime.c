/*
 * runtime.c - endpoints and accounts of a configuration (see runtime.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "daemon/hook.h"
#include "daemon/process.h"
#include "daemon/runtime.h"
#include "util/err.h"
#include "util/log.h"

/* A positive number from the environment (the test knobs of runtime.h),
 * or 0 when unset or invalid. */
static long long
runtime_env_num(const char *name)
{
	const char *v = getenv(name);
	char *end;
	long long n;

	if (v == NULL || *v == '\0')
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n <= 0) {
		log_warn("%s=%s: not a positive number, ignored", name, v);
		return 0;
	}
	return n;
}

static int
runtime_lock(struct runtime *rt, const char *dir, const char *what)
{
	struct folder_lock **nl, *l;

	if ((nl = reallocarray(rt->locks, rt->nlocks + 1,
	    sizeof(*nl))) == NULL)
		return err_set("out of memory");
	rt->locks = nl;
	if ((l = process_lock_folder(dir, what)) == NULL)
		return -1;
	rt->locks[rt->nlocks++] = l;
	return 0;
}

struct runtime *
runtime_new(struct config *cfg, int reload)
{
	struct runtime *rt;
	const char *knob;
	size_t i;

	if ((rt = calloc(1, sizeof(*rt))) == NULL) {
		config_free(cfg);
		err_set("out of memory");
		return NULL;
	}
	rt->cfg = cfg;
	rt->reload = reload;
	rt->ari_min_age_s = 86400;
	if ((knob = getenv("ACMED_ARI_MIN_AGE_S")) != NULL)
		rt->ari_min_age_s = strcmp(knob, "0") == 0 ? 0 :
		    runtime_env_num("ACMED_ARI_MIN_AGE_S");
	if (runtime_env_num("ACMED_POLL_DEADLINE_MS") > 0) {
		if ((rt->poll = calloc(1, sizeof(*rt->poll))) == NULL) {
			err_set("out of memory");
			goto fail;
		}
		rt->poll->deadline_ms =
		    runtime_env_num("ACMED_POLL_DEADLINE_MS");
	}
	if ((cfg->nendpoints > 0 && (rt->endpoints = calloc(cfg->nendpoints,
	    sizeof(*rt->endpoints))) == NULL) ||
	    (cfg->naccounts > 0 && ((rt->accounts = calloc(cfg->naccounts,
	    sizeof(*rt->accounts))) == NULL ||
	    (rt->account_cfgs = calloc(cfg->naccounts,
	    sizeof(*rt->account_cfgs))) == NULL ||
	    (rt->account_saves = calloc(cfg->naccounts,
	    sizeof(*rt->account_saves))) == NULL))) {
		err_set("out of memory");
		goto fail;
	}

	if (storage_check_names(cfg) == -1)
		goto fail;
	if (storage_mkdirs(cfg->global.accounts_directory, 0700) == -1 ||
	    storage_check_dir(cfg->global.accounts_directory,
	    "accounts folder", 1) == -1 ||
	    runtime_lock(rt, cfg->global.accounts_directory,
	    "accounts folder") == -1)
		goto fail;
	for (i = 0; i < cfg->ncertificates; i++) {
		const char *dir = cfg->certificates[i].directory;

		/* Certificates share a folder, as a rule. */
		if (i > 0 && strcmp(dir,
		    cfg->certificates[i - 1].directory) == 0)
			continue;
		if (storage_mkdirs(dir, 0755) == -1 ||
		    storage_check_dir(dir, "certificates folder", 1) == -1 ||
		    runtime_lock(rt, dir, "certificates folder") == -1)
			goto fail;
	}

	for (i = 0; i < cfg->nendpoints; i++) {
		const struct config_endpoint *e = &cfg->endpoints[i];
		struct acme_endpoint_opts o;
		size_t j;

		memset(&o, 0, sizeof(o));
		o.name = e->name;
		o.url = e->url;
		o.roots = e->root_certificates;
		o.nroots = e->nroot_certificates;
		/* The loader accepts http:// only to loopback (test CAs). */
		o.allow_http = strncasecmp(e->url, "http://", 7) == 0;
		o.timeout_ms = (long)runtime_env_num("ACMED_HTTP_TIMEOUT_MS");
		if ((rt->endpoints[i] = acme_endpoint_new(&o)) == NULL)
			goto fail;
		if (runtime_env_num("ACMED_HTTP_LOW_SPEED_S") > 0)
			rt->endpoints[i]->target.low_speed_time_s =
			    (long)runtime_env_num("ACMED_HTTP_LOW_SPEED_S");
		for (j = 0; j < e->nrate_limits; j++)
			if (acme_endpoint_add_limit(rt->endpoints[i],
			    e->rate_limits[j]->number,
			    e->rate_limits[j]->period_s) == -1) {
				err_prefix("endpoint \"%s\": rate limit \"%s\"",
				    e->name, e->rate_limits[j]->name);
				goto fail;
			}
	}

	for (i = 0; i < cfg->naccounts; i++) {
		const struct config_account *a = &cfg->accounts[i];
		struct acme_account_config *ac = &rt->account_cfgs[i];

		ac->name = a->name;
		ac->key_type = a->key_type;
		ac->alg = a->signature_algorithm;
		ac->contacts = a->contacts;
		ac->ncontacts = a->ncontacts;
		ac->has_eab = a->has_eab;
		ac->eab_id = a->eab_id;
		ac->eab_key = a->eab_key;
		ac->eab_keylen = a->eab_keylen;
		ac->eab_alg = a->eab_alg;
		rt->account_saves[i].account = a;
		/* For a reload, the key of a type that changed is made
		 * again, and saved, by runtime_take_over(). */
		rt->accounts[i] = acme_account_load(ac,
		    cfg->global.accounts_directory, storage_save_account,
		    &rt->account_saves[i], !reload);
		if (rt->accounts[i] == NULL)
			goto fail;
	}
	return rt;
fail:
	runtime_free(rt);
	return NULL;
}

void
runtime_take_over(struct runtime *rt)
{
	struct acme_account *a;
	size_t i;

	hook_set_env_scrub(rt->cfg->global.hook_env_scrub);
	for (i = 0; rt->reload && i < rt->cfg->naccounts; i++) {
		if (access(rt->accounts[i]->path, F_OK) == -1)
			continue;
		a = acme_account_load(&rt->account_cfgs[i],
		    rt->cfg->global.accounts_directory, storage_save_account,
		    &rt->account_saves[i], 1);
		if (a == NULL) {
			log_warn("%s (kept as it was read before)", err_msg());
			continue;
		}
		acme_account_free(rt->accounts[i]);
		rt->accounts[i] = a;
	}
}

void
runtime_free(struct runtime *rt)
{
	size_t i;

	if (rt == NULL)
		return;
	for (i = 0; rt->endpoints != NULL && i < rt->cfg->nendpoints; i++)
		acme_endpoint_free(rt->endpoints[i]);
	for (i = 0; rt->accounts != NULL && i < rt->cfg->naccounts; i++)
		acme_account_free(rt->accounts[i]);
	free(rt->endpoints);
	free(rt->accounts);
	free(rt->account_cfgs);
	free(rt->account_saves);
	free(rt->poll);
	for (i = 0; i < rt->nlocks; i++)
		process_unlock_folder(rt->locks[i]);
	free(rt->locks);
	config_free(rt->cfg);
	free(rt);
}

int
runtime_deactivate(struct runtime *rt, const struct config_account *a,
    const struct config_endpoint *e, struct http_client *http)
{
	struct acme_session s;
	int rc;

	acme_session_init(&s, runtime_endpoint(rt, e), http);
	rc = acme_account_deactivate(runtime_account(rt, a), &s);
	acme_session_free(&s);
	return rc;
}

struct acme_endpoint *
runtime_endpoint(const struct runtime *rt, const struct config_endpoint *e)
{
	return rt->endpoints[e - rt->cfg->endpoints];
}

struct acme_account *
runtime_account(const struct runtime *rt, const struct config_account *a)
{
	return rt->accounts[a - rt->cfg->accounts];
}
