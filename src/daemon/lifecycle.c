/*
 * lifecycle.c - due dates and renewals (see lifecycle.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "acme/order.h"
#include "acme/renewal_info.h"
#include "acme/revoke.h"
#include "crypto/cert.h"
#include "crypto/csr.h"
#include "daemon/hook.h"
#include "daemon/lifecycle.h"
#include "daemon/pending.h"
#include "daemon/storage.h"
#include "util/err.h"
#include "util/log.h"
#include "util/period.h"

static uint64_t
lifecycle_random(uint64_t below)
{
	uint64_t r = 0;

	if (below == 0)
		return 0;
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint64_t)time(NULL) * 2654435761u;
	return r % below;
}

/* 1 when every configured identifier is among the certificate's SANs. */
static int
lifecycle_covers(const struct config_certificate *c,
    const struct crypto_cert_info *info, char *why, size_t n)
{
	size_t i, j;

	for (i = 0; i < c->nidentifiers; i++) {
		const struct config_identifier *id = &c->identifiers[i];
		char **list = id->type == CRYPTO_IDENT_IP ? info->ips : info->dns;
		size_t len = id->type == CRYPTO_IDENT_IP ? info->n_ips :
		    info->n_dns;

		for (j = 0; j < len; j++)
			if (strcasecmp(list[j], id->value) == 0)
				break;
		if (j == len) {
			snprintf(why, n, "%s is not in the certificate",
			    id->value);
			return 0;
		}
	}
	return 1;
}

/* The certificate on disk into info (free it with crypto_cert_info_free()
 * in any case).  -1 with err: no file, or one that does not parse. */
static int
lifecycle_read_cert(const struct cert_files *f, struct crypto_cert_info *info)
{
	struct buf pem;
	int rc = -1;

	memset(info, 0, sizeof(*info));
	buf_init(&pem, STORAGE_FILE_MAX);
	if (buf_read_regular(&pem, f->crt_path) == 0 &&
	    (rc = crypto_cert_info_pem(pem.data, pem.len, info)) == -1)
		err_prefix("%s", f->crt_path);
	buf_free(&pem);
	return rc;
}

/* Whether the certificate on disk, of this serial (NULL: unknown), was
 * revoked with acmectl: 1 with the reason in reason (size n), 0, or -1
 * with err (a marker that cannot be read; callers take it as revoked).  A
 * marker of another certificate (its replacement was stored, and the
 * marker could not be removed then) is removed. */
static int
lifecycle_revoked(const struct cert_files *f, const char *serial,
    char *reason, size_t n)
{
	char marked[256];
	int rc;

	rc = storage_revoked(f, reason, n, marked, sizeof(marked));
	if (rc == 1 && serial != NULL && strcmp(serial, marked) != 0) {
		log_info("%s: the certificate marked as revoked (serial %s) "
		    "has been replaced", f->crt_path, marked);
		storage_unmark_revoked(f);
		rc = 0;
	}
	return rc;
}

time_t
lifecycle_due(const struct config *cfg, const struct config_certificate *c,
    time_t now, char *why, size_t n, int64_t *not_after, int *kept_file)
{
	struct crypto_cert_info info;
	struct crypto_key *key = NULL;
	struct cert_files f;
	struct buf pem;
	uint64_t delay, life, rnd, room;
	time_t due = now;
	char reason[64];
	int revoked;

	*not_after = 0;
	if (kept_file != NULL)
		*kept_file = 0;
	memset(&info, 0, sizeof(info));
	buf_init(&pem, STORAGE_FILE_MAX);
	if (storage_paths(cfg, c, &f) == -1) {
		snprintf(why, n, "%s", err_msg());
		return now;
	}
	if (kept_file != NULL)
		*kept_file = pending_waiting(cfg, c, &f);
	if ((key = storage_read_key(f.key_path)) == NULL ||
	    buf_read_regular(&pem, f.crt_path) == -1) {
		snprintf(why, n, "%s", err_msg());
		goto out;
	}
	if (crypto_cert_info_key_pem(pem.data, pem.len, key, &info) == -1) {
		snprintf(why, n, "%s: %s", f.crt_path, err_msg());
		goto out;
	}
	*not_after = info.not_after;
	if ((revoked = lifecycle_revoked(&f, info.serial, reason,
	    sizeof(reason))) == 1) {
		snprintf(why, n, "the certificate was revoked (%s)", reason);
		goto out;
	}
	if (revoked == -1) {
		snprintf(why, n, "%s", err_msg());
		goto out;
	}
	if (!lifecycle_covers(c, &info, why, n))
		goto out;
	if (!info.key_matches) {
		snprintf(why, n, "the key in %s does not match the "
		    "certificate", f.key_path);
		goto out;
	}
	delay = c->renew_delay;
	life = info.not_after > info.not_before ?
	    (uint64_t)(info.not_after - info.not_before) : 0;
	if (delay > life / 4 * 3) {
		/* ACMEd renews short-lived certificates in a loop (30 days
		 * on a 6-day certificate).  Up to three quarters, the delay
		 * is the administrator's choice (60 days on 90, 30 on 45). */
		log_warn("certificate \"%s\": renew_delay (%llu s) is more "
		    "than three quarters of the certificate's lifetime (%llu "
		    "s): renewing a third of the lifetime before expiry "
		    "instead", c->id, (unsigned long long)delay,
		    (unsigned long long)life);
		delay = life / 3;
	}
	/* The random part within the same three quarters: added after the
	 * clamp, random_early_renew (up to INT64_MAX seconds) would have the
	 * certificate renewed again as soon as it is issued.  Drawn from
	 * what is left rather than cut at it, so that renewals still
	 * spread. */
	room = life / 4 * 3 > delay ? life / 4 * 3 - delay : 0;
	rnd = c->random_early_renew;
	if (rnd > room) {
		log_warn("certificate \"%s\": renew_delay (%llu s) and "
		    "random_early_renew (%llu s) reach past three quarters of "
		    "the certificate's lifetime (%llu s): drawing the random "
		    "part up to %llu s instead", c->id,
		    (unsigned long long)delay, (unsigned long long)rnd,
		    (unsigned long long)life, (unsigned long long)room);
		rnd = room;
	}
	delay += lifecycle_random(rnd);
	if ((int64_t)delay > info.not_after)
		due = 0;
	else
		due = (time_t)(info.not_after - (int64_t)delay);
	if (due < now)
		due = now;
	snprintf(why, n, "certificate expires in %lld days (%lld days "
	    "delay)", (long long)(info.not_after - now) / 86400,
	    (long long)delay / 86400);
out:
	crypto_cert_info_free(&info);
	crypto_key_free(key);
	buf_free(&pem);
	storage_paths_free(&f);
	return due;
}

