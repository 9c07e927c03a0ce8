/*
 * ops.c - arithmetic, comparison and containment (see ops.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/ops.h"
#include "tmpl/value.h"
#include "util/err.h"

/* Longest list * n may build. */
#define REPEAT_MAX_ITEMS	1000000u

static const char *const op_names[] = {
	[OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/",
	[OP_FLOORDIV] = "//", [OP_MOD] = "%", [OP_POW] = "**",
	[OP_CONCAT] = "~",
};

static struct tmpl_value *
impossible(enum top op, const struct tmpl_value *a, const struct tmpl_value *b)
{
	err_set("tried to use %s operator on unsupported types %s and %s",
	    op_names[op], tv_kind_name(a), tv_kind_name(b));
	return NULL;
}

static struct tmpl_value *
failed(enum top op, const struct tmpl_value *a, const struct tmpl_value *b)
{
	struct buf sa, sb;

	buf_init(&sa, 256);
	buf_init(&sb, 256);
	/* Best effort: a number that does not fit is simply cut. */
	(void)tv_display(&sa, a);
	(void)tv_display(&sb, b);
	err_set("unable to calculate %s %s %s", buf_str(&sa), op_names[op],
	    buf_str(&sb));
	buf_free(&sa);
	buf_free(&sb);
	return NULL;
}

/* Both integers (or bools): -> 1.  A float involved: -> 2.  Else 0. */
static int
coerce(const struct tmpl_value *a, const struct tmpl_value *b, tint *ia,
    tint *ib, double *da, double *db)
{
	int an = a->kind == TK_INT || a->kind == TK_BOOL;
	int bn = b->kind == TK_INT || b->kind == TK_BOOL;

	if (an && bn) {
		tv_to_int(a, ia);
		tv_to_int(b, ib);
		return 1;
	}
	if ((a->kind == TK_FLOAT && (bn || tv_is_number(b))) ||
	    (b->kind == TK_FLOAT && (an || tv_is_number(a)))) {
		tv_to_double(a, da);
		tv_to_double(b, db);
		return 2;
	}
	return 0;
}

static tint
tint_div_euclid(tint a, tint b)
{
	tint q = a / b, r = a % b;

	if (r < 0)
		q = b > 0 ? q - 1 : q + 1;
	return q;
}

static tint
tint_rem_euclid(tint a, tint b)
{
	tint r = a % b;

	if (r < 0)
		r = b < 0 ? r - b : r + b;
	return r;
}

static double
f_div_euclid(double a, double b)
{
	double q = trunc(a / b);

	if (fmod(a, b) < 0.0)
		return b > 0.0 ? q - 1.0 : q + 1.0;
	return q;
}

/* Exponentiation by squaring; -1 on overflow. */
static int
tint_pow(tint base, tint exp, tint *out)
{
	tint r = 1;

	if (exp < 0 || exp > 0xffffffffll)
		return -1;
	while (exp > 0) {
		if ((exp & 1) && __builtin_mul_overflow(r, base, &r))
			return -1;
		exp >>= 1;
		if (exp > 0 && __builtin_mul_overflow(base, base, &base))
			return -1;
	}
	*out = r;
	return 0;
}

static struct tmpl_value *
concat_lists(const struct tmpl_value *a, const struct tmpl_value *b)
{
	struct tmpl_value *r;
	size_t i;

	if (tcharge(a->u.l.n + b->u.l.n) == -1 ||
	    (r = tv_list(a->u.l.n + b->u.l.n)) == NULL)
		return NULL;
	for (i = 0; i < a->u.l.n; i++)
		if (tv_list_push(r, tv_ref(a->u.l.v[i])) == -1)
			goto fail;
	for (i = 0; i < b->u.l.n; i++)
		if (tv_list_push(r, tv_ref(b->u.l.v[i])) == -1)
			goto fail;
	return r;
fail:
	tv_unref(r);
	return NULL;
}

static struct tmpl_value *
concat_strs(const char *a, size_t alen, const char *b, size_t blen)
{
	struct buf out;
	struct tmpl_value *r = NULL;

	buf_init(&out, tmax_str());
	if (buf_append(&out, a, alen) == 0 && buf_append(&out, b, blen) == 0)
		r = tv_str_buf(&out);
	else
		err_set("string is too large");
	buf_free(&out);
	return r;
}

static struct tmpl_value *
repeat(const struct tmpl_value *seq, const struct tmpl_value *count)
{
	struct tmpl_value *r = NULL;
	struct buf out;
	tint n;
	size_t i, k, each;

	if (seq->kind == TK_STR) {
		if (count->kind != TK_INT)
			goto bad_str;
		n = count->u.i < 0 || seq->u.s.len == 0 ? 0 : count->u.i;
		if (n > 0 && n > (tint)(tmax_str() / seq->u.s.len)) {
			err_set("repeated string is too large");
			return NULL;
		}
		buf_init(&out, tmax_str());
		for (k = 0; k < (size_t)n; k++)
			if (buf_append(&out, seq->u.s.p, seq->u.s.len) == -1 ||
			    tcharge(1 + seq->u.s.len / 256) == -1) {
				buf_free(&out);
				return NULL;
			}
		r = tv_str_buf(&out);
		buf_free(&out);
		return r;
	}
	if (seq->kind == TK_ONESHOT) {
		err_set("cannot repeat unsized iterables");
		return NULL;
	}
	if (count->kind != TK_INT) {
		err_set("sequences and iterables can only be multiplied with "
		    "integers");
		return NULL;
	}
	each = seq->u.l.n;
	n = count->u.i < 0 || each == 0 ? 0 : count->u.i;
	if (n > (tint)(REPEAT_MAX_ITEMS / (each ? each : 1))) {
		err_set("repeated sequence is too large");
		return NULL;
	}
	if (tcharge((unsigned long)(each * (size_t)n)) == -1 ||
	    (r = tv_list(each * (size_t)n)) == NULL)
		return NULL;
	for (k = 0; k < (size_t)n; k++)
		for (i = 0; i < each; i++)
			if (tv_list_push(r, tv_ref(seq->u.l.v[i])) == -1) {
				tv_unref(r);
				return NULL;
			}
	return r;
bad_str:
	err_set("strings can only be multiplied with integers");
	return NULL;
}

static int
is_seqlike(const struct tmpl_value *v)
{
	return v->kind == TK_LIST || v->kind == TK_ONESHOT;
}

struct tmpl_value *
op_binary(enum top op, const struct tmpl_value *a, const struct tmpl_value *b)
{
	struct tmpl_value *sa = NULL, *sb = NULL, *r;
	tint ia = 0, ib = 0, ir;
	double da = 0, db = 0;
	int c;

	if (op == OP_CONCAT) {
		if ((sa = tv_to_str(a)) == NULL || (sb = tv_to_str(b)) == NULL)
			r = NULL;
		else
			r = concat_strs(sa->u.s.p, sa->u.s.len, sb->u.s.p,
			    sb->u.s.len);
		tv_unref(sa);
		tv_unref(sb);
		return r;
	}
	if (op == OP_MUL) {
		if (a->kind == TK_STR || b->kind == TK_STR)
			return a->kind == TK_STR ? repeat(a, b) : repeat(b, a);
		if (is_seqlike(a) || is_seqlike(b))
			return is_seqlike(a) ? repeat(a, b) : repeat(b, a);
	}
	if (op == OP_ADD) {
		if (a->kind == TK_STR && b->kind == TK_STR)
			return concat_strs(a->u.s.p, a->u.s.len, b->u.s.p,
			    b->u.s.len);
		if (a->kind == TK_LIST && b->kind == TK_LIST)
			return concat_lists(a, b);
	}
	if (op == OP_DIV) {
		if ((!tv_is_number(a) && a->kind != TK_BOOL) ||
		    (!tv_is_number(b) && b->kind != TK_BOOL))
			return impossible(op, a, b);
		tv_to_double(a, &da);
		tv_to_double(b, &db);
		return tv_float(da / db);
	}
	if ((c = coerce(a, b, &ia, &ib, &da, &db)) == 0)
		return impossible(op, a, b);
	if (c == 2) {
		switch (op) {
		case OP_ADD:
			return tv_float(da + db);
		case OP_SUB:
			return tv_float(da - db);
		case OP_MUL:
			return tv_float(da * db);
		case OP_FLOORDIV:
			return tv_float(f_div_euclid(da, db));
		case OP_MOD:
			return tv_float(fmod(da, db));
		case OP_POW:
			return tv_float(pow(da, db));
		default:
			return impossible(op, a, b);
		}
	}
	switch (op) {
	case OP_ADD:
		if (__builtin_add_overflow(ia, ib, &ir))
			return failed(op, a, b);
		break;
	case OP_SUB:
		if (__builtin_sub_overflow(ia, ib, &ir))
			return failed(op, a, b);
		break;
	case OP_MUL:
		if (__builtin_mul_overflow(ia, ib, &ir))
			return failed(op, a, b);
		break;
	case OP_FLOORDIV:
		if (ib == 0 || (ia == TINT_MIN && ib == -1))
			return failed(op, a, b);
		ir = tint_div_euclid(ia, ib);
		break;
	case OP_MOD:
		if (ib == 0 || (ia == TINT_MIN && ib == -1))
			return failed(op, a, b);
		ir = tint_rem_euclid(ia, ib);
		break;
	case OP_POW:
		if (tint_pow(ia, ib, &ir) == -1)
			return failed(op, a, b);
		break;
	default:
		return impossible(op, a, b);
	}
	return tv_int(ir);
}

struct tmpl_value *
op_neg(const struct tmpl_value *a)
{
	switch (a->kind) {
	case TK_FLOAT:
		return tv_float(-a->u.f);
	case TK_INT:
		if (a->u.i == TINT_MIN) {
			err_set("overflow");
			return NULL;
		}
		return tv_int(-a->u.i);
	case TK_U128:
		/* -(2**127) is the one u128 literal that fits after all;
		 * MiniJinja keeps it as the positive literal. */
		if (a->u.u == (tuint)TINT_MAX + 1)
			return tv_uint(a->u.u);
		/* FALLTHROUGH */
	default:
		err_set("invalid operation");
		return NULL;
	}
}

struct tmpl_value *
op_pos(const struct tmpl_value *a)
{
	if (!tv_is_number(a)) {
		err_set("invalid operation");
		return NULL;
	}
	return tv_ref(a);
}

int
op_contains(const struct tmpl_value *c, const struct tmpl_value *item,
    int *result)
{
	struct tmpl_value *s;
	size_t i;

	*result = 0;
	switch (c->kind) {
	case TK_UNDEF:
		return 0;
	case TK_STR:
		if ((s = tv_to_str(item)) == NULL)
			return -1;
		*result = s->u.s.len == 0 ||
		    memmem(c->u.s.p, c->u.s.len, s->u.s.p, s->u.s.len) != NULL;
		tv_unref(s);
		return 0;
	case TK_LIST:
		for (i = 0; i < c->u.l.n && !*result; i++)
			*result = tv_eq(c->u.l.v[i], item);
		return 0;
	case TK_MAP:
		*result = tv_map_get(c, item) != NULL;
		return 0;
	default:
		return err_set("cannot perform a containment check on this "
		    "value");
	}
}

struct tmpl_value *
op_compare(enum top op, const struct tmpl_value *a, const struct tmpl_value *b)
{
	int r = 0;

	switch (op) {
	case OP_EQ:
		r = tv_eq(a, b);
		break;
	case OP_NE:
		r = !tv_eq(a, b);
		break;
	case OP_LT:
		r = tv_cmp(a, b) < 0;
		break;
	case OP_LE:
		r = tv_cmp(a, b) <= 0;
		break;
	case OP_GT:
		r = tv_cmp(a, b) > 0;
		break;
	case OP_GE:
		r = tv_cmp(a, b) >= 0;
		break;
	case OP_IN:
	case OP_NOTIN:
		if (op_contains(b, a, &r) == -1)
			return NULL;
		if (op == OP_NOTIN)
			r = !r;
		break;
	default:
		err_set("invalid comparison");
		return NULL;
	}
	/* A comparison that ran out of budget answered at random. */
	if (tlimits_cur != NULL && tlimits_cur->steps == 0) {
		err_set("template exceeded its step budget");
		return NULL;
	}
	return tv_bool(r);
}
