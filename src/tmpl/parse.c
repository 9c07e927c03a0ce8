/*
 * parse.c - recursive descent parser for templates (see parse.h).
 *
 * Operator precedence, lowest first, as in Jinja2:
 *	x if c else y, or, and, not, comparisons (chained, in, not in),
 *	+ -, ~, * / // %, **, unary - +, postfix (. [] ()), | filters and
 *	is tests.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/ops.h"
#include "tmpl/parse.h"
#include "util/err.h"

struct parser {
	struct tlex	*lx;
	size_t		 pos;
	int		 in_loop;
	int		 depth;		/* of the parser's own recursion */
};

/* Parentheses and the like nest without building deeper trees, so the
 * parser bounds its own recursion too. */
#define PARSE_MAX_DEPTH	TNODE_MAX_DEPTH

static struct tnode *parse_expr(struct parser *);
static struct tnode *parse_or(struct parser *);
static struct tnode *parse_unary(struct parser *, int);
static struct tnode *parse_not(struct parser *);
static struct tnode *parse_target_primary(struct parser *);
static int parse_body(struct parser *, struct tnode ***, size_t *,
    const char *const *, const char **);

static struct ttoken *
cur(struct parser *p)
{
	return &p->lx->toks[p->pos];
}

static struct ttoken *
peek(struct parser *p, size_t ahead)
{
	size_t i = p->pos + ahead;

	/* The last token is always TT_EOF. */
	if (i >= p->lx->n)
		i = p->lx->n - 1;
	return &p->lx->toks[i];
}

static void
advance(struct parser *p)
{
	if (p->pos + 1 < p->lx->n)
		p->pos++;
}

static int
is_name(const struct ttoken *t, const char *name)
{
	return t->type == TT_NAME && t->len == strlen(name) &&
	    memcmp(t->p, name, t->len) == 0;
}

static int
accept(struct parser *p, enum ttok type)
{
	if (cur(p)->type != type)
		return 0;
	advance(p);
	return 1;
}

static int
accept_name(struct parser *p, const char *name)
{
	if (!is_name(cur(p), name))
		return 0;
	advance(p);
	return 1;
}

