/*
 * ratelimit.c - sliding-window request limits (see ratelimit.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "acme/ratelimit.h"
#include "util/err.h"
#include "util/period.h"
#include "util/stop.h"

struct ratelimit_window {
	long long	*times;		/* ring of the last `number` requests */
	size_t		 number;
	size_t		 head;		/* oldest entry */
	size_t		 count;
	long long	 period_ms;
};

struct ratelimit {
	pthread_mutex_t		 mu;
	struct ratelimit_window	*w;
	size_t			 nw;
};

struct ratelimit *
ratelimit_new(void)
{
	struct ratelimit *rl;

	if ((rl = calloc(1, sizeof(*rl))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	pthread_mutex_init(&rl->mu, NULL);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	size_t i;

	if (rl == NULL)
		return;
	for (i = 0; i < rl->nw; i++)
		free(rl->w[i].times);
	free(rl->w);
	pthread_mutex_destroy(&rl->mu);
	free(rl);
}

int
ratelimit_add(struct ratelimit *rl, uint64_t number, uint64_t period_s)
{
	struct ratelimit_window *nw;

	if (number == 0)
		return err_set("a rate limit of 0 requests allows nothing");
	if (number > RATELIMIT_MAX_NUMBER)
		return err_set("a rate limit of more than %d requests is not "
		    "supported", RATELIMIT_MAX_NUMBER);
	if (period_s > (uint64_t)1 << 40)
		return err_set("rate limit period too long");
	nw = realloc(rl->w, (rl->nw + 1) * sizeof(*nw));
	if (nw == NULL)
		return err_set("out of memory");
	rl->w = nw;
	nw = &rl->w[rl->nw];
	if ((nw->times = calloc((size_t)number, sizeof(long long))) == NULL)
		return err_set("out of memory");
	nw->number = (size_t)number;
	nw->head = 0;
	nw->count = 0;
	nw->period_ms = (long long)period_s * 1000;
	rl->nw++;
	return 0;
}

long long
ratelimit_try(struct ratelimit *rl, long long now_ms)
{
	long long wait = 0, until;
	size_t i;

	pthread_mutex_lock(&rl->mu);
	for (i = 0; i < rl->nw; i++) {
		struct ratelimit_window *w = &rl->w[i];

		/* Forget requests that left the window. */
		while (w->count > 0 && w->times[w->head] + w->period_ms <=
		    now_ms) {
			w->head = (w->head + 1) % w->number;
			w->count--;
		}
		if (w->count == w->number) {
			until = w->times[w->head] + w->period_ms - now_ms;
			if (until > wait)
				wait = until;
		}
	}
	if (wait == 0) {
		for (i = 0; i < rl->nw; i++) {
			struct ratelimit_window *w = &rl->w[i];

			w->times[(w->head + w->count) % w->number] = now_ms;
			w->count++;
		}
	}
	pthread_mutex_unlock(&rl->mu);
	return wait;
}


int
ratelimit_acquire(struct ratelimit *rl)
{
	long long wait;

	if (rl == NULL || rl->nw == 0)
		return 0;
	while ((wait = ratelimit_try(rl, period_now_ms())) > 0)
		if (stop_sleep_ms(wait) == -1)
			return err_prefix("rate limit");
	return 0;
}
