/*
 * ratelimit.h - the configured [[rate-limit]]s of an endpoint: at most
 * `number` requests in any window of `period` seconds, shared by every
 * worker.  A true sliding window over the times of past requests, on the
 * monotonic clock, that never divides by the number and never sleeps when
 * a request is allowed (ACMEd did all three wrong).
 */
#ifndef ACMED_ACME_RATELIMIT_H
#define ACMED_ACME_RATELIMIT_H

#include <stdint.h>

/* Larger numbers would need too much memory for the window. */
#define RATELIMIT_MAX_NUMBER 100000

struct ratelimit;

struct ratelimit *ratelimit_new(void);
void	 ratelimit_free(struct ratelimit *rl);

/* Adds a limit.  -1 with err when number is 0 or too large. */
int	 ratelimit_add(struct ratelimit *rl, uint64_t number,
	    uint64_t period_s);

/* If a request is allowed at now_ms, records it and returns 0; otherwise
 * returns how many milliseconds to wait.  Thread-safe. */
long long ratelimit_try(struct ratelimit *rl, long long now_ms);

/* Waits until a request is allowed and records it.  Returns -1 (with err)
 * when the daemon is stopping (util/stop.h). */
int	 ratelimit_acquire(struct ratelimit *rl);

#endif
