/*
 * clockstep.c - hears the wall clock being set (see clockstep.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "util/clockstep.h"
#include "util/err.h"

int
clockstep_open(void)
{
	int fd;

	if ((fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC |
	    TFD_NONBLOCK)) == -1)
		return err_sys("timerfd_create");
	return fd;
}

time_t
clockstep_offset(void)
{
	struct timespec wall, boot;

	/* CLOCK_BOOTTIME, not CLOCK_MONOTONIC: it counts a suspend, which
	 * the wall clock spans too (and which cancels the timer as a set
	 * does): a night asleep is no step. */
	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return wall.tv_sec - boot.tv_sec;
}

int
clockstep_wait(int fd, int wake_fd, time_t offset)
{
	/* Absolute and far off: it only ever fires by being cancelled.  A
	 * cancelled timer stays so until armed again. */
	struct itimerspec far = { .it_value = { .tv_sec = time(NULL) +
	    100LL * 365 * 86400 } };
	struct pollfd pfd[2] = { { fd, POLLIN, 0 }, { wake_fd, POLLIN, 0 } };
	uint64_t ticks;
	time_t d;

	if (timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
	    &far, NULL) == -1)
		return err_sys("timerfd_settime");
	/* Set between the caller's reading of the offset and the arming. */
	d = clockstep_offset() - offset;
	if (d > 1 || d < -1)
		return 1;
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			return err_sys("poll");
		}
		if (pfd[1].revents != 0)
			return 0;
		if (read(fd, &ticks, sizeof(ticks)) == -1 && errno == EAGAIN)
			continue;
		/* ECANCELED: set.  A tick, in a century: set too, for
		 * all the caller can tell. */
		return 1;
	}
}
