/*
 * certificate.c - [[certificate]]: references resolved to the account,
 * endpoint and hooks, identifiers, inheritance (certificate -> endpoint ->
 * global -> built-in default), env (global, then the certificate's), the
 * name and the id "<name>_<key type>", unique.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/intern.h"
#include "crypto/csr.h"
#include "crypto/keytype.h"
#include "tmpl/tmpl.h"
#include "util/err.h"

struct cbuild {
	struct config_certificate cert;
	struct config_inherit	 inh;
	struct config_env	 env;		/* the certificate's own */
	size_t			 endpoint;	/* index; SIZE_MAX: none */
};

static int
set_account(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	struct cbuild *b = obj;
	const struct config_name *n;
	char hint[256];

	(void)off;
	if ((n = config_name_find(&ctx->accounts, config_str(it))) == NULL)
		return config_error(ctx, it, "unknown account \"%s\"%s",
		    config_str(it), config_did_you_mean(&ctx->accounts,
		    config_str(it), hint, sizeof(hint)));
	b->cert.account = &ctx->c->accounts[n->idx];
	return 0;
}

static int
set_endpoint(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	struct cbuild *b = obj;
	const struct config_name *n;
	char hint[256];

	(void)off;
	if ((n = config_name_find(&ctx->endpoints, config_str(it))) == NULL)
		return config_error(ctx, it, "unknown endpoint \"%s\"%s",
		    config_str(it), config_did_you_mean(&ctx->endpoints,
		    config_str(it), hint, sizeof(hint)));
	b->cert.endpoint = &ctx->c->endpoints[n->idx];
	b->endpoint = n->idx;
	return 0;
}

static int
set_identifiers(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	struct config_certificate *cert = &((struct cbuild *)obj)->cert;
	struct config_item el;
	size_t i, n = toml_array_len(it->v);
	int rc = 0;

	(void)off;
	if (n == 0)
		return config_error(ctx, it, "%s: a certificate needs at least "
		    "one identifier", it->key);
	if ((cert->identifiers = calloc(n, sizeof(*cert->identifiers))) ==
	    NULL)
		return config_oom(ctx);
	for (i = 0; i < n; i++) {
		if (config_elem_of(it, i, TOML_TABLE, &el) == NULL)
			continue;
		if (config_identifier(ctx, &el,
		    &cert->identifiers[cert->nidentifiers++]) == -1)
			rc = -1;
	}
	return rc;
}

static int
set_hooks(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	(void)off;
	return config_hook_refs(ctx, it, &((struct cbuild *)obj)->cert.hooks);
}

static int
set_digest(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	(void)off;
	if (crypto_digest_parse(config_str(it),
	    &((struct cbuild *)obj)->cert.csr_digest) == -1)
		return config_error(ctx, it, "%s: %s", it->key, err_msg());
	return 0;
}

static int
set_subject_attr(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	struct config_certificate *cert = &((struct cbuild *)obj)->cert;

	if (*config_str(it) == '\0')
		return config_error(ctx, it, "%s: must not be empty", it->key);
	return config_set_str(ctx, it, cert->subject,
	    off * sizeof(cert->subject[0]));
}

#define SUBJ(a, name)	[a] = { name, CONFIG_T_STRING, 0, set_subject_attr, a }

static const struct config_key subject_keys[CRYPTO_SUBJ_COUNT] = {
	SUBJ(CRYPTO_SUBJ_COUNTRY_NAME, "country_name"),
	SUBJ(CRYPTO_SUBJ_STATE_OR_PROVINCE_NAME, "state_or_province_name"),
	SUBJ(CRYPTO_SUBJ_LOCALITY_NAME, "locality_name"),
	SUBJ(CRYPTO_SUBJ_POSTAL_CODE, "postal_code"),
	SUBJ(CRYPTO_SUBJ_STREET, "street"),
	SUBJ(CRYPTO_SUBJ_POSTAL_ADDRESS, "postal_address"),
	SUBJ(CRYPTO_SUBJ_ORGANIZATION_NAME, "organization_name"),
	SUBJ(CRYPTO_SUBJ_ORGANIZATIONAL_UNIT_NAME,
	    "organizational_unit_name"),
	SUBJ(CRYPTO_SUBJ_TITLE, "title"),
	SUBJ(CRYPTO_SUBJ_NAME, "name"),
	SUBJ(CRYPTO_SUBJ_GIVEN_NAME, "given_name"),
	SUBJ(CRYPTO_SUBJ_INITIALS, "initials"),
	SUBJ(CRYPTO_SUBJ_SURNAME, "surname"),
	SUBJ(CRYPTO_SUBJ_GENERATION_QUALIFIER, "generation_qualifier"),
	SUBJ(CRYPTO_SUBJ_PKCS9_EMAIL_ADDRESS, "pkcs9_email_address"),
};

