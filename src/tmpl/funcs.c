/*
 * funcs.c - the global functions: range, dict and namespace.
 */
#include <string.h>

#include "tmpl/loop.h"
#include "tmpl/render.h"
#include "util/err.h"

/* range() refuses more items than MiniJinja does. */
#define RANGE_MAX_ITEMS	100000

static struct tmpl_value *
fn_range(struct rstate *st, struct rargs *a)
{
	tint lo = 0, hi = 0, step = 1, n, i, span;
	struct tmpl_value *r;
	size_t k;

	(void)st;
	if (a->npos < 1 || a->npos > 3 || rargs_check(a, 3) == -1) {
		err_set("range() takes one to three arguments");
		return NULL;
	}
	for (k = 0; k < a->npos; k++)
		if (a->pos[k]->kind == TK_BOOL || a->pos[k]->kind == TK_FLOAT ||
		    tv_to_int(a->pos[k], &i) == -1) {
			err_set("range() takes integers");
			return NULL;
		}
	if (a->npos == 1)
		tv_to_int(a->pos[0], &hi);
	else {
		tv_to_int(a->pos[0], &lo);
		tv_to_int(a->pos[1], &hi);
	}
	if (a->npos == 3)
		tv_to_int(a->pos[2], &step);
	if (step == 0) {
		err_set("cannot create range with step of 0");
		return NULL;
	}
	/* Counted without overflowing, whatever the bounds. */
	if (step > 0 ? hi <= lo : lo <= hi)
		n = 0;
	else if (__builtin_sub_overflow(step > 0 ? hi : lo,
	    step > 0 ? lo : hi, &span))
		n = RANGE_MAX_ITEMS + 1;
	else if (step == TINT_MIN)
		n = 1;
	else
		n = (span - 1) / (step > 0 ? step : -step) + 1;
	if (n > RANGE_MAX_ITEMS) {
		err_set("range has too many elements");
		return NULL;
	}
	if (tcharge((unsigned long)n) == -1 || (r = tv_list((size_t)n)) ==
	    NULL)
		return NULL;
	/* MiniJinja's range is an iterable, not a sequence. */
	r->flags |= TF_ITER;
	for (i = 0; i < n; i++)
		if (tv_list_push(r, tv_int(lo + i * step)) == -1) {
			tv_unref(r);
			return NULL;
		}
	return r;
}

/* Copies a map (or the attributes of a loop) and the keyword
 * arguments into a new map. */
static struct tmpl_value *
build_map(struct rargs *a, const char *what)
{
	const struct tmpl_value *src = NULL;
	struct tmpl_value *r;
	size_t i;

	if (a->npos > 1) {
		err_set("%s() takes at most one positional argument", what);
		return NULL;
	}
	if (a->npos == 1) {
		src = a->pos[0];
		if (src->kind != TK_MAP && src->kind != TK_LOOP) {
			err_set("expected object or keyword arguments, got %s",
			    tv_kind_name(src));
			return NULL;
		}
	}
	if ((r = tv_map(0)) == NULL)
		return NULL;
	if (src != NULL && src->kind == TK_MAP)
		for (i = 0; i < src->u.m.n; i++)
			if (tv_map_set(r, tv_ref(src->u.m.k[i]),
			    tv_ref(src->u.m.v[i])) == -1)
				goto fail;
	if (src != NULL && src->kind == TK_LOOP)
		for (i = 0; tloop_keys[i] != NULL; i++)
			if (tv_map_set(r, tv_str(tloop_keys[i]),
			    tloop_attr(src->u.loop, tloop_keys[i])) == -1)
				goto fail;
	if (a->kw != NULL)
		for (i = 0; i < a->kw->u.m.n; i++)
			if (tv_map_set(r, tv_ref(a->kw->u.m.k[i]),
			    tv_ref(a->kw->u.m.v[i])) == -1)
				goto fail;
	return r;
fail:
	tv_unref(r);
	return NULL;
}

static struct tmpl_value *
fn_dict(struct rstate *st, struct rargs *a)
{
	(void)st;
	return build_map(a, "dict");
}

static struct tmpl_value *
fn_namespace(struct rstate *st, struct rargs *a)
{
	struct tmpl_value *r;

	if ((r = build_map(a, "namespace")) == NULL)
		return NULL;
	r->flags |= TF_NS;
	if (rkeep_namespace(st, r) == -1) {
		tv_unref(r);
		return NULL;
	}
	return r;
}

static const struct tbuiltin builtins[] = {
	{ "range", fn_range },
	{ "dict", fn_dict },
	{ "namespace", fn_namespace },
};

#define NBUILTINS	(sizeof(builtins) / sizeof(builtins[0]))

static struct tmpl_value builtin_values[NBUILTINS] = {
	[0] = { .kind = TK_FUNC, .flags = TF_IMMORTAL, .depth = 1,
	    .u.fn.bi = &builtins[0] },
	[1] = { .kind = TK_FUNC, .flags = TF_IMMORTAL, .depth = 1,
	    .u.fn.bi = &builtins[1] },
	[2] = { .kind = TK_FUNC, .flags = TF_IMMORTAL, .depth = 1,
	    .u.fn.bi = &builtins[2] },
};

struct tmpl_value *
tfunc_find(const char *name)
{
	size_t i;

	for (i = 0; i < NBUILTINS; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtin_values[i];
	return NULL;
}
