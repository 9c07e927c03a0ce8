/*
 * parse_util.c - token access, syntax errors and node building for the
 * parser (see parse_int.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/parse_int.h"
#include "util/err.h"

struct ttoken *
tp_cur(struct parser *p)
{
	return &p->lx->toks[p->pos];
}

struct ttoken *
tp_peek(struct parser *p, size_t ahead)
{
	size_t i = p->pos + ahead;

	/* The last token is always TT_EOF. */
	if (i >= p->lx->n)
		i = p->lx->n - 1;
	return &p->lx->toks[i];
}

void
tp_advance(struct parser *p)
{
	if (p->pos + 1 < p->lx->n)
		p->pos++;
}

int
tp_is_name(const struct ttoken *t, const char *name)
{
	return t->type == TT_NAME && t->len == strlen(name) &&
	    memcmp(t->p, name, t->len) == 0;
}

int
tp_accept(struct parser *p, enum ttok type)
{
	if (tp_cur(p)->type != type)
		return 0;
	tp_advance(p);
	return 1;
}

int
tp_accept_name(struct parser *p, const char *name)
{
	if (!tp_is_name(tp_cur(p), name))
		return 0;
	tp_advance(p);
	return 1;
}

int
tp_fail_at(const struct ttoken *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set("line %u:col %u: %s", t->line, t->col, msg);
}

const char *
tp_describe(const struct ttoken *t, char *tmp, size_t size)
{
	if (t->type == TT_NAME) {
		snprintf(tmp, size, "`%.*s`", (int)(t->len > 40 ? 40 : t->len),
		    t->p);
		return tmp;
	}
	return ttok_name(t->type);
}

int
tp_unexpected(struct parser *p, const char *expected)
{
	char tmp[64];

	if (expected == NULL)
		return tp_fail_at(tp_cur(p), "unexpected %s",
		    tp_describe(tp_cur(p), tmp, sizeof(tmp)));
	return tp_fail_at(tp_cur(p), "unexpected %s, expected %s",
	    tp_describe(tp_cur(p), tmp, sizeof(tmp)), expected);
}

int
tp_expect(struct parser *p, enum ttok type, const char *what)
{
	if (tp_accept(p, type))
		return 0;
	return tp_unexpected(p, what);
}

int
tp_expect_name(struct parser *p, const char *name)
{
	if (tp_accept_name(p, name))
		return 0;
	return tp_unexpected(p, name);
}

char *
tp_tok_strdup(const struct ttoken *t)
{
	char *s;

	if ((s = strndup(t->p, t->len)) == NULL)
		err_set("out of memory");
	return s;
}

struct tnode *
tp_node_at(enum nkind kind, const struct ttoken *t)
{
	return tnode_new(kind, t->line, t->col);
}

static unsigned
max_depth(unsigned d, const struct tnode *c)
{
	return c != NULL && c->depth > d ? c->depth : d;
}

/*
 * Computes the height of n from its children and refuses trees deeper
 * than TNODE_MAX_DEPTH.  Frees n on failure.
 */
struct tnode *
tp_finish(struct tnode *n)
{
	unsigned d = 0;
	size_t i;

	if (n == NULL)
		return NULL;
	d = max_depth(d, n->a);
	d = max_depth(d, n->b);
	d = max_depth(d, n->c);
	d = max_depth(d, n->d);
	for (i = 0; i < n->n; i++)
		d = max_depth(d, n->list[i]);
	for (i = 0; i < n->n2; i++)
		d = max_depth(d, n->list2[i]);
	if (d + 1 > TNODE_MAX_DEPTH) {
		err_set("line %u:col %u: template nested too deeply",
		    n->line, n->col);
		tnode_free(n);
		return NULL;
	}
	n->depth = (unsigned short)(d + 1);
	return n;
}

/* A node with children a and b (taken over even on failure). */
struct tnode *
tp_node2(enum nkind kind, unsigned op, struct tnode *a, struct tnode *b,
    unsigned line, unsigned col)
{
	struct tnode *n;

	if (a == NULL || b == NULL ||
	    (n = tnode_new(kind, line, col)) == NULL) {
		tnode_free(a);
		tnode_free(b);
		return NULL;
	}
	n->op = (unsigned short)op;
	n->a = a;
	n->b = b;
	return tp_finish(n);
}

struct tnode *
tp_const_node(const struct ttoken *t, struct tmpl_value *v)
{
	struct tnode *n;

	if ((n = tp_node_at(N_CONST, t)) == NULL) {
		tv_free_immortal(v);
		return NULL;
	}
	n->val = v;
	return tp_finish(n);
}
