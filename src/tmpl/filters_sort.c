/*
 * filters_sort.c - filters that order or group: sort, unique, dictsort,
 * groupby.  Strings compare case-insensitively unless case_sensitive is
 * set, as in MiniJinja; sorting is stable.
 */
#include <stdlib.h>
#include <string.h>

#include "tmpl/filters.h"
#include "tmpl/ops.h"
#include "util/err.h"

/* Sort keys next to the values they belong to. */
struct sitem {
	struct tmpl_value	*key;	/* compared */
	struct tmpl_value	*val;	/* carried */
};

/* dir is 1 for ascending, -1 for descending order. */
static void
merge(struct sitem *a, struct sitem *tmp, size_t n, int ci, int dir)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;
	int c;

	if (n < 2)
		return;
	merge(a, tmp, mid, ci, dir);
	merge(a + mid, tmp, n - mid, ci, dir);
	while (i < mid && j < n) {
		c = dir * (ci ? tv_cmp_ci(a[j].key, a[i].key) :
		    tv_cmp(a[j].key, a[i].key));
		/* Take the left one on ties: stable. */
		tmp[k++] = c < 0 ? a[j++] : a[i++];
	}
	while (i < mid)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof(*a));
}

/*
 * Sorts items by key, keeping equal ones in their order also when
 * descending (MiniJinja since 2.15); charges the comparisons to the step
 * budget.
 */
static int
stable_sort(struct sitem *items, size_t n, int ci, int desc)
{
	struct sitem *tmp;
	unsigned long cost = n;
	size_t k;

	for (k = n; k > 1; k /= 2)
		cost += n;
	if (tcharge(cost) == -1)
		return -1;
	if ((tmp = calloc(n ? n : 1, sizeof(*tmp))) == NULL)
		return err_set("out of memory");
	merge(items, tmp, n, ci, desc ? -1 : 1);
	free(tmp);
	/* Comparisons that ran out of budget gave no useful order. */
	return tcharge(0);
}

static void
free_items(struct sitem *it, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		tv_unref(it[i].key);
		tv_unref(it[i].val);
	}
	free(it);
}

/*
 * The items of v with their keys: the item itself, or its attribute path
 * attr (missing -> dflt, or undefined).
 */