/* The CA's renewal information about the certificate whose ID is id:
 * the answer kept on disk until the CA's Retry-After (storage_read_ari),
 * else a new one, then kept (RFC 9773 section 4.3: a cron job running
 * --once every hour must not ask each time).  *recheck: seconds until the
 * next question.  0, or -1 with err. */
static int
lifecycle_ari_get(const struct config_certificate *c, struct acme_session *s,
    const struct cert_files *f, const char *id, struct acme_renewal_info *ri,
    time_t *recheck)
{
	const char *url = c->endpoint->url;
	time_t now = time(NULL);
	struct buf text;
	int64_t until;
	int rc;

	if ((rc = storage_read_ari(f, &text)) == 1 &&
	    (rc = acme_renewal_info_decode(text.data, text.len, url, id, ri,
	    &until)) == 1) {
		if (until > now) {
			buf_free(&text);
			*recheck = (time_t)until - now;
			return 0;
		}
		acme_renewal_info_free(ri);
	}
	/* A file that cannot be read or does not parse is replaced. */
	if (rc == -1)
		log_debug("%s: %s", c->id, err_msg());
	buf_free(&text);
	if (acme_renewal_info_get(s, id, ri) == -1)
		return -1;
	*recheck = (time_t)acme_renewal_info_recheck(ri);
	buf_init(&text, BUF_MAX_SMALL);
	if (acme_renewal_info_encode(ri, url, id, now + *recheck, &text) == -1 ||
	    storage_save_ari(f, text.data, text.len) == -1)
		log_warn("certificate \"%s\": the renewal information could "
		    "not be kept for the next run: %s", c->id, err_msg());
	buf_free(&text);
	return 0;
}

int
lifecycle_check(struct runtime *rt, const struct config_certificate *c,
    struct http_client *http, time_t *picked, time_t *renew_at,
    time_t *recheck, char *why, size_t n)
{
	struct acme_renewal_info ri;
	struct crypto_cert_info info;
	struct acme_session s;
	struct cert_files f;
	char from[PERIOD_UTC_LEN], to[PERIOD_UTC_LEN];
	time_t now;
	int rc;

	memset(&f, 0, sizeof(f));
	memset(&info, 0, sizeof(info));
	acme_session_init(&s, runtime_endpoint(rt, c->endpoint), http);
	/* The directory first: most CAs offer none, and the certificate
	 * need not be read for them. */
	if ((rc = acme_renewal_info_offered(&s)) == 0) {
		snprintf(why, n, "the CA offers no renewal information");
		rc = 1;
	} else if (rc == 1 && (rc = storage_paths(rt->cfg, c, &f)) == 0) {
		/* Nothing to ask about: the due date says what to do. */
		if (lifecycle_read_cert(&f, &info) == -1) {
			snprintf(why, n, "no renewal information: %s",
			    err_msg());
			rc = 1;
		} else if (info.ari_id == NULL) {
			snprintf(why, n, "no renewal information: the "
			    "certificate has no authority key identifier");
			rc = 1;
		}
	}
	if (rc == 0)
		rc = lifecycle_ari_get(c, &s, &f, info.ari_id, &ri, recheck);
	if (rc == 0) {
		*picked = (time_t)acme_renewal_info_pick(&ri, info.ari_id);
		*renew_at = *picked;
		period_utc(ri.start, from);
		period_utc(ri.end, to);
		snprintf(why, n, "the CA suggests renewing between %s and "
		    "%s%s%s%s", from, to, ri.explanation ? " (see " : "",
		    ri.explanation ? ri.explanation : "",
		    ri.explanation ? ")" : "");
		/* Not at once for a certificate of the last day, whatever
		 * the window says: a CA (or a cache in front of it) that
		 * keeps saying "now" would make acmed issue at each start
		 * or --once run. */
		now = time(NULL);
		if (*renew_at <= now && now - info.not_before <
		    rt->ari_min_age_s) {
			*renew_at = (time_t)(info.not_before +
			    rt->ari_min_age_s);
			period_utc(info.not_before, from);
			snprintf(why + strlen(why), n - strlen(why), "; but "
			    "the certificate is less than a day old (not "
			    "before %s)", from);
		}
		acme_renewal_info_free(&ri);
	} else if (rc == -1)
		*recheck = s.retry_after >= 0 ?
		    (time_t)acme_renewal_info_clamp(s.retry_after) : 0;
	crypto_cert_info_free(&info);
	acme_session_free(&s);
	storage_paths_free(&f);
	return rc;
}

