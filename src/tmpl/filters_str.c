/*
 * filters_str.c - filters that work on text: case, replace, trim,
 * escaping, splitting, indenting, url-encoding, and ACMEd's rev_labels.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/filters.h"
#include "tmpl/utf8.h"
#include "util/err.h"

struct tmpl_value *
fstr(const struct tmpl_value *v)
{
	return tv_to_str(v);
}

int
farg_bool(struct rargs *a, size_t i, const char *name, int *out)
{
	const struct tmpl_value *v = rargs_get(a, i, name);

	if (v == NULL || v->kind == TK_NONE || v->kind == TK_UNDEF)
		return 0;
	if (v->kind != TK_BOOL && v->kind != TK_INT)
		return err_set("expected a boolean for %s, got %s",
		    name != NULL ? name : "argument", tv_kind_name(v));
	*out = tv_truthy(v);
	return 0;
}

int
farg_int(struct rargs *a, size_t i, const char *name, tint *out)
{
	const struct tmpl_value *v = rargs_get(a, i, name);

	if (v == NULL || v->kind == TK_NONE || v->kind == TK_UNDEF)
		return 0;
	if (v->kind == TK_BOOL || tv_to_int(v, out) == -1)
		return err_set("expected an integer for %s, got %s",
		    name != NULL ? name : "argument", tv_kind_name(v));
	return 0;
}

int
farg_str(struct rargs *a, size_t i, const char *name,
    const struct tmpl_value **out)
{
	const struct tmpl_value *v = rargs_get(a, i, name);

	*out = NULL;
	if (v == NULL || v->kind == TK_NONE || v->kind == TK_UNDEF)
		return 0;
	if (v->kind != TK_STR)
		return err_set("expected a string for %s, got %s",
		    name != NULL ? name : "argument", tv_kind_name(v));
	*out = v;
	return 0;
}

static int
put_cp(struct buf *b, uint32_t cp)
{
	char enc[4];

	return buf_append(b, enc, uc_encode(cp, enc));
}

/* Appends the full upper or lower case mapping of cp. */
static int
put_case(struct buf *b, uint32_t cp, int upper)
{
	uint32_t to[3];
	size_t i, n;
	int rc = 0;

	n = upper ? uc_to_upper(cp, to) : uc_to_lower(cp, to);
	for (i = 0; i < n; i++)
		rc |= put_cp(b, to[i]);
	return rc;
}

/*
 * Whether the capital sigma at s[i] ends a word, as str::to_lowercase
 * decides (Unicode's Final_Sigma): prev_cased tells whether a cased
 * character comes before it, case-ignorable ones skipped; none may
 * follow it.
 */
static int
final_sigma(const char *s, size_t len, size_t i, int prev_cased)
{
	uint32_t cp;

	if (!prev_cased)
		return 0;
	for (i += 2; i < len;) {
		i += uc_decode(s + i, len - i, &cp);
		if (!uc_is_case_ignorable(cp))
			return !uc_is_cased(cp);
	}
	return 1;
}

enum casemode { C_LOWER, C_UPPER, C_TITLE, C_CAPITALIZE };

/*
 * MiniJinja's filters: lower and upper map the string as Rust's
 * str::to_lowercase and to_uppercase (full mappings, final sigma);
 * capitalize uppers the first character and lowers the rest as a
 * string; title maps character by character.
 */
static struct tmpl_value *
recase(const struct tmpl_value *v, struct rargs *a, enum casemode mode)
{
	struct tmpl_value *s, *r = NULL;
	struct buf b;
	size_t i, n;
	uint32_t cp;
	int up = 1, prev_cased = 0, rc = 0;

	if (rargs_check(a, 0) == -1 || (s = fstr(v)) == NULL)
		return NULL;
	buf_init(&b, tmax_str());
	for (i = 0; i < s->u.s.len && rc == 0; i += n) {
		n = uc_decode(s->u.s.p + i, s->u.s.len - i, &cp);
		switch (mode) {
		case C_LOWER:
			if (cp == 0x3a3 && final_sigma(s->u.s.p, s->u.s.len,
			    i, prev_cased))
				rc = put_cp(&b, 0x3c2);
			else
				rc = put_case(&b, cp, 0);
			if (!uc_is_case_ignorable(cp))
				prev_cased = uc_is_cased(cp);
			break;
		case C_UPPER:
			rc = put_case(&b, cp, 1);
			break;
		case C_CAPITALIZE:
			/* The rest is lowered as a string of its own. */
			rc = put_case(&b, cp, 1);
			mode = C_LOWER;
			break;
		case C_TITLE:
			/* A word starts after ASCII punctuation or space. */
			if ((cp < 0x80 && ispunct((int)cp)) ||
			    uc_is_space(cp)) {
				up = 1;
				rc = put_cp(&b, cp);
			} else {
				rc = put_case(&b, cp, up);
				up = 0;
			}
			break;
		}
	}
	if (rc == 0)
		r = tv_str_buf(&b);
	buf_free(&b);
	tv_unref(s);
	return r;
}

