/*
 * stop.h - the process-wide "we are shutting down" flag, and sleeps that
 * end early when it is raised.  Every wait of the daemon that can be long
 * (rate limits, Retry-After, backoff, polling) sleeps through
 * stop_sleep_ms(), so SIGTERM is honoured within moments.
 */
#ifndef ACMED_UTIL_STOP_H
#define ACMED_UTIL_STOP_H

/* Raises the flag and wakes every sleeper.  Async-signal-unsafe: call it
 * from the signal-handling thread, not from a handler. */
void	stop_set(void);

/* Lowers the flag again (tests, or a reload that is not a stop). */
void	stop_reset(void);

int	stop_is_set(void);

/* A descriptor that becomes readable when the flag is raised, for poll()
 * loops (util/spawn.c).  -1 if it could not be created. */
int	stop_fd(void);

/* Sleeps ms milliseconds.  0 after the full sleep; -1 with err
 * "shutting down" as soon as the flag is raised. */
int	stop_sleep_ms(long long ms);

#endif