/* What the challenge hooks of one certificate need. */
struct lifecycle_solver {
	const struct config_certificate	*cert;
	const char			*who;
};

static enum config_hook_type
lifecycle_challenge_hook(const char *challenge, int clean)
{
	if (strcmp(challenge, "http-01") == 0)
		return clean ? CONFIG_HOOK_CHALLENGE_HTTP01_CLEAN :
		    CONFIG_HOOK_CHALLENGE_HTTP01;
	if (strcmp(challenge, "dns-01") == 0)
		return clean ? CONFIG_HOOK_CHALLENGE_DNS01_CLEAN :
		    CONFIG_HOOK_CHALLENGE_DNS01;
	return clean ? CONFIG_HOOK_CHALLENGE_TLSALPN01_CLEAN :
	    CONFIG_HOOK_CHALLENGE_TLSALPN01;
}

static int
lifecycle_challenge(struct lifecycle_solver *ls,
    const struct acme_challenge_task *t, int clean)
{
	const struct config_identifier *id = t->ident->user;
	const struct config_env *layers[2] = { &ls->cert->env, &id->env };
	struct tmpl_value *v = tmpl_value_map();
	int rc = -1;

	if (v == NULL ||
	    tmpl_map_set(v, "challenge", tmpl_value_str(t->challenge)) == -1 ||
	    tmpl_map_set(v, "identifier", tmpl_value_str(id->value)) == -1 ||
	    tmpl_map_set(v, "identifier_tls_alpn",
	    tmpl_value_str(t->identifier_tls_alpn)) == -1 ||
	    tmpl_map_set(v, "file_name", tmpl_value_str(t->file_name)) == -1 ||
	    tmpl_map_set(v, "proof", tmpl_value_str(t->proof)) == -1 ||
	    tmpl_map_set(v, "raw_proof", tmpl_value_str(t->raw_proof)) == -1 ||
	    tmpl_map_set(v, "is_clean_hook", tmpl_value_bool(clean)) == -1)
		goto out;
	rc = hook_run(&ls->cert->hooks, lifecycle_challenge_hook(t->challenge,
	    clean), v, layers, 2, ls->who);
	if (rc == -1)
		err_prefix("%s", id->value);
out:
	tmpl_value_free(v);
	return rc;
}

static int
lifecycle_setup(void *arg, const struct acme_challenge_task *t)
{
	return lifecycle_challenge(arg, t, 0);
}

static void
lifecycle_cleanup(void *arg, const struct acme_challenge_task *t)
{
	struct lifecycle_solver *ls = arg;
	char saved[ERR_MSG_MAX];

	/* A failing clean-up is logged; it must not hide the first error. */
	snprintf(saved, sizeof(saved), "%s", err_msg());
	if (lifecycle_challenge(ls, t, 1) == -1)
		log_warn("%s: clean-up: %s", ls->who, err_msg());
	err_set("%s", saved);
}

/* One tls-alpn-01 responder at a time in the whole daemon: they all listen
 * on the same port (TACD_PORT, or 443 behind a proxy). */
static pthread_mutex_t lifecycle_alpn_mu = PTHREAD_MUTEX_INITIALIZER;

static void
lifecycle_exclusive(void *arg, int enter)
{
	(void)arg;
	if (enter)
		pthread_mutex_lock(&lifecycle_alpn_mu);
	else
		pthread_mutex_unlock(&lifecycle_alpn_mu);
}

static void
lifecycle_post_operation(const struct config_certificate *c,
    const struct cert_files *f, const char *status, int ok, const char *who)
{
	const struct config_env *layers[1] = { &c->env };
	struct tmpl_value *v = tmpl_value_map(), *ids = tmpl_value_list();
	size_t i;

	if (v == NULL || ids == NULL)
		goto out;
	for (i = 0; i < c->nidentifiers; i++)
		if (tmpl_list_push(ids,
		    tmpl_value_str(c->identifiers[i].value)) == -1)
			goto out;
	if (tmpl_map_set(v, "identifiers", tmpl_value_ref(ids)) == -1 ||
	    tmpl_map_set(v, "key_type",
	    tmpl_value_str(crypto_key_type_name(c->key_type))) == -1 ||
	    tmpl_map_set(v, "status", tmpl_value_str(status)) == -1 ||
	    tmpl_map_set(v, "is_success", tmpl_value_bool(ok)) == -1 ||
	    tmpl_map_set(v, "certificate_path",
	    tmpl_value_str(f->crt_path ? f->crt_path : "")) == -1 ||
	    tmpl_map_set(v, "private_key_path",
	    tmpl_value_str(f->key_path ? f->key_path : "")) == -1)
		goto out;
	if (hook_run(&c->hooks, CONFIG_HOOK_POST_OPERATION, v, layers, 1,
	    who) == -1)
		log_warn("%s: post-operation hook error: %s", who, err_msg());
out:
	tmpl_value_free(ids);
	tmpl_value_free(v);
}