struct tmpl_value *
f_lower(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	(void)st;
	return recase(v, a, C_LOWER);
}

struct tmpl_value *
f_upper(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	(void)st;
	return recase(v, a, C_UPPER);
}

struct tmpl_value *
f_title(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	(void)st;
	return recase(v, a, C_TITLE);
}

struct tmpl_value *
f_capitalize(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	(void)st;
	return recase(v, a, C_CAPITALIZE);
}

struct tmpl_value *
f_replace(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *s = NULL, *from = NULL, *to = NULL, *r = NULL;
	const char *p, *end, *hit;
	struct buf b;
	size_t n;
	uint32_t cp;
	int rc = 0;

	(void)st;
	buf_init(&b, tmax_str());
	if (a->npos != 2 || rargs_check(a, 2) == -1) {
		err_set("replace() takes two arguments");
		goto out;
	}
	if ((s = fstr(v)) == NULL || (from = fstr(a->pos[0])) == NULL ||
	    (to = fstr(a->pos[1])) == NULL)
		goto out;
	p = s->u.s.p;
	end = p + s->u.s.len;
	if (from->u.s.len == 0) {
		/* Like Rust: the replacement goes between every character
		 * and at both ends. */
		rc |= buf_append(&b, to->u.s.p, to->u.s.len);
		while (p < end && rc == 0) {
			n = uc_decode(p, (size_t)(end - p), &cp);
			rc |= buf_append(&b, p, n);
			rc |= buf_append(&b, to->u.s.p, to->u.s.len);
			p += n;
		}
	} else {
		while (rc == 0 && (hit = memmem(p, (size_t)(end - p),
		    from->u.s.p, from->u.s.len)) != NULL) {
			rc |= buf_append(&b, p, (size_t)(hit - p));
			rc |= buf_append(&b, to->u.s.p, to->u.s.len);
			p = hit + from->u.s.len;
		}
		rc |= buf_append(&b, p, (size_t)(end - p));
	}
	if (rc == 0)
		r = tv_str_buf(&b);
out:
	buf_free(&b);
	tv_unref(s);
	tv_unref(from);
	tv_unref(to);
	return r;
}

/* Whether cp is one of the characters of set (NULL: whitespace). */
static int
in_set(uint32_t cp, const struct tmpl_value *set)
{
	size_t i, n;
	uint32_t c;

	if (set == NULL)
		return uc_is_space(cp);
	for (i = 0; i < set->u.s.len; i += n) {
		n = uc_decode(set->u.s.p + i, set->u.s.len - i, &c);
		if (c == cp)
			return 1;
	}
	return 0;
}

struct tmpl_value *
f_trim(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	const struct tmpl_value *chars;
	struct tmpl_value *s, *r;
	size_t i, n, start = 0, end = 0;
	uint32_t cp;
	int seen = 0;

	(void)st;
	if (farg_str(a, 0, "chars", &chars) == -1 || rargs_check(a, 1) == -1)
		return NULL;
	if ((s = fstr(v)) == NULL)
		return NULL;
	for (i = 0; i < s->u.s.len; i += n) {
		n = uc_decode(s->u.s.p + i, s->u.s.len - i, &cp);
		if (in_set(cp, chars))
			continue;
		if (!seen)
			start = i;
		seen = 1;
		end = i + n;
	}
	r = tv_strn(s->u.s.p + start, seen ? end - start : 0);
	tv_unref(s);
	return r;
}

