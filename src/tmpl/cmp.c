/*
 * cmp.c - truthiness, equality and ordering of values, as MiniJinja
 * defines them (numbers compare across int, float and bool; kinds sort
 * in a fixed order so that sorting mixed lists never fails).
 */
#include <math.h>
#include <string.h>

#include "tmpl/value.h"
#include "util/err.h"

const char *
tv_kind_name(const struct tmpl_value *v)
{
	switch (v->kind) {
	case TK_UNDEF:
		return "undefined";
	case TK_NONE:
		return "none";
	case TK_BOOL:
		return "bool";
	case TK_INT:
	case TK_U128:
	case TK_FLOAT:
		return "number";
	case TK_STR:
		return "string";
	case TK_LIST:
		return (v->flags & TF_ITER) ? "iterator" : "sequence";
	case TK_MAP:
		return "map";
	case TK_ONESHOT:
		return "iterator";
	default:
		return "plain object";
	}
}

int
tv_is_seq(const struct tmpl_value *v)
{
	return v->kind == TK_LIST && !(v->flags & TF_ITER);
}

int
tv_is_number(const struct tmpl_value *v)
{
	return v->kind == TK_INT || v->kind == TK_U128 || v->kind == TK_FLOAT;
}

int
tv_is_callable(const struct tmpl_value *v)
{
	return v->kind == TK_FUNC || v->kind == TK_LOOP || v->kind == TK_MACRO;
}

int
tv_truthy(const struct tmpl_value *v)
{
	switch (v->kind) {
	case TK_UNDEF:
	case TK_NONE:
		return 0;
	case TK_BOOL:
		return v->u.b;
	case TK_INT:
		return v->u.i != 0;
	case TK_U128:
		return 1;
	case TK_FLOAT:
		return v->u.f != 0.0;
	case TK_STR:
		return v->u.s.len > 0;
	case TK_LIST:
		return v->u.l.n > 0;
	case TK_MAP:
		return v->u.m.n > 0;
	default:
		return 1;
	}
}

int
tv_to_int(const struct tmpl_value *v, tint *out)
{
	switch (v->kind) {
	case TK_BOOL:
		*out = v->u.b;
		return 0;
	case TK_INT:
		*out = v->u.i;
		return 0;
	case TK_FLOAT:
		/* Only floats that are integers, in range. */
		if (v->u.f != trunc(v->u.f) || !(fabs(v->u.f) < 1.7e38))
			return -1;
		*out = (tint)v->u.f;
		return 0;
	default:
		return -1;
	}
}

int
tv_to_double(const struct tmpl_value *v, double *out)
{
	switch (v->kind) {
	case TK_BOOL:
		*out = v->u.b;
		return 0;
	case TK_INT:
		*out = (double)v->u.i;
		return 0;
	case TK_U128:
		*out = (double)v->u.u;
		return 0;
	case TK_FLOAT:
		*out = v->u.f;
		return 0;
	default:
		return -1;
	}
}

/* The order of kinds when values of different kinds are compared. */
static int
kind_rank(const struct tmpl_value *v)
{
	switch (v->kind) {
	case TK_UNDEF:
		return 0;
	case TK_NONE:
		return 1;
	case TK_BOOL:
		return 2;
	case TK_INT:
	case TK_U128:
	case TK_FLOAT:
		return 3;
	case TK_STR:
		return 4;
	case TK_LIST:
		return (v->flags & TF_ITER) ? 8 : 6;
	case TK_MAP:
		return 7;
	case TK_ONESHOT:
		return 8;
	default:
		return 9;
	}
}

static int
sign(int c)
{
	return (c > 0) - (c < 0);
}

static int
cmp_double(double a, double b)
{
	if (a == b)
		return 0;
	if (isnan(a))
		return isnan(b) ? 0 : 1;
	if (isnan(b))
		return -1;
	return a < b ? -1 : 1;
}

static int
cmp_num(const struct tmpl_value *a, const struct tmpl_value *b)
{
	double da = 0, db = 0;

	if (a->kind == TK_FLOAT || b->kind == TK_FLOAT) {
		tv_to_double(a, &da);
		tv_to_double(b, &db);
		return cmp_double(da, db);
	}
	if (a->kind == TK_U128 || b->kind == TK_U128) {
		if (a->kind != TK_U128)
			return -1;
		if (b->kind != TK_U128)
			return 1;
		return a->u.u < b->u.u ? -1 : a->u.u > b->u.u;
	}
	return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
}

static int
cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return sign(c);
	return alen < blen ? -1 : alen > blen;
}

static int cmp_depth(const struct tmpl_value *, const struct tmpl_value *,
    int, int);