/* 1 when kp_reuse must not reuse the key: its certificate (serial, NULL
 * when unknown) was revoked for key compromise, or its revocation marker
 * cannot be read (in doubt, a new key). */
static int
lifecycle_key_revoked(const struct cert_files *f, const char *serial,
    const char *who)
{
	char reason[64];
	int rc;

	if ((rc = lifecycle_revoked(f, serial, reason, sizeof(reason))) == -1)
		log_warn("%s: kp_reuse: %s: the key is not reused", who,
		    err_msg());
	else if (rc == 1 && strcmp(reason, acme_revoke_reason_name(
	    ACME_REVOKE_KEY_COMPROMISE)) == 0)
		log_info("%s: kp_reuse: the key is not reused after a "
		    "revocation for key compromise", who);
	else
		return 0;
	return 1;
}

/* The key for the new certificate: with kp_reuse, the current one (a new
 * one only when there is none yet, or it is of another type, or it was
 * revoked for key compromise), else a new one.  *is_new tells which.  A
 * key file that is there but cannot be read fails: a new key would break
 * what kp_reuse is for (a pinned key, DANE records).  serial: of the
 * certificate on disk, NULL when unknown.  NULL with err. */
static struct crypto_key *
lifecycle_key(const struct config_certificate *c, const struct cert_files *f,
    const char *serial, int *is_new, const char *who)
{
	struct crypto_key *k;
	struct stat st;

	*is_new = 0;
	if (!c->kp_reuse || lifecycle_key_revoked(f, serial, who))
		goto fresh;
	if (lstat(f->key_path, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			err_set("%s: a symbolic link: acmed reads no key "
			    "through one, and kp_reuse keeps the key: make it "
			    "a regular file", f->key_path);
			return NULL;
		}
		if ((k = storage_read_key(f->key_path)) == NULL) {
			err_prefix("kp_reuse: cannot reuse the key");
			return NULL;
		}
		if (crypto_key_get_type(k) == c->key_type)
			return k;
		log_info("%s: the key in %s is not a %s key: creating a new "
		    "one", who, f->key_path, crypto_key_type_name(c->key_type));
		crypto_key_free(k);
	} else if (errno != ENOENT) {
		err_sys("kp_reuse: cannot reuse the key: %s", f->key_path);
		return NULL;
	}
fresh:
	*is_new = 1;
	return crypto_key_generate(c->key_type);
}

/* The chain to keep: the CA's first, or with preferred_chain the first
 * of its chains (the alternates it links to included) whose topmost
 * certificate was issued by that name, as certbot and lego choose. */
static int
lifecycle_download(const struct config_certificate *c,
    struct acme_session *s, const struct acme_order *o, struct buf *chain,
    const char *who)
{
	struct buf alts[HTTP_MAX_ALTERNATES];
	char cn[256];
	size_t nalts = 0, i;
	int rc = -1;

	if (c->preferred_chain == NULL)
		return acme_order_download(s, o, chain, NULL, NULL);
	for (i = 0; i < HTTP_MAX_ALTERNATES; i++)
		buf_init(&alts[i], HTTP_MAX_BODY);
	if (acme_order_download(s, o, chain, alts, &nalts) == -1)
		goto out;
	rc = 0;
	if (crypto_chain_top_issuer(chain->data, chain->len, cn,
	    sizeof(cn)) == 0 && strcmp(cn, c->preferred_chain) == 0)
		goto out;
	for (i = 0; i < nalts; i++) {
		if (crypto_chain_top_issuer(alts[i].data, alts[i].len, cn,
		    sizeof(cn)) == -1 || strcmp(cn, c->preferred_chain) != 0)
			continue;
		buf_reset(chain);
		if (buf_append(chain, alts[i].data, alts[i].len) == -1) {
			rc = -1;
			goto out;
		}
		log_info("%s: alternate chain %zu, up to \"%s\", chosen", who,
		    i + 1, cn);
		goto out;
	}
	err_clear();
	log_info("%s: none of the CA's %zu chains leads up to \"%s\": its "
	    "first is kept", who, nalts + 1, c->preferred_chain);
out:
	for (i = 0; i < HTTP_MAX_ALTERNATES; i++)
		buf_free(&alts[i]);
	return rc;
}

/* How far ahead of our clock a new certificate's notBefore may be: one
 * clock or the other is off by that much (ours passed TLS to the CA).
 * Further, the certificate would not work now, and is not taken. */
#define LIFECYCLE_NOT_BEFORE_SKEW_S	86400

/* Checks the downloaded chain (replaced by its certificates alone: see
 * crypto_chain_clean) against the key, the identifiers and the clock:
 * what replaces the certificate on disk must work now. */
