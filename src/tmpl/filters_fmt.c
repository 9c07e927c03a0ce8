/*
 * filters_fmt.c - filters that turn values into formatted text: format
 * (printf-style), tojson and pprint.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/filters.h"
#include "util/err.h"

/* Pads text to width: on the right with "-", with zeros after the sign
 * with "0", with spaces on the left otherwise. */
static int
pad(struct buf *b, const char *text, const char *flags, size_t width)
{
	size_t len = strlen(text), i, signlen = 0;
	int rc = 0;

	if (len >= width)
		return buf_puts(b, text);
	if (strchr(flags, '-') != NULL) {
		rc |= buf_puts(b, text);
		for (i = len; i < width; i++)
			rc |= buf_putc(b, ' ');
		return rc ? -1 : 0;
	}
	if (strchr(flags, '0') != NULL) {
		if (text[0] == '-' || text[0] == '+' || text[0] == ' ')
			signlen = 1;
		rc |= buf_append(b, text, signlen);
		for (i = len; i < width; i++)
			rc |= buf_putc(b, '0');
		rc |= buf_puts(b, text + signlen);
		return rc ? -1 : 0;
	}
	for (i = len; i < width; i++)
		rc |= buf_putc(b, ' ');
	rc |= buf_puts(b, text);
	return rc ? -1 : 0;
}

/* One conversion of format(): *conv with its flags, width, precision. */
static int
format_one(struct buf *b, char conv, const char *flags, size_t width,
    int prec, const struct tmpl_value *arg)
{
	char tmp[400], digits[64];
	struct buf s;
	tint iv;
	double d;
	int rc;

	switch (conv) {
	case 's':
	case 'r':
		buf_init(&s, tmax_str());
		if ((rc = tv_display(&s, arg)) == 0) {
			if (prec >= 0 && (size_t)prec < s.len)
				buf_truncate(&s, (size_t)prec);
			rc = pad(b, buf_str(&s), flags, width);
		}
		buf_free(&s);
		return rc;
	case 'd': case 'i': case 'x': case 'X': case 'o':
		if (arg->kind == TK_FLOAT)
			iv = (tint)arg->u.f;
		else if (tv_to_int(arg, &iv) == -1)
			return err_set("%%%c needs a number", conv);
		if (iv < INT64_MIN || iv > INT64_MAX)
			return err_set("number too large for format");
		if (conv == 'x')
			snprintf(digits, sizeof(digits), "%llx",
			    (unsigned long long)(iv < 0 ? -iv : iv));
		else if (conv == 'X')
			snprintf(digits, sizeof(digits), "%llX",
			    (unsigned long long)(iv < 0 ? -iv : iv));
		else if (conv == 'o')
			snprintf(digits, sizeof(digits), "%llo",
			    (unsigned long long)(iv < 0 ? -iv : iv));
		else
			snprintf(digits, sizeof(digits), "%llu",
			    (unsigned long long)(iv < 0 ? -iv : iv));
		snprintf(tmp, sizeof(tmp), "%s%s", iv < 0 ? "-" :
		    strchr(flags, '+') ? "+" : strchr(flags, ' ') ? " " : "",
		    digits);
		return pad(b, tmp, flags, width);
	case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
		if (tv_to_double(arg, &d) == -1)
			return err_set("%%%c needs a number", conv);
		if (prec < 0)
			prec = 6;
		if (prec > 100)
			prec = 100;
		if (fabs(d) >= 1e300 && (conv == 'f' || conv == 'F'))
			return err_set("number too large for format");
		switch (conv) {
		case 'f': case 'F':
			snprintf(tmp, sizeof(tmp), "%.*f", prec, d);
			break;
		case 'e':
			snprintf(tmp, sizeof(tmp), "%.*e", prec, d);
			break;
		case 'E':
			snprintf(tmp, sizeof(tmp), "%.*E", prec, d);
			break;
		case 'g':
			snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
			break;
		default:
			snprintf(tmp, sizeof(tmp), "%.*G", prec, d);
			break;
		}
		if (tmp[0] != '-' && (strchr(flags, '+') != NULL ||
		    strchr(flags, ' ') != NULL)) {
			memmove(tmp + 1, tmp, strlen(tmp) + 1);
			tmp[0] = strchr(flags, '+') != NULL ? '+' : ' ';
		}
		return pad(b, tmp, flags, width);
	default:
		return err_set("unsupported format character");
	}
}

/* printf-style "%s", "%5d", "%.2f", "%x", "%%" with the arguments. */
struct tmpl_value *
f_format(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *fmt, *r = NULL;
	char flags[8];
	struct buf b;
	size_t i, k, next = 0, width;
	const char *p;
	int rc = 0, prec;

	(void)st;
	if (rargs_check(a, a->npos) == -1 || (fmt = fstr(v)) == NULL)
		return NULL;
	p = fmt->u.s.p;
	buf_init(&b, tmax_str());
	for (i = 0; i < fmt->u.s.len && rc == 0; i++) {
		if (p[i] != '%') {
			rc = buf_putc(&b, p[i]);
			continue;
		}
		if (i + 1 < fmt->u.s.len && p[i + 1] == '%') {
			rc = buf_putc(&b, '%');
			i++;
			continue;
		}
		for (k = 0, i++; i < fmt->u.s.len && p[i] != '\0' &&
		    strchr("-+ #0", p[i]) != NULL; i++)
			if (k < sizeof(flags) - 1)
				flags[k++] = p[i];
		flags[k] = '\0';
		for (width = 0; i < fmt->u.s.len && p[i] >= '0' &&
		    p[i] <= '9'; i++)
			if (width < 1000)
				width = width * 10 + (size_t)(p[i] - '0');
		prec = -1;
		if (i < fmt->u.s.len && p[i] == '.')
			for (prec = 0, i++; i < fmt->u.s.len && p[i] >= '0' &&
			    p[i] <= '9'; i++)
				if (prec < 1000)
					prec = prec * 10 + (p[i] - '0');
		if (i >= fmt->u.s.len || next >= a->npos) {
			rc = err_set("format string and arguments do not "
			    "match");
			break;
		}
		rc = format_one(&b, p[i], flags, width, prec, a->pos[next++]);
	}
	if (rc == 0 && next < a->npos)
		rc = err_set("not all arguments converted by format()");
	if (rc == 0)
		r = tv_str_buf(&b);
	buf_free(&b);
	tv_unref(fmt);
	return r;
}

struct tmpl_value *
f_tojson(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *ind, *r = NULL;
	struct buf b;
	tint n = 0;

	(void)st;
	ind = rargs_get(a, 0, "indent");
	if (rargs_check(a, 1) == -1)
		return NULL;
	if (ind != NULL && ind->kind == TK_BOOL)
		n = ind->u.b ? 2 : 0;
	else if (ind != NULL && ind->kind != TK_NONE &&
	    (tv_to_int(ind, &n) == -1 || n < 0 || n > 64)) {
		err_set("invalid indent for tojson");
		return NULL;
	}
	buf_init(&b, tmax_str());
	if (tv_tojson(&b, v, (int)n) == 0 && (r = tv_str_buf(&b)) != NULL)
		r->flags |= TF_SAFE;
	buf_free(&b);
	return r;
}

struct tmpl_value *
f_pprint(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *r = NULL;
	struct buf b;

	(void)st;
	if (rargs_check(a, 0) == -1)
		return NULL;
	buf_init(&b, tmax_str());
	if (tv_pprint(&b, v) == 0)
		r = tv_str_buf(&b);
	buf_free(&b);
	return r;
}
