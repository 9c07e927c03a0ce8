/*
 * scheduler.c - the worker pool around the due-time heap (see scheduler.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "acme/http.h"
#include "acme/request.h"
#include "daemon/lifecycle.h"
#include "daemon/notify.h"
#include "daemon/pending.h"
#include "daemon/schedheap.h"
#include "daemon/scheduler.h"
#include "util/clockstep.h"
#include "util/err.h"
#include "util/log.h"
#include "util/period.h"
#include "util/stop.h"

/* The certificate is due now, and after each failure until renewed. */
static void
sched_force(struct sched_item *it)
{
	it->forced = 1;
	sched_item_due(it, time(NULL), 1);
	it->check = 0;
}

/* What a worker does with a certificate that is out of the heap. */
#define SCHED_BUSY_CHECK	0x1	/* a renewal-information check */
#define SCHED_BUSY_RENEW	0x2
#define SCHED_BUSY_ASKED	0x4	/* acmectl asked for a renewal meanwhile */

/* The numbers of a certificate out of the heap, as they were when it was
 * taken: status and metrics go on reporting them while it is busy (an
 * expiry that vanished during each retry made alerts flap). */
struct sched_last {
	int64_t	 not_after;
	int	 failures;
	time_t	 clock_offset;	/* the item's times are in (sched_catch_up) */
};

struct sched {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct runtime		*rt;
	struct sched_heap	 h;
	unsigned char		*busy;	/* per certificate: SCHED_BUSY_* */
	struct sched_last	*last;	/* per certificate: set when busy */
	int			 running;
	int			 stopping;
	int			 reloading;
	struct runtime		*pending;	/* reload waiting for running == 0 */
	int			 failed;	/* renewals that failed */
	long			 renewed;	/* renewals that succeeded */
	struct sched_opts	 opts;
	time_t			 backoff_s;	/* first wait after a failure */
	pthread_t		*threads;
	int			 nthreads;
	/* The wall clock's watcher (not for --once). */
	pthread_t		 clock_thread;
	int			 clock_fd;	/* -1: none */
	int			 wake_fd;	/* stops it */
	time_t			 clock_offset;	/* clockstep_offset() that
						   the items' times are in */
};

/* The item is out of the heap now, for a worker or a revocation, under
 * s->mu. */
static void
sched_take(struct sched *s, const struct sched_item *it, unsigned char what)
{
	s->busy[it->cert] = what;
	s->last[it->cert].not_after = it->not_after;
	s->last[it->cert].failures = it->failures;
	s->last[it->cert].clock_offset = s->clock_offset;
}

/* An item out of the heap (a worker's, a revocation's) missed the wall
 * clock's steps since it was taken: its times that count from when they
 * were set follow now, before new ones are set beside them. */
static void
sched_catch_up(struct sched *s, struct sched_item *it)
{
	time_t delta;

	pthread_mutex_lock(&s->mu);
	delta = s->clock_offset - s->last[it->cert].clock_offset;
	s->last[it->cert].clock_offset = s->clock_offset;
	pthread_mutex_unlock(&s->mu);
	if (delta != 0)
		sched_item_step(it, delta);
}

static const char *
sched_id(const struct sched *s, size_t cert)
{
	return s->rt->cfg->certificates[cert].id;
}

/* Fills the heap from the files on disk.  A certificate that is not due
 * is checked at once for renewal information (RFC 9773): the CA may want
 * it renewed early. */
static int
sched_fill(struct sched *s)
{
	time_t now = time(NULL);
	char why[1024];
	size_t i;

	for (i = 0; i < s->rt->cfg->ncertificates; i++) {
		const struct config_certificate *c = &s->rt->cfg->certificates[i];
		struct sched_item it = { .cert = i };

		int kept_file;

		it.due = lifecycle_due(s->rt->cfg, c, now, why, sizeof(why),
		    &it.not_after, &kept_file);
		it.own_due = it.due;
		it.kept_file = (unsigned char)kept_file;
		/* An order an earlier process kept (its certificate may be
		 * issued already, and the order expires): read again now,
		 * also when the dates drawn this time (random_early_renew)
		 * or the renewal asked for (acmectl, the CA's window) no
		 * longer make the certificate on disk due. */
		if (it.due > now && it.kept_file) {
			it.due = now;
			snprintf(why, sizeof(why), "an order kept by an earlier "
			    "run waits for its certificate");
		}
		/* A date past is "now": it stays so if the clock is set
		 * back. */
		sched_item_due(&it, it.due, it.due <= now);
		if (it.due <= now)
			log_info("certificate \"%s\": renewal due now: %s",
			    c->id, why);
		else {
			log_debug("certificate \"%s\": %s", c->id, why);
			it.check = now;
		}
		if (sched_heap_push(&s->h, it) == -1)
			return -1;
	}
	return 0;
}

