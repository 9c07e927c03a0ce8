/*
 * value.c - allocation, reference counting and containers of template
 * values (see value.h), and the public value constructors of tmpl.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/loop.h"
#include "tmpl/value.h"
#include "util/err.h"

struct tmpl_value tv_undef_v = { .kind = TK_UNDEF, .flags = TF_IMMORTAL,
    .depth = 1 };
struct tmpl_value tv_none_v = { .kind = TK_NONE, .flags = TF_IMMORTAL,
    .depth = 1 };
struct tmpl_value tv_true_v = { .kind = TK_BOOL, .flags = TF_IMMORTAL,
    .depth = 1, .u.b = 1 };
struct tmpl_value tv_false_v = { .kind = TK_BOOL, .flags = TF_IMMORTAL,
    .depth = 1, .u.b = 0 };

_Thread_local struct tlimits *tlimits_cur;

int
tcharge(unsigned long n)
{
	struct tlimits *l = tlimits_cur;

	if (l == NULL)
		return 0;
	/* A spent budget stays at 0, so tcharge(0) tells whether it is. */
	if (l->steps <= n) {
		l->steps = 0;
		return err_set("template exceeded its step budget");
	}
	l->steps -= n;
	return 0;
}

size_t
tmax_str(void)
{
	return tlimits_cur != NULL ? tlimits_cur->max_str : (size_t)-1 / 2;
}