static int
set_subject(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	(void)off;
	return config_table(ctx, it, "subject_attributes", subject_keys,
	    CRYPTO_SUBJ_COUNT, obj, NULL);
}

enum {
	C_ACCOUNT,
	C_ENDPOINT,
	C_IDENTIFIERS,
	C_HOOKS,
	C_NAME,
	C_KEY_TYPE,
	C_CSR_DIGEST,
	C_KP_REUSE,
	C_PROFILE,
	C_PREFERRED_CHAIN,
	C_DIRECTORY,
	C_FILE_NAME_FORMAT,
	C_RENEW_DELAY,
	C_RANDOM_EARLY_RENEW,
	C_ENV,
	C_SUBJECT_ATTRIBUTES,
	C__COUNT
};

#define C(f)	offsetof(struct cbuild, f)

static const struct config_key cert_keys[C__COUNT] = {
	[C_ACCOUNT] = { "account", CONFIG_T_STRING, CONFIG_REQ, set_account,
	    0 },
	[C_ENDPOINT] = { "endpoint", CONFIG_T_STRING, CONFIG_REQ,
	    set_endpoint, 0 },
	[C_IDENTIFIERS] = { "identifiers", CONFIG_T_TABLES, CONFIG_REQ,
	    set_identifiers, 0 },
	[C_HOOKS] = { "hooks", CONFIG_T_STRINGS, CONFIG_REQ, set_hooks, 0 },
	[C_NAME] = { "name", CONFIG_T_STRING, 0, config_set_nonempty,
	    C(cert.name) },
	[C_KEY_TYPE] = { "key_type", CONFIG_T_STRING, 0, config_set_key_type,
	    C(cert.key_type) },
	[C_CSR_DIGEST] = { "csr_digest", CONFIG_T_STRING, 0, set_digest, 0 },
	[C_KP_REUSE] = { "kp_reuse", CONFIG_T_BOOL, 0, config_set_bool,
	    C(cert.kp_reuse) },
	[C_PROFILE] = { "profile", CONFIG_T_STRING, 0, config_set_nonempty,
	    C(cert.profile) },
	[C_PREFERRED_CHAIN] = { "preferred_chain", CONFIG_T_STRING, 0,
	    config_set_nonempty, C(cert.preferred_chain) },
	[C_DIRECTORY] = { "directory", CONFIG_T_STRING, 0, config_set_path,
	    C(cert.directory) },
	[C_FILE_NAME_FORMAT] = { "file_name_format", CONFIG_T_STRING, 0,
	    config_set_format, C(inh.file_name_format) },
	[C_RENEW_DELAY] = { "renew_delay", CONFIG_T_STRING, 0,
	    config_set_period, C(inh.renew_delay) },
	[C_RANDOM_EARLY_RENEW] = { "random_early_renew", CONFIG_T_STRING, 0,
	    config_set_period, C(inh.random_early_renew) },
	[C_ENV] = { "env", CONFIG_T_TABLE, 0, config_set_env, C(env) },
	[C_SUBJECT_ATTRIBUTES] = { "subject_attributes", CONFIG_T_TABLE, 0,
	    set_subject, 0 },
};

/* The first of the three that is set. */
static const struct config_opt_period *
inherit_period(const struct config_opt_period *cert,
    const struct config_opt_period *ep, const struct config_opt_period *g)
{
	if (cert->set)
		return cert;
	if (ep != NULL && ep->set)
		return ep;
	return g;
}

/* Points the certificate at the compiled format of this text, compiling
 * it the first time.  Most certificates share the last one used. */
static int
share_format(struct config_ctx *ctx, struct config_certificate *cert,
    const struct config_item *it, const char *fmt)
{
	struct config *c = ctx->c;
	struct tmpl **tv, *t;
	char **sv, *src;
	size_t i = c->nformats;

	if (i > 0 && strcmp(c->format_srcs[i - 1], fmt) == 0)
		i--;
	else
		for (i = 0; i < c->nformats; i++)
			if (strcmp(c->format_srcs[i], fmt) == 0)
				break;
	if (i == c->nformats) {
		/* Checked where it was written; this compiles the same
		 * text. */
		if ((t = config_compile(ctx, it, fmt)) == NULL)
			return -1;
		if ((src = config_strdup(ctx, fmt)) == NULL ||
		    (tv = config_reallocarray(ctx, c->formats, i + 1,
		    sizeof(*tv))) == NULL) {
			free(src);
			tmpl_free(t);
			return -1;
		}
		c->formats = tv;
		if ((sv = config_reallocarray(ctx, c->format_srcs, i + 1,
		    sizeof(*sv))) == NULL) {
			free(src);
			tmpl_free(t);
			return -1;
		}
		c->format_srcs = sv;
		c->formats[i] = t;
		c->format_srcs[i] = src;
		c->nformats++;
	}
	cert->file_name_format = c->formats[i];
	cert->file_name_format_src = c->format_srcs[i];
	return 0;
}

