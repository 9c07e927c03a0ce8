/*
 * parse.c - statements and the template as a whole (see parse.h); the
 * expressions are in parse_expr.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/parse.h"
#include "tmpl/parse_int.h"
#include "util/err.h"

static struct tnode *parse_target_primary(struct parser *);

/* A name or a parenthesized tuple of targets. */
static struct tnode *
parse_target_primary_inner(struct parser *p)
{
	struct ttoken *t = tp_cur(p);
	struct tnode *n, *e;

	if (t->type == TT_NAME) {
		tp_advance(p);
		if ((n = tp_node_at(N_NAME, t)) == NULL)
			return NULL;
		if ((n->name = tp_tok_strdup(t)) == NULL) {
			tnode_free(n);
			return NULL;
		}
		return tp_finish(n);
	}
	if (!tp_accept(p, TT_LPAREN)) {
		tp_unexpected(p, "identifier");
		return NULL;
	}
	if ((n = tp_node_at(N_TUPLE, t)) == NULL)
		return NULL;
	while (!tp_accept(p, TT_RPAREN)) {
		if ((e = parse_target_primary(p)) == NULL ||
		    tnode_push(&n->list, &n->n, e) == -1)
			goto fail;
		if (tp_cur(p)->type != TT_RPAREN &&
		    tp_expect(p, TT_COMMA, "`,` or `)`") == -1)
			goto fail;
	}
	return tp_finish(n);
fail:
	tnode_free(n);
	return NULL;
}

