/*
 * filters_seq.c - filters over sequences and maps: length, first, last,
 * join, reverse, list, min, max, sum, batch, slice, attr, chain, zip,
 * items.
 */
#include <stdlib.h>
#include <string.h>

#include "tmpl/filters.h"
#include "tmpl/ops.h"
#include "tmpl/utf8.h"
#include "util/err.h"

/* All items of v as a new list; fails on undefined in strict mode. */
static struct tmpl_value *
items_of(struct rstate *st, const struct tmpl_value *v)
{
	if (v->kind == TK_UNDEF && st->opts->strict_undefined) {
		err_set(OP_UNDEFINED_MSG);
		return NULL;
	}
	return titer_collect(v);
}

struct tmpl_value *
f_length(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	(void)st;
	if (rargs_check(a, 0) == -1)
		return NULL;
	switch (v->kind) {
	case TK_STR:
		return tv_int((tint)uc_count(v->u.s.p, v->u.s.len));
	case TK_LIST:
		return tv_int((tint)v->u.l.n);
	case TK_MAP:
		return tv_int((tint)v->u.m.n);
	default:
		err_set("cannot calculate length of value of type %s",
		    tv_kind_name(v));
		return NULL;
	}
}

static struct tmpl_value *
first_or_last(struct rstate *st, const struct tmpl_value *v, struct rargs *a,
    int last)
{
	struct tmpl_value *items, *r;

	if (rargs_check(a, 0) == -1)
		return NULL;
	if (v->kind != TK_STR && v->kind != TK_LIST && v->kind != TK_MAP &&
	    v->kind != TK_ONESHOT) {
		err_set("cannot get %s item from value", last ? "last" :
		    "first");
		return NULL;
	}
	if ((items = items_of(st, v)) == NULL)
		return NULL;
	if (items->u.l.n == 0)
		r = tv_undef();
	else
		r = tv_ref(items->u.l.v[last ? items->u.l.n - 1 : 0]);
	tv_unref(items);
	return r;
}

struct tmpl_value *
f_first(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	return first_or_last(st, v, a, 0);
}

struct tmpl_value *
f_last(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	return first_or_last(st, v, a, 1);
}

struct tmpl_value *
f_join(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	const struct tmpl_value *sep;
	struct tmpl_value *items, *r = NULL;
	struct buf b;
	size_t i;
	int rc = 0;

	if (farg_str(a, 0, "d", &sep) == -1 || rargs_check(a, 1) == -1)
		return NULL;
	if (v->kind == TK_UNDEF || v->kind == TK_NONE)
		return tv_str("");
	if ((items = items_of(st, v)) == NULL) {
		err_set("cannot join value of type %s", tv_kind_name(v));
		return NULL;
	}
	buf_init(&b, tmax_str());
	for (i = 0; i < items->u.l.n && rc == 0; i++) {
		if (i > 0 && sep != NULL)
			rc = buf_append(&b, sep->u.s.p, sep->u.s.len);
		if (rc == 0)
			rc = tv_display(&b, items->u.l.v[i]);
	}
	if (rc == 0)
		r = tv_str_buf(&b);
	buf_free(&b);
	tv_unref(items);
	return r;
}

struct tmpl_value *
f_reverse(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *items, *r = NULL, *item;
	struct buf b;
	size_t i;
	int rc = 0;

	if (rargs_check(a, 0) == -1)
		return NULL;
	if (v->kind != TK_STR && v->kind != TK_LIST && v->kind != TK_MAP &&
	    v->kind != TK_ONESHOT && v->kind != TK_NONE &&
	    v->kind != TK_UNDEF) {
		err_set("cannot reverse value of type %s", tv_kind_name(v));
		return NULL;
	}
	if ((items = items_of(st, v)) == NULL)
		return NULL;
	if (v->kind == TK_STR) {
		buf_init(&b, tmax_str());
		for (i = items->u.l.n; i-- > 0 && rc == 0;) {
			item = items->u.l.v[i];
			rc = buf_append(&b, item->u.s.p, item->u.s.len);
		}
		if (rc == 0)
			r = tv_str_buf(&b);
		buf_free(&b);
	} else if ((r = tv_list(items->u.l.n)) != NULL) {
		/* MiniJinja hands out a reversed iterator, not a list. */
		r->flags |= TF_ITER;
		for (i = items->u.l.n; i-- > 0;)
			if (tv_list_push(r, tv_ref(items->u.l.v[i])) == -1) {
				tv_unref(r);
				r = NULL;
				break;
			}
	}
	tv_unref(items);
	return r;
}

