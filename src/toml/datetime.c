/*
 * datetime.c - RFC 3339 dates and times as TOML 1.0 takes them: offset
 * date-time, local date-time, local date, local time.  Seconds are
 * required (1.0), the fraction may have any number of digits, and calendar
 * ranges (February 29, day 31...) are checked.
 */
#include <stdlib.h>
#include <string.h>

#include "toml/internal.h"
#include "util/err.h"

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * A token that starts with digits followed by '-' or ':' can only be a
 * date or a time; sending it here gives better messages than the number
 * parser would ("1987-7-05": "month must have 2 digits").
 */
int
toml_looks_like_datetime(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && is_digit((unsigned char)s[i]); i++)
		;
	return i > 0 && i < len && (s[i] == '-' || s[i] == ':');
}

/* n digits at s[*i], stored in *out. */
static int
fixed(const char *s, size_t len, size_t *i, size_t n, int *out)
{
	size_t k;
	int v = 0;

	for (k = 0; k < n; k++) {
		if (*i + k >= len || !is_digit((unsigned char)s[*i + k]))
			return -1;
		v = v * 10 + (s[*i + k] - '0');
	}
	/* Exactly n: "02026" is not a 4-digit year. */
	if (*i + n < len && is_digit((unsigned char)s[*i + n]))
		return -1;
	*i += n;
	*out = v;
	return 0;
}

static int
expect(const char *s, size_t len, size_t *i, char c)
{
	if (*i >= len || s[*i] != c)
		return -1;
	(*i)++;
	return 0;
}

static int
days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (month == 2 && year % 4 == 0 && (year % 100 != 0 ||
	    year % 400 == 0))
		return 29;
	return days[month - 1];
}

static int
parse_date(const char *s, size_t len, size_t *i, struct toml_datetime *dt)
{
	if (fixed(s, len, i, 4, &dt->year) == -1)
		return err_set("the year must have 4 digits");
	if (expect(s, len, i, '-') == -1 ||
	    fixed(s, len, i, 2, &dt->month) == -1)
		return err_set("the month must have 2 digits");
	if (expect(s, len, i, '-') == -1 ||
	    fixed(s, len, i, 2, &dt->day) == -1)
		return err_set("the day must have 2 digits");
	if (dt->month < 1 || dt->month > 12)
		return err_set("the month must be 01 to 12");
	if (dt->day < 1 || dt->day > days_in_month(dt->year, dt->month))
		return err_set("day %02d does not exist in month %02d of %04d",
		    dt->day, dt->month, dt->year);
	return 0;
}

/* HH:MM:SS[.fraction]; *fs and *fn locate the fraction's digits. */
static int
parse_time(const char *s, size_t len, size_t *i, struct toml_datetime *dt,
    size_t *fs, size_t *fn)
{
	size_t k;

	if (fixed(s, len, i, 2, &dt->hour) == -1)
		return err_set("the hour must have 2 digits");
	if (expect(s, len, i, ':') == -1 ||
	    fixed(s, len, i, 2, &dt->minute) == -1)
		return err_set("the minutes must have 2 digits");
	if (expect(s, len, i, ':') == -1 ||
	    fixed(s, len, i, 2, &dt->second) == -1)
		return err_set("the seconds must have 2 digits (HH:MM:SS)");
	if (dt->hour > 23)
		return err_set("the hour must be 00 to 23");
	if (dt->minute > 59)
		return err_set("the minutes must be 00 to 59");
	if (dt->second > 60)
		return err_set("the seconds must be 00 to 60");
	*fs = *fn = 0;
	if (*i < len && s[*i] == '.') {
		(*i)++;
		*fs = *i;
		while (*i < len && is_digit((unsigned char)s[*i]))
			(*i)++;
		*fn = *i - *fs;
		if (*fn == 0)
			return err_set("digits must follow the '.' of the "
			    "seconds");
		dt->nanosecond = 0;
		for (k = 0; k < 9; k++)
			dt->nanosecond = dt->nanosecond * 10 +
			    (k < *fn ? s[*fs + k] - '0' : 0);
	}
	return 0;
}

/* Z or +HH:MM / -HH:MM; *os locates it. */
static int
parse_offset(const char *s, size_t len, size_t *i, struct toml_datetime *dt)
{
	int sign, oh, om;

	if (s[*i] == 'Z' || s[*i] == 'z') {
		(*i)++;
		dt->offset_minutes = 0;
		return 0;
	}
	if (s[*i] != '+' && s[*i] != '-')
		return err_set("unexpected '%c' after the time", s[*i]);
	sign = s[*i] == '-' ? -1 : 1;
	(*i)++;
	if (fixed(s, len, i, 2, &oh) == -1 || expect(s, len, i, ':') == -1 ||
	    fixed(s, len, i, 2, &om) == -1)
		return err_set("the offset must be Z or +HH:MM / -HH:MM");
	if (oh > 23 || om > 59)
		return err_set("the offset must be between -23:59 and +23:59");
	dt->offset_minutes = sign * (oh * 60 + om);
	return 0;
}

static int
datetime(const char *s, size_t len, struct toml_value *v, struct buf *text)
{
	struct toml_datetime *dt = &v->u.dt;
	size_t i = 0, fs, fn, ts, os;
	int has_date = 0;

	memset(dt, 0, sizeof(*dt));
	for (i = 0; i < len && is_digit((unsigned char)s[i]); i++)
		;
	has_date = i < len && s[i] == '-';
	i = 0;
	if (has_date) {
		if (parse_date(s, len, &i, dt) == -1)
			return -1;
		if (buf_append(text, s, i) == -1)
			return -1;
		if (i == len) {
			dt->kind = TOML_DT_DATE;
			return 0;
		}
		if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
			return err_set("unexpected '%c' after the date (a "
			    "time is separated by 'T' or a space)", s[i]);
		i++;
		if (i == len)
			return err_set("a time must follow the 'T'");
		if (buf_putc(text, 'T') == -1)
			return -1;
	}
	ts = i;
	if (parse_time(s, len, &i, dt, &fs, &fn) == -1)
		return -1;
	if (buf_append(text, s + ts, i - ts) == -1)
		return -1;
	if (!has_date) {
		if (i < len)
			return err_set("unexpected '%c' after a local time "
			    "(an offset needs a date)", s[i]);
		dt->kind = TOML_DT_TIME;
		return 0;
	}
	if (i == len) {
		dt->kind = TOML_DT_LOCAL;
		return 0;
	}
	os = i;
	if (parse_offset(s, len, &i, dt) == -1)
		return -1;
	if (i < len)
		return err_set("unexpected '%c' after the offset", s[i]);
	dt->kind = TOML_DT_OFFSET;
	if (s[os] == 'z')
		return buf_putc(text, 'Z');
	return buf_append(text, s + os, i - os);
}

/* Parses the token s[0..len) into v, with a normalised copy of the text. */
int
toml_datetime_parse(const char *s, size_t len, struct toml_value *v)
{
	struct buf text;
	int rc = -1;

	buf_init(&text, len + 1);
	if (datetime(s, len, v, &text) == -1) {
		/* Not quoted: a secret may look like a time (see
		 * number.c). */
		err_prefix("invalid date/time");
		goto out;
	}
	v->type = TOML_DATETIME;
	if ((v->text = buf_steal(&text)) == NULL) {
		err_set("out of memory");
		goto out;
	}
	v->u.dt.text = v->text;
	rc = 0;
out:
	buf_free(&text);
	return rc;
}