struct sched *
sched_new(struct runtime *rt, const struct sched_opts *o)
{
	const char *knob;
	struct sched *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		runtime_free(rt);
		err_set("out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->clock_fd = s->wake_fd = -1;
	s->clock_offset = clockstep_offset();
	s->rt = rt;
	s->opts = *o;
	if (s->opts.workers <= 0)
		s->opts.workers = SCHED_DEFAULT_WORKERS;
	s->backoff_s = 60;
	/* A test knob (see scheduler.h). */
	if ((knob = getenv("ACMED_SCHED_BACKOFF_S")) != NULL &&
	    atoi(knob) > 0 && atoi(knob) <= 60)
		s->backoff_s = atoi(knob);
	if ((s->busy = calloc(rt->cfg->ncertificates + 1, 1)) == NULL ||
	    (s->last = calloc(rt->cfg->ncertificates + 1,
	    sizeof(*s->last))) == NULL || sched_fill(s) == -1) {
		err_set("out of memory");
		sched_free(s);
		return NULL;
	}
	return s;
}

/* The longest a CA's Retry-After puts off a certificate's next attempt:
 * the backoff's longest step.  A CA (or a proxy in front of it) asking for
 * years would otherwise leave the certificate to expire unrenewed. */
#define SCHED_RETRY_AFTER_MAX	86400

/* The CA's Retry-After (s; -1: none) for the next attempt of certificate
 * cert, SCHED_RETRY_AFTER_MAX at most, with a warning when shortened. */
static long long
sched_retry_after(const struct sched *s, size_t cert, long long retry_after)
{
	if (retry_after <= SCHED_RETRY_AFTER_MAX)
		return retry_after;
	if (retry_after > ACME_RETRY_AFTER_CENTURY_S)
		log_warn("certificate \"%s\": the CA asks to wait more than "
		    "100 years before the next attempt: acmed waits %d s (a "
		    "day) at most", sched_id(s, cert), SCHED_RETRY_AFTER_MAX);
	else
		log_warn("certificate \"%s\": the CA asks to wait %lld s "
		    "(%lld days) before the next attempt: acmed waits %d s (a "
		    "day) at most", sched_id(s, cert), retry_after,
		    retry_after / 86400, SCHED_RETRY_AFTER_MAX);
	return SCHED_RETRY_AFTER_MAX;
}

/* 1 min, 10 min, 100 min, then a day; +-10 % so that many certificates
 * that failed together do not come back together.  Never before
 * retry_after (s, capped by the caller; -1: none). */
static time_t
sched_backoff(const struct sched *s, int failures, long long retry_after)
{
	const time_t steps[] = { s->backoff_s, s->backoff_s * 10,
	    s->backoff_s * 100, 86400 };
	time_t base = steps[failures - 1 < 3 ? failures - 1 : 3];
	unsigned int r = 0;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = 0;
	base = base * 9 / 10 + (time_t)(r % (unsigned)(base / 5 + 1));
	if (retry_after > base)
		base = (time_t)retry_after;
	return base;
}

/* A renewal-information check.  The CA's moment replaces the due date
 * when it comes first.  A CA that keeps saying "now" (for the
 * certificate it has just issued, or while renewals fail) is followed
 * after the renewal backoff, not at once: it must not make acmed issue in
 * a loop.  1 when the renewal is due now. */
static int
sched_check(struct sched *s, struct sched_item *it, struct http_client *http)
{
	const struct config_certificate *c = &s->rt->cfg->certificates[it->cert];
	time_t now, picked, at, recheck, wait;
	char why[1024], when[PERIOD_UTC_LEN];
	int rc, at_rel = 0;

	rc = lifecycle_check(s->rt, c, http, &picked, &at, &recheck, why,
	    sizeof(why));
	sched_catch_up(s, it);
	now = time(NULL);
	if (rc == 1) {
		log_debug("certificate \"%s\": %s", c->id, why);
		it->check = 0;
		it->check_failures = 0;
		it->ari_streak = 0;
		it->ari_due = 0;
		return 0;
	}
	if (rc == -1) {
		wait = sched_backoff(s, ++it->check_failures, recheck);
		it->check = now + wait;
		log_warn("certificate \"%s\": renewal information: %s; next "
		    "check in %lld s", c->id, err_msg(), (long long)wait);
		return 0;
	}
	it->check_failures = 0;
	it->check = now + recheck;
	/* The CA's own pick, not the moment the minimum age put it off to:
	 * a CA that says "now" about every certificate it has just issued
	 * is put off by the age at each renewal, and would never be backed
	 * off. */
	if (picked > now)
		it->ari_streak = 0;
	else if (++it->ari_streak > 1) {
		wait = sched_backoff(s, it->ari_streak - 1, -1);
		if (at < now + wait) {
			at = now + wait;
			at_rel = 1;
		}
		/* Its own due date, when sooner, comes first (below). */
		log_warn("certificate \"%s\": %s: the CA asks for a renewal "
		    "now %d times in a row: next attempt in %lld s", c->id,
		    why, it->ari_streak, (long long)((at < it->own_due ? at :
		    it->own_due) - now));
	}
	it->ari_due = at > now ? at : now;
	if (at_rel || at <= now)
		it->rel |= SCHED_REL_ARI;
	else
		it->rel &= (unsigned char)~SCHED_REL_ARI;
	/* The streak counts renewals, not checks: none before the renewal
	 * a "now" asked for, also when the age or the backoff puts it
	 * off. */
	if (it->ari_streak > 0 && it->check < it->ari_due)
		it->check = it->ari_due;
	/* Against the certificate's own date, not a moment an earlier
	 * answer set: a CA that moves its window later (an incident
	 * withdrawn) takes its earlier moment back. */
	if (at >= it->own_due) {
		if (it->due < it->own_due) {
			sched_item_due(it, it->own_due, it->own_due <= now);
			period_utc(it->due, when);
			log_info("certificate \"%s\": %s: renewal back at its "
			    "due date, %s", c->id, why, when);
		} else
			log_debug("certificate \"%s\": %s; renewal at its due "
			    "date", c->id, why);
		return 0;
	}
	sched_item_due(it, it->ari_due, it->rel & SCHED_REL_ARI);
	if (it->due == now)
		log_info("certificate \"%s\": %s: renewing now", c->id, why);
	else if (it->ari_streak <= 1) {
		period_utc(it->due, when);
		log_info("certificate \"%s\": %s: renewal at %s", c->id, why,
		    when);
	}
	return it->due <= now;
}

/* Where a renewal leaves the item (to be put back by the caller). */
static void
sched_done(struct sched *s, struct sched_item *itp, int ok,
    long long retry_after)
{
	const struct config_certificate *c = &s->rt->cfg->certificates[itp->cert];
	struct sched_item it;
	time_t now, wait;
	char why[1024];

	sched_catch_up(s, itp);
	it = *itp;
	now = time(NULL);

	it.due = lifecycle_due(s->rt->cfg, c, now, why, sizeof(why),
	    &it.not_after, NULL);
	it.own_due = it.due;
	sched_item_due(&it, it.due, it.due <= now);
	it.check = 0;
	it.ari_due = 0;
	if (ok)
		it.forced = 0;
	else if (it.forced)
		/* Asked for: the certificate on disk will not do, whatever
		 * its dates say. */
		sched_item_due(&it, now, 1);
	if (ok && it.due > now) {
		it.failures = 0;
		/* RFC 9773 section 4.3: ask about the new one at once. */
		it.check = now;
		log_debug("certificate \"%s\": %s", c->id, why);
	} else if (ok) {
		/* The files are not what we just wrote: each new certificate
		 * is a real issuance, so wait longer each time. */
		it.failures++;
		wait = sched_backoff(s, it.failures, -1);
		sched_item_due(&it, now + wait, 1);
		log_warn("certificate \"%s\": still due after renewal (%s); "
		    "next attempt in %lld s", c->id, why, (long long)wait);
	} else if (it.due > now) {
		retry_after = sched_retry_after(s, it.cert, retry_after);
		/* Failed after the new files were in place (a file-post-*
		 * hook): retrying would only issue another certificate.  Or
		 * the CA's renewal information asked for this renewal: a
		 * check at once tells, and its "now" streak backs off.
		 * Counted, for status and metrics. */
		it.failures++;
		it.check = now + (retry_after > 0 ? (time_t)retry_after : 0);
		log_info("certificate \"%s\": the certificate on disk is "
		    "not due (%s): no early retry", c->id, why);
	} else {
		it.failures++;
		wait = sched_backoff(s, it.failures,
		    sched_retry_after(s, it.cert, retry_after));
		sched_item_due(&it, now + wait, 1);
		log_info("certificate \"%s\": next attempt in %lld s", c->id,
		    (long long)wait);
	}
	*itp = it;
}

static void	sched_swap(struct sched *);

/* The end of a piece of work that kept a reload waiting (s->running),
 * under s->mu: the last one swaps in a reload waiting for it. */
static void
sched_release(struct sched *s)
{
	/* Stopping: the new configuration would only be read. */
	if (--s->running == 0 && s->pending != NULL && !stop_is_set())
		sched_swap(s);
	pthread_cond_broadcast(&s->cv);
}

/* A certificate taken out of the heap is done with, under s->mu: it goes
 * back (unless it is NULL) in the same critical section as it stops being
 * busy, so that no other worker takes it meanwhile. */
static void
sched_leave(struct sched *s, size_t cert, const struct sched_item *it)
{
	s->busy[cert] = 0;
	if (it != NULL && sched_heap_push(&s->h, *it) == -1) {
		log_error("certificate \"%s\": %s", sched_id(s, cert),
		    err_msg());
		pending_free(it->order);
	}
	sched_release(s);
}

static void *
sched_worker(void *arg)
{
	struct sched *s = arg;
	struct http_client *http;
	struct timespec until;
	struct sched_item it;
	long long retry_after;
	int ok, checking, requeue, keep;

	if ((http = http_client_new()) == NULL) {
		log_error("worker: %s", err_msg());
		return NULL;
	}
	pthread_mutex_lock(&s->mu);
	for (;;) {
		if (s->stopping)
			break;
		if (s->reloading || s->h.n == 0) {
			if (s->opts.once && s->h.n == 0 && s->running == 0) {
				if (s->opts.on_finish != NULL)
					s->opts.on_finish(s->opts.arg);
				s->opts.on_finish = NULL;
			}
			pthread_cond_wait(&s->cv, &s->mu);
			continue;
		}
		if (sched_item_at(&s->h.v[0]) > time(NULL)) {
			until.tv_sec = sched_item_at(&s->h.v[0]);
			until.tv_nsec = 0;
			pthread_cond_timedwait(&s->cv, &s->mu, &until);
			continue;
		}
		it = sched_heap_pop(&s->h);
		s->running++;
		checking = it.due > time(NULL);
		sched_take(s, &it, checking ? SCHED_BUSY_CHECK :
		    SCHED_BUSY_RENEW);
		pthread_mutex_unlock(&s->mu);

		/* --once: what is not due now is not its job. */
		requeue = !s->opts.once;
		if (checking) {
			ok = sched_check(s, &it, http);
			pthread_mutex_lock(&s->mu);
			if (s->busy[it.cert] & SCHED_BUSY_ASKED) {
				sched_force(&it);
				ok = 1;
			}
			s->busy[it.cert] = SCHED_BUSY_RENEW;
			pthread_mutex_unlock(&s->mu);
			if (!ok || stop_is_set())
				goto next;
		}
		log_debug("certificate \"%s\": renewing", sched_id(s, it.cert));
		ok = lifecycle_renew(s->rt, &s->rt->cfg->certificates[it.cert],
		    http, &it.order, &retry_after) == 0;
		if (!ok)
			log_error("certificate \"%s\": %s", sched_id(s, it.cert),
			    err_msg());
		if (!ok && !stop_is_set())
			__atomic_add_fetch(&s->failed, 1, __ATOMIC_RELAXED);
		if (ok)
			__atomic_add_fetch(&s->renewed, 1, __ATOMIC_RELAXED);
		if (requeue && !stop_is_set())
			sched_done(s, &it, ok, retry_after);
next:
		/* Read once: an item neither put back nor freed would leak
		 * the order it keeps. */
		keep = requeue && !stop_is_set();
		if (!keep) {
			pending_free(it.order);
			it.order = NULL;
		}
		pthread_mutex_lock(&s->mu);
		sched_leave(s, it.cert, keep ? &it : NULL);
	}
	pthread_mutex_unlock(&s->mu);
	http_client_free(http);
	return NULL;
}

/* Follows the wall clock's steps: a backoff or a check counts from when
 * it was set, and keeps its wait (sched_heap_step).  A renewal due at a
 * date stays at that date. */
static void *
sched_clock(void *arg)
{
	struct sched *s = arg;
	time_t offset, delta;
	int rc;

	while ((rc = clockstep_wait(s->clock_fd, s->wake_fd,
	    s->clock_offset)) == 1) {
		pthread_mutex_lock(&s->mu);
		offset = clockstep_offset();
		delta = offset - s->clock_offset;
		/* The two clocks' seconds tick apart: 1 s is no step. */
		if (delta > 1 || delta < -1) {
			s->clock_offset = offset;
			sched_heap_step(&s->h, delta);
			log_info("the wall clock was set %lld s %s: retries "
			    "and checks keep their waits, renewals their "
			    "dates", (long long)(delta < 0 ? -delta : delta),
			    delta < 0 ? "back" : "forward");
			pthread_cond_broadcast(&s->cv);
		}
		pthread_mutex_unlock(&s->mu);
	}
	if (rc == -1)
		log_warn("wall clock steps: %s: no longer followed",
		    err_msg());
	return NULL;
}

static void
sched_clock_close(struct sched *s)
{
	if (s->clock_fd != -1)
		close(s->clock_fd);
	if (s->wake_fd != -1)
		close(s->wake_fd);
	s->clock_fd = s->wake_fd = -1;
}

/* A worker's deepest stack is an OpenSSL handshake inside libcurl inside
 * a renewal: well under this; the default 8 MiB would only be address
 * space, but touched pages of eight of them are not. */
#define SCHED_STACK_SIZE	(512u * 1024)

int
sched_start(struct sched *s)
{
	pthread_attr_t attr;
	int i, rc;

	if ((s->threads = calloc((size_t)s->opts.workers,
	    sizeof(*s->threads))) == NULL)
		return err_set("out of memory");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, SCHED_STACK_SIZE);
	for (i = 0; i < s->opts.workers; i++) {
		rc = pthread_create(&s->threads[i], &attr, sched_worker, s);
		if (rc != 0) {
			pthread_attr_destroy(&attr);
			err_set("cannot start worker threads");
			sched_stop(s);
			return -1;
		}
		s->nthreads++;
	}
	/* Without it, a clock set back only puts retries off. */
	if (!s->opts.once && ((s->clock_fd = clockstep_open()) == -1 ||
	    (s->wake_fd = eventfd(0, EFD_CLOEXEC)) == -1 ||
	    pthread_create(&s->clock_thread, &attr, sched_clock, s) != 0)) {
		if (s->clock_fd != -1)
			err_set("cannot start a thread");
		log_warn("wall clock steps will not be followed: %s",
		    err_msg());
		sched_clock_close(s);
	}
	pthread_attr_destroy(&attr);
	return 0;
}

