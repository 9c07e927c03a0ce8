/*
 * period.h - ACMEd time periods: one or more <digits><unit> pairs with no
 * space or sign, units s m h d w (lower case only), summed in any order:
 * "1d42s" and "40s20h4h2s" are both 86442 seconds.  And the one clock
 * that measures time spans (timeouts, deadlines, ages).
 */
#ifndef ACMED_UTIL_PERIOD_H
#define ACMED_UTIL_PERIOD_H

#include <stdint.h>

/* Parses s into seconds.  -1 with err "<s>: invalid duration" (plus the
 * reason) on empty input, a unit without a number, a number without a
 * unit, an unknown unit, or overflow. */
int	period_parse(const char *s, uint64_t *seconds);

/* CLOCK_MONOTONIC in milliseconds: never steps with the wall clock. */
long long period_now_ms(void);

#endif