struct tmpl_value *
tv_new(enum tkind kind)
{
	struct tmpl_value *v;

	if ((v = calloc(1, sizeof(*v))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	atomic_init(&v->refs, 1);
	v->kind = (unsigned char)kind;
	v->depth = 1;
	return v;
}

struct tmpl_value *
tv_ref(const struct tmpl_value *cv)
{
	/* References are counted on const values too: the count is not
	 * part of the value's meaning. */
	struct tmpl_value *v = (struct tmpl_value *)(uintptr_t)cv;

	if (v != NULL && !(v->flags & TF_IMMORTAL))
		atomic_fetch_add_explicit(&v->refs, 1, memory_order_relaxed);
	return v;
}

static void
tv_destroy(struct tmpl_value *v)
{
	size_t i;

	switch (v->kind) {
	case TK_STR:
		free(v->u.s.p);
		break;
	case TK_LIST:
		for (i = 0; i < v->u.l.n; i++)
			tv_unref(v->u.l.v[i]);
		free(v->u.l.v);
		break;
	case TK_MAP:
		for (i = 0; i < v->u.m.n; i++) {
			tv_unref(v->u.m.k[i]);
			tv_unref(v->u.m.v[i]);
		}
		free(v->u.m.k);
		free(v->u.m.v);
		break;
	case TK_LOOP:
		tloop_free(v->u.loop);
		break;
	case TK_ONESHOT:
		free(v->u.os);
		break;
	case TK_MACRO:
		tv_unref(v->u.mac.closure);
		break;
	default:
		break;
	}
	free(v);
}

void
tv_unref(struct tmpl_value *v)
{
	if (v == NULL || (v->flags & TF_IMMORTAL))
		return;
	if (atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) == 1)
		tv_destroy(v);
}

void
tv_make_immortal(struct tmpl_value *v)
{
	size_t i;

	if (v == NULL || (v->flags & TF_IMMORTAL))
		return;
	v->flags |= TF_IMMORTAL;
	if (v->kind == TK_LIST)
		for (i = 0; i < v->u.l.n; i++)
			tv_make_immortal(v->u.l.v[i]);
	else if (v->kind == TK_MAP)
		for (i = 0; i < v->u.m.n; i++) {
			tv_make_immortal(v->u.m.k[i]);
			tv_make_immortal(v->u.m.v[i]);
		}
}

void
tv_free_immortal(struct tmpl_value *v)
{
	size_t i;

	if (v == NULL || v == &tv_undef_v || v == &tv_none_v ||
	    v == &tv_true_v || v == &tv_false_v)
		return;
	/* Children first: tv_destroy() would skip them as immortal. */
	if (v->kind == TK_LIST) {
		for (i = 0; i < v->u.l.n; i++)
			tv_free_immortal(v->u.l.v[i]);
		v->u.l.n = 0;
	} else if (v->kind == TK_MAP) {
		for (i = 0; i < v->u.m.n; i++) {
			tv_free_immortal(v->u.m.k[i]);
			tv_free_immortal(v->u.m.v[i]);
		}
		v->u.m.n = 0;
	}
	tv_destroy(v);
}

struct tmpl_value *
tv_undef(void)
{
	return &tv_undef_v;
}

struct tmpl_value *
tv_none(void)
{
	return &tv_none_v;
}

struct tmpl_value *
tv_bool(int b)
{
	return b ? &tv_true_v : &tv_false_v;
}

struct tmpl_value *
tv_int(tint i)
{
	struct tmpl_value *v;

	if ((v = tv_new(TK_INT)) != NULL)
		v->u.i = i;
	return v;
}

struct tmpl_value *
tv_uint(tuint u)
{
	struct tmpl_value *v;

	if (u <= (tuint)TINT_MAX)
		return tv_int((tint)u);
	if ((v = tv_new(TK_U128)) != NULL)
		v->u.u = u;
	return v;
}

struct tmpl_value *
tv_float(double f)
{
	struct tmpl_value *v;

	if ((v = tv_new(TK_FLOAT)) != NULL)
		v->u.f = f;
	return v;
}

struct tmpl_value *
tv_strn(const char *s, size_t len)
{
	struct tmpl_value *v;

	if (len > tmax_str()) {
		err_set("string is too large (%zu bytes)", len);
		return NULL;
	}
	if (tcharge(1 + len / 256) == -1)
		return NULL;
	if ((v = tv_new(TK_STR)) == NULL)
		return NULL;
	if ((v->u.s.p = malloc(len + 1)) == NULL) {
		free(v);
		err_set("out of memory");
		return NULL;
	}
	if (len > 0)
		memcpy(v->u.s.p, s, len);
	v->u.s.p[len] = '\0';
	v->u.s.len = len;
	return v;
}

struct tmpl_value *
tv_str(const char *s)
{
	return tv_strn(s, strlen(s));
}

struct tmpl_value *
tv_str_buf(struct buf *b)
{
	struct tmpl_value *v;
	size_t len = b->len;

	if (len > tmax_str()) {
		err_set("string is too large (%zu bytes)", len);
		return NULL;
	}
	/* Building the string cost about this much too. */
	if (tcharge(1 + len / 256) == -1)
		return NULL;
	if ((v = tv_new(TK_STR)) == NULL)
		return NULL;
	if ((v->u.s.p = buf_steal(b)) == NULL) {
		free(v);
		err_set("out of memory");
		return NULL;
	}
	v->u.s.len = len;
	return v;
}

struct tmpl_value *
tv_list(size_t cap)
{
	struct tmpl_value *v;

	if ((v = tv_new(TK_LIST)) == NULL)
		return NULL;
	if (cap > 0) {
		if ((v->u.l.v = calloc(cap, sizeof(*v->u.l.v))) == NULL) {
			free(v);
			err_set("out of memory");
			return NULL;
		}
		v->u.l.cap = cap;
	}
	return v;
}

struct tmpl_value *
tv_map(size_t cap)
{
	struct tmpl_value *v;

	if ((v = tv_new(TK_MAP)) == NULL)
		return NULL;
	if (cap > 0) {
		v->u.m.k = calloc(cap, sizeof(*v->u.m.k));
		v->u.m.v = calloc(cap, sizeof(*v->u.m.v));
		if (v->u.m.k == NULL || v->u.m.v == NULL) {
			free(v->u.m.k);
			free(v->u.m.v);
			free(v);
			err_set("out of memory");
			return NULL;
		}
		v->u.m.cap = cap;
	}
	return v;
}

/* Grows an array of value pointers to hold n + 1. */
static int
grow(struct tmpl_value ***arr, size_t n, size_t *cap)
{
	struct tmpl_value **p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	if (ncap > SIZE_MAX / sizeof(*p))
		return err_set("out of memory");
	if ((p = realloc(*arr, ncap * sizeof(*p))) == NULL)
		return err_set("out of memory");
	*arr = p;
	*cap = ncap;
	return 0;
}

static int
note_depth(struct tmpl_value *c, const struct tmpl_value *item)
{
	if (item->depth + 1 > TV_MAX_DEPTH)
		return err_set("value nested too deeply");
	if (item->depth + 1 > c->depth)
		c->depth = (unsigned short)(item->depth + 1);
	return 0;
}

int
tv_list_push(struct tmpl_value *l, struct tmpl_value *item)
{
	if (item == NULL)
		return -1;
	if (note_depth(l, item) == -1 ||
	    grow(&l->u.l.v, l->u.l.n, &l->u.l.cap) == -1) {
		tv_unref(item);
		return -1;
	}
	l->u.l.v[l->u.l.n++] = item;
	return 0;
}

static int
map_grow(struct tmpl_value *m)
{
	struct tmpl_value **p;
	size_t ncap;

	if (m->u.m.n < m->u.m.cap)
		return 0;
	ncap = m->u.m.cap ? m->u.m.cap * 2 : 4;
	if (ncap > SIZE_MAX / sizeof(*p))
		return err_set("out of memory");
	/* If the second realloc fails, cap stays as it was and the first
	 * array is merely larger than needed. */
	if ((p = realloc(m->u.m.k, ncap * sizeof(*p))) == NULL)
		return err_set("out of memory");
	m->u.m.k = p;
	if ((p = realloc(m->u.m.v, ncap * sizeof(*p))) == NULL)
		return err_set("out of memory");
	m->u.m.v = p;
	m->u.m.cap = ncap;
	return 0;
}

/*
 * Maps are sorted by key, in the order of tv_cmp(), as MiniJinja's
 * (a BTreeMap): they iterate and print in that order, and keys that
 * compare equal (1 and 1.0, not 1 and true) are one key.  Returns 1 and
 * the index of key, or 0 and where it goes.
 */
static int
map_search(const struct tmpl_value *m, const struct tmpl_value *key,
    size_t *pos)
{
	size_t lo = 0, hi = m->u.m.n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = tv_cmp(m->u.m.k[mid], key);
		if (c == 0) {
			*pos = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return 0;
}

int
tv_map_set(struct tmpl_value *m, struct tmpl_value *key,
    struct tmpl_value *val)
{
	size_t i;

	if (key == NULL || val == NULL)
		goto fail;
	if (note_depth(m, key) == -1 || note_depth(m, val) == -1)
		goto fail;
	if (map_search(m, key, &i)) {
		tv_unref(key);
		tv_unref(m->u.m.v[i]);
		m->u.m.v[i] = val;
		return 0;
	}
	if (map_grow(m) == -1)
		goto fail;
	memmove(&m->u.m.k[i + 1], &m->u.m.k[i],
	    (m->u.m.n - i) * sizeof(m->u.m.k[0]));
	memmove(&m->u.m.v[i + 1], &m->u.m.v[i],
	    (m->u.m.n - i) * sizeof(m->u.m.v[0]));
	m->u.m.k[i] = key;
	m->u.m.v[i] = val;
	m->u.m.n++;
	return 0;
fail:
	tv_unref(key);
	tv_unref(val);
	return -1;
}

struct tmpl_value *
tv_map_get(const struct tmpl_value *m, const struct tmpl_value *key)
{
	size_t i;

	if (!map_search(m, key, &i))
		return NULL;
	return m->u.m.v[i];
}

struct tmpl_value *
tv_map_gets(const struct tmpl_value *m, const char *key, size_t klen)
{
	struct tmpl_value k;

	/* A string key on the stack: tv_cmp() only reads it. */
	memset(&k, 0, sizeof(k));
	k.kind = TK_STR;
	k.flags = TF_IMMORTAL;
	k.depth = 1;
	k.u.s.p = (char *)(uintptr_t)key;
	k.u.s.len = klen;
	return tv_map_get(m, &k);
}

void
tv_map_clear(struct tmpl_value *m)
{
	size_t i, n = m->u.m.n;

	/* Empty the map before dropping references, which may come back
	 * here through a cycle. */
	m->u.m.n = 0;
	for (i = 0; i < n; i++) {
		tv_unref(m->u.m.k[i]);
		tv_unref(m->u.m.v[i]);
	}
}

/* Public constructors (tmpl.h). */

struct tmpl_value *
tmpl_value_none(void)
{
	return tv_none();
}

struct tmpl_value *
tmpl_value_bool(int b)
{
	return tv_bool(b);
}

struct tmpl_value *
tmpl_value_int(int64_t i)
{
	return tv_int(i);
}

struct tmpl_value *
tmpl_value_float(double d)
{
	return tv_float(d);
}

struct tmpl_value *
tmpl_value_str(const char *s)
{
	if (s == NULL) {
		err_set("NULL string");
		return NULL;
	}
	return tv_strn(s, strlen(s));
}

struct tmpl_value *
tmpl_value_strn(const char *s, size_t len)
{
	if (s == NULL && len > 0) {
		err_set("NULL string");
		return NULL;
	}
	return tv_strn(s != NULL ? s : "", len);
}

struct tmpl_value *
tmpl_value_list(void)
{
	return tv_list(0);
}

struct tmpl_value *
tmpl_value_map(void)
{
	return tv_map(0);
}

struct tmpl_value *
tmpl_value_oneshot_range(int64_t n)
{
	struct tmpl_value *v;

	if ((v = tv_new(TK_ONESHOT)) == NULL)
		return NULL;
	if ((v->u.os = calloc(1, sizeof(*v->u.os))) == NULL) {
		free(v);
		err_set("out of memory");
		return NULL;
	}
	v->u.os->next = 0;
	v->u.os->end = n;
	return v;
}

struct tmpl_value *
tmpl_value_ref(struct tmpl_value *v)
{
	return tv_ref(v);
}

void
tmpl_value_free(struct tmpl_value *v)
{
	tv_unref(v);
}

int
tmpl_list_push(struct tmpl_value *list, struct tmpl_value *item)
{
	if (list == NULL || list->kind != TK_LIST ||
	    (list->flags & TF_IMMORTAL)) {
		tv_unref(item);
		return err_set("not a list");
	}
	return tv_list_push(list, item);
}

int
tmpl_map_set(struct tmpl_value *map, const char *key, struct tmpl_value *val)
{
	struct tmpl_value *k;

	if (val == NULL)
		return -1;
	if (map == NULL || map->kind != TK_MAP ||
	    (map->flags & TF_IMMORTAL) || key == NULL) {
		tv_unref(val);
		return err_set("not a map");
	}
	if ((k = tv_str(key)) == NULL) {
		tv_unref(val);
		return -1;
	}
	return tv_map_set(map, k, val);
}

int
tmpl_value_print(const struct tmpl_value *v, struct buf *out)
{
	return tv_display(out, v);
}