static int
inherit(struct config_ctx *ctx, struct cbuild *b,
    const struct config_item *it)
{
	const struct config_inherit *ep = NULL, *g = &ctx->global_inh;
	struct config_certificate *cert = &b->cert;
	const char *fmt;

	if (b->endpoint != SIZE_MAX)
		ep = &ctx->ep_inh[b->endpoint];
	cert->renew_delay = inherit_period(&b->inh.renew_delay,
	    ep != NULL ? &ep->renew_delay : NULL, &g->renew_delay)->seconds;
	cert->random_early_renew = inherit_period(&b->inh.random_early_renew,
	    ep != NULL ? &ep->random_early_renew : NULL,
	    &g->random_early_renew)->seconds;
	if (b->inh.file_name_format != NULL)
		fmt = b->inh.file_name_format;
	else if (ep != NULL && ep->file_name_format != NULL)
		fmt = ep->file_name_format;
	else if (g->file_name_format != NULL)
		fmt = g->file_name_format;
	else
		fmt = CONFIG_DEFAULT_FILE_FORMAT;
	if (share_format(ctx, cert, it, fmt) == -1)
		return -1;
	if (cert->directory == NULL && (cert->directory = config_strdup(ctx,
	    ctx->c->global.certificates_directory)) == NULL)
		return -1;
	if (config_env_merge(ctx, &cert->env, &ctx->c->global.env) == -1 ||
	    config_env_merge(ctx, &cert->env, &b->env) == -1)
		return -1;
	return 0;
}

/* "name", else the first identifier as written; '*', ':' and '/' become
 * '_' (file names).  Then the id, "<name>_<key type>". */
static int
name_and_id(struct config_ctx *ctx, struct config_certificate *cert)
{
	char *p;

	if (cert->name == NULL) {
		if (cert->nidentifiers == 0 || cert->identifiers[0].raw == NULL)
			return -1;
		if ((cert->name = config_strdup(ctx,
		    cert->identifiers[0].raw)) == NULL)
			return -1;
	}
	for (p = cert->name; *p != '\0'; p++)
		if (*p == '*' || *p == ':' || *p == '/')
			*p = '_';
	if (asprintf(&cert->id, "%s_%s", cert->name,
	    crypto_key_type_name(cert->key_type)) == -1) {
		cert->id = NULL;
		return config_oom(ctx);
	}
	return 0;
}

void
config_build_certificates(struct config_ctx *ctx)
{
	const struct config_items *s = &ctx->sect[CONFIG_SECT_CERTIFICATE];
	struct config *c = ctx->c;
	struct config_seen seen;
	struct config_certificate *cert;
	struct cbuild b;
	size_t i;
	int rc;

	if (s->n == 0)
		return;
	if ((c->certificates = calloc(s->n, sizeof(*c->certificates))) ==
	    NULL) {
		config_oom(ctx);
		return;
	}
	for (i = 0; i < s->n; i++) {
		memset(&b, 0, sizeof(b));
		b.endpoint = SIZE_MAX;
		b.cert.pos.file = s->v[i].doc->path;
		b.cert.pos.line = s->v[i].line;
		b.cert.pos.col = s->v[i].col;
		b.cert.key_type = CONFIG_DEFAULT_CERT_KEY;
		b.cert.csr_digest = CRYPTO_DIGEST_SHA256;
		rc = config_table(ctx, &s->v[i], "[[certificate]]", cert_keys,
		    C__COUNT, &b, &seen);
		(void)inherit(ctx, &b, &s->v[i]);
		config_inherit_free(&b.inh);
		config_env_free(&b.env);
		c->certificates[i] = b.cert;
		c->ncertificates++;
		cert = &c->certificates[i];
		/* Without a sound name and key type the id means nothing. */
		if ((rc == 0 || ((seen.ok[C_IDENTIFIERS] || seen.ok[C_NAME]) &&
		    (!seen.found[C_KEY_TYPE] || seen.ok[C_KEY_TYPE]))) &&
		    name_and_id(ctx, cert) == 0)
			(void)config_name_add(ctx, &ctx->cert_ids,
			    "certificate id", cert->id, 0, i, &s->v[i]);
	}
}