struct tmpl_value *
f_escape(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *s, *r = NULL;
	struct buf b;

	(void)st;
	if (rargs_check(a, 0) == -1)
		return NULL;
	if (v->kind == TK_STR && (v->flags & TF_SAFE))
		return tv_ref(v);
	if ((s = fstr(v)) == NULL)
		return NULL;
	buf_init(&b, tmax_str());
	if (tv_html_escape(&b, s->u.s.p, s->u.s.len) == 0 &&
	    (r = tv_str_buf(&b)) != NULL)
		r->flags |= TF_SAFE;
	buf_free(&b);
	tv_unref(s);
	return r;
}

/* A copy of the string value s marked safe. */
static struct tmpl_value *
make_safe(struct tmpl_value *s)
{
	struct tmpl_value *r;

	if (s == NULL || (s->flags & TF_SAFE))
		return s;
	r = tv_strn(s->u.s.p, s->u.s.len);
	tv_unref(s);
	if (r != NULL)
		r->flags |= TF_SAFE;
	return r;
}

struct tmpl_value *
f_safe(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	(void)st;
	if (rargs_check(a, 0) == -1)
		return NULL;
	return make_safe(fstr(v));
}

struct tmpl_value *
f_string(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	(void)st;
	if (rargs_check(a, 0) == -1)
		return NULL;
	return fstr(v);
}

struct tmpl_value *
f_indent(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *s, *r = NULL;
	tint width = 4;
	int first = 0, blank = 0, rc = 0, lineno = 0;
	size_t len, i, start, k;
	struct buf b;

	(void)st;
	if (farg_int(a, 0, "width", &width) == -1 ||
	    farg_bool(a, 1, "first", &first) == -1 ||
	    farg_bool(a, 2, "blank", &blank) == -1 ||
	    rargs_check(a, 3) == -1)
		return NULL;
	if (width < 0 || width > 1024) {
		err_set("indent width out of range");
		return NULL;
	}
	if ((s = fstr(v)) == NULL)
		return NULL;
	len = s->u.s.len;
	/* One trailing line break does not make an empty last line. */
	if (len > 0 && s->u.s.p[len - 1] == '\n')
		len--;
	if (len > 0 && s->u.s.p[len - 1] == '\r')
		len--;
	buf_init(&b, tmax_str());
	for (start = 0; rc == 0; lineno++) {
		for (i = start; i < len && s->u.s.p[i] != '\n'; i++)
			;
		if (lineno > 0)
			rc |= buf_putc(&b, '\n');
		if ((lineno > 0 || first) && (i > start || blank))
			for (k = 0; k < (size_t)width; k++)
				rc |= buf_putc(&b, ' ');
		rc |= buf_append(&b, s->u.s.p + start, i - start);
		if (i >= len)
			break;
		start = i + 1;
	}
	if (rc == 0)
		r = tv_str_buf(&b);
	buf_free(&b);
	tv_unref(s);
	return r;
}

static int
push_str(struct tmpl_value *list, const char *p, size_t n)
{
	return tv_list_push(list, tv_strn(p, n));
}

/* Python's str.split(None, max): runs of whitespace separate; the last
 * piece keeps the rest of the string minus leading whitespace. */
static int
split_ws(struct tmpl_value *list, const char *s, size_t len, tint max)
{
	size_t i = 0, n, start;
	uint32_t cp;
	tint splits = 0;

	for (;;) {
		while (i < len) {
			n = uc_decode(s + i, len - i, &cp);
			if (!uc_is_space(cp))
				break;
			i += n;
		}
		if (i >= len)
			return 0;
		if (max >= 0 && splits >= max)
			return push_str(list, s + i, len - i);
		start = i;
		while (i < len) {
			n = uc_decode(s + i, len - i, &cp);
			if (uc_is_space(cp))
				break;
			i += n;
		}
		if (push_str(list, s + start, i - start) == -1)
			return -1;
		splits++;
	}
}