static int
item_cmp_id(const void *a, const void *b, void *arg)
{
	const struct sched *s = arg;
	const struct sched_item *x = a, *y = b;

	return strcmp(sched_id(s, x->cert), sched_id(s, y->cert));
}

/* What a certificate's item keeps over a reload: a backoff, and the
 * renewal-information state (the next check, and the CA's moment when it
 * came before the due date): a reload must not ask the CA about every
 * certificate again. */
static void
sched_carry(struct sched_item *it, const struct sched_item *old)
{
	if (old->forced) {
		it->forced = old->forced;
		sched_item_due(it, old->due, old->rel & SCHED_REL_DUE);
		it->failures = old->failures;
		it->check = 0;
		return;
	}
	if (old->failures > 0 && old->due > it->due) {
		it->failures = old->failures;
		sched_item_due(it, old->due, old->rel & SCHED_REL_DUE);
	}
	/* Not due, and the same certificate as before the reload. */
	if (it->check == 0 || old->not_after != it->not_after ||
	    (old->check == 0 && old->failures > 0))
		return;
	it->check = old->check;
	it->check_failures = old->check_failures;
	it->ari_streak = old->ari_streak;
	if (old->ari_due != 0) {
		it->ari_due = old->ari_due;
		it->rel |= old->rel & SCHED_REL_ARI;
		if (it->ari_due < it->due)
			sched_item_due(it, it->ari_due,
			    it->rel & SCHED_REL_ARI);
	}
}

