/*
 * schedheap.h - the scheduler's items (one per certificate) in a min-heap
 * by the moment each is next taken: its renewal or its next
 * renewal-information check, whichever comes first.
 *
 * Times are wall-clock seconds, since a renewal is due at a date of the
 * certificate's or of the CA's window.  But a backoff or a Retry-After
 * counts from when it was set: SCHED_REL_* marks such times, and when the
 * wall clock steps (sched_heap_step) they move with it.  Without that, a
 * clock set back by a month (a machine that booted with its clock ahead)
 * would put a one-minute retry off by a month.
 *
 * No locking here: the scheduler holds its lock around each call.
 */
#ifndef ACMED_DAEMON_SCHEDHEAP_H
#define ACMED_DAEMON_SCHEDHEAP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct lifecycle_pending;

/* Which of an item's times count from when they were set. */
#define SCHED_REL_DUE	0x1	/* due: a backoff, "now" */
#define SCHED_REL_ARI	0x2	/* ari_due: the "renew now" streak's backoff */
/* check always does: each is "ask again in so long". */

struct sched_item {
	size_t	 cert;		/* index in rt->cfg->certificates */
	time_t	 due;		/* the renewal */
	time_t	 own_due;	/* the certificate's own due date
				   (lifecycle_due), which a later window
				   of the CA's gives back */
	time_t	 check;		/* the next renewal-information check;
				   0: none */
	time_t	 ari_due;	/* the due time the CA's window set; 0 */
	int64_t	 not_after;	/* of the certificate on disk; 0: none */
	int	 failures;	/* renewals failed in a row */
	int	 check_failures;	/* checks failed in a row */
	int	 ari_streak;	/* checks in a row that said "renew now" */
	unsigned char rel;	/* SCHED_REL_* */
	unsigned char forced;	/* asked for (acmectl): due until renewed */
	unsigned char kept_file; /* an order kept on disk fits it (when
				   the configuration was read) */
	struct lifecycle_pending *order; /* kept by the last attempt; the
				   item owns it */
};

struct sched_heap {
	struct sched_item	*v;
	size_t			 n;
	size_t			 cap;
};

/* When the item is next taken from the heap. */
time_t	 sched_item_at(const struct sched_item *it);

/* Sets it->due; rel: it counts from now (SCHED_REL_DUE). */
void	 sched_item_due(struct sched_item *it, time_t due, int rel);

/* -1 with err (out of memory). */
int	 sched_heap_push(struct sched_heap *h, struct sched_item it);
/* The first item (h->n > 0), out of the heap. */
struct sched_item sched_heap_pop(struct sched_heap *h);
/* Item i, out of the heap. */
struct sched_item sched_heap_remove(struct sched_heap *h, size_t i);
/* Item i's times changed: moves it to its place. */
void	 sched_heap_fix(struct sched_heap *h, size_t i);
/* Restores the heap order after items were changed in place. */
void	 sched_heap_order(struct sched_heap *h);

/* The wall clock stepped by delta seconds (later when positive): moves
 * the times that count from when they were set by as much: of one item
 * (one out of the heap, which a worker has), or of every item of the
 * heap, whose order is then restored. */
void	 sched_item_step(struct sched_item *it, time_t delta);
void	 sched_heap_step(struct sched_heap *h, time_t delta);

#endif