struct tmpl_value *
f_split(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	const struct tmpl_value *sep;
	struct tmpl_value *s = NULL, *r = NULL;
	const char *p, *end, *hit;
	tint max = -1, splits = 0;
	int rc = 0;

	(void)st;
	if (farg_str(a, 0, "split", &sep) == -1 ||
	    farg_int(a, 1, "maxsplits", &max) == -1 ||
	    rargs_check(a, 2) == -1)
		return NULL;
	if ((s = fstr(v)) == NULL || (r = tv_list(0)) == NULL)
		goto fail;
	if (sep == NULL) {
		if (split_ws(r, s->u.s.p, s->u.s.len, max) == -1)
			goto fail;
		tv_unref(s);
		return r;
	}
	if (sep->u.s.len == 0) {
		err_set("empty separator");
		goto fail;
	}
	p = s->u.s.p;
	end = p + s->u.s.len;
	while (rc == 0 && (max < 0 || splits < max) &&
	    (hit = memmem(p, (size_t)(end - p), sep->u.s.p,
	    sep->u.s.len)) != NULL) {
		rc = push_str(r, p, (size_t)(hit - p));
		p = hit + sep->u.s.len;
		splits++;
	}
	if (rc == -1 || push_str(r, p, (size_t)(end - p)) == -1)
		goto fail;
	tv_unref(s);
	return r;
fail:
	tv_unref(s);
	tv_unref(r);
	return NULL;
}

struct tmpl_value *
f_lines(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *s, *r;
	size_t i, start = 0, end;

	(void)st;
	if (rargs_check(a, 0) == -1 || (s = fstr(v)) == NULL)
		return NULL;
	if ((r = tv_list(0)) == NULL) {
		tv_unref(s);
		return NULL;
	}
	for (i = 0; i <= s->u.s.len; i++) {
		if (i < s->u.s.len && s->u.s.p[i] != '\n')
			continue;
		/* Like Rust's lines(): no empty line after a final \n. */
		if (i == s->u.s.len && start == i)
			break;
		end = i;
		if (end > start && s->u.s.p[end - 1] == '\r')
			end--;
		if (push_str(r, s->u.s.p + start, end - start) == -1) {
			tv_unref(r);
			r = NULL;
			break;
		}
		start = i + 1;
	}
	tv_unref(s);
	return r;
}

/* Everything but ASCII letters, digits and "/.-_" is %-encoded. */
static int
urlenc(struct buf *b, const struct tmpl_value *v)
{
	struct tmpl_value *s;
	size_t i;
	unsigned char c;
	int rc = 0;

	if ((s = fstr(v)) == NULL)
		return -1;
	for (i = 0; i < s->u.s.len && rc == 0; i++) {
		c = (unsigned char)s->u.s.p[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '/' || c == '.' ||
		    c == '-' || c == '_')
			rc = buf_putc(b, (char)c);
		else
			rc = buf_printf(b, "%%%02X", c);
	}
	tv_unref(s);
	return rc;
}

struct tmpl_value *
f_urlencode(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *r = NULL, *val;
	struct buf b;
	size_t i;
	int rc = 0, any = 0;

	(void)st;
	if (rargs_check(a, 0) == -1)
		return NULL;
	buf_init(&b, tmax_str());
	if (v->kind == TK_MAP) {
		for (i = 0; i < v->u.m.n && rc == 0; i++) {
			val = v->u.m.v[i];
			if (val->kind == TK_NONE || val->kind == TK_UNDEF)
				continue;
			if (any)
				rc |= buf_putc(&b, '&');
			rc |= urlenc(&b, v->u.m.k[i]);
			rc |= buf_putc(&b, '=');
			rc |= urlenc(&b, val);
			any = 1;
		}
	} else if (v->kind != TK_NONE && v->kind != TK_UNDEF)
		rc = urlenc(&b, v);
	if (rc == 0)
		r = tv_str_buf(&b);
	buf_free(&b);
	return r;
}

/* ACMEd's filter: "mx1.example.org" -> "org.example.mx1". */
struct tmpl_value *
f_rev_labels(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *r = NULL;
	struct buf b;
	const char *s, *dot;
	size_t end;
	int rc = 0;

	(void)st;
	if (rargs_check(a, 0) == -1)
		return NULL;
	if (v->kind != TK_STR)
		return tv_ref(v);
	s = v->u.s.p;
	end = v->u.s.len;
	buf_init(&b, tmax_str());
	for (;;) {
		dot = memrchr(s, '.', end);
		if (dot == NULL) {
			rc |= buf_append(&b, s, end);
			break;
		}
		rc |= buf_append(&b, dot + 1, end - (size_t)(dot + 1 - s));
		rc |= buf_putc(&b, '.');
		end = (size_t)(dot - s);
	}
	if (rc == 0)
		r = tv_str_buf(&b);
	buf_free(&b);
	return r;
}