static int
fail_at(const struct ttoken *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail_at(const struct ttoken *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set("line %u:col %u: %s", t->line, t->col, msg);
}

/* "`foo`" for names, the token's description otherwise. */
static const char *
describe(const struct ttoken *t, char *tmp, size_t size)
{
	if (t->type == TT_NAME) {
		snprintf(tmp, size, "`%.*s`", (int)(t->len > 40 ? 40 : t->len),
		    t->p);
		return tmp;
	}
	return ttok_name(t->type);
}

static int
unexpected(struct parser *p, const char *expected)
{
	char tmp[64];

	if (expected == NULL)
		return fail_at(cur(p), "unexpected %s",
		    describe(cur(p), tmp, sizeof(tmp)));
	return fail_at(cur(p), "unexpected %s, expected %s",
	    describe(cur(p), tmp, sizeof(tmp)), expected);
}

static int
expect(struct parser *p, enum ttok type, const char *what)
{
	if (accept(p, type))
		return 0;
	return unexpected(p, what);
}

static int
expect_name(struct parser *p, const char *name)
{
	if (accept_name(p, name))
		return 0;
	return unexpected(p, name);
}

static char *
tok_strdup(const struct ttoken *t)
{
	char *s;

	if ((s = strndup(t->p, t->len)) == NULL)
		err_set("out of memory");
	return s;
}

static struct tnode *
node_at(enum nkind kind, const struct ttoken *t)
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
static struct tnode *
finish(struct tnode *n)
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
static struct tnode *
node2(enum nkind kind, unsigned op, struct tnode *a, struct tnode *b,
    unsigned line, unsigned col)
{
	struct tnode *n;

	if (a == NULL || b == NULL || (n = tnode_new(kind, line, col)) == NULL) {
		tnode_free(a);
		tnode_free(b);
		return NULL;
	}
	n->op = (unsigned short)op;
	n->a = a;
	n->b = b;
	return finish(n);
}

static struct tnode *
const_node(const struct ttoken *t, struct tmpl_value *v)
{
	struct tnode *n;

	if ((n = node_at(N_CONST, t)) == NULL) {
		tv_free_immortal(v);
		return NULL;
	}
	n->val = v;
	return finish(n);
}

/* Arguments of a call, filter or test, after the "(". */
static int
parse_args(struct parser *p, struct tnode *n)
{
	struct ttoken *t;
	struct tnode *arg;

	while (!accept(p, TT_RPAREN)) {
		t = cur(p);
		if (accept(p, TT_MUL)) {
			if ((arg = node_at(N_SPLAT, t)) == NULL)
				return -1;
			arg->a = parse_expr(p);
		} else if (accept(p, TT_POW)) {
			if ((arg = node_at(N_KWSPLAT, t)) == NULL)
				return -1;
			arg->a = parse_expr(p);
		} else if (t->type == TT_NAME && peek(p, 1)->type == TT_ASSIGN) {
			if ((arg = node_at(N_KWARG, t)) == NULL)
				return -1;
			if ((arg->name = tok_strdup(t)) == NULL) {
				tnode_free(arg);
				return -1;
			}
			advance(p);
			advance(p);
			arg->a = parse_expr(p);
		} else {
			if ((arg = parse_expr(p)) == NULL)
				return -1;
			if (tnode_push(&n->list, &n->n, arg) == -1)
				return -1;
			goto next;
		}
		if (arg->a == NULL) {
			tnode_free(arg);
			return -1;
		}
		if (tnode_push(&n->list, &n->n, finish(arg)) == -1)
			return -1;
next:
		if (cur(p)->type != TT_RPAREN && expect(p, TT_COMMA, "`,`") == -1)
			return -1;
	}
	return 0;
}

/* A filter name and its arguments, applied to input. */
static struct tnode *
parse_filter(struct parser *p, struct tnode *input)
{
	struct ttoken *t = cur(p);
	struct tnode *n;

	if (t->type != TT_NAME) {
		tnode_free(input);
		unexpected(p, "identifier");
		return NULL;
	}
	if ((n = node_at(N_FILTER, t)) == NULL) {
		tnode_free(input);
		return NULL;
	}
	n->a = input;
	if ((n->name = tok_strdup(t)) == NULL)
		goto fail;
	advance(p);
	if (accept(p, TT_LPAREN) && parse_args(p, n) == -1)
		goto fail;
	return finish(n);
fail:
	tnode_free(n);
	return NULL;
}

/* Whether the token after "is name" starts the test's lone argument,
 * as in "x is divisibleby 3". */
static int
starts_test_arg(const struct ttoken *t)
{
	static const char *const stop[] = { "and", "or", "else", "if", "in",
	    "is", "not", "recursive", NULL };
	size_t i;

	switch (t->type) {
	case TT_STR: case TT_INT: case TT_FLOAT: case TT_LBRACKET:
	case TT_LBRACE: case TT_MINUS: case TT_PLUS:
		return 1;
	case TT_NAME:
		for (i = 0; stop[i] != NULL; i++)
			if (is_name(t, stop[i]))
				return 0;
		return 1;
	default:
		return 0;
	}
}

static struct tnode *
parse_test(struct parser *p, struct tnode *input)
{
	struct ttoken *t;
	struct tnode *n, *arg;
	int negated = accept_name(p, "not");

	t = cur(p);
	if (t->type != TT_NAME) {
		tnode_free(input);
		unexpected(p, "identifier");
		return NULL;
	}
	if ((n = node_at(N_TEST, t)) == NULL) {
		tnode_free(input);
		return NULL;
	}
	n->a = input;
	n->flags = negated ? NF_NEGATED : 0;
	if ((n->name = tok_strdup(t)) == NULL)
		goto fail;
	advance(p);
	if (accept(p, TT_LPAREN)) {
		if (parse_args(p, n) == -1)
			goto fail;
	} else if (starts_test_arg(cur(p))) {
		if ((arg = parse_unary(p, 0)) == NULL ||
		    tnode_push(&n->list, &n->n, arg) == -1)
			goto fail;
	}
	return finish(n);
fail:
	tnode_free(n);
	return NULL;
}

static struct tnode *
parse_filter_expr(struct parser *p, struct tnode *n)
{
	while (n != NULL) {
		if (accept(p, TT_PIPE))
			n = parse_filter(p, n);
		else if (accept_name(p, "is"))
			n = parse_test(p, n);
		else
			break;
	}
	return n;
}

/* [ ... ] after an expression: an item or a slice. */
static struct tnode *
parse_subscript(struct parser *p, struct tnode *obj, const struct ttoken *at)
{
	struct tnode *n, *start = NULL;

	if (cur(p)->type != TT_COLON) {
		if ((start = parse_expr(p)) == NULL)
			goto fail;
		if (accept(p, TT_RBRACKET))
			return node2(N_ITEM, 0, obj, start, at->line, at->col);
	}
	if ((n = tnode_new(N_SLICE, at->line, at->col)) == NULL)
		goto fail;
	n->a = obj;
	n->b = start;
	obj = start = NULL;
	if (expect(p, TT_COLON, "`:` or `]`") == -1)
		goto fail_n;
	if (cur(p)->type != TT_COLON && cur(p)->type != TT_RBRACKET &&
	    (n->c = parse_expr(p)) == NULL)
		goto fail_n;
	if (accept(p, TT_COLON) && cur(p)->type != TT_RBRACKET &&
	    (n->d = parse_expr(p)) == NULL)
		goto fail_n;
	if (expect(p, TT_RBRACKET, "`]`") == -1)
		goto fail_n;
	return finish(n);
fail_n:
	tnode_free(n);
	return NULL;
fail:
	tnode_free(obj);
	tnode_free(start);
	return NULL;
}

static struct tnode *
parse_postfix(struct parser *p, struct tnode *n, const struct ttoken *at)
{
	struct ttoken *t;
	struct tnode *call, *key;

	while (n != NULL) {
		t = cur(p);
		if (accept(p, TT_DOT)) {
			t = cur(p);
			if (t->type == TT_INT) {
				advance(p);
				key = const_node(t, t->val);
				t->val = NULL;
				n = node2(N_ITEM, 0, n, key, at->line, at->col);
			} else if (t->type == TT_NAME) {
				advance(p);
				if ((call = tnode_new(N_ATTR, at->line,
				    at->col)) == NULL ||
				    (call->name = tok_strdup(t)) == NULL) {
					tnode_free(call);
					tnode_free(n);
					return NULL;
				}
				call->a = n;
				n = finish(call);
			} else {
				tnode_free(n);
				unexpected(p, "identifier");
				return NULL;
			}
		} else if (accept(p, TT_LBRACKET))
			n = parse_subscript(p, n, at);
		else if (accept(p, TT_LPAREN)) {
			if ((call = tnode_new(N_CALL, at->line, at->col)) ==
			    NULL) {
				tnode_free(n);
				return NULL;
			}
			call->a = n;
			if (parse_args(p, call) == -1) {
				tnode_free(call);
				return NULL;
			}
			n = finish(call);
		} else
			break;
	}
	return n;
}

/* Items of a list, tuple or map literal up to the closing token. */
static struct tnode *
parse_items(struct parser *p, struct tnode *n, enum ttok close, int pairs)
{
	struct tnode *e;

	while (!accept(p, close)) {
		if ((e = parse_expr(p)) == NULL ||
		    tnode_push(&n->list, &n->n, e) == -1)
			goto fail;
		if (pairs && (expect(p, TT_COLON, "`:`") == -1 ||
		    (e = parse_expr(p)) == NULL ||
		    tnode_push(&n->list, &n->n, e) == -1))
			goto fail;
		if (cur(p)->type != close && expect(p, TT_COMMA, "`,`") == -1)
			goto fail;
	}
	return finish(n);
fail:
	tnode_free(n);
	return NULL;
}

static struct tnode *
parse_primary(struct parser *p)
{
	struct ttoken *t = cur(p);
	struct tmpl_value *v;
	struct tnode *n, *e;
	struct buf b;

	switch (t->type) {
	case TT_NAME:
		advance(p);
		if (is_name(t, "true") || is_name(t, "True"))
			return const_node(t, tv_bool(1));
		if (is_name(t, "false") || is_name(t, "False"))
			return const_node(t, tv_bool(0));
		if (is_name(t, "none") || is_name(t, "None"))
			return const_node(t, tv_none());
		if ((n = node_at(N_NAME, t)) == NULL)
			return NULL;
		if ((n->name = tok_strdup(t)) == NULL) {
			tnode_free(n);
			return NULL;
		}
		return finish(n);
	case TT_STR:
		advance(p);
		if (cur(p)->type != TT_STR) {
			v = t->val;
			t->val = NULL;
			return const_node(t, v);
		}
		/* "a" "b" is "ab". */
		buf_init(&b, BUF_MAX_LARGE);
		buf_append(&b, t->val->u.s.p, t->val->u.s.len);
		while (cur(p)->type == TT_STR) {
			if (buf_append(&b, cur(p)->val->u.s.p,
			    cur(p)->val->u.s.len) == -1)
				break;
			advance(p);
		}
		v = tv_str_buf(&b);
		buf_free(&b);
		if (v == NULL)
			return NULL;
		tv_make_immortal(v);
		return const_node(t, v);
	case TT_INT:
	case TT_FLOAT:
		advance(p);
		v = t->val;
		t->val = NULL;
		return const_node(t, v);
	case TT_LPAREN:
		advance(p);
		if (accept(p, TT_RPAREN))
			return finish(node_at(N_TUPLE, t));
		if ((e = parse_expr(p)) == NULL)
			return NULL;
		if (accept(p, TT_RPAREN))
			return e;
		if ((n = node_at(N_TUPLE, t)) == NULL ||
		    tnode_push(&n->list, &n->n, e) == -1) {
			if (n == NULL)
				tnode_free(e);
			tnode_free(n);
			return NULL;
		}
		if (expect(p, TT_COMMA, "`,` or `)`") == -1) {
			tnode_free(n);
			return NULL;
		}
		return parse_items(p, n, TT_RPAREN, 0);
	case TT_LBRACKET:
		advance(p);
		if ((n = node_at(N_LIST, t)) == NULL)
			return NULL;
		return parse_items(p, n, TT_RBRACKET, 0);
	case TT_LBRACE:
		advance(p);
		if ((n = node_at(N_MAP, t)) == NULL)
			return NULL;
		return parse_items(p, n, TT_RBRACE, 1);
	default:
		unexpected(p, NULL);
		return NULL;
	}
}

static struct tnode *
parse_unary_inner(struct parser *p, int with_filter)
{
	struct ttoken *t = cur(p);
	struct tnode *n;
	unsigned op;

	if (t->type == TT_MINUS || t->type == TT_PLUS) {
		advance(p);
		op = t->type == TT_MINUS ? OP_NEG : OP_POS;
		if ((n = node_at(N_UNARY, t)) == NULL)
			return NULL;
		n->op = (unsigned short)op;
		if ((n->a = parse_unary(p, 0)) == NULL) {
			tnode_free(n);
			return NULL;
		}
		n = finish(n);
	} else
		n = parse_primary(p);
	n = parse_postfix(p, n, t);
	if (with_filter)
		n = parse_filter_expr(p, n);
	return n;
}

static struct tnode *
parse_unary(struct parser *p, int with_filter)
{
	struct tnode *n;

	if (p->depth >= PARSE_MAX_DEPTH) {
		fail_at(cur(p), "template nested too deeply");
		return NULL;
	}
	p->depth++;
	n = parse_unary_inner(p, with_filter);
	p->depth--;
	return n;
}

static struct tnode *
parse_pow(struct parser *p)
{
	struct tnode *n = parse_unary(p, 1);

	while (n != NULL && accept(p, TT_POW))
		n = node2(N_BINARY, OP_POW, n, parse_unary(p, 1), n->line,
		    n->col);
	return n;
}

static struct tnode *
parse_math2(struct parser *p)
{
	struct tnode *n = parse_pow(p);
	unsigned op;

	while (n != NULL) {
		switch (cur(p)->type) {
		case TT_MUL:
			op = OP_MUL;
			break;
		case TT_DIV:
			op = OP_DIV;
			break;
		case TT_FLOORDIV:
			op = OP_FLOORDIV;
			break;
		case TT_MOD:
			op = OP_MOD;
			break;
		default:
			return n;
		}
		advance(p);
		n = node2(N_BINARY, op, n, parse_pow(p), n->line, n->col);
	}
	return n;
}

static struct tnode *
parse_concat(struct parser *p)
{
	struct tnode *n = parse_math2(p);

	while (n != NULL && accept(p, TT_TILDE))
		n = node2(N_BINARY, OP_CONCAT, n, parse_math2(p), n->line,
		    n->col);
	return n;
}

static struct tnode *
parse_math1(struct parser *p)
{
	struct tnode *n = parse_concat(p);
	unsigned op;

	while (n != NULL && (cur(p)->type == TT_PLUS ||
	    cur(p)->type == TT_MINUS)) {
		op = cur(p)->type == TT_PLUS ? OP_ADD : OP_SUB;
		advance(p);
		n = node2(N_BINARY, op, n, parse_concat(p), n->line, n->col);
	}
	return n;
}

static struct tnode *
parse_compare(struct parser *p)
{
	struct tnode *n = parse_math1(p);
	struct ttoken *t;
	unsigned op;
	int chained = 0;

	while (n != NULL) {
		t = cur(p);
		switch (t->type) {
		case TT_EQ:
			op = OP_EQ;
			break;
		case TT_NE:
			op = OP_NE;
			break;
		case TT_LT:
			op = OP_LT;
			break;
		case TT_LE:
			op = OP_LE;
			break;
		case TT_GT:
			op = OP_GT;
			break;
		case TT_GE:
			op = OP_GE;
			break;
		default:
			if (is_name(t, "in"))
				op = OP_IN;
			else if (is_name(t, "not") && is_name(peek(p, 1), "in")) {
				op = OP_NOTIN;
				advance(p);
			} else
				return n;
		}
		advance(p);
		n = node2(N_COMPARE, op, n, parse_math1(p), n->line, n->col);
		if (n != NULL && chained)
			n->flags |= NF_CHAINED;
		chained = 1;
	}
	return n;
}

static struct tnode *
parse_not_inner(struct parser *p)
{
	struct ttoken *t = cur(p);
	struct tnode *n;

	if (!accept_name(p, "not"))
		return parse_compare(p);
	if ((n = node_at(N_UNARY, t)) == NULL)
		return NULL;
	n->op = OP_NOT;
	if ((n->a = parse_not(p)) == NULL) {
		tnode_free(n);
		return NULL;
	}
	return finish(n);
}

static struct tnode *
parse_not(struct parser *p)
{
	struct tnode *n;

	if (p->depth >= PARSE_MAX_DEPTH) {
		fail_at(cur(p), "template nested too deeply");
		return NULL;
	}
	p->depth++;
	n = parse_not_inner(p);
	p->depth--;
	return n;
}

static struct tnode *
parse_and(struct parser *p)
{
	struct tnode *n = parse_not(p);

	while (n != NULL && accept_name(p, "and"))
		n = node2(N_BINARY, OP_AND, n, parse_not(p), n->line, n->col);
	return n;
}

static struct tnode *
parse_or(struct parser *p)
{
	struct tnode *n = parse_and(p);

	while (n != NULL && accept_name(p, "or"))
		n = node2(N_BINARY, OP_OR, n, parse_and(p), n->line, n->col);
	return n;
}

static struct tnode *
parse_expr_inner(struct parser *p)
{
	struct tnode *n = parse_or(p), *c;

	while (n != NULL && accept_name(p, "if")) {
		if ((c = tnode_new(N_COND, n->line, n->col)) == NULL) {
			tnode_free(n);
			return NULL;
		}
		c->b = n;
		if ((c->a = parse_or(p)) == NULL ||
		    (accept_name(p, "else") && (c->c = parse_expr(p)) == NULL)) {
			tnode_free(c);
			return NULL;
		}
		n = finish(c);
	}
	return n;
}

static struct tnode *
parse_expr(struct parser *p)
{
	struct tnode *n;

	if (p->depth >= PARSE_MAX_DEPTH) {
		fail_at(cur(p), "template nested too deeply");
		return NULL;
	}
	p->depth++;
	n = parse_expr_inner(p);
	p->depth--;
	return n;
}

/* An expression, or several separated by commas as a tuple. */
static struct tnode *
parse_expr_tuple(struct parser *p)
{
	struct ttoken *t = cur(p);
	struct tnode *e, *n;

	if ((e = parse_expr(p)) == NULL || cur(p)->type != TT_COMMA)
		return e;
	if ((n = node_at(N_TUPLE, t)) == NULL) {
		tnode_free(e);
		return NULL;
	}
	if (tnode_push(&n->list, &n->n, e) == -1)
		goto fail;
	while (accept(p, TT_COMMA)) {
		if (cur(p)->type == TT_BLOCK_END)
			break;
		if ((e = parse_expr(p)) == NULL ||
		    tnode_push(&n->list, &n->n, e) == -1)
			goto fail;
	}
	return finish(n);
fail:
	tnode_free(n);
	return NULL;
}

/* A name or a parenthesized tuple of targets. */
static struct tnode *
parse_target_primary_inner(struct parser *p)
{
	struct ttoken *t = cur(p);
	struct tnode *n, *e;

	if (t->type == TT_NAME) {
		advance(p);
		if ((n = node_at(N_NAME, t)) == NULL)
			return NULL;
		if ((n->name = tok_strdup(t)) == NULL) {
			tnode_free(n);
			return NULL;
		}
		return finish(n);
	}
	if (!accept(p, TT_LPAREN)) {
		unexpected(p, "identifier");
		return NULL;
	}
	if ((n = node_at(N_TUPLE, t)) == NULL)
		return NULL;
	while (!accept(p, TT_RPAREN)) {
		if ((e = parse_target_primary(p)) == NULL ||
		    tnode_push(&n->list, &n->n, e) == -1)
			goto fail;
		if (cur(p)->type != TT_RPAREN &&
		    expect(p, TT_COMMA, "`,` or `)`") == -1)
			goto fail;
	}
	return finish(n);
fail:
	tnode_free(n);
	return NULL;
}

static struct tnode *
parse_target_primary(struct parser *p)
{
	struct tnode *n;

	if (p->depth >= PARSE_MAX_DEPTH) {
		fail_at(cur(p), "template nested too deeply");
		return NULL;
	}
	p->depth++;
	n = parse_target_primary_inner(p);
	p->depth--;
	return n;
}

/* Targets of for and set: "a", "a, (b, c)"; set also takes "ns.attr". */
static struct tnode *
parse_target(struct parser *p, int dotted)
{
	struct ttoken *t = cur(p), *nt;
	struct tnode *n, *tup, *e;

	if ((n = parse_target_primary(p)) == NULL)
		return NULL;
	while (dotted && n->kind != N_TUPLE && accept(p, TT_DOT)) {
		nt = cur(p);
		if (nt->type != TT_NAME) {
			tnode_free(n);
			unexpected(p, "identifier");
			return NULL;
		}
		advance(p);
		if ((e = tnode_new(N_ATTR, t->line, t->col)) == NULL ||
		    (e->name = tok_strdup(nt)) == NULL) {
			tnode_free(e);
			tnode_free(n);
			return NULL;
		}
		e->a = n;
		if ((n = finish(e)) == NULL)
			return NULL;
	}
	if (cur(p)->type != TT_COMMA)
		return n;
	if ((tup = node_at(N_TUPLE, t)) == NULL) {
		tnode_free(n);
		return NULL;
	}
	if (tnode_push(&tup->list, &tup->n, n) == -1)
		goto fail;
	while (accept(p, TT_COMMA)) {
		if (cur(p)->type != TT_NAME && cur(p)->type != TT_LPAREN)
			break;
		if ((e = parse_target_primary(p)) == NULL ||
		    tnode_push(&tup->list, &tup->n, e) == -1)
			goto fail;
	}
	return finish(tup);
fail:
	tnode_free(tup);
	return NULL;
}

static int
end_tag(struct parser *p)
{
	return expect(p, TT_BLOCK_END, "end of block");
}

static struct tnode *
parse_for(struct parser *p, const struct ttoken *at)
{
	static const char *const ends[] = { "endfor", "else", NULL };
	static const char *const ends2[] = { "endfor", NULL };
	struct tnode *n;
	const char *found;
	int saved = p->in_loop;

	if ((n = node_at(S_FOR, at)) == NULL)
		return NULL;
	if ((n->a = parse_target(p, 0)) == NULL || expect_name(p, "in") == -1)
		goto fail;
	if ((n->b = parse_or(p)) == NULL)
		goto fail;
	if (accept_name(p, "if") && (n->c = parse_expr(p)) == NULL)
		goto fail;
	if (accept_name(p, "recursive"))
		n->flags |= NF_RECURSIVE;
	if (end_tag(p) == -1)
		goto fail;
	p->in_loop = 1;
	if (parse_body(p, &n->list, &n->n, ends, &found) == -1)
		goto fail;
	p->in_loop = saved;
	if (strcmp(found, "else") == 0 && (end_tag(p) == -1 ||
	    parse_body(p, &n->list2, &n->n2, ends2, &found) == -1))
		goto fail;
	if (end_tag(p) == -1)
		goto fail;
	return finish(n);
fail:
	p->in_loop = saved;
	tnode_free(n);
	return NULL;
}

/* After "if" or "elif". */
static struct tnode *
parse_if(struct parser *p, const struct ttoken *at)
{
	static const char *const ends[] = { "endif", "elif", "else", NULL };
	static const char *const ends2[] = { "endif", NULL };
	struct ttoken *t;
	struct tnode *n, *e;
	const char *found;

	if ((n = node_at(S_IF, at)) == NULL)
		return NULL;
	if ((n->a = parse_expr(p)) == NULL || end_tag(p) == -1 ||
	    parse_body(p, &n->list, &n->n, ends, &found) == -1)
		goto fail;
	if (strcmp(found, "elif") == 0) {
		t = &p->lx->toks[p->pos - 1];
		if ((e = parse_if(p, t)) == NULL ||
		    tnode_push(&n->list2, &n->n2, e) == -1)
			goto fail;
		/* The nested if consumed the final endif. */
		return finish(n);
	}
	if (strcmp(found, "else") == 0 && (end_tag(p) == -1 ||
	    parse_body(p, &n->list2, &n->n2, ends2, &found) == -1))
		goto fail;
	if (end_tag(p) == -1)
		goto fail;
	return finish(n);
fail:
	tnode_free(n);
	return NULL;
}

/* A chain of filters applied to the captured body of a block. */
static struct tnode *
parse_block_filters(struct parser *p, const struct ttoken *at, int first)
{
	struct tnode *n;

	if ((n = finish(node_at(N_CAPTURED, at))) == NULL)
		return NULL;
	if (first && (n = parse_filter(p, n)) == NULL)
		return NULL;
	while (n != NULL && accept(p, TT_PIPE))
		n = parse_filter(p, n);
	return n;
}

static struct tnode *
parse_set(struct parser *p, const struct ttoken *at)
{
	static const char *const ends[] = { "endset", NULL };
	struct tnode *n;
	const char *found;

	if ((n = node_at(S_SET, at)) == NULL)
		return NULL;
	if ((n->a = parse_target(p, 1)) == NULL)
		goto fail;
	if (accept(p, TT_ASSIGN)) {
		if ((n->b = parse_expr_tuple(p)) == NULL || end_tag(p) == -1)
			goto fail;
		return finish(n);
	}
	if (n->a->kind != N_NAME) {
		unexpected(p, "`=`");
		goto fail;
	}
	n->kind = S_SETBLOCK;
	if (cur(p)->type == TT_PIPE &&
	    (n->b = parse_block_filters(p, at, 0)) == NULL)
		goto fail;
	if (end_tag(p) == -1 ||
	    parse_body(p, &n->list, &n->n, ends, &found) == -1 ||
	    end_tag(p) == -1)
		goto fail;
	return finish(n);
fail:
	tnode_free(n);
	return NULL;
}

static struct tnode *
parse_with(struct parser *p, const struct ttoken *at)
{
	static const char *const ends[] = { "endwith", NULL };
	struct tnode *n, *set;
	const char *found;

	if ((n = node_at(S_WITH, at)) == NULL)
		return NULL;
	while (cur(p)->type != TT_BLOCK_END) {
		if ((set = node_at(S_SET, cur(p))) == NULL)
			goto fail;
		if ((set->a = parse_target_primary(p)) == NULL ||
		    expect(p, TT_ASSIGN, "assignment operator") == -1 ||
		    (set->b = parse_expr(p)) == NULL) {
			tnode_free(set);
			goto fail;
		}
		if (tnode_push(&n->list2, &n->n2, finish(set)) == -1)
			goto fail;
		if (!accept(p, TT_COMMA))
			break;
	}
	if (end_tag(p) == -1 ||
	    parse_body(p, &n->list, &n->n, ends, &found) == -1 ||
	    end_tag(p) == -1)
		goto fail;
	return finish(n);
fail:
	tnode_free(n);
	return NULL;
}

/* autoescape and filter blocks. */
static struct tnode *
parse_wrapper(struct parser *p, const struct ttoken *at, int filter)
{
	static const char *const ends1[] = { "endautoescape", NULL };
	static const char *const ends2[] = { "endfilter", NULL };
	struct tnode *n;
	const char *found;

	if ((n = node_at(filter ? S_FILTERBLOCK : S_AUTOESCAPE, at)) == NULL)
		return NULL;
	if (filter)
		n->b = parse_block_filters(p, at, 1);
	else
		n->a = parse_expr(p);
	if ((filter ? n->b : n->a) == NULL || end_tag(p) == -1 ||
	    parse_body(p, &n->list, &n->n, filter ? ends2 : ends1,
	    &found) == -1 || end_tag(p) == -1) {
		tnode_free(n);
		return NULL;
	}
	return finish(n);
}

/* After "{%", at the statement's name. */
static struct tnode *
parse_stmt_inner(struct parser *p)
{
	struct ttoken *t = cur(p);
	struct tnode *n;
	char tmp[64];

	if (t->type != TT_NAME) {
		unexpected(p, "statement");
		return NULL;
	}
	advance(p);
	if (is_name(t, "for"))
		return parse_for(p, t);
	if (is_name(t, "if"))
		return parse_if(p, t);
	if (is_name(t, "set"))
		return parse_set(p, t);
	if (is_name(t, "with"))
		return parse_with(p, t);
	if (is_name(t, "autoescape"))
		return parse_wrapper(p, t, 0);
	if (is_name(t, "filter"))
		return parse_wrapper(p, t, 1);
	if (is_name(t, "break") || is_name(t, "continue")) {
		if (!p->in_loop) {
			fail_at(t, "'%s' must be placed inside a loop",
			    is_name(t, "break") ? "break" : "continue");
			return NULL;
		}
		n = node_at(is_name(t, "break") ? S_BREAK : S_CONTINUE, t);
		if (n != NULL && end_tag(p) == -1) {
			tnode_free(n);
			return NULL;
		}
		return finish(n);
	}
	if (is_name(t, "do")) {
		if ((n = node_at(S_DO, t)) == NULL)
			return NULL;
		if ((n->a = parse_expr(p)) == NULL || end_tag(p) == -1) {
			tnode_free(n);
			return NULL;
		}
		return finish(n);
	}
	fail_at(t, "unknown statement %s", describe(t, tmp, sizeof(tmp)));
	return NULL;
}

static struct tnode *
parse_stmt(struct parser *p)
{
	struct tnode *n;

	if (p->depth >= PARSE_MAX_DEPTH) {
		fail_at(cur(p), "template nested too deeply");
		return NULL;
	}
	p->depth++;
	n = parse_stmt_inner(p);
	p->depth--;
	return n;
}

/*
 * Statements up to one of the names in ends ({% endfor %} ...), which is
 * consumed and returned in *found; the rest of that tag is left to the
 * caller.  With ends NULL, up to the end of input.
 */
static int
parse_body(struct parser *p, struct tnode ***list, size_t *n,
    const char *const *ends, const char **found)
{
	struct ttoken *t;
	struct tnode *s;
	size_t i;
	char tmp[128];

	for (;;) {
		t = cur(p);
		switch (t->type) {
		case TT_EOF:
			if (ends == NULL)
				return 0;
			snprintf(tmp, sizeof(tmp), "end of block (%s)", ends[0]);
			return unexpected(p, tmp);
		case TT_TEXT:
			advance(p);
			if ((s = node_at(S_TEXT, t)) == NULL)
				return -1;
			if ((s->val = tv_strn(t->p, t->len)) == NULL) {
				tnode_free(s);
				return -1;
			}
			tv_make_immortal(s->val);
			break;
		case TT_VAR_BEGIN:
			advance(p);
			if ((s = node_at(S_EMIT, t)) == NULL)
				return -1;
			if ((s->a = parse_expr(p)) == NULL ||
			    expect(p, TT_VAR_END, "end of variable block") ==
			    -1) {
				tnode_free(s);
				return -1;
			}
			break;
		case TT_BLOCK_BEGIN:
			advance(p);
			for (i = 0; ends != NULL && ends[i] != NULL; i++)
				if (is_name(cur(p), ends[i])) {
					advance(p);
					*found = ends[i];
					return 0;
				}
			if (ends != NULL && (is_name(cur(p), "else") ||
			    is_name(cur(p), "elif") ||
			    (cur(p)->type == TT_NAME && cur(p)->len > 3 &&
			    memcmp(cur(p)->p, "end", 3) == 0))) {
				snprintf(tmp, sizeof(tmp), "`%s`", ends[0]);
				return unexpected(p, tmp);
			}
			if ((s = parse_stmt(p)) == NULL)
				return -1;
			break;
		default:
			return unexpected(p, NULL);
		}
		if ((s = finish(s)) == NULL || tnode_push(list, n, s) == -1)
			return -1;
	}
}

int
tparse(struct tlex *lx, struct tmpl *t)
{
	struct parser p;

	memset(&p, 0, sizeof(p));
	p.lx = lx;
	t->body = NULL;
	t->n = 0;
	if (parse_body(&p, &t->body, &t->n, NULL, NULL) == -1) {
		tnode_free_list(t->body, t->n);
		t->body = NULL;
		t->n = 0;
		return -1;
	}
	return 0;
}