static int
lifecycle_check_chain(const struct config_certificate *c,
    struct buf *chain, const struct crypto_key *key)
{
	struct crypto_cert_info info;
	char why[512], when[PERIOD_UTC_LEN];
	struct buf clean;
	time_t now = time(NULL);
	int rc = 0;

	buf_init(&clean, chain->max);
	if (crypto_chain_clean(chain->data, chain->len, &clean) == -1) {
		buf_free(&clean);
		return -1;
	}
	buf_free(chain);
	*chain = clean;
	/* Parsed first: a broken chain is not "a key mismatch". */
	if (crypto_cert_info_key_pem(chain->data, chain->len, key, &info) ==
	    -1)
		return err_prefix("the certificate cannot be parsed");
	if (!info.key_matches)
		rc = err_set("the certificate does not match the key");
	else if (!lifecycle_covers(c, &info, why, sizeof(why)))
		rc = err_set("the certificate does not cover the configured "
		    "identifiers: %s", why);
	else if (info.not_after <= now) {
		period_utc(info.not_after, when);
		rc = err_set("the certificate expired at %s", when);
	} else if (info.not_before > now + LIFECYCLE_NOT_BEFORE_SKEW_S) {
		period_utc(info.not_before, when);
		rc = err_set("the certificate is valid from %s only: more "
		    "than a day ahead of this machine's clock", when);
	}
	crypto_cert_info_free(&info);
	return rc;
}

/*
 * An order whose CSR the CA took but whose certificate did not come: it
 * was still processing when the poll ended, or its download failed.  The
 * next attempt reads it again instead of ordering anew, which would have
 * the CA issue twice (counted twice against its limits: Let's Encrypt
 * allows five certificates a week for the same names).  Kept in memory
 * (the scheduler's item) and on disk for the next process (pending.h):
 * the file is there while an order is kept, and removed once it is used
 * up or given up.
 */
void
lifecycle_pending_drop(const struct config *cfg,
    const struct config_certificate *c, struct lifecycle_pending *p)
{
	struct cert_files f;
	char who[512];

	pending_free(p);
	snprintf(who, sizeof(who), "certificate \"%s\"", c->id);
	if (storage_paths(cfg, c, &f) == -1) {
		log_warn("%s: kept order: %s", who, err_msg());
		err_clear();
		return;
	}
	pending_forget(&f, who);
	storage_paths_free(&f);
}

void
lifecycle_pending_release(const struct config *was,
    const struct config_certificate *c, const struct config *now,
    const struct config_certificate *const *heirs, size_t nheirs,
    struct lifecycle_pending *p)
{
	struct cert_files f, g;
	size_t i;
	int same = 0;

	if (p == NULL)
		return;
	log_info("certificate \"%s\": the reload does not carry its kept "
	    "order %s over", c->id, p->o.url);
	if (storage_paths(was, c, &f) == -1) {
		err_clear();
		lifecycle_pending_drop(was, c, p);
		return;
	}
	for (i = 0; !same && i < nheirs; i++) {
		if (storage_paths(now, heirs[i], &g) == -1) {
			err_clear();
			continue;
		}
		if ((same = strcmp(f.key_path, g.key_path) == 0))
			log_info("certificate \"%s\": its file %s stays for "
			    "certificate \"%s\", which orders the same",
			    c->id, f.key_path, heirs[i]->id);
		storage_paths_free(&g);
	}
	storage_paths_free(&f);
	if (same)
		pending_free(p);
	else
		lifecycle_pending_drop(was, c, p);
}

/* Two strings that may be NULL. */
static int
lifecycle_same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* 1 when both certificates' files are the same (whatever makes their
 * names: folder, format, extensions). */
static int
lifecycle_same_files(const struct config *wcfg,
    const struct config_certificate *was, const struct config *ncfg,
    const struct config_certificate *now)
{
	struct cert_files a, b;
	int same;

	if (storage_paths(wcfg, was, &a) == -1) {
		err_clear();
		return 0;
	}
	if (storage_paths(ncfg, now, &b) == -1) {
		err_clear();
		storage_paths_free(&a);
		return 0;
	}
	same = strcmp(a.key_path, b.key_path) == 0 &&
	    strcmp(a.crt_path, b.crt_path) == 0;
	storage_paths_free(&a);
	storage_paths_free(&b);
	return same;
}

int
lifecycle_pending_fits(const struct config *wcfg,
    const struct config_certificate *was, const struct config *ncfg,
    const struct config_certificate *now)
{
	size_t i;

	/* The files too: a key kept (kp_reuse) is not written with the
	 * certificate, so both must go where it is. */
	if (strcmp(was->endpoint->url, now->endpoint->url) != 0 ||
	    strcmp(was->account->name, now->account->name) != 0 ||
	    !lifecycle_same_files(wcfg, was, ncfg, now) ||
	    was->kp_reuse != now->kp_reuse ||
	    was->key_type != now->key_type ||
	    was->csr_digest != now->csr_digest ||
	    !lifecycle_same_str(was->profile, now->profile) ||
	    was->nidentifiers != now->nidentifiers)
		return 0;
	for (i = 0; i < was->nidentifiers; i++)
		if (was->identifiers[i].type != now->identifiers[i].type ||
		    strcmp(was->identifiers[i].value,
		    now->identifiers[i].value) != 0)
			return 0;
	for (i = 0; i < CRYPTO_SUBJ_COUNT; i++)
		if (!lifecycle_same_str(was->subject[i], now->subject[i]))
			return 0;
	return 1;
}