struct tmpl_value *
f_list(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	if (rargs_check(a, 0) == -1)
		return NULL;
	return items_of(st, v);
}

static struct tmpl_value *
min_max(struct rstate *st, const struct tmpl_value *v, struct rargs *a,
    int want)
{
	struct tmpl_value *items, *best = NULL;
	size_t i;

	if (rargs_check(a, 0) == -1)
		return NULL;
	if ((items = items_of(st, v)) == NULL) {
		err_set("cannot convert value to list");
		return NULL;
	}
	for (i = 0; i < items->u.l.n; i++)
		if (best == NULL || tv_cmp(items->u.l.v[i], best) * want > 0)
			best = items->u.l.v[i];
	best = best != NULL ? tv_ref(best) : tv_undef();
	tv_unref(items);
	return best;
}

struct tmpl_value *
f_min(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	return min_max(st, v, a, -1);
}

struct tmpl_value *
f_max(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	return min_max(st, v, a, 1);
}

struct tmpl_value *
f_sum(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *items, *sum, *next, *item;
	size_t i;

	if (rargs_check(a, 0) == -1 || (items = items_of(st, v)) == NULL)
		return NULL;
	sum = tv_int(0);
	for (i = 0; i < items->u.l.n && sum != NULL; i++) {
		item = items->u.l.v[i];
		if (item->kind == TK_UNDEF)
			continue;
		if (!tv_is_number(item)) {
			err_set("can only sum numbers, got %s",
			    tv_kind_name(item));
			tv_unref(sum);
			sum = NULL;
			break;
		}
		next = op_binary(OP_ADD, sum, item);
		tv_unref(sum);
		sum = next;
	}
	tv_unref(items);
	return sum;
}

/* Reads batch()/slice()'s count and fill value. */
static int
count_fill(struct rargs *a, size_t *count, struct tmpl_value **fill)
{
	tint n = 0;

	if (farg_int(a, 0, "count", &n) == -1)
		return -1;
	*fill = rargs_get(a, 1, "fill_with");
	if (rargs_check(a, 2) == -1)
		return -1;
	if (n <= 0)
		return err_set("count cannot be 0");
	/* slice() makes count lists. */
	if (n > 100000)
		return err_set("count is too large");
	*count = (size_t)n;
	return 0;
}

/* A new list of items[start..end), plus fill when fill != NULL. */
static struct tmpl_value *
sublist(const struct tmpl_value *items, size_t start, size_t end,
    struct tmpl_value *fill, size_t nfill)
{
	struct tmpl_value *r;
	size_t i;

	if ((r = tv_list(end - start + nfill)) == NULL)
		return NULL;
	for (i = start; i < end; i++)
		if (tv_list_push(r, tv_ref(items->u.l.v[i])) == -1)
			goto fail;
	for (i = 0; i < nfill; i++)
		if (tv_list_push(r, tv_ref(fill)) == -1)
			goto fail;
	return r;
fail:
	tv_unref(r);
	return NULL;
}

struct tmpl_value *
f_batch(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *items = NULL, *r = NULL, *fill;
	size_t count = 1, i, end, n;

	if (count_fill(a, &count, &fill) == -1 ||
	    (items = items_of(st, v)) == NULL)
		return NULL;
	n = items->u.l.n;
	if (tcharge(n + count) == -1 || (r = tv_list(0)) == NULL)
		goto out;
	for (i = 0; i < n; i += count) {
		end = n - i < count ? n : i + count;
		if (tv_list_push(r, sublist(items, i, end, fill,
		    fill != NULL ? count - (end - i) : 0)) == -1) {
			tv_unref(r);
			r = NULL;
			break;
		}
	}
out:
	tv_unref(items);
	return r;
}

struct tmpl_value *
f_slice(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *items = NULL, *r = NULL, *fill;
	size_t count = 1, per, extra, offset = 0, k, start, end, len;

	if (count_fill(a, &count, &fill) == -1)
		return NULL;
	if (v->kind != TK_STR && v->kind != TK_LIST && v->kind != TK_MAP &&
	    v->kind != TK_ONESHOT && v->kind != TK_NONE &&
	    v->kind != TK_UNDEF) {
		err_set("%s is not iterable", tv_kind_name(v));
		return NULL;
	}
	if ((items = items_of(st, v)) == NULL)
		return NULL;
	len = items->u.l.n;
	per = len / count;
	extra = len % count;
	if (tcharge(len + count) == -1 || (r = tv_list(count)) == NULL)
		goto out;
	for (k = 0; k < count; k++) {
		start = offset + k * per;
		if (k < extra)
			offset++;
		end = offset + (k + 1) * per;
		if (tv_list_push(r, sublist(items, start, end,
		    k >= extra ? fill : NULL,
		    k >= extra && fill != NULL)) == -1) {
			tv_unref(r);
			r = NULL;
			break;
		}
	}
out:
	tv_unref(items);
	return r;
}

