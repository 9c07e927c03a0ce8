/*
 * loop.c - attributes of the "loop" object (see loop.h).
 */
#include <stdlib.h>
#include <string.h>

#include "tmpl/loop.h"
#include "util/err.h"

const char *const tloop_keys[] = {
	"depth", "depth0", "first", "index", "index0", "last", "length",
	"nextitem", "previtem", "revindex", "revindex0", NULL
};

struct tmpl_value *
tloop_new(const struct tnode *node, struct titer *it, unsigned depth0)
{
	struct tmpl_value *v;
	struct tloop *l;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	if ((v = tv_new(TK_LOOP)) == NULL) {
		free(l);
		return NULL;
	}
	l->len = it->len;
	l->depth0 = depth0;
	l->active = 1;
	l->it = it;
	l->node = node;
	v->u.loop = l;
	return v;
}

void
tloop_end(struct tloop *l)
{
	struct tmpl_value *p = l->prev, *c = l->changed;

	l->active = 0;
	l->it = NULL;
	l->prev = NULL;
	l->changed = NULL;
	tv_unref(p);
	tv_unref(c);
}

void
tloop_free(struct tloop *l)
{
	if (l == NULL)
		return;
	tloop_end(l);
	free(l);
}

static struct tmpl_value *
size_val(size_t n)
{
	return tv_int((tint)n);
}

struct tmpl_value *
tloop_attr(struct tloop *l, const char *name)
{
	struct tmpl_value *next = NULL;
	int known = l->len != TITER_UNKNOWN, r;

	if (strcmp(name, "index") == 0)
		return size_val(l->index0 + 1);
	if (strcmp(name, "index0") == 0)
		return size_val(l->index0);
	if (strcmp(name, "depth") == 0)
		return size_val(l->depth0 + 1);
	if (strcmp(name, "depth0") == 0)
		return size_val(l->depth0);
	if (strcmp(name, "first") == 0)
		return tv_bool(l->index0 == 0);
	if (strcmp(name, "length") == 0)
		return known ? size_val(l->len) : tv_undef();
	if (strcmp(name, "revindex") == 0)
		return known ? size_val(l->len - l->index0) : tv_undef();
	if (strcmp(name, "revindex0") == 0)
		return known ? size_val(l->len - l->index0 - 1) : tv_undef();
	if (strcmp(name, "previtem") == 0)
		return l->prev != NULL ? tv_ref(l->prev) : tv_undef();
	if (strcmp(name, "last") == 0 || strcmp(name, "nextitem") == 0) {
		if (known && name[0] == 'l')
			return tv_bool(l->index0 + 1 >= l->len);
		if (!l->active || l->it == NULL)
			r = 0;
		else if ((r = titer_peek(l->it, &next)) == -1)
			return NULL;
		if (name[0] == 'l')
			return tv_bool(r == 0);
		return r == 1 ? tv_ref(next) : tv_undef();
	}
	return tv_undef();
}
