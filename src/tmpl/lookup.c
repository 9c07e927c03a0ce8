/*
 * lookup.c - a.name, a[key], dotted paths and a[start:stop:step] (see
 * ops.h).
 */
#include <stdlib.h>
#include <string.h>

#include "tmpl/ast.h"
#include "tmpl/loop.h"
#include "tmpl/ops.h"
#include "tmpl/utf8.h"
#include "tmpl/value.h"
#include "util/err.h"

/* The character at index idx (negative from the end) of a string. */
static struct tmpl_value *
str_char_at(const struct tmpl_value *s, tint idx)
{
	size_t i = 0, n, count;
	uint32_t cp;
	tint k = 0;

	if (idx < 0) {
		count = uc_count(s->u.s.p, s->u.s.len);
		idx += (tint)count;
		if (idx < 0)
			return tv_undef();
	}
	while (i < s->u.s.len) {
		n = uc_decode(s->u.s.p + i, s->u.s.len - i, &cp);
		if (k == idx)
			return tv_strn(s->u.s.p + i, n);
		i += n;
		k++;
	}
	return tv_undef();
}

/* name, arguments and caller of a macro. */
static struct tmpl_value *
macro_attr(const struct tmpl_value *m, const char *name)
{
	const struct tnode *n = m->u.mac.node;
	struct tmpl_value *l;
	size_t i;

	if (strcmp(name, "name") == 0)
		return tv_str(n->name);
	if (strcmp(name, "caller") == 0)
		return tv_bool((n->flags & NF_CALLER) != 0);
	if (strcmp(name, "arguments") != 0)
		return tv_undef();
	if ((l = tv_list(n->n2)) == NULL)
		return NULL;
	for (i = 0; i < n->n2; i++)
		if (tv_list_push(l, tv_str(n->list2[i]->name)) == -1) {
			tv_unref(l);
			return NULL;
		}
	return l;
}

struct tmpl_value *
op_getattr(const struct tmpl_value *a, const char *name)
{
	struct tmpl_value *v;

	switch (a->kind) {
	case TK_UNDEF:
		err_set(OP_UNDEFINED_MSG);
		return NULL;
	case TK_MAP:
		v = tv_map_gets(a, name, strlen(name));
		return v != NULL ? tv_ref(v) : tv_undef();
	case TK_LOOP:
		return tloop_attr(a->u.loop, name);
	case TK_MACRO:
		return macro_attr(a, name);
	case TK_LIST:
		if ((a->flags & TF_GROUP) && a->u.l.n == 2) {
			if (strcmp(name, "grouper") == 0)
				return tv_ref(a->u.l.v[0]);
			if (strcmp(name, "list") == 0)
				return tv_ref(a->u.l.v[1]);
		}
		return tv_undef();
	default:
		return tv_undef();
	}
}

struct tmpl_value *
op_getitem(const struct tmpl_value *a, const struct tmpl_value *key)
{
	struct tmpl_value *v;
	tint idx;

	switch (a->kind) {
	case TK_UNDEF:
		err_set(OP_UNDEFINED_MSG);
		return NULL;
	case TK_MAP:
		if (tcharge(a->u.m.n / 8 + 1) == -1)
			return NULL;
		v = tv_map_get(a, key);
		return v != NULL ? tv_ref(v) : tv_undef();
	case TK_LIST:
		if (key->kind == TK_STR)
			return op_getattr(a, key->u.s.p);
		if (key->kind == TK_BOOL || tv_to_int(key, &idx) == -1)
			return tv_undef();
		if (idx < 0)
			idx += (tint)a->u.l.n;
		if (idx < 0 || idx >= (tint)a->u.l.n)
			return tv_undef();
		return tv_ref(a->u.l.v[(size_t)idx]);
	case TK_STR:
		if (key->kind == TK_BOOL || tv_to_int(key, &idx) == -1)
			return tv_undef();
		return str_char_at(a, idx);
	case TK_LOOP:
		if (key->kind == TK_STR)
			return op_getattr(a, key->u.s.p);
		return tv_undef();
	default:
		return tv_undef();
	}
}