struct tmpl_value *
f_attr(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	(void)st;
	if (a->npos != 1 || rargs_check(a, 1) == -1) {
		err_set("attr() takes one argument");
		return NULL;
	}
	return op_getitem(v, a->pos[0]);
}

struct tmpl_value *
f_chain(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *r = NULL, *items;
	const struct tmpl_value *src;
	size_t i, k;
	int maps = v->kind == TK_MAP, seqs = tv_is_seq(v);

	if (rargs_check(a, a->npos) == -1)
		return NULL;
	for (i = 0; i < a->npos; i++) {
		maps = maps && a->pos[i]->kind == TK_MAP;
		seqs = seqs && tv_is_seq(a->pos[i]);
	}
	if (maps) {
		/* A later map's value wins, as lookups in MiniJinja's
		 * chained map find the last one. */
		if ((r = tv_map(0)) == NULL)
			return NULL;
		for (i = 0; i <= a->npos; i++) {
			src = i == 0 ? v : a->pos[i - 1];
			for (k = 0; k < src->u.m.n; k++)
				if (tv_map_set(r, tv_ref(src->u.m.k[k]),
				    tv_ref(src->u.m.v[k])) == -1)
					goto fail;
		}
		return r;
	}
	if ((r = tv_list(0)) == NULL)
		return NULL;
	if (!seqs)
		r->flags |= TF_ITER;
	for (i = 0; i <= a->npos; i++) {
		src = i == 0 ? v : a->pos[i - 1];
		if ((items = items_of(st, src)) == NULL)
			goto fail;
		for (k = 0; k < items->u.l.n; k++)
			if (tv_list_push(r, tv_ref(items->u.l.v[k])) == -1) {
				tv_unref(items);
				goto fail;
			}
		tv_unref(items);
	}
	return r;
fail:
	tv_unref(r);
	return NULL;
}

struct tmpl_value *
f_zip(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value **lists, *r = NULL, *t;
	size_t n = a->npos + 1, i, k, len = (size_t)-1;

	if (rargs_check(a, a->npos) == -1)
		return NULL;
	if ((lists = calloc(n, sizeof(*lists))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if ((lists[i] = items_of(st, i == 0 ? v : a->pos[i - 1])) ==
		    NULL)
			goto out;
		if (lists[i]->u.l.n < len)
			len = lists[i]->u.l.n;
	}
	if (tcharge(len * n) == -1 || (r = tv_list(len)) == NULL)
		goto out;
	for (k = 0; k < len; k++) {
		if ((t = tv_list(n)) == NULL)
			goto fail;
		t->flags |= TF_TUPLE;
		for (i = 0; i < n; i++)
			if (tv_list_push(t, tv_ref(lists[i]->u.l.v[k])) == -1) {
				tv_unref(t);
				goto fail;
			}
		if (tv_list_push(r, t) == -1)
			goto fail;
	}
	goto out;
fail:
	tv_unref(r);
	r = NULL;
out:
	for (i = 0; i < n; i++)
		tv_unref(lists[i]);
	free(lists);
	return r;
}

struct tmpl_value *
f_items(struct rstate *st, const struct tmpl_value *v, struct rargs *a)
{
	struct tmpl_value *r, *t;
	size_t i;

	(void)st;
	if (rargs_check(a, 0) == -1)
		return NULL;
	if (v->kind != TK_MAP) {
		err_set("cannot convert value into pairs");
		return NULL;
	}
	if ((r = tv_list(v->u.m.n)) == NULL)
		return NULL;
	r->flags |= TF_ITER;
	for (i = 0; i < v->u.m.n; i++) {
		if ((t = tv_list(2)) == NULL)
			goto fail;
		t->flags |= TF_TUPLE;
		if (tv_list_push(t, tv_ref(v->u.m.k[i])) == -1 ||
		    tv_list_push(t, tv_ref(v->u.m.v[i])) == -1) {
			tv_unref(t);
			goto fail;
		}
		if (tv_list_push(r, t) == -1)
			goto fail;
	}
	return r;
fail:
	tv_unref(r);
	return NULL;
}
