/*
 * json.c - typed access to untrusted JSON (see json.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/json.h"
#include "util/err.h"
#include "util/period.h"

json_t *
json_parse_object(const char *data, size_t len)
{
	json_error_t je;
	struct buf text;
	json_t *v;

	v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (v == NULL) {
		/* Jansson quotes the server's bytes ("invalid token near
		 * '...'"), and the message ends in a log line. */
		buf_init(&text, sizeof(je.text) + 8);
		json_safe_text(&text, je.text, sizeof(je.text));
		err_set("invalid JSON at line %d, column %d: %s", je.line,
		    je.column, buf_str(&text));
		buf_free(&text);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		err_set("invalid JSON: expected an object");
		return NULL;
	}
	return v;
}

static json_t *
json_member(json_t *obj, const char *key, int required, int *rc)
{
	json_t *v = json_object_get(obj, key);

	*rc = 0;
	if (v == NULL || json_is_null(v)) {
		if (required)
			*rc = err_set("member \"%s\" is missing", key);
		return NULL;
	}
	return v;
}

int
json_get_string(json_t *obj, const char *key, int required,
    const char **out)
{
	json_t *v;
	int rc;

	*out = NULL;
	if ((v = json_member(obj, key, required, &rc)) == NULL)
		return rc;
	if (!json_is_string(v))
		return err_set("member \"%s\" is not a string", key);
	/* Embedded NUL bytes would let two readers see different strings. */
	if (strlen(json_string_value(v)) != json_string_length(v))
		return err_set("member \"%s\" contains a NUL byte", key);
	*out = json_string_value(v);
	return 0;
}

int
json_is_url(const char *s)
{
	return s != NULL && (strncmp(s, "https://", 8) == 0 ||
	    strncmp(s, "http://", 7) == 0);
}

int
json_get_url(json_t *obj, const char *key, int required, char **out)
{
	const char *s;

	*out = NULL;
	if (json_get_string(obj, key, required, &s) == -1)
		return -1;
	if (s == NULL)
		return 0;
	if (!json_is_url(s))
		return err_set("member \"%s\" is not an http(s) URL", key);
	if ((*out = strdup(s)) == NULL)
		return err_set("out of memory");
	return 0;
}

int
json_get_bool(json_t *obj, const char *key, int required, int *out)
{
	json_t *v;
	int rc;

	if ((v = json_member(obj, key, required, &rc)) == NULL)
		return rc;
	if (!json_is_boolean(v))
		return err_set("member \"%s\" is not a boolean", key);
	*out = json_is_true(v);
	return 0;
}

int
json_get_int(json_t *obj, const char *key, int required, long long *out)
{
	json_t *v;
	int rc;

	if ((v = json_member(obj, key, required, &rc)) == NULL)
		return rc;
	if (!json_is_integer(v))
		return err_set("member \"%s\" is not an integer", key);
	*out = json_integer_value(v);
	return 0;
}

/* n decimal digits at *p (advanced); -1 when one is not a digit. */
static int
json_digits(const char **p, int n)
{
	int v = 0;

	for (; n > 0; n--, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

int
json_get_time(json_t *obj, const char *key, int required, int64_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	const char *p;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;

	if (json_get_string(obj, key, required, &p) == -1)
		return -1;
	if (p == NULL)
		return 0;
	if ((y = json_digits(&p, 4)) == -1 || *p++ != '-' ||
	    (mo = json_digits(&p, 2)) == -1 || *p++ != '-' ||
	    (d = json_digits(&p, 2)) == -1 || (*p != 'T' && *p != 't') ||
	    (p++, (h = json_digits(&p, 2)) == -1) || *p++ != ':' ||
	    (mi = json_digits(&p, 2)) == -1 || *p++ != ':' ||
	    (sec = json_digits(&p, 2)) == -1)
		goto bad;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			goto bad;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if ((oh = json_digits(&p, 2)) == -1 || *p++ != ':' ||
		    (om = json_digits(&p, 2)) == -1 || oh > 23 || om > 59)
			goto bad;
	} else
		goto bad;
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && (y % 4 != 0 ||
	    (y % 100 == 0 && y % 400 != 0))) || h > 23 || mi > 59 || sec > 60)
		goto bad;
	/* A leap second is the second before the next minute. */
	if (sec == 60)
		sec = 59;
	*out = period_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec - sign * (oh * 3600 + om * 60);
	return 0;
bad:
	return err_set("member \"%s\" is not an RFC 3339 date-time", key);
}

int
json_get_array(json_t *obj, const char *key, int required, json_t **out)
{
	json_t *v;
	int rc;

	*out = NULL;
	if ((v = json_member(obj, key, required, &rc)) == NULL)
		return rc;
	if (!json_is_array(v))
		return err_set("member \"%s\" is not an array", key);
	*out = v;
	return 0;
}

int
json_get_object(json_t *obj, const char *key, int required, json_t **out)
{
	json_t *v;
	int rc;

	*out = NULL;
	if ((v = json_member(obj, key, required, &rc)) == NULL)
		return rc;
	if (!json_is_object(v))
		return err_set("member \"%s\" is not an object", key);
	*out = v;
	return 0;
}

void
json_safe_text(struct buf *out, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == max) {
			buf_puts(out, "...");
			return;
		}
		buf_putc(out, c >= 0x20 && c < 0x7f ? (char)c : '?');
	}
}

char *
json_dump_compact(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s == NULL)
		err_set("out of memory");
	return s;
}