/* Swaps s->pending in, under s->mu with no renewal running. */
static void
sched_swap(struct sched *s)
{
	struct runtime *rt = s->pending, *old_rt;
	const struct config_certificate **heirs = NULL;
	struct sched_item *old;
	unsigned char *busy;
	struct sched_last *last = NULL;
	size_t nold, nheirs, i, j;

	s->pending = NULL;
	/* No renewal runs: nobody is busy, in either configuration. */
	if ((busy = calloc(rt->cfg->ncertificates + 1, 1)) == NULL ||
	    (last = calloc(rt->cfg->ncertificates + 1,
	    sizeof(*last))) == NULL) {
		free(busy);
		log_error("reload: out of memory: the configuration stays as "
		    "it was");
		notify_send("READY=1\nSTATUS=reload failed: out of memory");
		runtime_free(rt);
		s->reloading = 0;
		pthread_cond_broadcast(&s->cv);
		return;
	}
	free(s->busy);
	s->busy = busy;
	free(s->last);
	s->last = last;
	old = s->h.v;
	nold = s->h.n;
	old_rt = s->rt;
	/* Sorted by id, to carry backoffs over in O(n log n). */
	qsort_r(old, nold, sizeof(*old), item_cmp_id, s);
	memset(&s->h, 0, sizeof(s->h));
	s->rt = rt;
	/* Under s->mu: a key rotation's account file hooks, when a reload
	 * changed an account's key type, hold the control socket's answers
	 * meanwhile (nothing else runs). */
	runtime_take_over(rt);
	if (sched_fill(s) == -1)
		log_error("reload: %s", err_msg());
	for (i = 0; i < s->h.n; i++) {
		size_t lo = 0, hi = nold;
		const char *id = sched_id(s, s->h.v[i].cert);

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int c = strcmp(old_rt->cfg->certificates[old[mid].cert].id,
			    id);

			if (c == 0) {
				lo = mid;
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		j = lo;
		if (j >= nold || strcmp(old_rt->cfg->certificates[old[j].cert].id,
		    id) != 0)
			continue;
		sched_carry(&s->h.v[i], &old[j]);
		/* An order kept for the same certificate is read again by
		 * the next attempt: ordering anew would have the CA issue
		 * twice. */
		if (old[j].order != NULL && lifecycle_pending_fits(
		    old_rt->cfg, &old_rt->cfg->certificates[old[j].cert],
		    rt->cfg, &rt->cfg->certificates[s->h.v[i].cert])) {
			s->h.v[i].order = old[j].order;
			old[j].order = NULL;
		}
	}
	/* Items may have moved: restore the heap order. */
	sched_heap_order(&s->h);
	s->reloading = 0;
	pthread_cond_broadcast(&s->cv);
	/* The other kept orders were made for another endpoint, account,
	 * names or files, or for a certificate renamed or gone: a file one
	 * of the new certificates can use stays for it (sched_fill() has
	 * made that one due). */
	for (i = 0, nheirs = 0; i < s->h.n; i++)
		nheirs += s->h.v[i].kept_file;
	if (nheirs > 0 && (heirs = calloc(nheirs, sizeof(*heirs))) == NULL)
		nheirs = 0;	/* out of memory: the files go */
	for (i = 0, j = 0; j < nheirs && i < s->h.n; i++)
		if (s->h.v[i].kept_file)
			heirs[j++] = &rt->cfg->certificates[s->h.v[i].cert];
	for (i = 0; i < nold; i++)
		lifecycle_pending_release(old_rt->cfg,
		    &old_rt->cfg->certificates[old[i].cert], rt->cfg, heirs,
		    nheirs, old[i].order);
	free(heirs);
	free(old);
	runtime_free(old_rt);
	log_info("configuration reloaded: %zu certificate%s",
	    rt->cfg->ncertificates, rt->cfg->ncertificates == 1 ? "" : "s");
	notify_send("READY=1\nSTATUS=%zu certificate%s",
	    rt->cfg->ncertificates, rt->cfg->ncertificates == 1 ? "" : "s");
}

/* Returns at once: the signal thread must stay free to hear SIGTERM while
 * renewals finish.  The last of them swaps the new runtime in. */
int
sched_reload(struct sched *s, struct runtime *rt)
{
	int running;

	pthread_mutex_lock(&s->mu);
	/* A configuration swapped in while stopping would only be read
	 * (and its account files rewritten). */
	if (stop_is_set()) {
		pthread_mutex_unlock(&s->mu);
		runtime_free(rt);
		log_info("reload: stopping, not reloaded");
		return -1;
	}
	if (s->pending != NULL) {
		log_info("reload: the configuration still waiting is "
		    "replaced by the new one");
		runtime_free(s->pending);
	}
	s->pending = rt;
	s->reloading = 1;
	if (s->running == 0)
		sched_swap(s);
	else
		log_info("reload: waiting for %d renewal%s in progress",
		    s->running, s->running == 1 ? "" : "s");
	running = s->running;
	pthread_mutex_unlock(&s->mu);
	return running;
}

int
sched_reload_waiting(struct sched *s)
{
	int waiting;

	pthread_mutex_lock(&s->mu);
	waiting = s->pending != NULL;
	pthread_mutex_unlock(&s->mu);
	return waiting;
}

/* Where each certificate's item is in the heap (SIZE_MAX: being
 * renewed), under s->mu.  Allocated; NULL with err. */
static size_t *
sched_positions(const struct sched *s)
{
	size_t *pos, i;

	if ((pos = malloc((s->rt->cfg->ncertificates + 1) *
	    sizeof(*pos))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	for (i = 0; i < s->rt->cfg->ncertificates; i++)
		pos[i] = SIZE_MAX;
	for (i = 0; i < s->h.n; i++)
		pos[s->h.v[i].cert] = i;
	return pos;
}

static int
sched_time(struct buf *out, int64_t t)
{
	char text[PERIOD_UTC_LEN];

	if (t <= 0)
		return buf_puts(out, "-");
	period_utc(t, text);
	return buf_puts(out, text);
}

/* The expiry and the failures of certificate i (pos: sched_positions()):
 * its item's, or while it is out of the heap (busy), those it had when
 * it was taken: the certificate on disk is as it was. */
static struct sched_last
sched_numbers(const struct sched *s, const size_t *pos, size_t i)
{
	struct sched_last l = s->last[i];

	if (pos[i] != SIZE_MAX) {
		l.not_after = s->h.v[pos[i]].not_after;
		l.failures = s->h.v[pos[i]].failures;
	}
	return l;
}

int
sched_status(struct sched *s, struct buf *out)
{
	const struct sched_item *it;
	struct sched_last l;
	time_t now = time(NULL);
	size_t *pos, i;
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	if ((pos = sched_positions(s)) == NULL) {
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	rc = buf_puts(out, "certificate\tstate\tdue\tcheck\texpires\t"
	    "failures\n");
	for (i = 0; i < s->rt->cfg->ncertificates && rc == 0; i++) {
		it = pos[i] == SIZE_MAX ? NULL : &s->h.v[pos[i]];
		rc |= buf_printf(out, "%s\t%s\t", sched_id(s, i), it == NULL ?
		    (s->busy[i] & SCHED_BUSY_CHECK ? "checking" : "renewing") :
		    it->forced ? "requested" : it->due <= now ? "due" :
		    it->failures > 0 ? "failing" : "valid");
		rc |= sched_time(out, it ? it->due : 0);
		rc |= buf_putc(out, '\t');
		rc |= sched_time(out, it ? it->check : 0);
		rc |= buf_putc(out, '\t');
		l = sched_numbers(s, pos, i);
		rc |= sched_time(out, l.not_after);
		rc |= buf_printf(out, "\t%d\n", l.failures);
	}
	pthread_mutex_unlock(&s->mu);
	free(pos);
	return rc == -1 ? err_set("the answer is too long") : 0;
}

/* A label value of the Prometheus text format. */
static int
sched_label(struct buf *out, const char *v)
{
	int rc = 0;

	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			rc |= buf_putc(out, '\\');
		if (*v == '\n')
			rc |= buf_puts(out, "\\n");
		else
			rc |= buf_putc(out, *v);
	}
	return rc;
}

int
sched_metrics(struct sched *s, struct buf *out)
{
	static const struct {
		const char	*name;
		const char	*help;
	} per[] = {
		{ "acmed_certificate_expiry_timestamp_seconds",
		    "notAfter of the certificate on disk." },
		{ "acmed_certificate_renewal_timestamp_seconds",
		    "When the certificate is next renewed." },
		{ "acmed_certificate_failures",
		    "Renewals of the certificate that failed in a row." },
	};
	struct sched_last l;
	size_t *pos, i, k;
	int64_t v;
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	if ((pos = sched_positions(s)) == NULL) {
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	rc |= buf_printf(out, "# HELP acmed_certificates Certificates in the "
	    "configuration.\n# TYPE acmed_certificates gauge\n"
	    "acmed_certificates %zu\n", s->rt->cfg->ncertificates);
	rc |= buf_printf(out, "# HELP acmed_renewals_total Renewals since the start, "
	    "by result.\n# TYPE acmed_renewals_total counter\n"
	    "acmed_renewals_total{result=\"success\"} %ld\n"
	    "acmed_renewals_total{result=\"failure\"} %d\n",
	    __atomic_load_n(&s->renewed, __ATOMIC_RELAXED),
	    __atomic_load_n(&s->failed, __ATOMIC_RELAXED));
	for (k = 0; k < sizeof(per) / sizeof(*per); k++) {
		rc |= buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", per[k].name,
		    per[k].help, per[k].name);
		for (i = 0; i < s->rt->cfg->ncertificates; i++) {
			/* Busy: the next renewal is being worked out, and is
			 * left out; the expiry and the failures are as they
			 * were (a gap in them would fire and clear alerts at
			 * each retry). */
			l = sched_numbers(s, pos, i);
			if (k == 0)
				v = l.not_after;
			else if (k == 2)
				v = l.failures;
			else if (pos[i] != SIZE_MAX)
				v = (int64_t)s->h.v[pos[i]].due;
			else
				continue;
			if (k == 0 && v == 0)
				continue;
			rc |= buf_printf(out, "%s{certificate=\"", per[k].name);
			rc |= sched_label(out, sched_id(s, i));
			rc |= buf_printf(out, "\"} %lld\n", (long long)v);
		}
	}
	pthread_mutex_unlock(&s->mu);
	free(pos);
	return rc == -1 ? err_set("the answer is too long") : 0;
}

/* The error for an id no certificate has.  --check-config and the
 * configuration name a certificate ("name", or its first identifier); its
 * id adds the key type: the ids of that name are named, not guessed, as
 * several key types may share it and a revocation is for good. */
static void
sched_no_such(const struct sched *s, const char *id)
{
	const struct config *cfg = s->rt->cfg;
	char msg[ERR_MSG_MAX];
	size_t i, len, found = 0, total = 0;

	len = (size_t)snprintf(msg, sizeof(msg), "no certificate \"%s\"", id);
	for (i = 0; i < cfg->ncertificates; i++)
		total += strcmp(cfg->certificates[i].name, id) == 0;
	/* A few, in a short line. */
	for (i = 0; i < cfg->ncertificates && found < 3 && len < sizeof(msg);
	    i++) {
		if (strcmp(cfg->certificates[i].name, id) != 0)
			continue;
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s\"%s\"",
		    found == 0 ? " (did you mean " : found + 1 == total ?
		    " or " : ", ", cfg->certificates[i].id);
		found++;
	}
	if (found > 0 && len < sizeof(msg))
		snprintf(msg + len, sizeof(msg) - len, "%s?)", found < total ?
		    ", ..." : "");
	err_set("%s", msg);
}

/* The heap position of the certificate named id, under s->mu.  SIZE_MAX
 * with err when it is not in the heap: no such certificate, a reload
 * waiting, or a worker busy with it (*busy: the certificate's index, else
 * SIZE_MAX). */
static size_t
sched_find(struct sched *s, const char *id, size_t *busy)
{
	size_t i;

	*busy = SIZE_MAX;
	if (s->pending != NULL) {
		err_set("a reload is waiting for the renewals in progress: "
		    "ask again once it is done");
		return SIZE_MAX;
	}
	for (i = 0; i < s->h.n; i++)
		if (strcmp(sched_id(s, s->h.v[i].cert), id) == 0)
			return i;
	for (i = 0; i < s->rt->cfg->ncertificates; i++)
		if (strcmp(sched_id(s, i), id) == 0)
			break;
	if (i == s->rt->cfg->ncertificates)
		sched_no_such(s, id);
	else {
		*busy = i;
		err_set("certificate \"%s\" is being %s now", id,
		    s->busy[i] & SCHED_BUSY_CHECK ? "checked" : "renewed");
	}
	return SIZE_MAX;
}

int
sched_renew_now(struct sched *s, const char *id)
{
	size_t i, busy;
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	if ((i = sched_find(s, id, &busy)) != SIZE_MAX) {
		/* Now may be later than an overdue item's time. */
		sched_force(&s->h.v[i]);
		sched_heap_fix(&s->h, i);
		pthread_cond_broadcast(&s->cv);
	} else if (busy != SIZE_MAX && (s->busy[busy] & SCHED_BUSY_CHECK)) {
		/* Its worker renews it once the check is done. */
		s->busy[busy] |= SCHED_BUSY_ASKED;
		err_clear();
	} else
		rc = -1;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int
sched_revoke(struct sched *s, const char *id, int reason,
    struct http_client *http)
{
	struct sched_item it;
	size_t i, busy;
	int rc, marked;

	pthread_mutex_lock(&s->mu);
	if ((i = sched_find(s, id, &busy)) == SIZE_MAX) {
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	/* Out of the heap, so that no worker renews it meanwhile (and the
	 * new certificate is not the one revoked); running, so that a
	 * reload waits. */
	it = sched_heap_remove(&s->h, i);
	s->running++;
	sched_take(s, &it, SCHED_BUSY_RENEW);
	pthread_mutex_unlock(&s->mu);

	/* An order kept by a failed attempt may be for the key revoked:
	 * given up, its copy on disk too. */
	lifecycle_pending_drop(s->rt->cfg, &s->rt->cfg->certificates[it.cert],
	    it.order);
	it.order = NULL;
	rc = lifecycle_revoke(s->rt, &s->rt->cfg->certificates[it.cert], http,
	    reason, &marked);
	sched_catch_up(s, &it);
	/* A revoked certificate will not do, whatever its dates. */
	if (rc == 0 || marked)
		sched_force(&it);
	pthread_mutex_lock(&s->mu);
	sched_leave(s, it.cert, &it);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int
sched_deactivate(struct sched *s, const char *account, const char *endpoint,
    struct http_client *http)
{
	const struct config *cfg;
	const struct config_account *a = NULL;
	const struct config_endpoint *e = NULL;
	struct runtime *rt;
	size_t i, users = 0, first = 0;
	int rc;

	pthread_mutex_lock(&s->mu);
	cfg = s->rt->cfg;
	for (i = 0; i < cfg->naccounts && a == NULL; i++)
		if (strcmp(cfg->accounts[i].name, account) == 0)
			a = &cfg->accounts[i];
	for (i = 0; i < cfg->nendpoints && e == NULL; i++)
		if (strcmp(cfg->endpoints[i].name, endpoint) == 0)
			e = &cfg->endpoints[i];
	/* The CA knows the account by its key, whatever the endpoint's
	 * name: another name for the same URL, or one the account has the
	 * same registration on (the URL written another way), is the same
	 * account. */
	for (i = 0; a != NULL && e != NULL && i < cfg->ncertificates; i++) {
		const struct config_certificate *c = &cfg->certificates[i];

		if (c->account == a && (strcmp(c->endpoint->url,
		    e->url) == 0 || acme_account_same_registration(
		    runtime_account(s->rt, a), e->name, c->endpoint->name)) &&
		    users++ == 0)
			first = i;
	}
	/* For good: not for an account certificates still need, nor while
	 * a reload, which may need it, waits. */
	if (a == NULL || e == NULL || users > 0 || s->pending != NULL) {
		if (s->pending != NULL)
			err_set("a reload is waiting for renewals in progress: "
			    "try again once it is done");
		else if (a == NULL)
			err_set("no account \"%s\" in the configuration",
			    account);
		else if (e == NULL)
			err_set("no endpoint \"%s\" in the configuration",
			    endpoint);
		else
			err_set("account \"%s\" is what certificate \"%s\"%s "
			    "use%s on endpoint \"%s\", the same account for "
			    "the CA: take %s out of the configuration (and "
			    "reload) first", account,
			    cfg->certificates[first].id, users > 1 ?
			    " and others" : "", users > 1 ? "" : "s",
			    cfg->certificates[first].endpoint->name,
			    users > 1 ? "them" : "it");
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	/* Running, so that a reload waits. */
	s->running++;
	rt = s->rt;
	pthread_mutex_unlock(&s->mu);

	rc = runtime_deactivate(rt, a, e, http);
	pthread_mutex_lock(&s->mu);
	sched_release(s);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int
sched_stop(struct sched *s)
{
	int i;

	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	s->nthreads = 0;
	if (s->wake_fd != -1) {
		(void)eventfd_write(s->wake_fd, 1);
		pthread_join(s->clock_thread, NULL);
	}
	sched_clock_close(s);
	return s->failed;
}

void
sched_free(struct sched *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->nthreads > 0)
		sched_stop(s);
	free(s->threads);
	for (i = 0; i < s->h.n; i++)
		pending_free(s->h.v[i].order);
	free(s->h.v);
	free(s->busy);
	free(s->last);
	runtime_free(s->pending);
	runtime_free(s->rt);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
