/*
 * stop.c - shutdown flag and interruptible sleeps (see stop.h).
 */
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "util/err.h"
#include "util/stop.h"

static pthread_mutex_t stop_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cv;
static pthread_once_t stop_once = PTHREAD_ONCE_INIT;
static atomic_int stop_flag;
static int stop_efd = -1;

static void
stop_init(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&stop_cv, &ca);
	pthread_condattr_destroy(&ca);
	stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

void
stop_set(void)
{
	pthread_once(&stop_once, stop_init);
	pthread_mutex_lock(&stop_mu);
	atomic_store(&stop_flag, 1);
	pthread_cond_broadcast(&stop_cv);
	pthread_mutex_unlock(&stop_mu);
	if (stop_efd != -1) {
		uint64_t one = 1;

		if (write(stop_efd, &one, sizeof(one)) < 0) {
			/* Already signalled: the counter is not zero. */
		}
	}
}

void
stop_reset(void)
{
	uint64_t v;

	atomic_store(&stop_flag, 0);
	if (stop_efd != -1 && read(stop_efd, &v, sizeof(v)) < 0) {
		/* Not signalled: nothing to drain. */
	}
}

int
stop_fd(void)
{
	pthread_once(&stop_once, stop_init);
	return stop_efd;
}

int
stop_is_set(void)
{
	return atomic_load(&stop_flag);
}

int
stop_sleep_ms(long long ms)
{
	struct timespec until;
	int rc = 0;

	pthread_once(&stop_once, stop_init);
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&stop_mu);
	while (!atomic_load(&stop_flag)) {
		if (pthread_cond_timedwait(&stop_cv, &stop_mu, &until) != 0)
			break;	/* ETIMEDOUT */
	}
	if (atomic_load(&stop_flag))
		rc = err_set("shutting down");
	pthread_mutex_unlock(&stop_mu);
	return rc;
}
