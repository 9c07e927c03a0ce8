/*
 * iter.c - iteration over any iterable value (see value.h): lists, map
 * keys, the characters of strings, one-shot iterators; none and
 * undefined are empty.
 */
#include <stdlib.h>
#include <string.h>

#include "tmpl/utf8.h"
#include "tmpl/value.h"
#include "util/err.h"

int
titer_init(struct titer *it, const struct tmpl_value *v)
{
	memset(it, 0, sizeof(*it));
	switch (v->kind) {
	case TK_UNDEF:
	case TK_NONE:
		it->len = 0;
		return 0;
	case TK_LIST:
		it->src = tv_ref(v);
		it->len = v->u.l.n;
		return 0;
	case TK_MAP:
		it->src = tv_ref(v);
		it->len = v->u.m.n;
		return 0;
	case TK_STR:
		if ((it->chars = titer_collect(v)) == NULL)
			return -1;
		it->src = tv_ref(it->chars);
		it->len = it->chars->u.l.n;
		return 0;
	case TK_ONESHOT:
		it->src = tv_ref(v);
		it->len = TITER_UNKNOWN;
		return 0;
	default:
		return err_set("%s is not iterable", tv_kind_name(v));
	}
}

static int
titer_pull(struct titer *it, struct tmpl_value **out)
{
	struct tmpl_value *s = it->src;

	if (s == NULL)
		return 0;
	if (s->kind == TK_ONESHOT) {
		if (s->u.os->next >= s->u.os->end)
			return 0;
		if ((*out = tv_int(s->u.os->next)) == NULL)
			return -1;
		s->u.os->next++;
		return 1;
	}
	if (it->pos >= it->len)
		return 0;
	if (s->kind == TK_MAP)
		*out = tv_ref(s->u.m.k[it->pos]);
	else
		*out = tv_ref(s->u.l.v[it->pos]);
	it->pos++;
	return 1;
}

int
titer_next(struct titer *it, struct tmpl_value **out)
{
	if (it->peeked != NULL) {
		*out = it->peeked;
		it->peeked = NULL;
		return 1;
	}
	return titer_pull(it, out);
}

int
titer_peek(struct titer *it, struct tmpl_value **out)
{
	int r;

	if (it->peeked == NULL) {
		if ((r = titer_pull(it, &it->peeked)) != 1) {
			it->peeked = NULL;
			return r;
		}
	}
	*out = it->peeked;
	return 1;
}

void
titer_done(struct titer *it)
{
	tv_unref(it->peeked);
	tv_unref(it->src);
	tv_unref(it->chars);
	memset(it, 0, sizeof(*it));
}

struct tmpl_value *
titer_collect(const struct tmpl_value *v)
{
	struct tmpl_value *r, *item;
	struct titer it;
	size_t i, n;
	uint32_t cp;
	int rc;

	if (v->kind == TK_STR) {
		if ((r = tv_list(0)) == NULL)
			return NULL;
		for (i = 0; i < v->u.s.len; i += n) {
			n = uc_decode(v->u.s.p + i, v->u.s.len - i, &cp);
			if (tv_list_push(r, tv_strn(v->u.s.p + i, n)) == -1) {
				tv_unref(r);
				return NULL;
			}
		}
		return r;
	}
	if (titer_init(&it, v) == -1)
		return NULL;
	if ((r = tv_list(it.len != TITER_UNKNOWN ? it.len : 0)) == NULL) {
		titer_done(&it);
		return NULL;
	}
	while ((rc = titer_next(&it, &item)) == 1) {
		if (tcharge(1) == -1) {
			tv_unref(item);
			rc = -1;
			break;
		}
		if (tv_list_push(r, item) == -1) {
			rc = -1;
			break;
		}
	}
	titer_done(&it);
	if (rc == -1) {
		tv_unref(r);
		return NULL;
	}
	return r;
}
