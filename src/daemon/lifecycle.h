/*
 * lifecycle.h - one certificate's life: is it due, and renewing it (sync
 * the account, order, publish the proofs through the challenge hooks,
 * finalize with a CSR for a new or reused key, download, store key and
 * chain together, run the post-operation hooks).
 */
#ifndef ACMED_DAEMON_LIFECYCLE_H
#define ACMED_DAEMON_LIFECYCLE_H

#include <stdint.h>
#include <time.h>

#include "acme/http.h"
#include "config/config.h"
#include "daemon/runtime.h"

/*
 * When the certificate is next due, from the files on disk: now when the
 * key or certificate file is missing or unreadable, when a configured
 * identifier is not in the certificate, or when the key does not match
 * it; otherwise notAfter - renew_delay - random(0, random_early_renew),
 * with renew_delay clamped to a third of the lifetime when it is more than
 * three quarters of it, and the random part drawn within what is left of
 * those three quarters (never due in the first quarter of the lifetime).  why (size n) says which; *not_after is the
 * certificate's notAfter when it could be read, else 0.  Unless kept_file
 * is NULL, *kept_file is 1 when an earlier process kept an order for c
 * on disk that the next attempt would read again (see pending.h).
 */
time_t	 lifecycle_due(const struct config *cfg,
	    const struct config_certificate *c, time_t now, char *why,
	    size_t n, int64_t *not_after, int *kept_file);

/*
 * Asks the CA when to renew the certificate on disk (RFC 9773).  0:
 * *picked is the moment picked in the CA's window, *renew_at the same but
 * not before the certificate is a day old (rt->ari_min_age_s), and
 * *recheck the seconds until the next question; 1: nothing to ask (the
 * CA offers no
 * renewal information, or there is no certificate with an authority key
 * identifier); why (size n) says which.  -1 with err; *recheck is then
 * the CA's Retry-After clamped like an answer's (1 min to 1 day), else 0.
 */
int	 lifecycle_check(struct runtime *rt,
	    const struct config_certificate *c, struct http_client *http,
	    time_t *picked, time_t *renew_at, time_t *recheck, char *why,
	    size_t n);

/*
 * Revokes the certificate on disk with c's account (RFC 8555 section 7.6;
 * reason: ACME_REVOKE_*, or ACME_REVOKE_NO_REASON); one the CA says is
 * revoked already counts as revoked.  The files stay, marked revoked
 * (storage_mark_revoked), which makes them due.  -1 with err; *marked
 * tells whether the certificate is marked revoked all the same (marked
 * before, or the CA's answer was lost).
 */
int	 lifecycle_revoke(struct runtime *rt,
	    const struct config_certificate *c, struct http_client *http,
	    int reason, int *marked);

/* An order kept between attempts (see lifecycle.c). */
struct lifecycle_pending;

/* Gives up p (may be NULL), kept for c of cfg: frees it and removes its
 * copy on disk, if any (a failure is logged). */
void	 lifecycle_pending_drop(const struct config *cfg,
	    const struct config_certificate *c, struct lifecycle_pending *p);

/* At a reload, p (may be NULL), kept for c of the configuration was, is
 * not carried over: freed and logged.  Its copy on disk stays when one
 * of heirs (certificates of now that an order kept on disk fits, made
 * due for it) has the same key file: a renamed certificate, which reads
 * the order again; else it goes too. */
void	 lifecycle_pending_release(const struct config *was,
	    const struct config_certificate *c, const struct config *now,
	    const struct config_certificate *const *heirs, size_t nheirs,
	    struct lifecycle_pending *p);

/* 1 when an order kept for certificate was is still what now (the same
 * certificate in a reloaded configuration) would order and store: the same
 * CA, account, key type, names, subject, digest and profile, and the same
 * files. */
int	 lifecycle_pending_fits(const struct config *wcfg,
	    const struct config_certificate *was, const struct config *ncfg,
	    const struct config_certificate *now);

/*
 * Renews c now (with a new key also under kp_reuse when the certificate
 * was revoked for key compromise).  Returns 0, or -1 with err naming the
 * step; *retry_after is set (seconds, else -1) when the CA asked us to
 * wait.  The post-operation hooks run in both cases.  *pending is the
 * order the last attempt kept (else NULL): it is read again before a new
 * one is made.  On return it holds the order this attempt keeps, if any,
 * for the caller to pass to the next attempt (or free).
 */
int	 lifecycle_renew(struct runtime *rt,
	    const struct config_certificate *c, struct http_client *http,
	    struct lifecycle_pending **pending, long long *retry_after);

#endif
