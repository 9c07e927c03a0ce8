/*
 * free.c - config_free(): the model owns every pointer inside it.
 */
#include <stdlib.h>
#include <string.h>

#include "config/intern.h"
#include "tmpl/tmpl.h"

static void
hook_free(struct config_hook *h)
{
	size_t i;

	free(h->name);
	free(h->cmd);
	for (i = 0; i < h->nargs; i++) {
		tmpl_free(h->args[i]);
		free(h->args_src[i]);
	}
	free(h->args);
	free(h->args_src);
	tmpl_free(h->stdin_path);
	tmpl_free(h->stdin_str);
	tmpl_free(h->stdout_path);
	tmpl_free(h->stderr_path);
	free(h->stdin_path_src);
	free(h->stdin_str_src);
	free(h->stdout_path_src);
	free(h->stderr_path_src);
}

static void
endpoint_free(struct config_endpoint *ep)
{
	size_t i;

	free(ep->name);
	free(ep->url);
	free(ep->rate_limits);
	for (i = 0; i < ep->nroot_certificates; i++)
		free(ep->root_certificates[i]);
	free(ep->root_certificates);
}

static void
account_free(struct config_account *a)
{
	size_t i;

	free(a->name);
	for (i = 0; i < a->ncontacts; i++)
		free(a->contacts[i]);
	free(a->contacts);
	free(a->eab_id);
	if (a->eab_key != NULL) {
		explicit_bzero(a->eab_key, a->eab_keylen);
		free(a->eab_key);
	}
	free(a->hooks.hooks);
	config_env_free(&a->env);
}

static void
certificate_free(struct config_certificate *cert)
{
	size_t i;

	free(cert->name);
	free(cert->id);
	for (i = 0; i < cert->nidentifiers; i++)
		config_identifier_free(&cert->identifiers[i]);
	free(cert->identifiers);
	free(cert->hooks.hooks);
	free(cert->directory);
	free(cert->profile);
	free(cert->preferred_chain);
	config_env_free(&cert->env);
	for (i = 0; i < CRYPTO_SUBJ_COUNT; i++)
		free(cert->subject[i]);
}

void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->global.accounts_directory);
	free(c->global.certificates_directory);
	free(c->global.cert_file_ext);
	free(c->global.pk_file_ext);
	config_env_free(&c->global.env);
	for (i = 0; i < c->nendpoints; i++)
		endpoint_free(&c->endpoints[i]);
	free(c->endpoints);
	for (i = 0; i < c->nrate_limits; i++)
		free(c->rate_limits[i].name);
	free(c->rate_limits);
	for (i = 0; i < c->nhooks; i++)
		hook_free(&c->hooks[i]);
	free(c->hooks);
	for (i = 0; i < c->naccounts; i++)
		account_free(&c->accounts[i]);
	free(c->accounts);
	for (i = 0; i < c->ncertificates; i++)
		certificate_free(&c->certificates[i]);
	free(c->certificates);
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	for (i = 0; i < c->nformats; i++) {
		tmpl_free(c->formats[i]);
		free(c->format_srcs[i]);
	}
	free(c->formats);
	free(c->format_srcs);
	free(c);
}
