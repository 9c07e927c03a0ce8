/*
 * period.h - ACMEd time periods: one or more <digits><unit> pairs with no
 * space or sign, units s m h d w (lower case only), summed in any order:
 * "1d42s" and "40s20h4h2s" are both 86442 seconds.  And the one clock
 * that measures time spans (timeouts, deadlines, ages), and the one
 * calendar computation of the date readers.
 */
#ifndef ACMED_UTIL_PERIOD_H
#define ACMED_UTIL_PERIOD_H

#include <stdint.h>

/* Parses s into seconds.  -1 with err "<s>: invalid duration" (plus the
 * reason) on empty input, a unit without a number, a number without a
 * unit, an unknown unit, or overflow. */
int	period_parse(const char *s, uint64_t *seconds);

/* Days from 1970-01-01 to y-m-d (month 1-12) of the proleptic Gregorian
 * calendar (H. Hinnant's days_from_civil), for the readers of dates
 * (certificates, RFC 3339): independent of time_t and the TZ. */
int64_t	period_days_from_civil(int64_t y, int m, int d);

/* t (seconds since the epoch) as "2026-11-29T10:00:00Z" into out; "?"
 * when gmtime() cannot take it. */
#define PERIOD_UTC_LEN	32
void	period_utc(int64_t t, char out[PERIOD_UTC_LEN]);

/* CLOCK_MONOTONIC in milliseconds: never steps with the wall clock. */
long long period_now_ms(void);

#endif