/* Whether a failed finalization or download leaves an order worth
 * reading again: the CA took the CSR (or its answer to it was lost: the
 * order may still be ready), and did not say the order is gone or failed
 * (a 4xx answer other than 429). */
static int
lifecycle_resumable(const struct acme_session *s, const struct acme_order *o)
{
	long st = s->problem.status;

	return o->finalized && (o->status == ACME_ST_PROCESSING ||
	    o->status == ACME_ST_VALID || o->status == ACME_ST_READY) &&
	    !(st >= 400 && st < 500 && st != 429);
}

/* Takes up the order kept by the last attempt.  1: it is valid, go on
 * with its download; 0: it is given up (the caller frees p) and a new
 * order is made; -1 with err: it is to be kept again. */
static int
lifecycle_resume(struct runtime *rt, const struct config_certificate *c,
    struct acme_session *s, struct lifecycle_pending *p, const char *who)
{
	log_info("%s: reading order %s again (the last attempt ended before "
	    "its certificate was stored)", who, p->o.url);
	if (acme_account_sync(runtime_account(rt, c->account), s,
	    c->endpoint->tos_agreed, 0) == 0 &&
	    acme_order_resume(s, &p->o, p->csr.data, p->csr.len,
	    rt->poll) == 0)
		return 1;
	if (lifecycle_resumable(s, &p->o) && p->tries < LIFECYCLE_RESUMES)
		return -1;
	log_warn("%s: %s: ordering anew", who, err_msg());
	err_clear();
	return 0;
}

static int
lifecycle_order(struct runtime *rt, const struct config_certificate *c,
    struct acme_session *s, const struct cert_files *f,
    struct lifecycle_pending **pending, const char *who)
{
	struct lifecycle_pending *p = *pending;
	struct lifecycle_solver ls = { c, who };
	struct acme_solver solver = { lifecycle_setup, lifecycle_cleanup,
	    lifecycle_exclusive, &ls };
	struct acme_account *acct = runtime_account(rt, c->account);
	struct acme_order_ident *ids;
	struct crypto_ident *cids = NULL;
	struct crypto_csr_req req;
	struct crypto_key *key = NULL;
	struct acme_order o;
	struct crypto_cert_info old;
	struct buf csr, chain;
	const char *replaces;
	size_t i;
	int rc = -1, is_new = 0, ordered = 0, resumable = 0, tries = 0, attempt;
	int kept, stored = 0;
	long long kept_at = 0;

	memset(&o, 0, sizeof(o));
	*pending = NULL;
	/* None in memory: one an earlier process kept, if any. */
	if (p == NULL)
		p = pending_load(rt->cfg, c, f, who);
	kept = p != NULL;
	/* RFC 9773 section 5: the certificate this order replaces (sent
	 * only to a CA that offers renewal information). */
	if (lifecycle_read_cert(f, &old) == -1)
		err_clear();
	replaces = old.ari_id;
	buf_init(&csr, 64 * 1024);
	buf_init(&chain, HTTP_MAX_BODY);
	if ((ids = calloc(c->nidentifiers, sizeof(*ids))) == NULL ||
	    (cids = calloc(c->nidentifiers, sizeof(*cids))) == NULL) {
		err_set("out of memory");
		*pending = p;
		goto out;
	}
	for (i = 0; i < c->nidentifiers; i++) {
		ids[i].type = cids[i].type = c->identifiers[i].type;
		ids[i].value = cids[i].value = c->identifiers[i].value;
		ids[i].challenge = c->identifiers[i].challenge;
		ids[i].user = &c->identifiers[i];
	}

