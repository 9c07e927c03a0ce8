/*
 * dump.c - config_dump(), every value of the model as stable text (golden
 * tests compare it), and config_summary(), one line per certificate for
 * "acmed --check-config".  Secrets are never printed: an EAB key shows as
 * its length.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "config/intern.h"
#include "crypto/csr.h"
#include "crypto/keytype.h"
#include "util/buf.h"

struct dump {
	struct buf	*b;
	int		 failed;	/* an append did not fit */
};

static void __attribute__((format(printf, 2, 3)))
put(struct dump *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (buf_vprintf(d->b, fmt, ap) == -1)
		d->failed = 1;
	va_end(ap);
}

static void
lit(struct dump *d, const void *p, size_t n)
{
	if (buf_append(d->b, p, n) == -1)
		d->failed = 1;
}

static void
str(struct dump *d, const char *s)
{
	lit(d, s, strlen(s));
}

/* A quoted string: runs of plain characters are copied as they are (a
 * printf per character made --check-config of 10,000 certificates spend
 * half its time here). */
static void
q(struct dump *d, const char *s)
{
	const unsigned char *p, *run;

	if (s == NULL) {
		lit(d, "-", 1);
		return;
	}
	lit(d, "\"", 1);
	for (p = run = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p != '"' && *p != '\\' && *p >= 0x20 && *p != 0x7f)
			continue;
		lit(d, run, (size_t)(p - run));
		run = p + 1;
		if (*p == '"' || *p == '\\')
			put(d, "\\%c", *p);
		else if (*p == '\n')
			lit(d, "\\n", 2);
		else if (*p == '\t')
			lit(d, "\\t", 2);
		else
			put(d, "\\x%02x", *p);
	}
	lit(d, run, (size_t)(p - run));
	lit(d, "\"", 1);
}

static void
kv(struct dump *d, const char *indent, const char *key, const char *s)
{
	put(d, "%s%s ", indent, key);
	q(d, s);
	put(d, "%c", '\n');
}

static void
pos(struct dump *d, const struct config_pos *p)
{
	put(d, " (%s:%u:%u)\n", p->file, p->line, p->col);
}

static void
env(struct dump *d, const char *indent, const struct config_env *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		put(d, "%senv %s=", indent, e->keys[i]);
		q(d, e->values[i]);
		put(d, "%c", '\n');
	}
}

static void
hook_list(struct dump *d, const char *indent,
    const struct config_hook_list *l)
{
	size_t i;

	put(d, "%shooks", indent);
	for (i = 0; i < l->n; i++) {
		put(d, "%c", ' ');
		q(d, l->hooks[i]->name);
	}
	put(d, "%c", '\n');
}

static void
owner(struct dump *d, const char *key, long long id)
{
	if (id == -1)
		put(d, "  %s -\n", key);
	else
		put(d, "  %s %lld\n", key, id);
}

static void
dump_global(struct dump *d, const struct config_global *g)
{
	put(d, "%s", "global\n");
	kv(d, "  ", "accounts_directory", g->accounts_directory);
	kv(d, "  ", "certificates_directory", g->certificates_directory);
	put(d, "  cert_file_mode 0%03o\n",
	    (unsigned)g->cert_file_mode);
	owner(d, "cert_file_user", g->cert_file_uid == (uid_t)-1 ? -1 :
	    (long long)g->cert_file_uid);
	owner(d, "cert_file_group", g->cert_file_gid == (gid_t)-1 ? -1 :
	    (long long)g->cert_file_gid);
	kv(d, "  ", "cert_file_ext", g->cert_file_ext);
	put(d, "  pk_file_mode 0%03o\n",
	    (unsigned)g->pk_file_mode);
	owner(d, "pk_file_user", g->pk_file_uid == (uid_t)-1 ? -1 :
	    (long long)g->pk_file_uid);
	owner(d, "pk_file_group", g->pk_file_gid == (gid_t)-1 ? -1 :
	    (long long)g->pk_file_gid);
	kv(d, "  ", "pk_file_ext", g->pk_file_ext);
	env(d, "  ", &g->env);
	/* Only when set: the golden dumps predate the key. */
	if (g->hook_env_scrub)
		put(d, "%s", "  hook_env scrub\n");
}

static void
dump_hook(struct dump *d, const struct config_hook *h)
{
	size_t i;

	put(d, "%s", "hook ");
	q(d, h->name);
	pos(d, &h->pos);
	put(d, "%s", "  type");
	for (i = 0; i < CONFIG_HOOK__MAX; i++)
		if (h->types & CONFIG_HOOK_BIT(i))
			put(d, " %s", config_hook_type_name(
			    (enum config_hook_type)i));
	put(d, "%c", '\n');
	kv(d, "  ", "cmd", h->cmd);
	put(d, "%s", "  args");
	for (i = 0; i < h->nargs; i++) {
		put(d, "%c", ' ');
		q(d, h->args_src[i]);
	}
	put(d, "%c", '\n');
	kv(d, "  ", "stdin", h->stdin_path_src);
	kv(d, "  ", "stdin_str", h->stdin_str_src);
	kv(d, "  ", "stdout", h->stdout_path_src);
	kv(d, "  ", "stderr", h->stderr_path_src);
	put(d, "  allow_failure %s\n",
	    h->allow_failure ? "true" : "false");
	put(d, "  timeout %us\n", h->timeout_s);
}