static struct tnode *
parse_target_primary(struct parser *p)
{
	struct tnode *n;

	if (p->depth >= PARSE_MAX_DEPTH) {
		tp_fail_at(tp_cur(p), "template nested too deeply");
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
	struct ttoken *t = tp_cur(p), *nt;
	struct tnode *n, *tup, *e;

	if ((n = parse_target_primary(p)) == NULL)
		return NULL;
	while (dotted && n->kind != N_TUPLE && tp_accept(p, TT_DOT)) {
		nt = tp_cur(p);
		if (nt->type != TT_NAME) {
			tnode_free(n);
			tp_unexpected(p, "identifier");
			return NULL;
		}
		tp_advance(p);
		if ((e = tnode_new(N_ATTR, t->line, t->col)) == NULL ||
		    (e->name = tp_tok_strdup(nt)) == NULL) {
			tnode_free(e);
			tnode_free(n);
			return NULL;
		}
		e->a = n;
		if ((n = tp_finish(e)) == NULL)
			return NULL;
	}
	if (tp_cur(p)->type != TT_COMMA)
		return n;
	if ((tup = tp_node_at(N_TUPLE, t)) == NULL) {
		tnode_free(n);
		return NULL;
	}
	if (tnode_push(&tup->list, &tup->n, n) == -1)
		goto fail;
	while (tp_accept(p, TT_COMMA)) {
		if (tp_cur(p)->type != TT_NAME && tp_cur(p)->type != TT_LPAREN)
			break;
		if ((e = parse_target_primary(p)) == NULL ||
		    tnode_push(&tup->list, &tup->n, e) == -1)
			goto fail;
	}
	return tp_finish(tup);
fail:
	tnode_free(tup);
	return NULL;
}

int
tp_end_tag(struct parser *p)
{
	return tp_expect(p, TT_BLOCK_END, "end of block");
}


static struct tnode *
parse_for(struct parser *p, const struct ttoken *at)
{
	static const char *const ends[] = { "endfor", "else", NULL };
	static const char *const ends2[] = { "endfor", NULL };
	struct tnode *n;
	const char *found;
	int saved = p->in_loop;

	if ((n = tp_node_at(S_FOR, at)) == NULL)
		return NULL;
	if ((n->a = parse_target(p, 0)) == NULL ||
	    tp_expect_name(p, "in") == -1)
		goto fail;
	if ((n->b = tp_or(p)) == NULL)
		goto fail;
	if (tp_accept_name(p, "if") && (n->c = tp_expr(p)) == NULL)
		goto fail;
	if (tp_accept_name(p, "recursive"))
		n->flags |= NF_RECURSIVE;
	if (tp_end_tag(p) == -1)
		goto fail;
	p->in_loop = 1;
	if (tp_body(p, &n->list, &n->n, ends, &found) == -1)
		goto fail;
	p->in_loop = saved;
	if (strcmp(found, "else") == 0 && (tp_end_tag(p) == -1 ||
	    tp_body(p, &n->list2, &n->n2, ends2, &found) == -1))
		goto fail;
	if (tp_end_tag(p) == -1)
		goto fail;
	return tp_finish(n);
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

	if ((n = tp_node_at(S_IF, at)) == NULL)
		return NULL;
	if ((n->a = tp_expr(p)) == NULL || tp_end_tag(p) == -1 ||
	    tp_body(p, &n->list, &n->n, ends, &found) == -1)
		goto fail;
	if (strcmp(found, "elif") == 0) {
		t = &p->lx->toks[p->pos - 1];
		if ((e = parse_if(p, t)) == NULL ||
		    tnode_push(&n->list2, &n->n2, e) == -1)
			goto fail;
		/* The nested if consumed the final endif. */
		return tp_finish(n);
	}
	if (strcmp(found, "else") == 0 && (tp_end_tag(p) == -1 ||
	    tp_body(p, &n->list2, &n->n2, ends2, &found) == -1))
		goto fail;
	if (tp_end_tag(p) == -1)
		goto fail;
	return tp_finish(n);
fail:
	tnode_free(n);
	return NULL;
}

/* A chain of filters applied to the captured body of a block. */
static struct tnode *
parse_block_filters(struct parser *p, const struct ttoken *at, int first)
{
	struct tnode *n;

	if ((n = tp_finish(tp_node_at(N_CAPTURED, at))) == NULL)
		return NULL;
	if (first && (n = tp_filter(p, n)) == NULL)
		return NULL;
	while (n != NULL && tp_accept(p, TT_PIPE))
		n = tp_filter(p, n);
	return n;
}

static struct tnode *
parse_set(struct parser *p, const struct ttoken *at)
{
	static const char *const ends[] = { "endset", NULL };
	struct tnode *n;
	const char *found;

	if ((n = tp_node_at(S_SET, at)) == NULL)
		return NULL;
	if ((n->a = parse_target(p, 1)) == NULL)
		goto fail;
	if (tp_accept(p, TT_ASSIGN)) {
		if ((n->b = tp_expr_tuple(p)) == NULL || tp_end_tag(p) == -1)
			goto fail;
		return tp_finish(n);
	}
	if (n->a->kind != N_NAME) {
		tp_unexpected(p, "`=`");
		goto fail;
	}
	n->kind = S_SETBLOCK;
	if (tp_cur(p)->type == TT_PIPE &&
	    (n->b = parse_block_filters(p, at, 0)) == NULL)
		goto fail;
	if (tp_end_tag(p) == -1 ||
	    tp_body(p, &n->list, &n->n, ends, &found) == -1 ||
	    tp_end_tag(p) == -1)
		goto fail;
	return tp_finish(n);
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

	if ((n = tp_node_at(S_WITH, at)) == NULL)
		return NULL;
	while (tp_cur(p)->type != TT_BLOCK_END) {
		if ((set = tp_node_at(S_SET, tp_cur(p))) == NULL)
			goto fail;
		if ((set->a = parse_target_primary(p)) == NULL ||
		    tp_expect(p, TT_ASSIGN, "assignment operator") == -1 ||
		    (set->b = tp_expr(p)) == NULL) {
			tnode_free(set);
			goto fail;
		}
		if (tnode_push(&n->list2, &n->n2, tp_finish(set)) == -1)
			goto fail;
		if (!tp_accept(p, TT_COMMA))
			break;
	}
	if (tp_end_tag(p) == -1 ||
	    tp_body(p, &n->list, &n->n, ends, &found) == -1 ||
	    tp_end_tag(p) == -1)
		goto fail;
	return tp_finish(n);
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

	if ((n = tp_node_at(filter ? S_FILTERBLOCK : S_AUTOESCAPE, at)) == NULL)
		return NULL;
	if (filter)
		n->b = parse_block_filters(p, at, 1);
	else
		n->a = tp_expr(p);
	if ((filter ? n->b : n->a) == NULL || tp_end_tag(p) == -1 ||
	    tp_body(p, &n->list, &n->n, filter ? ends2 : ends1,
	    &found) == -1 || tp_end_tag(p) == -1) {
		tnode_free(n);
		return NULL;
	}
	return tp_finish(n);
}

/* After "{%", at the statement's name. */
static struct tnode *
parse_stmt_inner(struct parser *p)
{
	struct ttoken *t = tp_cur(p);
	struct tnode *n;
	char tmp[64];

	if (t->type != TT_NAME) {
		tp_unexpected(p, "statement");
		return NULL;
	}
	tp_advance(p);
	if (tp_is_name(t, "for"))
		return parse_for(p, t);
	if (tp_is_name(t, "if"))
		return parse_if(p, t);
	if (tp_is_name(t, "set"))
		return parse_set(p, t);
	if (tp_is_name(t, "with"))
		return parse_with(p, t);
	if (tp_is_name(t, "autoescape"))
		return parse_wrapper(p, t, 0);
	if (tp_is_name(t, "filter"))
		return parse_wrapper(p, t, 1);
	if (tp_is_name(t, "break") || tp_is_name(t, "continue")) {
		if (!p->in_loop) {
			tp_fail_at(t, "'%s' must be placed inside a loop",
			    tp_is_name(t, "break") ? "break" : "continue");
			return NULL;
		}
		n = tp_node_at(tp_is_name(t, "break") ? S_BREAK : S_CONTINUE,
		    t);
		if (n != NULL && tp_end_tag(p) == -1) {
			tnode_free(n);
			return NULL;
		}
		return tp_finish(n);
	}
	if (tp_is_name(t, "macro"))
		return tp_macro(p, t);
	if (tp_is_name(t, "call"))
		return tp_call_block(p, t);
	if (tp_is_name(t, "block"))
		return tp_block(p, t);
	if (tp_is_name(t, "include"))
		return tp_include(p, t);
	if (tp_is_name(t, "import") || tp_is_name(t, "from"))
		return tp_import(p, t, tp_is_name(t, "from"));
	if (tp_is_name(t, "extends"))
		return tp_extends(p, t);
	if (tp_is_name(t, "do")) {
		if ((n = tp_node_at(S_DO, t)) == NULL)
			return NULL;
		if ((n->a = tp_expr(p)) == NULL || tp_end_tag(p) == -1) {
			tnode_free(n);
			return NULL;
		}
		return tp_finish(n);
	}
	tp_fail_at(t, "unknown statement %s", tp_describe(t, tmp, sizeof(tmp)));
	return NULL;
}

static struct tnode *
parse_stmt(struct parser *p)
{
	struct tnode *n;

	if (p->depth >= PARSE_MAX_DEPTH) {
		tp_fail_at(tp_cur(p), "template nested too deeply");
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
int
tp_body(struct parser *p, struct tnode ***list, size_t *n,
    const char *const *ends, const char **found)
{
	struct ttoken *t;
	struct tnode *s;
	size_t i;
	char tmp[128];

	for (;;) {
		t = tp_cur(p);
		switch (t->type) {
		case TT_EOF:
			if (ends == NULL)
				return 0;
			snprintf(tmp, sizeof(tmp), "end of block (%s)",
			    ends[0]);
			return tp_unexpected(p, tmp);
		case TT_TEXT:
			tp_advance(p);
			if ((s = tp_node_at(S_TEXT, t)) == NULL)
				return -1;
			if ((s->val = tv_strn(t->p, t->len)) == NULL) {
				tnode_free(s);
				return -1;
			}
			tv_make_immortal(s->val);
			break;
		case TT_VAR_BEGIN:
			tp_advance(p);
			if ((s = tp_node_at(S_EMIT, t)) == NULL)
				return -1;
			if ((s->a = tp_expr(p)) == NULL ||
			    tp_expect(p, TT_VAR_END, "end of variable block") ==
			    -1) {
				tnode_free(s);
				return -1;
			}
			break;
		case TT_BLOCK_BEGIN:
			tp_advance(p);
			for (i = 0; ends != NULL && ends[i] != NULL; i++)
				if (tp_is_name(tp_cur(p), ends[i])) {
					tp_advance(p);
					*found = ends[i];
					return 0;
				}
			if (ends != NULL && (tp_is_name(tp_cur(p), "else") ||
			    tp_is_name(tp_cur(p), "elif") ||
			    (tp_cur(p)->type == TT_NAME && tp_cur(p)->len > 3 &&
			    memcmp(tp_cur(p)->p, "end", 3) == 0))) {
				snprintf(tmp, sizeof(tmp), "`%s`", ends[0]);
				return tp_unexpected(p, tmp);
			}
			if ((s = parse_stmt(p)) == NULL)
				return -1;
			break;
		default:
			return tp_unexpected(p, NULL);
		}
		if ((s = tp_finish(s)) == NULL || tnode_push(list, n, s) == -1)
			return -1;
	}
}

int
tparse(struct tlex *lx, struct tmpl *t)
{
	struct parser p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.lx = lx;
	t->body = NULL;
	t->n = 0;
	rc = tp_body(&p, &t->body, &t->n, NULL, NULL);
	free(p.blocks);
	if (rc == -1) {
		tnode_free_list(t->body, t->n);
		t->body = NULL;
		t->n = 0;
		return -1;
	}
	return 0;
}
