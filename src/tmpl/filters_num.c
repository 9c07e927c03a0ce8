/*
 * filters_num.c - filters that convert or compute numbers and truth:
 * int, float, abs, round, bool, default.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/filters.h"
#include "util/err.h"

/*
 * Whether s is a float as Rust's f64::from_str reads it: an optional
 * sign, then "inf", "infinity" or "nan" in any case, or digits with an
 * optional point and exponent.  No spaces, no hex.
 */
static int
rust_float_syntax(const char *s, size_t len)
{
	size_t i = 0, digits = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	if ((len - i == 3 && strncasecmp(s + i, "inf", 3) == 0) ||
	    (len - i == 8 && strncasecmp(s + i, "infinity", 8) == 0) ||
	    (len - i == 3 && strncasecmp(s + i, "nan", 3) == 0))
		return 1;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < len && s[i] == '.')
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	if (digits == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == len;
}

static int
parse_double(const struct tmpl_value *s, double *out)
{
	if (memchr(s->u.s.p, '\0', s->u.s.len) != NULL ||
	    !rust_float_syntax(s->u.s.p, s->u.s.len))
		return err_set("invalid float literal");
	*out = strtod(s->u.s.p, NULL);
	return 0;
}

/* Like Rust's "as i128": truncates, saturates, NaN is 0. */
static tint
double_to_tint(double d)
{
	if (isnan(d))
		return 0;
	if (d >= 1.7014118346046923e38)
		return TINT_MAX;
	if (d <= -1.7014118346046923e38)
		return TINT_MIN;
	return (tint)d;
}

/* Parses a decimal i128 as Rust does: optional sign, digits only. */
static int
parse_tint(const struct tmpl_value *s, tint *out)
{
	const char *p = s->u.s.p;
	size_t i = 0, len = s->u.s.len;
	int neg = 0;
	tint v = 0;

	if (i < len && (p[i] == '+' || p[i] == '-'))
		neg = p[i++] == '-';
	if (i == len)
		return -1;
	for (; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, neg ? -(p[i] - '0') :
		    p[i] - '0', &v))
			return -1;
	}
	*out = v;
	return 0;
}

struct tmpl_value *
f_int(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	tint i;
	double d;

	(void)st;
	if (rargs_check(a, 0) == -1)
		return NULL;
	switch (v->kind) {
	case TK_UNDEF:
	case TK_NONE:
		return tv_int(0);
	case TK_BOOL:
		return tv_int(v->u.b);
	case TK_INT:
	case TK_U128:
		return tv_ref(v);
	case TK_FLOAT:
		return tv_int(double_to_tint(v->u.f));
	case TK_STR:
		if (parse_tint(v, &i) == 0)
			return tv_int(i);
		if (parse_double(v, &d) == -1)
			return NULL;
		return tv_int(double_to_tint(d));
	default:
		err_set("cannot convert %s to integer", tv_kind_name(v));
		return NULL;
	}
}

struct tmpl_value *
f_float(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	double d;

	(void)st;
	if (rargs_check(a, 0) == -1)
		return NULL;
	switch (v->kind) {
	case TK_UNDEF:
	case TK_NONE:
		return tv_float(0.0);
	case TK_STR:
		if (parse_double(v, &d) == -1)
			return NULL;
		return tv_float(d);
	default:
		if (tv_to_double(v, &d) == -1) {
			err_set("cannot convert %s to float", tv_kind_name(v));
			return NULL;
		}
		return tv_float(d);
	}
}

struct tmpl_value *
f_abs(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	(void)st;
	if (rargs_check(a, 0) == -1)
		return NULL;
	switch (v->kind) {
	case TK_INT:
		if (v->u.i == TINT_MIN) {
			err_set("overflow on abs");
			return NULL;
		}
		return v->u.i < 0 ? tv_int(-v->u.i) : tv_ref(v);
	case TK_U128:
		return tv_ref(v);
	case TK_FLOAT:
		return tv_float(fabs(v->u.f));
	default:
		err_set("cannot get absolute value");
		return NULL;
	}
}

struct tmpl_value *
f_round(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	tint prec = 0;
	double x;

	(void)st;
	if (farg_int(a, 0, "precision", &prec) == -1 || rargs_check(a, 1) == -1)
		return NULL;
	switch (v->kind) {
	case TK_INT:
	case TK_U128:
		return tv_ref(v);
	case TK_FLOAT:
		if (prec < -308 || prec > 308) {
			err_set("precision out of range");
			return NULL;
		}
		x = pow(10.0, (double)prec);
		return tv_float(round(x * v->u.f) / x);
	default:
		err_set("cannot round value (%s)", tv_kind_name(v));
		return NULL;
	}
}

struct tmpl_value *
f_bool(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	(void)st;
	if (rargs_check(a, 0) == -1)
		return NULL;
	return tv_bool(tv_truthy(v));
}

struct tmpl_value *
f_default(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *other;
	int lax = 0;

	(void)st;
	other = rargs_get(a, 0, "default_value");
	if (farg_bool(a, 1, "boolean", &lax) == -1 || rargs_check(a, 2) == -1)
		return NULL;
	if (v->kind == TK_UNDEF || (lax && !tv_truthy(v)))
		return other != NULL ? tv_ref(other) : tv_str("");
	return tv_ref(v);
}