static void
dump_endpoint(struct dump *d, const struct config_endpoint *ep)
{
	size_t i;

	put(d, "%s", "endpoint ");
	q(d, ep->name);
	pos(d, &ep->pos);
	kv(d, "  ", "url", ep->url);
	put(d, "  tos_agreed %s\n",
	    ep->tos_agreed ? "true" : "false");
	put(d, "%s", "  rate_limits");
	for (i = 0; i < ep->nrate_limits; i++) {
		put(d, "%c", ' ');
		q(d, ep->rate_limits[i]->name);
	}
	put(d, "%c", '\n');
	for (i = 0; i < ep->nroot_certificates; i++)
		kv(d, "  ", "root_certificate", ep->root_certificates[i]);
}

static void
dump_account(struct dump *d, const struct config_account *a)
{
	size_t i;

	put(d, "%s", "account ");
	q(d, a->name);
	pos(d, &a->pos);
	for (i = 0; i < a->ncontacts; i++)
		kv(d, "  ", "contact", a->contacts[i]);
	put(d, "  key_type %s\n",
	    crypto_key_type_name(a->key_type));
	put(d, "  signature_algorithm %s\n",
	    crypto_jws_alg_name(a->signature_algorithm));
	if (a->has_eab) {
		put(d, "%s", "  external_account ");
		q(d, a->eab_id);
		put(d, " %s, a key of %zu bytes\n",
		    crypto_jws_alg_name(a->eab_alg), a->eab_keylen);
	}
	hook_list(d, "  ", &a->hooks);
	env(d, "  ", &a->env);
}

static void
dump_certificate(struct dump *d, const struct config_certificate *cert)
{
	const struct config_identifier *id;
	size_t i;

	put(d, "%s", "certificate ");
	q(d, cert->id);
	pos(d, &cert->pos);
	kv(d, "  ", "name", cert->name);
	kv(d, "  ", "account", cert->account->name);
	kv(d, "  ", "endpoint", cert->endpoint->name);
	for (i = 0; i < cert->nidentifiers; i++) {
		id = &cert->identifiers[i];
		put(d, "  identifier %s ",
		    id->type == CRYPTO_IDENT_DNS ? "dns" : "ip");
		q(d, id->value);
		put(d, " %s (written ", id->challenge);
		q(d, id->raw);
		put(d, "%s", ")\n");
		env(d, "    ", &id->env);
	}
	hook_list(d, "  ", &cert->hooks);
	put(d, "  key_type %s\n",
	    crypto_key_type_name(cert->key_type));
	put(d, "  csr_digest %s\n",
	    crypto_digest_name(cert->csr_digest));
	put(d, "  kp_reuse %s\n",
	    cert->kp_reuse ? "true" : "false");
	if (cert->profile != NULL)
		kv(d, "  ", "profile", cert->profile);
	if (cert->preferred_chain != NULL)
		kv(d, "  ", "preferred_chain", cert->preferred_chain);
	kv(d, "  ", "directory", cert->directory);
	kv(d, "  ", "file_name_format", cert->file_name_format_src);
	put(d, "  renew_delay %llus\n",
	    (unsigned long long)cert->renew_delay);
	put(d, "  random_early_renew %llus\n",
	    (unsigned long long)cert->random_early_renew);
	env(d, "  ", &cert->env);
	for (i = 0; i < CRYPTO_SUBJ_COUNT; i++)
		if (cert->subject[i] != NULL)
			kv(d, "  subject ", crypto_subject_attr_name(
			    (enum crypto_subject_attr)i), cert->subject[i]);
}

int
config_dump(const struct config *c, struct buf *out)
{
	struct dump dd = { out, 0 }, *d = &dd;
	size_t i;

	for (i = 0; i < c->nfiles; i++)
		kv(d, "", "file", c->files[i]);
	dump_global(d, &c->global);
	for (i = 0; i < c->nrate_limits; i++) {
		put(d, "%s", "rate-limit ");
		q(d, c->rate_limits[i].name);
		put(d, "\n  number %llu\n  period %llus\n",
		    (unsigned long long)c->rate_limits[i].number,
		    (unsigned long long)c->rate_limits[i].period_s);
	}
	for (i = 0; i < c->nendpoints; i++)
		dump_endpoint(d, &c->endpoints[i]);
	for (i = 0; i < c->nhooks; i++)
		dump_hook(d, &c->hooks[i]);
	for (i = 0; i < c->naccounts; i++)
		dump_account(d, &c->accounts[i]);
	for (i = 0; i < c->ncertificates; i++)
		dump_certificate(d, &c->certificates[i]);
	return d->failed ? -1 : 0;
}

int
config_summary(const struct config *c, struct buf *out)
{
	struct dump dd = { out, 0 }, *d = &dd;
	const struct config_certificate *cert;
	size_t i, j;

	for (i = 0; i < c->ncertificates; i++) {
		cert = &c->certificates[i];
		str(d, "certificate ");
		q(d, cert->name);
		str(d, ": endpoint ");
		q(d, cert->endpoint->name);
		str(d, ", account ");
		q(d, cert->account->name);
		str(d, ", identifiers");
		for (j = 0; j < cert->nidentifiers; j++) {
			str(d, j > 0 ? ", " : " ");
			str(d, cert->identifiers[j].value);
			str(d, " (");
			str(d, cert->identifiers[j].challenge);
			str(d, ")");
		}
		str(d, ", key type ");
		str(d, crypto_key_type_name(cert->key_type));
		str(d, "\n");
	}
	return d->failed ? -1 : 0;
}
