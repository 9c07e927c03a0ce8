/*
 * period.c - ACMEd's duration syntax, the clock and the calendar (see
 * period.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "util/err.h"
#include "util/period.h"

/* Periods end up in time_t arithmetic: keep them well inside int64_t. */
#define PERIOD_MAX ((uint64_t)INT64_MAX)

static uint64_t
period_unit(char c)
{
	switch (c) {
	case 's': return 1;
	case 'm': return 60;
	case 'h': return 3600;
	case 'd': return 86400;
	case 'w': return 604800;
	default: return 0;
	}
}

int
period_parse(const char *s, uint64_t *seconds)
{
	const char *p = s;
	uint64_t total = 0;

	if (*p == '\0')
		return err_set("\"%s\": invalid duration: empty", s);
	while (*p != '\0') {
		uint64_t n = 0, unit, v;
		const char *start = p;

		while (*p >= '0' && *p <= '9') {
			if (n > (PERIOD_MAX - (uint64_t)(*p - '0')) / 10)
				return err_set("\"%s\": invalid duration: "
				    "number too large", s);
			n = n * 10 + (uint64_t)(*p - '0');
			p++;
		}
		if (p == start)
			return err_set("\"%s\": invalid duration: expected a "
			    "number at offset %td", s, p - s);
		if (*p == '\0')
			return err_set("\"%s\": invalid duration: missing unit "
			    "(s, m, h, d or w) after %.*s", s,
			    (int)(p - start), start);
		if ((unit = period_unit(*p)) == 0)
			return err_set("\"%s\": invalid duration: unknown unit "
			    "'%c' (expected s, m, h, d or w)", s, *p);
		if (n > PERIOD_MAX / unit)
			return err_set("\"%s\": invalid duration: too large",
			    s);
		v = n * unit;
		if (total > PERIOD_MAX - v)
			return err_set("\"%s\": invalid duration: too large",
			    s);
		total += v;
		p++;
	}
	*seconds = total;
	return 0;
}

long long
period_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
period_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
period_utc(int64_t t, char out[PERIOD_UTC_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, PERIOD_UTC_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, PERIOD_UTC_LEN, "?");
}