struct tmpl_value *
op_getpath(const struct tmpl_value *a, const char *path)
{
	struct tmpl_value *cur, *next, *key;
	const char *p = path, *dot;
	char part[256];
	size_t n, i;
	int digits;

	cur = tv_ref(a);
	for (;;) {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(part)) {
			tv_unref(cur);
			err_set("attribute path too long");
			return NULL;
		}
		memcpy(part, p, n);
		part[n] = '\0';
		digits = n > 0 && n < 19;
		for (i = 0; i < n && digits; i++)
			digits = part[i] >= '0' && part[i] <= '9';
		if (digits) {
			if ((key = tv_int(strtoll(part, NULL, 10))) == NULL) {
				tv_unref(cur);
				return NULL;
			}
			next = op_getitem(cur, key);
			tv_unref(key);
		} else
			next = op_getattr(cur, part);
		tv_unref(cur);
		if ((cur = next) == NULL || dot == NULL)
			return cur;
		p = dot + 1;
	}
}

/* Python's slice.indices(): clamps and counts. */
static int
slice_bounds(size_t len, const struct tmpl_value *vstart,
    const struct tmpl_value *vstop, const struct tmpl_value *vstep,
    tint *start, tint *step, size_t *count)
{
	tint l = (tint)len, st = 1, b, e;

	if (vstep != NULL && vstep->kind != TK_NONE &&
	    vstep->kind != TK_UNDEF) {
		if (tv_to_int(vstep, &st) == -1)
			return err_set("cannot convert %s to integer",
			    tv_kind_name(vstep));
		if (st == 0)
			return err_set("cannot slice by step size of 0");
	}
	if (vstart == NULL || vstart->kind == TK_NONE ||
	    vstart->kind == TK_UNDEF)
		b = st < 0 ? l - 1 : 0;
	else {
		if (tv_to_int(vstart, &b) == -1)
			return err_set("cannot convert %s to integer",
			    tv_kind_name(vstart));
		if (b < 0) {
			b += l;
			if (b < 0)
				b = st < 0 ? -1 : 0;
		} else if (b >= l)
			b = st < 0 ? l - 1 : l;
	}
	if (vstop == NULL || vstop->kind == TK_NONE || vstop->kind == TK_UNDEF)
		e = st < 0 ? -1 : l;
	else {
		if (tv_to_int(vstop, &e) == -1)
			return err_set("cannot convert %s to integer",
			    tv_kind_name(vstop));
		if (e < 0) {
			e += l;
			if (e < 0)
				e = st < 0 ? -1 : 0;
		} else if (e >= l)
			e = st < 0 ? l - 1 : l;
	}
	if (st < 0)
		*count = e < b ? (size_t)((b - e - 1) / -st + 1) : 0;
	else
		*count = b < e ? (size_t)((e - b - 1) / st + 1) : 0;
	*start = b;
	*step = st;
	return 0;
}

struct tmpl_value *
op_slice(const struct tmpl_value *a, const struct tmpl_value *vstart,
    const struct tmpl_value *vstop, const struct tmpl_value *vstep)
{
	struct tmpl_value *src = NULL, *r = NULL, *item;
	struct buf out;
	tint start = 0, step = 1, pos;
	size_t count = 0, k;

	if (a->kind == TK_UNDEF || a->kind == TK_NONE)
		return tv_list(0);
	if (a->kind == TK_STR) {
		if ((src = titer_collect(a)) == NULL)
			return NULL;
	} else if (a->kind == TK_LIST)
		src = tv_ref(a);
	else {
		err_set("value of type %s cannot be sliced", tv_kind_name(a));
		return NULL;
	}
	if (slice_bounds(src->u.l.n, vstart, vstop, vstep, &start, &step,
	    &count) == -1 || tcharge(count) == -1)
		goto out;
	if (a->kind == TK_STR) {
		buf_init(&out, tmax_str());
		for (k = 0, pos = start; k < count; k++, pos += step) {
			item = src->u.l.v[(size_t)pos];
			if (buf_append(&out, item->u.s.p, item->u.s.len) == -1)
				break;
		}
		if (k == count)
			r = tv_str_buf(&out);
		buf_free(&out);
		goto out;
	}
	if ((r = tv_list(count)) == NULL)
		goto out;
	for (k = 0, pos = start; k < count; k++, pos += step)
		if (tv_list_push(r, tv_ref(src->u.l.v[(size_t)pos])) == -1) {
			tv_unref(r);
			r = NULL;
			break;
		}
out:
	tv_unref(src);
	return r;
}
