/*
 * filters_map.c - filters that apply something to every item: map,
 * select, reject, selectattr, rejectattr.
 */
#include <stdlib.h>
#include <string.h>

#include "tmpl/filters.h"
#include "tmpl/ops.h"
#include "util/err.h"

/* Arguments from index `from` of a, for a filter or test on each item. */
static int
tail_args(const struct rargs *a, size_t from, struct rargs *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = from; i < a->npos; i++)
		if (rargs_add(out, tv_ref(a->pos[i])) == -1) {
			rargs_free(out);
			return -1;
		}
	return 0;
}

static struct tmpl_value *
map_attr(const struct tmpl_value *items, const struct tmpl_value *attr,
    const struct tmpl_value *dflt)
{
	struct tmpl_value *r, *sub;
	size_t i;

	if ((r = tv_list(items->u.l.n)) == NULL)
		return NULL;
	for (i = 0; i < items->u.l.n; i++) {
		if (attr->kind == TK_STR)
			sub = op_getpath(items->u.l.v[i], attr->u.s.p);
		else
			sub = op_getitem(items->u.l.v[i], attr);
		if (sub == NULL && dflt != NULL && dflt->kind != TK_UNDEF) {
			err_clear();
			sub = tv_ref(dflt);
		} else if (sub != NULL && sub->kind == TK_UNDEF &&
		    dflt != NULL) {
			tv_unref(sub);
			sub = tv_ref(dflt);
		}
		if (tv_list_push(r, sub) == -1) {
			tv_unref(r);
			return NULL;
		}
	}
	return r;
}

struct tmpl_value *
f_map(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *items = NULL, *r = NULL, *attr, *dflt;
	struct rargs sub;
	size_t i;

	if ((attr = rargs_kw(a, "attribute")) != NULL) {
		dflt = rargs_kw(a, "default");
		if (rargs_check(a, 0) == -1 || (items = titer_collect(v)) ==
		    NULL)
			return NULL;
		r = map_attr(items, attr, dflt);
		tv_unref(items);
		return r;
	}
	if (a->npos == 0 || a->pos[0]->kind != TK_STR) {
		err_set("map() needs a filter name or attribute=");
		return NULL;
	}
	if ((items = titer_collect(v)) == NULL)
		return NULL;
	if (tail_args(a, 1, &sub) == -1)
		goto fail;
	sub.kw = tv_ref(a->kw);
	if ((r = tv_list(items->u.l.n)) == NULL)
		goto fail;
	for (i = 0; i < items->u.l.n; i++) {
		sub.used = 0;
		if (tv_list_push(r, rfilter_apply(st, a->pos[0]->u.s.p,
		    items->u.l.v[i], &sub)) == -1) {
			tv_unref(r);
			r = NULL;
			break;
		}
	}
	rargs_free(&sub);
	tv_unref(items);
	return r;
fail:
	tv_unref(items);
	return NULL;
}

/* select(), reject() and their attr variants. */
static struct tmpl_value *
select_items(struct rstate *st, const struct tmpl_value *v, struct rargs *a,
    int with_attr, int keep)
{
	struct tmpl_value *items = NULL, *r = NULL, *val;
	const struct tmpl_value *attr = NULL, *test = NULL;
	struct rargs sub;
	size_t i, next = 0;
	int pass, rc;

	memset(&sub, 0, sizeof(sub));
	if (with_attr) {
		if (a->npos < 1 || a->pos[0]->kind != TK_STR) {
			err_set("an attribute name is required");
			return NULL;
		}
		attr = a->pos[next++];
	}
	if (next < a->npos) {
		if (a->pos[next]->kind != TK_STR) {
			err_set("a test name is required");
			return NULL;
		}
		test = a->pos[next++];
	}
	if (rargs_check(a, a->npos) == -1 || tail_args(a, next, &sub) == -1)
		return NULL;
	if ((items = titer_collect(v)) == NULL || (r = tv_list(0)) == NULL)
		goto fail;
	for (i = 0; i < items->u.l.n; i++) {
		if (attr != NULL) {
			if ((val = op_getpath(items->u.l.v[i],
			    attr->u.s.p)) == NULL)
				goto fail;
		} else
			val = tv_ref(items->u.l.v[i]);
		if (test != NULL)
			rc = rtest_apply(st, test->u.s.p, val, &sub, &pass);
		else {
			pass = tv_truthy(val);
			rc = 0;
		}
		tv_unref(val);
		if (rc == -1)
			goto fail;
		if ((pass != 0) == keep &&
		    tv_list_push(r, tv_ref(items->u.l.v[i])) == -1)
			goto fail;
	}
	rargs_free(&sub);
	tv_unref(items);
	return r;
fail:
	rargs_free(&sub);
	tv_unref(items);
	tv_unref(r);
	return NULL;
}

struct tmpl_value *
f_select(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	return select_items(st, v, a, 0, 1);
}

struct tmpl_value *
f_reject(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	return select_items(st, v, a, 0, 0);
}

struct tmpl_value *
f_selectattr(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	return select_items(st, v, a, 1, 1);
}

struct tmpl_value *
f_rejectattr(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	return select_items(st, v, a, 1, 0);
}