static int
cmp_ci_str(const struct tmpl_value *a, const struct tmpl_value *b)
{
	size_t i, n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
	unsigned char ca, cb;

	/* MiniJinja without its "unicode" feature: ASCII case folding. */
	for (i = 0; i < n; i++) {
		ca = (unsigned char)a->u.s.p[i];
		cb = (unsigned char)b->u.s.p[i];
		if (ca >= 'A' && ca <= 'Z')
			ca += 32;
		if (cb >= 'A' && cb <= 'Z')
			cb += 32;
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
}

static int
cmp_depth(const struct tmpl_value *a, const struct tmpl_value *b, int ci,
    int depth)
{
	size_t i, n;
	int c, ra = kind_rank(a), rb = kind_rank(b);

	/* A spent budget or absurd nesting ends the comparison; the caller
	 * notices the budget, and nesting is bounded by construction. */
	if (depth > TV_MAX_DEPTH || tcharge(1) == -1)
		return 0;
	if (ra != rb)
		return ra < rb ? -1 : 1;
	switch (a->kind) {
	case TK_UNDEF:
	case TK_NONE:
		return 0;
	case TK_BOOL:
		return a->u.b - b->u.b;
	case TK_INT:
	case TK_U128:
	case TK_FLOAT:
		return cmp_num(a, b);
	case TK_STR:
		if (ci)
			return cmp_ci_str(a, b);
		return cmp_bytes(a->u.s.p, a->u.s.len, b->u.s.p, b->u.s.len);
	case TK_LIST:
		c = ((a->flags & TF_TUPLE) != 0) - ((b->flags & TF_TUPLE) != 0);
		if (c != 0)
			return c;
		n = a->u.l.n < b->u.l.n ? a->u.l.n : b->u.l.n;
		for (i = 0; i < n; i++)
			if ((c = cmp_depth(a->u.l.v[i], b->u.l.v[i], ci,
			    depth + 1)) != 0)
				return c;
		return a->u.l.n < b->u.l.n ? -1 : a->u.l.n > b->u.l.n;
	case TK_MAP:
		n = a->u.m.n < b->u.m.n ? a->u.m.n : b->u.m.n;
		for (i = 0; i < n; i++) {
			if ((c = cmp_depth(a->u.m.k[i], b->u.m.k[i], ci,
			    depth + 1)) != 0)
				return c;
			if ((c = cmp_depth(a->u.m.v[i], b->u.m.v[i], ci,
			    depth + 1)) != 0)
				return c;
		}
		return a->u.m.n < b->u.m.n ? -1 : a->u.m.n > b->u.m.n;
	default:
		return a < b ? -1 : a > b;
	}
}

int
tv_cmp(const struct tmpl_value *a, const struct tmpl_value *b)
{
	return cmp_depth(a, b, 0, 0);
}

int
tv_cmp_ci(const struct tmpl_value *a, const struct tmpl_value *b)
{
	return cmp_depth(a, b, 1, 0);
}

static int
is_numlike(const struct tmpl_value *v)
{
	return tv_is_number(v) || v->kind == TK_BOOL;
}

static int
eq_depth(const struct tmpl_value *a, const struct tmpl_value *b, int depth)
{
	const struct tmpl_value *bv;
	size_t i;

	if (depth > TV_MAX_DEPTH || tcharge(1) == -1)
		return 0;
	if (a == b)
		return 1;
	if (is_numlike(a) && is_numlike(b)) {
		/* bool == bool compares as numbers too. */
		if (a->kind == TK_BOOL && b->kind == TK_BOOL)
			return a->u.b == b->u.b;
		if (a->kind == TK_BOOL || b->kind == TK_BOOL) {
			tint ia, ib;

			if (tv_to_int(a, &ia) == -1 || tv_to_int(b, &ib) == -1)
				return 0;
			return ia == ib;
		}
		if (a->kind == TK_FLOAT || b->kind == TK_FLOAT) {
			double da, db;

			tv_to_double(a, &da);
			tv_to_double(b, &db);
			return da == db;
		}
		return cmp_num(a, b) == 0;
	}
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case TK_UNDEF:
	case TK_NONE:
		return 1;
	case TK_STR:
		return a->u.s.len == b->u.s.len &&
		    memcmp(a->u.s.p, b->u.s.p, a->u.s.len) == 0;
	case TK_LIST:
		if ((a->flags & TF_TUPLE) != (b->flags & TF_TUPLE) ||
		    a->u.l.n != b->u.l.n)
			return 0;
		for (i = 0; i < a->u.l.n; i++)
			if (!eq_depth(a->u.l.v[i], b->u.l.v[i], depth + 1))
				return 0;
		return 1;
	case TK_MAP:
		if (a->u.m.n != b->u.m.n)
			return 0;
		for (i = 0; i < a->u.m.n; i++) {
			bv = tv_map_get(b, a->u.m.k[i]);
			if (bv == NULL || !eq_depth(a->u.m.v[i], bv, depth + 1))
				return 0;
		}
		return 1;
	default:
		return 0;
	}
}

int
tv_eq(const struct tmpl_value *a, const struct tmpl_value *b)
{
	return eq_depth(a, b, 0);
}
