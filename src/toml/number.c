/*
 * number.c - integers (decimal, 0x, 0o, 0b; int64, overflow is an error)
 * and floats (fraction, exponent, inf, nan), underscores allowed only
 * between two digits.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "toml/internal.h"
#include "util/err.h"

/* Messages do not quote the bad token: a secret written without quotes
 * (an EAB key, a token in env) would go to the logs.  Its position says
 * where it is. */

static int
digit_value(int c, int base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < base ? d : -1;
}

/*
 * Checks s[0..len) against digit *(["_"] digit) in base and, when out is
 * not NULL, accumulates its value, failing past limit.
 */
static int
digits(const char *s, size_t len, int base, uint64_t limit, uint64_t *out)
{
	uint64_t v = 0;
	int after_digit = 0, d;
	size_t i;

	if (len == 0)
		return err_set("digits are missing");
	for (i = 0; i < len; i++) {
		if (s[i] == '_') {
			if (!after_digit)
				return err_set("an underscore must sit between "
				    "two digits");
			after_digit = 0;
			continue;
		}
		if ((d = digit_value((unsigned char)s[i], base)) == -1) {
			if ((unsigned char)s[i] > ' ' &&
			    (unsigned char)s[i] < 0x7f)
				return err_set("invalid character '%c' in a "
				    "number", s[i]);
			return err_set("invalid character in a number");
		}
		if (out != NULL) {
			if (v > (limit - (uint64_t)d) / (uint64_t)base)
				return err_set("integer out of range (the "
				    "limits are -9223372036854775808 and "
				    "9223372036854775807)");
			v = v * (uint64_t)base + (uint64_t)d;
		}
		after_digit = 1;
	}
	if (!after_digit)
		return err_set("an underscore must sit between two digits");
	if (out != NULL)
		*out = v;
	return 0;
}

static int
integer(const char *s, size_t len, struct toml_value *v)
{
	const char *p = s;
	uint64_t u, limit = INT64_MAX;
	int neg = 0, base = 10;

	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		p++;
	}
	if (p + 1 < s + len && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'o' || p[1] == 'b')) {
		if (p != s)
			return err_set("a hexadecimal, octal or binary "
			    "integer cannot have a sign");
		base = p[1] == 'x' ? 16 : p[1] == 'o' ? 8 : 2;
		p += 2;
	} else if (p + 1 < s + len && p[0] == '0' &&
	    (p[1] == 'X' || p[1] == 'O' || p[1] == 'B'))
		return err_set("the prefixes are written in lower case: 0x, "
		    "0o, 0b");
	else if (p + 1 < s + len && p[0] == '0' &&
	    (digit_value((unsigned char)p[1], 10) != -1 || p[1] == '_'))
		return err_set("leading zeros are not allowed");
	if (neg)
		limit = (uint64_t)INT64_MAX + 1;
	if (digits(p, len - (size_t)(p - s), base, limit, &u) == -1)
		return -1;
	v->type = TOML_INTEGER;
	if (base == 10)
		v->flags |= TV_DECIMAL;
	if (neg)
		v->u.i = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN :
		    -(int64_t)u;
	else
		v->u.i = (int64_t)u;
	return 0;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void
c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* strtod in the "C" locale: a daemon that called setlocale() must still
 * read "1.5" with a dot. */
static double
strtod_c(const char *s, char **end)
{
	pthread_once(&c_locale_once, c_locale_init);
	if (c_locale != (locale_t)0)
		return strtod_l(s, end, c_locale);
	return strtod(s, end);
}

/*
 * [sign] int-part [. digits] [e [sign] digits], where int-part follows the
 * integer rules (no leading zero).
 */
static int
decimal_float(const char *s, size_t len, struct toml_value *v)
{
	const char *p = s, *end = s + len, *q;
	char *clean = NULL, *cend;
	size_t i, n = 0;
	double d;
	int rc = -1;

	if (p < end && (*p == '+' || *p == '-'))
		p++;
	for (q = p; q < end && *q != '.' && *q != 'e' && *q != 'E'; q++)
		;
	if (q == p)
		return err_set("invalid float: a digit must come first");
	if (q - p > 1 && p[0] == '0')
		return err_set("invalid float: leading zeros are not "
		    "allowed");
	if (digits(p, (size_t)(q - p), 10, 0, NULL) == -1)
		return err_prefix("invalid float");
	if (q < end && *q == '.') {
		for (p = ++q; q < end && *q != 'e' && *q != 'E'; q++)
			;
		if (q == p || *p == '_')
			return err_set("invalid float: a digit must follow "
			    "the '.'");
		if (digits(p, (size_t)(q - p), 10, 0, NULL) == -1)
			return err_prefix("invalid float");
	}
	if (q < end) {
		p = ++q;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end)
			return err_set("invalid float: the exponent has no "
			    "digits");
		if (digits(p, (size_t)(end - p), 10, 0, NULL) == -1)
			return err_prefix("invalid float (in the exponent)");
	}

	if ((clean = malloc(len + 1)) == NULL)
		return err_set("out of memory");
	for (i = 0; i < len; i++)
		if (s[i] != '_')
			clean[n++] = s[i];
	clean[n] = '\0';
	errno = 0;
	d = strtod_c(clean, &cend);
	if (cend != clean + n) {
		err_set("invalid float");
		goto out;
	}
	if (errno == ERANGE && isinf(d)) {
		err_set("float out of range");
		goto out;
	}
	v->type = TOML_FLOAT;
	v->u.f = d;
	rc = 0;
out:
	free(clean);
	return rc;
}

/*
 * Parses the token s[0..len) (a run of [A-Za-z0-9_.+-] that the grammar
 * found where a value goes) as an integer or a float and stores it in v.
 */
int
toml_number(const char *s, size_t len, struct toml_value *v)
{
	const char *p = s;
	size_t n = len;
	int based;

	if (n > 0 && (*p == '+' || *p == '-')) {
		p++;
		n--;
	}
	if (n == 0)
		return err_set("invalid number");
	if (n == 3 && (memcmp(p, "inf", 3) == 0 || memcmp(p, "nan", 3) == 0)) {
		v->type = TOML_FLOAT;
		if (p[0] == 'i')
			v->u.f = s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
		else
			v->u.f = s[0] == '-' ? -NAN : NAN;
		return 0;
	}
	/* 0x1e is an integer, and 0o1e a bad one rather than a float. */
	based = n > 1 && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'o' || p[1] == 'b');
	if (!based && (memchr(p, '.', n) != NULL || memchr(p, 'e', n) != NULL ||
	    memchr(p, 'E', n) != NULL))
		return decimal_float(s, len, v);
	if (integer(s, len, v) == -1)
		return err_prefix("invalid integer");
	return 0;
}