	if (p != NULL && (long long)time(NULL) - p->kept_at >
	    LIFECYCLE_KEPT_MAX) {
		log_info("%s: order %s was kept more than %d days ago, and "
		    "orders expire: ordering anew", who, p->o.url,
		    LIFECYCLE_KEPT_MAX / 86400);
		pending_free(p);
		p = NULL;
	} else if (p != NULL && p->tries >= LIFECYCLE_RESUMES) {
		/* Its last reading was cut short (acmed killed). */
		log_warn("%s: order %s was read %d times in vain: ordering "
		    "anew", who, p->o.url, p->tries);
		pending_free(p);
		p = NULL;
	}
	if (p != NULL) {
		/* Counted on disk before the CA is asked: an attempt that
		 * is killed (a cron job's timeout) counts too. */
		p->tries++;
		pending_save(rt->cfg, c, f, p, who);
		switch (lifecycle_resume(rt, c, s, p, who)) {
		case 1:
			kept_at = p->kept_at;
			o = p->o;
			key = p->key;
			buf_free(&csr);
			csr = p->csr;
			is_new = p->is_new;
			tries = p->tries;
			free(p);
			ordered = 1;
			goto download;
		case -1:
			*pending = p;
			goto out;
		}
		pending_free(p);
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if (acme_account_sync(acct, s, c->endpoint->tos_agreed,
		    attempt) == -1)
			goto out;
		if (acme_order_new(s, ids, c->nidentifiers, c->profile,
		    replaces, &o) == 0)
			break;
		/* Replaced already (by another client, or by an order of
		 * ours that failed later): a plain order still works. */
		if (replaces != NULL && (s->problem.type ==
		    ACME_ERR_alreadyReplaced || (s->problem.type ==
		    ACME_ERR_malformed && s->problem.detail != NULL &&
		    strstr(s->problem.detail, "replace") != NULL))) {
			log_info("%s: %s: ordering again without \"replaces\"",
			    who, err_msg());
			replaces = NULL;
			attempt--;
			continue;
		}
		/* An account the CA forgot is registered once more. */
		if (s->problem.type != ACME_ERR_accountDoesNotExist ||
		    attempt == 1) {
			err_prefix("new order");
			/* One it deactivated or revoked is not: ACME has no
			 * way back (RFC 8555 7.3.6), the admin must choose. */
			if (s->problem.type == ACME_ERR_unauthorized &&
			    s->problem.detail != NULL &&
			    (strstr(s->problem.detail, "deactivated") ||
			    strstr(s->problem.detail, "revoked")))
				err_set("%s; an ACME account cannot be "
				    "reactivated: to register a new one, move "
				    "%s away", err_msg(), acct->path);
			goto out;
		}
		log_debug("%s: account has been dropped by endpoint \"%s\"",
		    who, c->endpoint->name);
	}
	ordered = 1;
	if (acme_order_authorize(s, &o, ids, c->nidentifiers, &solver,
	    rt->poll) == -1) {
		err_prefix("authorization");
		goto out;
	}
	if ((key = lifecycle_key(c, f, old.serial, &is_new, who)) == NULL)
		goto out;
	memset(&req, 0, sizeof(req));
	req.idents = cids;
	req.n_idents = c->nidentifiers;
	req.digest = c->csr_digest;
	for (i = 0; i < CRYPTO_SUBJ_COUNT; i++)
		req.subject[i] = c->subject[i];
	if (crypto_csr_der(key, &req, &csr) == -1) {
		err_prefix("CSR");
		goto out;
	}
	/* On disk before the CSR goes: a process killed from here to the
	 * certificate's storing (a cron job's timeout, the OOM killer, a
	 * stop that outlasted systemd's patience) leaves the next one an
	 * order to read again (acme_order_resume), not a second issuance
	 * to ask for.  Removed below when it is used up or given up. */
	{
		struct lifecycle_pending early = { .o = o, .key = key,
		    .csr = csr, .is_new = is_new, .kept_at = time(NULL) };

		pending_save(rt->cfg, c, f, &early, who);
		kept = 1;
	}
	if (acme_order_finalize(s, &o, csr.data, csr.len, rt->poll) == -1) {
		err_prefix("finalization");
		resumable = lifecycle_resumable(s, &o);
		goto out;
	}
download:
	if (lifecycle_download(c, s, &o, &chain, who) == -1) {
		err_prefix("download");
		resumable = lifecycle_resumable(s, &o);
		goto out;
	}
	ordered = 0;
	if (lifecycle_check_chain(c, &chain, key) == -1) {
		err_prefix("%s", o.certificate);
		goto out;
	}
	if (storage_store(rt->cfg, c, f, is_new ? key : NULL, chain.data,
	    chain.len, who, &stored) == -1) {
		err_prefix("storing");
		/* The CA issued it, and it is not in place: the next attempt
		 * downloads it again rather than having another issued (a
		 * pre hook that fails, a full disk...).  One in place whose
		 * post hook failed is stored. */
		resumable = !stored;
		goto out;
	}
	storage_unmark_revoked(f);
	rc = 0;
out:
	if (rc == -1 && resumable && tries < LIFECYCLE_RESUMES &&
	    (p = calloc(1, sizeof(*p))) != NULL) {
		p->o = o;
		p->key = key;
		p->csr = csr;
		p->is_new = is_new;
		p->tries = tries;
		p->kept_at = kept_at != 0 ? kept_at : (long long)time(NULL);
		memset(&o, 0, sizeof(o));
		key = NULL;
		buf_init(&csr, 64 * 1024);
		*pending = p;
	} else if (rc == -1 && ordered) {
		char saved[ERR_MSG_MAX];

		snprintf(saved, sizeof(saved), "%s", err_msg());
		acme_order_abandon(s, &o);
		err_set("%s", saved);
	}
	/* The copy on disk follows: written for the order kept (tries
	 * included), removed for the one used up or given up, and after
	 * any certificate stored (one that could not be read, and was left
	 * there, must not bring an older certificate back later).  The
	 * order is said kept once its file is written (or could not be:
	 * it is kept in memory all the same). */
	if (*pending != NULL || kept || rc == 0) {
		char saved[ERR_MSG_MAX];

		snprintf(saved, sizeof(saved), "%s", err_msg());
		if (*pending != NULL) {
			pending_save(rt->cfg, c, f, *pending, who);
			log_info("%s: order %s kept for the next attempt", who,
			    (*pending)->o.url);
		} else
			pending_forget(f, who);
		if (rc == -1)
			err_set("%s", saved);
	}
	acme_order_free(&o);
	crypto_key_free(key);
	buf_free(&csr);
	buf_free(&chain);
	free(ids);
	free(cids);
	crypto_cert_info_free(&old);
	return rc;
}

