/*
 * scheduler.h - when each certificate is renewed, and by which worker.
 *
 * A min-heap of due times and a fixed pool of worker threads.  An idle
 * daemon sleeps in pthread_cond_timedwait until the earliest due time or a
 * signal: no polling.  After a failure a certificate is retried after 1
 * min, 10 min, 100 min, then daily (with jitter, and never sooner than the
 * CA's Retry-After); ACMEd retried at once, forever.  Those waits keep
 * their length when the wall clock is set (daemon/schedheap.h); a daemon
 * also has a thread asleep until it is.
 *
 * Test knob: ACMED_SCHED_BACKOFF_S (1 to 60) replaces the first wait of a
 * minute (the next ones are 10 and 100 times longer).
 */
#ifndef ACMED_DAEMON_SCHEDULER_H
#define ACMED_DAEMON_SCHEDULER_H

#include "acme/http.h"
#include "daemon/runtime.h"
#include "util/buf.h"

#define SCHED_DEFAULT_WORKERS	8

struct sched;

struct sched_opts {
	int	workers;	/* 0: SCHED_DEFAULT_WORKERS */
	int	once;		/* process what is due, then finish */
	void	(*on_finish)(void *arg);	/* once: called when done */
	void	*arg;
};

/* Takes over rt.  Computes every due time.  NULL with err. */
struct sched *sched_new(struct runtime *rt, const struct sched_opts *o);

/* Starts the workers.  -1 with err. */
int	 sched_start(struct sched *s);

/* Swaps in a new runtime once the running renewals are done (the last
 * of them does it; no renewal starts meanwhile) and returns at once; takes
 * over rt.  Failures and backoffs carry over by certificate id.  Returns
 * how many renewals it waits for (0: swapped already), or -1 when acmed
 * is stopping (rt is freed). */
int	 sched_reload(struct sched *s, struct runtime *rt);

/* 1 when a configuration waits for the running renewals to be swapped
 * in. */
int	 sched_reload_waiting(struct sched *s);

/*
 * For the control socket (daemon/control.c).  Each takes the scheduler's
 * lock for a moment; -1 with err.
 *
 * sched_status: one tab-separated line per certificate, after a header:
 * id, state (valid, failing, due, requested, renewing), the next renewal,
 * the next renewal-information check, the certificate's notAfter (UTC,
 * "-" when none), renewals failed in a row; a certificate being checked
 * or renewed has no next renewal nor check, and the notAfter and
 * failures it had when taken.
 * sched_metrics: the same numbers in the Prometheus text format (no
 * renewal time for a certificate being checked or renewed), and the
 * renewals since the start.
 * sched_renew_now: renews the certificate named id at once, whatever its
 * dates, and again after each failure (with the usual backoff) until a
 * renewal succeeds.
 */
int	 sched_status(struct sched *s, struct buf *out);
int	 sched_metrics(struct sched *s, struct buf *out);
int	 sched_renew_now(struct sched *s, const char *id);

/* Revokes the certificate named id (daemon/lifecycle.h), then renews it
 * as sched_renew_now() does.  Runs in the caller's thread, with its own
 * HTTP client; meanwhile the certificate is out of the workers' reach and
 * a reload waits. */
int	 sched_revoke(struct sched *s, const char *id, int reason,
	    struct http_client *http);

/* Deactivates the account named account on the endpoint named endpoint
 * (runtime_deactivate()), in the caller's thread, with its own HTTP
 * client; a reload waits meanwhile.  Refused while a certificate of the
 * configuration uses that account on that endpoint. */
int	 sched_deactivate(struct sched *s, const char *account,
	    const char *endpoint, struct http_client *http);

/* Asks the workers to finish (after their current renewal) and joins
 * them.  Returns the number of renewals that failed (for --once). */
int	 sched_stop(struct sched *s);

void	 sched_free(struct sched *s);

#endif
