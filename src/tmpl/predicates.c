/*
 * predicates.c - the built-in tests of "x is name(args)".
 */
#include <string.h>

#include "tmpl/ops.h"
#include "tmpl/render.h"
#include "tmpl/utf8.h"
#include "util/err.h"

#define TEST(name) static int name(struct rstate *st, \
	    const struct tmpl_value *v, struct rargs *a, int *res)

/* The one argument of a comparison-like test. */
static const struct tmpl_value *
one_arg(struct rargs *a)
{
	if (a->npos < 1) {
		err_set("missing argument");
		return NULL;
	}
	if (rargs_check(a, 1) == -1)
		return NULL;
	return a->pos[0];
}

static int
no_args(struct rargs *a)
{
	return rargs_check(a, 0);
}

TEST(t_defined)
{
	(void)st;
	*res = v->kind != TK_UNDEF;
	return no_args(a);
}

TEST(t_undefined)
{
	(void)st;
	*res = v->kind == TK_UNDEF;
	return no_args(a);
}

TEST(t_none)
{
	(void)st;
	*res = v->kind == TK_NONE;
	return no_args(a);
}

TEST(t_safe)
{
	(void)st;
	*res = v->kind == TK_STR && (v->flags & TF_SAFE);
	return no_args(a);
}

static int
parity(const struct tmpl_value *v, struct rargs *a, int *res, int odd)
{
	tint i;

	*res = v->kind != TK_BOOL && tv_to_int(v, &i) == 0 &&
	    ((i % 2 != 0) == odd);
	return no_args(a);
}

TEST(t_odd)
{
	(void)st;
	return parity(v, a, res, 1);
}

TEST(t_even)
{
	(void)st;
	return parity(v, a, res, 0);
}

TEST(t_divisibleby)
{
	const struct tmpl_value *d;
	tint x, y;

	(void)st;
	if ((d = one_arg(a)) == NULL)
		return -1;
	*res = tv_to_int(v, &x) == 0 && tv_to_int(d, &y) == 0 && y != 0 &&
	    x % y == 0;
	return 0;
}

TEST(t_number)
{
	(void)st;
	*res = tv_is_number(v);
	return no_args(a);
}

TEST(t_integer)
{
	(void)st;
	*res = v->kind == TK_INT || v->kind == TK_U128;
	return no_args(a);
}

TEST(t_float)
{
	(void)st;
	*res = v->kind == TK_FLOAT;
	return no_args(a);
}

TEST(t_string)
{
	(void)st;
	*res = v->kind == TK_STR;
	return no_args(a);
}

TEST(t_sequence)
{
	(void)st;
	*res = tv_is_seq(v);
	return no_args(a);
}

TEST(t_mapping)
{
	(void)st;
	*res = v->kind == TK_MAP;
	return no_args(a);
}

TEST(t_iterable)
{
	(void)st;
	*res = v->kind == TK_LIST || v->kind == TK_MAP || v->kind == TK_STR ||
	    v->kind == TK_ONESHOT;
	return no_args(a);
}

TEST(t_boolean)
{
	(void)st;
	*res = v->kind == TK_BOOL;
	return no_args(a);
}

TEST(t_true)
{
	(void)st;
	*res = v->kind == TK_BOOL && v->u.b;
	return no_args(a);
}

TEST(t_false)
{
	(void)st;
	*res = v->kind == TK_BOOL && !v->u.b;
	return no_args(a);
}

static int
affix(const struct tmpl_value *v, struct rargs *a, int *res, int end)
{
	const struct tmpl_value *x;

	if ((x = one_arg(a)) == NULL)
		return -1;
	*res = 0;
	if (v->kind != TK_STR || x->kind != TK_STR || x->u.s.len > v->u.s.len)
		return 0;
	*res = memcmp(v->u.s.p + (end ? v->u.s.len - x->u.s.len : 0),
	    x->u.s.p, x->u.s.len) == 0;
	return 0;
}

TEST(t_startingwith)
{
	(void)st;
	return affix(v, a, res, 0);
}

TEST(t_endingwith)
{
	(void)st;
	return affix(v, a, res, 1);
}