int
lifecycle_revoke(struct runtime *rt, const struct config_certificate *c,
    struct http_client *http, int reason, int *marked)
{
	struct crypto_cert_info info;
	struct acme_session s;
	struct cert_files f;
	struct buf pem, der;
	const char *name;
	char was[64], saved[ERR_MSG_MAX];
	int rc = -1, prev;

	*marked = 0;
	memset(&f, 0, sizeof(f));
	memset(&info, 0, sizeof(info));
	buf_init(&pem, STORAGE_FILE_MAX);
	buf_init(&der, STORAGE_FILE_MAX);
	acme_session_init(&s, runtime_endpoint(rt, c->endpoint), http);
	if (storage_paths(rt->cfg, c, &f) == -1 ||
	    buf_read_regular(&pem, f.crt_path) == -1)
		goto out;
	if (crypto_cert_der(pem.data, pem.len, &der) == -1 ||
	    crypto_cert_info_pem(pem.data, pem.len, &info) == -1) {
		err_prefix("%s", f.crt_path);
		goto out;
	}
	/* The marker first: a certificate revoked must not look valid
	 * later (nor its key reusable), so without one, no revocation.  The
	 * files stay: the marker makes them due until they are replaced,
	 * also after a restart.  A marker of this certificate from before
	 * is put back if this revocation fails, and keyCompromise is never
	 * made weaker. */
	prev = lifecycle_revoked(&f, info.serial, was, sizeof(was));
	name = acme_revoke_reason_name(reason);
	if (prev == 1 && strcmp(was, acme_revoke_reason_name(
	    ACME_REVOKE_KEY_COMPROMISE)) == 0)
		name = was;
	if (storage_mark_revoked(&f, name, info.serial) == -1) {
		err_prefix("not revoked");
		goto out;
	}
	*marked = 1;
	if (acme_account_sync(runtime_account(rt, c->account), &s,
	    c->endpoint->tos_agreed, 0) == -1)
		goto undo;
	/* alreadyRevoked is revoked all the same: by a try whose answer was
	 * lost, or by someone else. */
	if (acme_revoke(&s, der.data, der.len, reason) == -1) {
		if (s.problem.type != ACME_ERR_alreadyRevoked) {
			/* Without an answer, whether the CA revoked it is
			 * not known: in doubt, it stays marked. */
			if (s.problem.status == 0) {
				err_set("%s (the certificate stays marked "
				    "revoked, and is renewed)", err_msg());
				goto out;
			}
			goto undo;
		}
		log_info("certificate \"%s\": %s", c->id, err_msg());
		err_clear();
	}
	log_info("certificate \"%s\": %s revoked (reason: %s)", c->id,
	    f.crt_path, acme_revoke_reason_name(reason));
	rc = 0;
	goto out;
undo:
	/* Refused: the marker is what it was before. */
	*marked = prev == 1;
	snprintf(saved, sizeof(saved), "%s", err_msg());
	if (prev != 1)
		storage_unmark_revoked(&f);
	else if (storage_mark_revoked(&f, was, info.serial) == -1)
		log_error("certificate \"%s\": %s", c->id, err_msg());
	err_set("%s", saved);
out:
	crypto_cert_info_free(&info);
	acme_session_free(&s);
	storage_paths_free(&f);
	buf_free(&pem);
	buf_free(&der);
	return rc;
}

int
lifecycle_renew(struct runtime *rt, const struct config_certificate *c,
    struct http_client *http, struct lifecycle_pending **pending,
    long long *retry_after)
{
	struct acme_session s;
	struct cert_files f;
	struct buf status;
	char who[512], saved[ERR_MSG_MAX];
	size_t i;
	int rc;

	*retry_after = -1;
	snprintf(who, sizeof(who), "certificate \"%s\"", c->id);
	memset(&f, 0, sizeof(f));
	acme_session_init(&s, runtime_endpoint(rt, c->endpoint), http);
	if ((rc = storage_paths(rt->cfg, c, &f)) == 0 &&
	    (rc = storage_check_writable(rt->cfg, &f)) == 0)
		rc = lifecycle_order(rt, c, &s, &f, pending, who);
	buf_init(&status, ERR_MSG_MAX + 8192);
	if (rc == 0) {
		for (i = 0; i < c->nidentifiers; i++)
			buf_printf(&status, "%s%s", i ? "," : "",
			    c->identifiers[i].value);
		log_info("%s: certificate renewed (identifiers: %s)", who,
		    buf_str(&status));
		buf_reset(&status);
	} else {
		/* The next attempt starts from a fresh directory: the CA may
		 * have moved a URL. */
		acme_endpoint_forget_directory(s.ep);
		*retry_after = s.retry_after;
		snprintf(saved, sizeof(saved), "%s", err_msg());
		buf_printf(&status, "unable to renew the certificate: %s",
		    saved);
	}
	lifecycle_post_operation(c, &f, rc == 0 ? "success" :
	    buf_str(&status), rc == 0, who);
	if (rc == -1)
		err_set("%s", saved);
	buf_free(&status);
	acme_session_free(&s);
	storage_paths_free(&f);
	return rc;
}
