/*
 * parse_expr.c - expressions, by recursive descent.  Operator
 * precedence, lowest first, as in Jinja2:
 *	x if c else y, or, and, not, comparisons (in, not in; left to
 *	right, not chained),
 *	+ -, ~, * / // %, **, unary - +, postfix (. [] ()), | filters and
 *	is tests.
 */
#include <stdlib.h>
#include <string.h>

#include "tmpl/ops.h"
#include "tmpl/parse_int.h"
#include "util/err.h"

static struct tnode *parse_unary(struct parser *, int);
static struct tnode *parse_not(struct parser *);

/* Arguments of a call, filter or test, after the "(". */
static int
parse_args(struct parser *p, struct tnode *n)
{
	struct ttoken *t;
	struct tnode *arg;

	while (!tp_accept(p, TT_RPAREN)) {
		t = tp_cur(p);
		if (tp_accept(p, TT_MUL)) {
			if ((arg = tp_node_at(N_SPLAT, t)) == NULL)
				return -1;
			arg->a = tp_expr(p);
		} else if (tp_accept(p, TT_POW)) {
			if ((arg = tp_node_at(N_KWSPLAT, t)) == NULL)
				return -1;
			arg->a = tp_expr(p);
		} else if (t->type == TT_NAME &&
		    tp_peek(p, 1)->type == TT_ASSIGN) {
			if ((arg = tp_node_at(N_KWARG, t)) == NULL)
				return -1;
			if ((arg->name = tp_tok_strdup(t)) == NULL) {
				tnode_free(arg);
				return -1;
			}
			tp_advance(p);
			tp_advance(p);
			arg->a = tp_expr(p);
		} else {
			if ((arg = tp_expr(p)) == NULL)
				return -1;
			if (tnode_push(&n->list, &n->n, arg) == -1)
				return -1;
			goto next;
		}
		if (arg->a == NULL) {
			tnode_free(arg);
			return -1;
		}
		if (tnode_push(&n->list, &n->n, tp_finish(arg)) == -1)
			return -1;
next:
		if (tp_cur(p)->type != TT_RPAREN &&
		    tp_expect(p, TT_COMMA, "`,`") == -1)
			return -1;
	}
	return 0;
}

/* A filter name and its arguments, applied to input. */
struct tnode *
tp_filter(struct parser *p, struct tnode *input)
{
	struct ttoken *t = tp_cur(p);
	struct tnode *n;

	if (t->type != TT_NAME) {
		tnode_free(input);
		tp_unexpected(p, "identifier");
		return NULL;
	}
	if ((n = tp_node_at(N_FILTER, t)) == NULL) {
		tnode_free(input);
		return NULL;
	}
	n->a = input;
	if ((n->name = tp_tok_strdup(t)) == NULL)
		goto fail;
	tp_advance(p);
	if (tp_accept(p, TT_LPAREN) && parse_args(p, n) == -1)
		goto fail;
	return tp_finish(n);
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
			if (tp_is_name(t, stop[i]))
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
	int negated = tp_accept_name(p, "not");

	t = tp_cur(p);
	if (t->type != TT_NAME) {
		tnode_free(input);
		tp_unexpected(p, "identifier");
		return NULL;
	}
	if ((n = tp_node_at(N_TEST, t)) == NULL) {
		tnode_free(input);
		return NULL;
	}
	n->a = input;
	n->flags = negated ? NF_NEGATED : 0;
	if ((n->name = tp_tok_strdup(t)) == NULL)
		goto fail;
	tp_advance(p);
	if (tp_accept(p, TT_LPAREN)) {
		if (parse_args(p, n) == -1)
			goto fail;
	} else if (starts_test_arg(tp_cur(p))) {
		if ((arg = parse_unary(p, 0)) == NULL ||
		    tnode_push(&n->list, &n->n, arg) == -1)
			goto fail;
	}
	return tp_finish(n);
fail:
	tnode_free(n);
	return NULL;
}