/* Every character is lower (upper) case, like Rust's char tests. */
static int
all_case(const struct tmpl_value *v, struct rargs *a, int *res, int upper)
{
	size_t i, n;
	uint32_t cp;

	*res = v->kind == TK_STR;
	for (i = 0; *res && i < v->u.s.len; i += n) {
		n = uc_decode(v->u.s.p + i, v->u.s.len - i, &cp);
		*res = upper ? uc_is_upper(cp) : uc_is_lower(cp);
	}
	return no_args(a);
}

TEST(t_lower)
{
	(void)st;
	return all_case(v, a, res, 0);
}

TEST(t_upper)
{
	(void)st;
	return all_case(v, a, res, 1);
}

TEST(t_filter)
{
	(void)st;
	*res = v->kind == TK_STR && tfilter_find(v->u.s.p) != NULL;
	return no_args(a);
}

TEST(t_test)
{
	(void)st;
	*res = v->kind == TK_STR && ttest_find(v->u.s.p) != NULL;
	return no_args(a);
}

/* Objects by identity, everything else by kind and value. */
TEST(t_sameas)
{
	const struct tmpl_value *o;
	int obj_v, obj_o;

	(void)st;
	if ((o = one_arg(a)) == NULL)
		return -1;
	obj_v = v->kind >= TK_LIST;
	obj_o = o->kind >= TK_LIST;
	if (obj_v || obj_o)
		*res = v == o;
	else
		*res = v->kind == o->kind && tv_eq(v, o);
	return 0;
}

static int
compare(const struct tmpl_value *v, struct rargs *a, int *res, enum top op)
{
	const struct tmpl_value *o;
	struct tmpl_value *r;

	if ((o = one_arg(a)) == NULL)
		return -1;
	if ((r = op_compare(op, v, o)) == NULL)
		return -1;
	*res = tv_truthy(r);
	tv_unref(r);
	return 0;
}

TEST(t_eq)
{
	(void)st;
	return compare(v, a, res, OP_EQ);
}

TEST(t_ne)
{
	(void)st;
	return compare(v, a, res, OP_NE);
}

TEST(t_lt)
{
	(void)st;
	return compare(v, a, res, OP_LT);
}

TEST(t_le)
{
	(void)st;
	return compare(v, a, res, OP_LE);
}

TEST(t_gt)
{
	(void)st;
	return compare(v, a, res, OP_GT);
}

TEST(t_ge)
{
	(void)st;
	return compare(v, a, res, OP_GE);
}

TEST(t_in)
{
	(void)st;
	return compare(v, a, res, OP_IN);
}

struct ttest {
	const char	*name;
	ttest_fn	 fn;
};

static const struct ttest tests[] = {
	{ "!=", t_ne }, { "<", t_lt }, { "<=", t_le }, { "==", t_eq },
	{ ">", t_gt }, { ">=", t_ge }, { "boolean", t_boolean },
	{ "defined", t_defined }, { "divisibleby", t_divisibleby },
	{ "endingwith", t_endingwith }, { "eq", t_eq }, { "equalto", t_eq },
	{ "escaped", t_safe }, { "even", t_even }, { "false", t_false },
	{ "filter", t_filter }, { "float", t_float }, { "ge", t_ge },
	{ "greaterthan", t_gt }, { "gt", t_gt }, { "in", t_in },
	{ "int", t_integer }, { "integer", t_integer },
	{ "iterable", t_iterable }, { "le", t_le },
	{ "lessthan", t_lt }, { "lower", t_lower }, { "lt", t_lt },
	{ "mapping", t_mapping }, { "ne", t_ne }, { "none", t_none },
	{ "number", t_number }, { "odd", t_odd }, { "safe", t_safe },
	{ "sameas", t_sameas }, { "sequence", t_sequence },
	{ "startingwith", t_startingwith }, { "string", t_string },
	{ "test", t_test }, { "true", t_true }, { "undefined", t_undefined },
	{ "upper", t_upper },
};

ttest_fn
ttest_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (strcmp(tests[i].name, name) == 0)
			return tests[i].fn;
	return NULL;
}
