/*
 * clockstep.h - hears the wall clock being set: by an NTP client that
 * steps it, date(1), a virtual machine resumed from a snapshot.  A timerfd
 * armed with TFD_TIMER_CANCEL_ON_SET, which each such set cancels; no
 * polling, so an idle daemon stays asleep.  Slewing (adjtime) is no step.
 */
#ifndef ACMED_UTIL_CLOCKSTEP_H
#define ACMED_UTIL_CLOCKSTEP_H

#include <time.h>

/* A descriptor for clockstep_wait(); -1 with err. */
int	 clockstep_open(void);

/* The wall clock minus CLOCK_BOOTTIME (which goes on during a suspend),
 * in seconds: what a step changes, and a suspend does not. */
time_t	 clockstep_offset(void);

/* Waits until the wall clock is set, or wake_fd becomes readable.  1: set
 * (also when it was set before the wait began: its offset is no longer
 * offset); 0: woken; -1 with err. */
int	 clockstep_wait(int fd, int wake_fd, time_t offset);

#endif