static struct sitem *
keyed(const struct tmpl_value *list, const char *attr,
    const struct tmpl_value *dflt)
{
	struct sitem *it;
	struct tmpl_value *k;
	size_t i, n = list->u.l.n;

	if ((it = calloc(n ? n : 1, sizeof(*it))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		it[i].val = tv_ref(list->u.l.v[i]);
		if (attr == NULL) {
			it[i].key = tv_ref(it[i].val);
			continue;
		}
		if ((k = op_getpath(it[i].val, attr)) == NULL) {
			/* Like MiniJinja: a failed lookup sorts as equal. */
			err_clear();
			k = tv_undef();
		}
		if (k->kind == TK_UNDEF && dflt != NULL) {
			tv_unref(k);
			k = tv_ref(dflt);
		}
		it[i].key = k;
	}
	return it;
}

static int
attr_arg(struct rargs *a, size_t i, const char **attr)
{
	const struct tmpl_value *v;

	*attr = NULL;
	if (farg_str(a, i, "attribute", &v) == -1)
		return -1;
	if (v != NULL)
		*attr = v->u.s.p;
	return 0;
}

struct tmpl_value *
f_sort(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *list = NULL, *r = NULL;
	struct sitem *it = NULL;
	const char *attr;
	int reverse = 0, cs = 0;
	size_t i, n = 0;

	(void)st;
	if (farg_bool(a, 0, "reverse", &reverse) == -1 ||
	    farg_bool(a, 1, "case_sensitive", &cs) == -1 ||
	    attr_arg(a, 2, &attr) == -1 || rargs_check(a, 3) == -1)
		return NULL;
	if ((list = titer_collect(v)) == NULL) {
		err_set("cannot convert value to list");
		return NULL;
	}
	n = list->u.l.n;
	if ((it = keyed(list, attr, NULL)) == NULL ||
	    stable_sort(it, n, !cs, reverse) == -1 ||
	    (r = tv_list(n)) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if (tv_list_push(r, tv_ref(it[i].val)) == -1) {
			tv_unref(r);
			r = NULL;
			break;
		}
out:
	if (it != NULL)
		free_items(it, n);
	tv_unref(list);
	return r;
}

struct tmpl_value *
f_unique(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *list = NULL, *r = NULL;
	struct sitem *it = NULL;
	const char *attr;
	size_t i, k, n = 0;
	int cs = 0, seen;

	(void)st;
	if (farg_bool(a, 0, "case_sensitive", &cs) == -1 ||
	    attr_arg(a, 1, &attr) == -1 || rargs_check(a, 2) == -1)
		return NULL;
	if ((list = titer_collect(v)) == NULL)
		return NULL;
	n = list->u.l.n;
	if ((it = keyed(list, attr, NULL)) == NULL || (r = tv_list(0)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (tcharge(i + 1) == -1)
			goto fail;
		for (k = 0, seen = 0; k < i && !seen; k++)
			seen = (cs ? tv_cmp(it[k].key, it[i].key) :
			    tv_cmp_ci(it[k].key, it[i].key)) == 0;
		/* it[k] for k < i that were duplicates themselves do not
		 * matter: they equal an earlier kept one. */
		if (!seen && tv_list_push(r, tv_ref(it[i].val)) == -1)
			goto fail;
	}
	goto out;
fail:
	tv_unref(r);
	r = NULL;
out:
	if (it != NULL)
		free_items(it, n);
	tv_unref(list);
	return r;
}

static struct tmpl_value *
pair(struct tmpl_value *k, struct tmpl_value *v, int flags)
{
	struct tmpl_value *t;

	if ((t = tv_list(2)) == NULL) {
		tv_unref(k);
		tv_unref(v);
		return NULL;
	}
	t->flags |= (unsigned char)flags;
	if (tv_list_push(t, k) == -1) {
		tv_unref(v);
		tv_unref(t);
		return NULL;
	}
	if (tv_list_push(t, v) == -1) {
		tv_unref(t);
		return NULL;
	}
	return t;
}

struct tmpl_value *
f_dictsort(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	const struct tmpl_value *by;
	struct tmpl_value *r = NULL;
	struct sitem *it = NULL;
	int reverse = 0, cs = 0, by_value = 0;
	size_t i, n = 0;

	(void)st;
	if (farg_bool(a, 0, "case_sensitive", &cs) == -1 ||
	    farg_str(a, 1, "by", &by) == -1 ||
	    farg_bool(a, 2, "reverse", &reverse) == -1 ||
	    rargs_check(a, 3) == -1)
		return NULL;
	if (v->kind != TK_MAP) {
		err_set("cannot convert value into pair list");
		return NULL;
	}
	if (by != NULL) {
		if (strcmp(by->u.s.p, "value") == 0)
			by_value = 1;
		else if (strcmp(by->u.s.p, "key") != 0) {
			err_set("by must be \"key\" or \"value\"");
			return NULL;
		}
	}
	n = v->u.m.n;
	if ((it = calloc(n ? n : 1, sizeof(*it))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		it[i].key = tv_ref(by_value ? v->u.m.v[i] : v->u.m.k[i]);
		it[i].val = tv_ref(v->u.m.k[i]);
	}
	if (stable_sort(it, n, !cs, 0) == -1 || (r = tv_list(n)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		const struct tmpl_value *k = it[reverse ? n - 1 - i : i].val;

		if (tv_list_push(r, pair(tv_ref(k), tv_ref(tv_map_get(v, k)),
		    TF_TUPLE)) == -1) {
			tv_unref(r);
			r = NULL;
			break;
		}
	}
out:
	free_items(it, n);
	return r;
}

struct tmpl_value *
f_groupby(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *list = NULL, *r = NULL, *group = NULL, *dflt;
	struct sitem *it = NULL;
	const char *attr;
	size_t i, n = 0, start;
	int cs = 0, c;

	(void)st;
	dflt = rargs_kw(a, "default");
	if (attr_arg(a, 0, &attr) == -1 ||
	    farg_bool(a, a->npos + 1, "case_sensitive", &cs) == -1 ||
	    rargs_check(a, 1) == -1)
		return NULL;
	if (attr == NULL) {
		err_set("groupby() needs an attribute");
		return NULL;
	}
	if ((list = titer_collect(v)) == NULL)
		return NULL;
	n = list->u.l.n;
	if ((it = keyed(list, attr, dflt)) == NULL ||
	    stable_sort(it, n, !cs, 0) == -1 || (r = tv_list(0)) == NULL)
		goto out;
	for (start = 0, i = 1; i <= n; i++) {
		/* Like MiniJinja: neighbours are compared, and a group is
		 * named after the key of its last item. */
		if (i < n) {
			c = cs ? tv_cmp(it[i - 1].key, it[i].key) :
			    tv_cmp_ci(it[i - 1].key, it[i].key);
			if (c == 0)
				continue;
		}
		if ((group = tv_list(i - start)) == NULL)
			goto fail;
		for (; start < i; start++)
			if (tv_list_push(group, tv_ref(it[start].val)) == -1)
				goto fail;
		if (tv_list_push(r, pair(tv_ref(it[i - 1].key), group,
		    TF_TUPLE | TF_GROUP)) == -1) {
			group = NULL;
			goto fail;
		}
		group = NULL;
	}
	goto out;
fail:
	tv_unref(group);
	tv_unref(r);
	r = NULL;
out:
	if (it != NULL)
		free_items(it, n);
	tv_unref(list);
	return r;
}
