/*
 * fmt.c - turning values into text: {{ }} output (display), the
 * representation inside lists and maps (repr: Rust's for MiniJinja 2.11,
 * Python's for newer versions), pprint, tojson and HTML escaping, with
 * MiniJinja's number formats.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/ast.h"
#include "tmpl/loop.h"
#include "tmpl/render.h"
#include "tmpl/utf8.h"
#include "tmpl/value.h"
#include "util/err.h"

void
fmt_tuint(char *out, tuint u)
{
	char tmp[48];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u != 0);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

void
fmt_tint(char *out, tint i)
{
	if (i < 0) {
		out[0] = '-';
		/* -(i + 1) + 1 avoids overflowing on TINT_MIN. */
		fmt_tuint(out + 1, (tuint)(-(i + 1)) + 1);
	} else
		fmt_tuint(out, (tuint)i);
}

/*
 * The shortest digits that read back as d (Rust and ryu print floats
 * that way): digits without a point, and the position of the decimal
 * point relative to them.
 */
static void
float_digits(double d, char digits[24], int *point)
{
	char tmp[40], *e;
	size_t n = 0, i;
	int prec;

	for (prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	for (i = 0; tmp[i] != '\0' && tmp[i] != 'e'; i++)
		if (tmp[i] >= '0' && tmp[i] <= '9')
			digits[n++] = tmp[i];
	/* Trailing zeros carry no information. */
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	e = strchr(tmp, 'e');
	*point = (e != NULL ? (int)strtol(e + 1, NULL, 10) : 0) + 1;
}

/* Rust's Display for f64: never an exponent; ".0" added to integers. */
static int
fmt_float_display(struct buf *b, double d)
{
	char digits[24];
	int point, n, i, rc = 0;

	if (isnan(d))
		return buf_puts(b, "NaN");
	if (isinf(d))
		return buf_puts(b, d < 0 ? "-inf" : "inf");
	if (signbit(d)) {
		rc |= buf_putc(b, '-');
		d = -d;
	}
	if (d == 0)
		return rc | buf_puts(b, "0.0");
	float_digits(d, digits, &point);
	n = (int)strlen(digits);
	if (point <= 0) {
		rc |= buf_puts(b, "0.");
		for (i = 0; i < -point; i++)
			rc |= buf_putc(b, '0');
		rc |= buf_puts(b, digits);
	} else if (point >= n) {
		rc |= buf_puts(b, digits);
		for (i = n; i < point; i++)
			rc |= buf_putc(b, '0');
		rc |= buf_puts(b, ".0");
	} else {
		rc |= buf_append(b, digits, (size_t)point);
		rc |= buf_putc(b, '.');
		rc |= buf_puts(b, digits + point);
	}
	return rc ? -1 : 0;
}

/* Rust's Debug for f64: an exponent outside 1e-4 <= |d| < 1e16. */
static int
fmt_float_repr(struct buf *b, double d)
{
	char digits[24];
	int point, rc = 0;
	double a = fabs(d);

	if (isnan(d) || isinf(d) || a == 0 || (a >= 1e-4 && a < 1e16))
		return fmt_float_display(b, d);
	if (d < 0)
		rc |= buf_putc(b, '-');
	float_digits(a, digits, &point);
	rc |= buf_putc(b, digits[0]);
	if (digits[1] != '\0')
		rc |= buf_printf(b, ".%s", digits + 1);
	rc |= buf_printf(b, "e%d", point - 1);
	return rc ? -1 : 0;
}

static int
fmt_int(struct buf *b, const struct tmpl_value *v)
{
	char tmp[48];

	if (v->kind == TK_U128)
		fmt_tuint(tmp, v->u.u);
	else
		fmt_tint(tmp, v->u.i);
	return buf_puts(b, tmp);
}

/*
 * MiniJinja up to 2.x (ACMEd's) prints true, false and none, strings
 * inside lists and maps as Rust does, and tuples as lists; later
 * versions print them as Jinja2 and Python do.  The rendering chooses.
 */
static int
jinja2_literals(void)
{
	return tlimits_cur != NULL && tlimits_cur->jinja2_literals;
}

/* Python's repr() of a string, as newer MiniJinja prints it. */
static int
repr_str_python(struct buf *b, const char *s, size_t len)
{
	char q = '\'';
	size_t i, n;
	uint32_t cp;
	int rc = 0;

	if (memchr(s, '\'', len) != NULL && memchr(s, '"', len) == NULL)
		q = '"';
	rc |= buf_putc(b, q);
	for (i = 0; i < len && rc == 0; i += n) {
		n = uc_decode(s + i, len - i, &cp);
		if (cp == (uint32_t)q || cp == '\\')
			rc |= buf_printf(b, "\\%c", (char)cp);
		else if (cp == '\n')
			rc |= buf_puts(b, "\\n");
		else if (cp == '\r')
			rc |= buf_puts(b, "\\r");
		else if (cp == '\t')
			rc |= buf_puts(b, "\\t");
		else if (uc_is_control(cp))
			rc |= buf_printf(b, "\\x%02x", (unsigned)cp);
		else
			rc |= buf_append(b, s + i, n);
	}
	rc |= buf_putc(b, q);
	return rc ? -1 : 0;
}

/*
 * Rust's Debug of a string, as MiniJinja 2.11 prints it: double quotes,
 * \0 \t \n \r \\ \" and \u{hex} for what is not printable or extends a
 * grapheme; single quotes as they are.  Bytes that are not UTF-8 (which
 * Rust's strings cannot hold) come out as \u{dc80} to \u{dcff}.
 */
static int
repr_str_rust(struct buf *b, const char *s, size_t len)
{
	size_t i, n;
	uint32_t cp;
	int rc = 0;

	rc |= buf_putc(b, '"');
	for (i = 0; i < len && rc == 0; i += n) {
		n = uc_decode(s + i, len - i, &cp);
		switch (cp) {
		case '\0':
			rc |= buf_puts(b, "\\0");
			break;
		case '\t':
			rc |= buf_puts(b, "\\t");
			break;
		case '\n':
			rc |= buf_puts(b, "\\n");
			break;
		case '\r':
			rc |= buf_puts(b, "\\r");
			break;
		case '\\':
		case '"':
			rc |= buf_printf(b, "\\%c", (char)cp);
			break;
		default:
			if (uc_debug_escaped(cp) ||
			    (cp >= 0xd800 && cp <= 0xdfff))
				rc |= buf_printf(b, "\\u{%x}", (unsigned)cp);
			else
				rc |= buf_append(b, s + i, n);
		}
	}
	rc |= buf_putc(b, '"');
	return rc ? -1 : 0;
}

static int
repr_str(struct buf *b, const char *s, size_t len)
{
	if (jinja2_literals())
		return repr_str_python(b, s, len);
	return repr_str_rust(b, s, len);
}

/* Tuples (and groupby's groups) are tuples only for newer MiniJinja. */
static int
is_tuple(const struct tmpl_value *v)
{
	return (v->flags & (TF_TUPLE | TF_GROUP)) != 0 && jinja2_literals();
}

static int repr_depth(struct buf *, const struct tmpl_value *, int);

static int
repr_items(struct buf *b, const struct tmpl_value *v, int depth)
{
	size_t i;
	int tuple = is_tuple(v);

	if (buf_putc(b, tuple ? '(' : '[') == -1)
		return -1;
	for (i = 0; i < v->u.l.n; i++) {
		if (i > 0 && buf_puts(b, ", ") == -1)
			return -1;
		if (repr_depth(b, v->u.l.v[i], depth + 1) == -1)
			return -1;
	}
	if (tuple && v->u.l.n == 1 && buf_putc(b, ',') == -1)
		return -1;
	return buf_putc(b, tuple ? ')' : ']');
}

static int
repr_depth(struct buf *b, const struct tmpl_value *v, int depth)
{
	char tmp[64];
	size_t i;

	/* Namespaces can hold themselves; everything else is bounded. */
	if (depth > TV_MAX_DEPTH)
		return err_set("value nested too deeply to print");
	if (tcharge(1) == -1)
		return -1;
	switch (v->kind) {
	case TK_UNDEF:
		return buf_puts(b, "undefined");
	case TK_STR:
		return repr_str(b, v->u.s.p, v->u.s.len);
	case TK_FLOAT:
		return fmt_float_repr(b, v->u.f);
	case TK_LIST:
		return repr_items(b, v, depth);
	case TK_MAP:
		if (buf_putc(b, '{') == -1)
			return -1;
		for (i = 0; i < v->u.m.n; i++) {
			if (i > 0 && buf_puts(b, ", ") == -1)
				return -1;
			if (repr_depth(b, v->u.m.k[i], depth + 1) == -1 ||
			    buf_puts(b, ": ") == -1 ||
			    repr_depth(b, v->u.m.v[i], depth + 1) == -1)
				return -1;
		}
		return buf_putc(b, '}');
	case TK_LOOP:
		if (v->u.loop->len == TITER_UNKNOWN)
			snprintf(tmp, sizeof(tmp), "<loop %zu/?>",
			    v->u.loop->index0);
		else
			snprintf(tmp, sizeof(tmp), "<loop %zu/%zu>",
			    v->u.loop->index0, v->u.loop->len);
		return buf_puts(b, tmp);
	case TK_FUNC:
		/* MiniJinja prints the Rust path of its functions. */
		if (v->u.fn.bi != NULL)
			return buf_printf(b,
			    "minijinja::functions::builtins::%s",
			    v->u.fn.bi->name);
		return buf_puts(b, "<function>");
	case TK_MACRO:
		return buf_printf(b, "<macro %s>", v->u.mac.node->name);
	case TK_ONESHOT:
		return buf_puts(b, "<iterator>");
	default:
		return tv_display(b, v);
	}
}

int
tv_repr(struct buf *b, const struct tmpl_value *v)
{
	return repr_depth(b, v, 0);
}

int
tv_display(struct buf *b, const struct tmpl_value *v)
{
	switch (v->kind) {
	case TK_UNDEF:
		return 0;
	case TK_NONE:
		return buf_puts(b, jinja2_literals() ? "None" : "none");
	case TK_BOOL:
		if (jinja2_literals())
			return buf_puts(b, v->u.b ? "True" : "False");
		return buf_puts(b, v->u.b ? "true" : "false");
	case TK_INT:
	case TK_U128:
		return fmt_int(b, v);
	case TK_FLOAT:
		return fmt_float_display(b, v->u.f);
	case TK_STR:
		return buf_append(b, v->u.s.p, v->u.s.len);
	default:
		return tv_repr(b, v);
	}
}

static int
indent_to(struct buf *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (buf_putc(b, ' ') == -1)
			return -1;
	return 0;
}

/* Rust's {:#?}: one item a line, four spaces, trailing commas. */
static int
pprint_depth(struct buf *b, const struct tmpl_value *v, int depth)
{
	size_t i, n;
	int tuple, ind = (depth + 1) * 4;

	if (depth > TV_MAX_DEPTH)
		return err_set("value nested too deeply to print");
	if (v->kind == TK_LIST) {
		tuple = is_tuple(v);
		n = v->u.l.n;
		if (n == 0)
			return buf_puts(b, tuple ? "()" : "[]");
		if (buf_puts(b, tuple ? "(\n" : "[\n") == -1)
			return -1;
		for (i = 0; i < n; i++)
			if (indent_to(b, ind) == -1 ||
			    pprint_depth(b, v->u.l.v[i], depth + 1) == -1 ||
			    buf_puts(b, ",\n") == -1)
				return -1;
		if (indent_to(b, ind - 4) == -1)
			return -1;
		return buf_putc(b, tuple ? ')' : ']');
	}
	if (v->kind == TK_MAP) {
		n = v->u.m.n;
		if (n == 0)
			return buf_puts(b, "{}");
		if (buf_puts(b, "{\n") == -1)
			return -1;
		for (i = 0; i < n; i++)
			if (indent_to(b, ind) == -1 ||
			    pprint_depth(b, v->u.m.k[i], depth + 1) == -1 ||
			    buf_puts(b, ": ") == -1 ||
			    pprint_depth(b, v->u.m.v[i], depth + 1) == -1 ||
			    buf_puts(b, ",\n") == -1)
				return -1;
		if (indent_to(b, ind - 4) == -1)
			return -1;
		return buf_putc(b, '}');
	}
	return tv_repr(b, v);
}

int
tv_pprint(struct buf *b, const struct tmpl_value *v)
{
	return pprint_depth(b, v, 0);
}

int
tv_pprint_at(struct buf *b, const struct tmpl_value *v, int depth)
{
	return pprint_depth(b, v, depth);
}

static int
json_str(struct buf *b, const char *s, size_t len)
{
	size_t i;
	unsigned char c;
	int rc = 0;

	rc |= buf_putc(b, '"');
	for (i = 0; i < len && rc == 0; i++) {
		c = (unsigned char)s[i];
		switch (c) {
		case '"':
			rc |= buf_puts(b, "\\\"");
			break;
		case '\\':
			rc |= buf_puts(b, "\\\\");
			break;
		case '\n':
			rc |= buf_puts(b, "\\n");
			break;
		case '\r':
			rc |= buf_puts(b, "\\r");
			break;
		case '\t':
			rc |= buf_puts(b, "\\t");
			break;
		case '\b':
			rc |= buf_puts(b, "\\b");
			break;
		case '\f':
			rc |= buf_puts(b, "\\f");
			break;
		/* Safe inside HTML and single-quoted attributes too. */
		case '<':
			rc |= buf_puts(b, "\\u003c");
			break;
		case '>':
			rc |= buf_puts(b, "\\u003e");
			break;
		case '&':
			rc |= buf_puts(b, "\\u0026");
			break;
		case '\'':
			rc |= buf_puts(b, "\\u0027");
			break;
		default:
			if (c < 0x20)
				rc |= buf_printf(b, "\\u%04x", c);
			else
				rc |= buf_putc(b, (char)c);
		}
	}
	rc |= buf_putc(b, '"');
	return rc ? -1 : 0;
}

static int
json_sep(struct buf *b, int indent, int level)
{
	if (indent <= 0)
		return 0;
	if (buf_putc(b, '\n') == -1)
		return -1;
	return indent_to(b, indent * level);
}

static int
json_depth(struct buf *b, const struct tmpl_value *v, int indent, int level)
{
	struct buf key;
	size_t i, n;
	int rc;

	if (level > TV_MAX_DEPTH)
		return err_set("value nested too deeply for JSON");
	if (tcharge(1) == -1)
		return -1;
	switch (v->kind) {
	case TK_UNDEF:
	case TK_NONE:
		return buf_puts(b, "null");
	case TK_BOOL:
		return buf_puts(b, v->u.b ? "true" : "false");
	case TK_INT:
	case TK_U128:
		return fmt_int(b, v);
	case TK_FLOAT:
		if (isnan(v->u.f) || isinf(v->u.f))
			return buf_puts(b, "null");
		return fmt_float_repr(b, v->u.f);
	case TK_STR:
		return json_str(b, v->u.s.p, v->u.s.len);
	case TK_LIST:
		n = v->u.l.n;
		if (buf_putc(b, '[') == -1)
			return -1;
		for (i = 0; i < n; i++) {
			if (i > 0 && buf_puts(b, indent > 0 ? "," : ", ") == -1)
				return -1;
			if (json_sep(b, indent, level + 1) == -1 ||
			    json_depth(b, v->u.l.v[i], indent, level + 1) == -1)
				return -1;
		}
		if (n > 0 && json_sep(b, indent, level) == -1)
			return -1;
		return buf_putc(b, ']');
	case TK_MAP:
		n = v->u.m.n;
		if (buf_putc(b, '{') == -1)
			return -1;
		for (i = 0; i < n; i++) {
			if (i > 0 && buf_puts(b, indent > 0 ? "," : ", ") == -1)
				return -1;
			if (json_sep(b, indent, level + 1) == -1)
				return -1;
			/* JSON keys are strings. */
			buf_init(&key, tmax_str());
			rc = tv_display(&key, v->u.m.k[i]);
			if (rc == 0)
				rc = json_str(b, buf_str(&key), key.len);
			buf_free(&key);
			if (rc == -1 || buf_puts(b, ": ") == -1 ||
			    json_depth(b, v->u.m.v[i], indent, level + 1) == -1)
				return -1;
		}
		if (n > 0 && json_sep(b, indent, level) == -1)
			return -1;
		return buf_putc(b, '}');
	default:
		return err_set("cannot serialize %s to JSON", tv_kind_name(v));
	}
}

int
tv_tojson(struct buf *b, const struct tmpl_value *v, int indent)
{
	return json_depth(b, v, indent, 0);
}

int
tv_html_escape(struct buf *b, const char *s, size_t len)
{
	size_t i, start = 0;
	const char *rep;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '&':
			rep = "&amp;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#x27;";
			break;
		case '/':
			rep = "&#x2f;";
			break;
		default:
			continue;
		}
		if (buf_append(b, s + start, i - start) == -1 ||
		    buf_puts(b, rep) == -1)
			return -1;
		start = i + 1;
	}
	return buf_append(b, s + start, len - start);
}

struct tmpl_value *
tv_to_str(const struct tmpl_value *v)
{
	struct buf b;
	struct tmpl_value *r = NULL;

	if (v->kind == TK_STR)
		return tv_ref(v);
	buf_init(&b, tmax_str());
	if (tv_display(&b, v) == 0)
		r = tv_str_buf(&b);
	buf_free(&b);
	return r;
}