static struct tnode *
parse_filter_expr(struct parser *p, struct tnode *n)
{
	while (n != NULL) {
		if (tp_accept(p, TT_PIPE))
			n = tp_filter(p, n);
		else if (tp_accept_name(p, "is"))
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

	if (tp_cur(p)->type != TT_COLON) {
		if ((start = tp_expr(p)) == NULL)
			goto fail;
		if (tp_accept(p, TT_RBRACKET))
			return tp_node2(N_ITEM, 0, obj, start, at->line,
			    at->col);
	}
	if ((n = tnode_new(N_SLICE, at->line, at->col)) == NULL)
		goto fail;
	n->a = obj;
	n->b = start;
	obj = start = NULL;
	if (tp_expect(p, TT_COLON, "`:` or `]`") == -1)
		goto fail_n;
	if (tp_cur(p)->type != TT_COLON && tp_cur(p)->type != TT_RBRACKET &&
	    (n->c = tp_expr(p)) == NULL)
		goto fail_n;
	if (tp_accept(p, TT_COLON) && tp_cur(p)->type != TT_RBRACKET &&
	    (n->d = tp_expr(p)) == NULL)
		goto fail_n;
	if (tp_expect(p, TT_RBRACKET, "`]`") == -1)
		goto fail_n;
	return tp_finish(n);
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
		t = tp_cur(p);
		if (tp_accept(p, TT_DOT)) {
			t = tp_cur(p);
			if (t->type == TT_INT) {
				tp_advance(p);
				key = tp_const_node(t, t->val);
				t->val = NULL;
				n = tp_node2(N_ITEM, 0, n, key, at->line,
				    at->col);
			} else if (t->type == TT_NAME) {
				tp_advance(p);
				if ((call = tnode_new(N_ATTR, at->line,
				    at->col)) == NULL ||
				    (call->name = tp_tok_strdup(t)) == NULL) {
					tnode_free(call);
					tnode_free(n);
					return NULL;
				}
				call->a = n;
				n = tp_finish(call);
			} else {
				tnode_free(n);
				tp_unexpected(p, "identifier");
				return NULL;
			}
		} else if (tp_accept(p, TT_LBRACKET))
			n = parse_subscript(p, n, at);
		else if (tp_accept(p, TT_LPAREN)) {
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
			n = tp_finish(call);
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

	while (!tp_accept(p, close)) {
		if ((e = tp_expr(p)) == NULL ||
		    tnode_push(&n->list, &n->n, e) == -1)
			goto fail;
		if (pairs && (tp_expect(p, TT_COLON, "`:`") == -1 ||
		    (e = tp_expr(p)) == NULL ||
		    tnode_push(&n->list, &n->n, e) == -1))
			goto fail;
		if (tp_cur(p)->type != close &&
		    tp_expect(p, TT_COMMA, "`,`") == -1)
			goto fail;
	}
	return tp_finish(n);
fail:
	tnode_free(n);
	return NULL;
}

static struct tnode *
parse_primary(struct parser *p)
{
	struct ttoken *t = tp_cur(p);
	struct tmpl_value *v;
	struct tnode *n, *e;
	struct buf b;

	switch (t->type) {
	case TT_NAME:
		tp_advance(p);
		if (tp_is_name(t, "true") || tp_is_name(t, "True"))
			return tp_const_node(t, tv_bool(1));
		if (tp_is_name(t, "false") || tp_is_name(t, "False"))
			return tp_const_node(t, tv_bool(0));
		if (tp_is_name(t, "none") || tp_is_name(t, "None"))
			return tp_const_node(t, tv_none());
		if ((n = tp_node_at(N_NAME, t)) == NULL)
			return NULL;
		if ((n->name = tp_tok_strdup(t)) == NULL) {
			tnode_free(n);
			return NULL;
		}
		return tp_finish(n);
	case TT_STR:
		tp_advance(p);
		if (tp_cur(p)->type != TT_STR) {
			v = t->val;
			t->val = NULL;
			return tp_const_node(t, v);
		}
		/* "a" "b" is "ab". */
		buf_init(&b, BUF_MAX_LARGE);
		buf_append(&b, t->val->u.s.p, t->val->u.s.len);
		while (tp_cur(p)->type == TT_STR) {
			if (buf_append(&b, tp_cur(p)->val->u.s.p,
			    tp_cur(p)->val->u.s.len) == -1)
				break;
			tp_advance(p);
		}
		v = tv_str_buf(&b);
		buf_free(&b);
		if (v == NULL)
			return NULL;
		tv_make_immortal(v);
		return tp_const_node(t, v);
	case TT_INT:
	case TT_FLOAT:
		tp_advance(p);
		v = t->val;
		t->val = NULL;
		return tp_const_node(t, v);
	case TT_LPAREN:
		tp_advance(p);
		if (tp_accept(p, TT_RPAREN))
			return tp_finish(tp_node_at(N_TUPLE, t));
		if ((e = tp_expr(p)) == NULL)
			return NULL;
		if (tp_accept(p, TT_RPAREN))
			return e;
		if ((n = tp_node_at(N_TUPLE, t)) == NULL ||
		    tnode_push(&n->list, &n->n, e) == -1) {
			if (n == NULL)
				tnode_free(e);
			tnode_free(n);
			return NULL;
		}
		if (tp_expect(p, TT_COMMA, "`,` or `)`") == -1) {
			tnode_free(n);
			return NULL;
		}
		return parse_items(p, n, TT_RPAREN, 0);
	case TT_LBRACKET:
		tp_advance(p);
		if ((n = tp_node_at(N_LIST, t)) == NULL)
			return NULL;
		return parse_items(p, n, TT_RBRACKET, 0);
	case TT_LBRACE:
		tp_advance(p);
		if ((n = tp_node_at(N_MAP, t)) == NULL)
			return NULL;
		return parse_items(p, n, TT_RBRACE, 1);
	default:
		tp_unexpected(p, NULL);
		return NULL;
	}
}

static struct tnode *
parse_unary_inner(struct parser *p, int with_filter)
{
	struct ttoken *t = tp_cur(p);
	struct tnode *n;
	unsigned op;

	if (t->type == TT_MINUS || t->type == TT_PLUS) {
		tp_advance(p);
		op = t->type == TT_MINUS ? OP_NEG : OP_POS;
		if ((n = tp_node_at(N_UNARY, t)) == NULL)
			return NULL;
		n->op = (unsigned short)op;
		if ((n->a = parse_unary(p, 0)) == NULL) {
			tnode_free(n);
			return NULL;
		}
		n = tp_finish(n);
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
		tp_fail_at(tp_cur(p), "template nested too deeply");
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

	while (n != NULL && tp_accept(p, TT_POW))
		n = tp_node2(N_BINARY, OP_POW, n, parse_unary(p, 1), n->line,
		    n->col);
	return n;
}

static struct tnode *
parse_math2(struct parser *p)
{
	struct tnode *n = parse_pow(p);
	unsigned op;

	while (n != NULL) {
		switch (tp_cur(p)->type) {
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
		tp_advance(p);
		n = tp_node2(N_BINARY, op, n, parse_pow(p), n->line, n->col);
	}
	return n;
}

static struct tnode *
parse_concat(struct parser *p)
{
	struct tnode *n = parse_math2(p);

	while (n != NULL && tp_accept(p, TT_TILDE))
		n = tp_node2(N_BINARY, OP_CONCAT, n, parse_math2(p), n->line,
		    n->col);
	return n;
}

static struct tnode *
parse_math1(struct parser *p)
{
	struct tnode *n = parse_concat(p);
	unsigned op;

	while (n != NULL && (tp_cur(p)->type == TT_PLUS ||
	    tp_cur(p)->type == TT_MINUS)) {
		op = tp_cur(p)->type == TT_PLUS ? OP_ADD : OP_SUB;
		tp_advance(p);
		n = tp_node2(N_BINARY, op, n, parse_concat(p), n->line, n->col);
	}
	return n;
}

static struct tnode *
parse_compare(struct parser *p)
{
	struct tnode *n = parse_math1(p);
	struct ttoken *t;
	unsigned op;

	while (n != NULL) {
		t = tp_cur(p);
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
			if (tp_is_name(t, "in"))
				op = OP_IN;
			else if (tp_is_name(t, "not") &&
			    tp_is_name(tp_peek(p, 1), "in")) {
				op = OP_NOTIN;
				tp_advance(p);
			} else
				return n;
		}
		tp_advance(p);
		/* Left to right, as MiniJinja: 3 > 2 > 1 is (3 > 2) > 1,
		 * not Python's chain. */
		n = tp_node2(N_COMPARE, op, n, parse_math1(p), n->line, n->col);
	}
	return n;
}

static struct tnode *
parse_not_inner(struct parser *p)
{
	struct ttoken *t = tp_cur(p);
	struct tnode *n;

	if (!tp_accept_name(p, "not"))
		return parse_compare(p);
	if ((n = tp_node_at(N_UNARY, t)) == NULL)
		return NULL;
	n->op = OP_NOT;
	if ((n->a = parse_not(p)) == NULL) {
		tnode_free(n);
		return NULL;
	}
	return tp_finish(n);
}

static struct tnode *
parse_not(struct parser *p)
{
	struct tnode *n;

	if (p->depth >= PARSE_MAX_DEPTH) {
		tp_fail_at(tp_cur(p), "template nested too deeply");
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

	while (n != NULL && tp_accept_name(p, "and"))
		n = tp_node2(N_BINARY, OP_AND, n, parse_not(p), n->line,
		    n->col);
	return n;
}

struct tnode *
tp_or(struct parser *p)
{
	struct tnode *n = parse_and(p);

	while (n != NULL && tp_accept_name(p, "or"))
		n = tp_node2(N_BINARY, OP_OR, n, parse_and(p), n->line, n->col);
	return n;
}

static struct tnode *
parse_expr_inner(struct parser *p)
{
	struct tnode *n = tp_or(p), *c;

	while (n != NULL && tp_accept_name(p, "if")) {
		if ((c = tnode_new(N_COND, n->line, n->col)) == NULL) {
			tnode_free(n);
			return NULL;
		}
		c->b = n;
		if ((c->a = tp_or(p)) == NULL ||
		    (tp_accept_name(p, "else") &&
		    (c->c = tp_expr(p)) == NULL)) {
			tnode_free(c);
			return NULL;
		}
		n = tp_finish(c);
	}
	return n;
}

struct tnode *
tp_expr(struct parser *p)
{
	struct tnode *n;

	if (p->depth >= PARSE_MAX_DEPTH) {
		tp_fail_at(tp_cur(p), "template nested too deeply");
		return NULL;
	}
	p->depth++;
	n = parse_expr_inner(p);
	p->depth--;
	return n;
}

/* An expression, or several separated by commas as a tuple. */
struct tnode *
tp_expr_tuple(struct parser *p)
{
	struct ttoken *t = tp_cur(p);
	struct tnode *e, *n;

	if ((e = tp_expr(p)) == NULL || tp_cur(p)->type != TT_COMMA)
		return e;
	if ((n = tp_node_at(N_TUPLE, t)) == NULL) {
		tnode_free(e);
		return NULL;
	}
	if (tnode_push(&n->list, &n->n, e) == -1)
		goto fail;
	while (tp_accept(p, TT_COMMA)) {
		if (tp_cur(p)->type == TT_BLOCK_END)
			break;
		if ((e = tp_expr(p)) == NULL ||
		    tnode_push(&n->list, &n->n, e) == -1)
			goto fail;
	}
	return tp_finish(n);
fail:
	tnode_free(n);
	return NULL;
}
