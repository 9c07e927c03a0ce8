/*
 * parse_int.h - what the parser's files share: the parser state, token
 * helpers and node builders (parse_util.c), and the expression entry
 * points (parse_expr.c) used by the statement parser (parse.c).
 */
#ifndef ACMED_TMPL_PARSE_INT_H
#define ACMED_TMPL_PARSE_INT_H

#include <stddef.h>

#include "tmpl/ast.h"
#include "tmpl/lex.h"

struct parser {
	struct tlex	*lx;
	size_t		 pos;
	int		 in_loop;
	int		 in_macro;
	int		 depth;		/* of the parser's own recursion */
	const struct ttoken **blocks;	/* names of the blocks so far */
	size_t		 nblocks;
};

/* Parentheses and the like nest without building deeper trees, so the
 * parser bounds its own recursion too. */
#define PARSE_MAX_DEPTH	TNODE_MAX_DEPTH

/* Tokens.  The last token is always TT_EOF, and nothing moves past it. */
struct ttoken	*tp_cur(struct parser *p);
struct ttoken	*tp_peek(struct parser *p, size_t ahead);
void		 tp_advance(struct parser *p);
int		 tp_is_name(const struct ttoken *t, const char *name);
/* Consume the token if it matches; 1 if it did. */
int		 tp_accept(struct parser *p, enum ttok type);
int		 tp_accept_name(struct parser *p, const char *name);

/* Errors "line N:col M: message"; all return -1. */
int		 tp_fail_at(const struct ttoken *t, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
int		 tp_unexpected(struct parser *p, const char *expected);
int		 tp_expect(struct parser *p, enum ttok type, const char *what);
int		 tp_expect_name(struct parser *p, const char *name);
/* "`name`" for names, the token's description otherwise; in tmp. */
const char	*tp_describe(const struct ttoken *t, char *tmp, size_t size);

/* Allocated copy of a token's text, or NULL with err. */
char		*tp_tok_strdup(const struct ttoken *t);
struct tnode	*tp_node_at(enum nkind kind, const struct ttoken *t);
/* Sets n's height, refusing trees deeper than TNODE_MAX_DEPTH; frees n
 * and returns NULL on failure.  Every finished node goes through it. */
struct tnode	*tp_finish(struct tnode *n);
/* A node with children a and b, taken over even on failure. */
struct tnode	*tp_node2(enum nkind kind, unsigned op, struct tnode *a,
		    struct tnode *b, unsigned line, unsigned col);
/* A constant node; takes over v (immortal) even on failure. */
struct tnode	*tp_const_node(const struct ttoken *t, struct tmpl_value *v);

/* Statements (parse.c).  tp_body() parses statements up to one of the
 * names in ends ({% endfor %} ...), consumes it and returns it in
 * *found; with ends NULL, up to the end of input. */
int		 tp_body(struct parser *p, struct tnode ***list, size_t *n,
		    const char *const *ends, const char **found);
int		 tp_end_tag(struct parser *p);

/* macro, call, block, include, import, from and extends
 * (parse_macro.c), after the statement's name (at). */
struct tnode	*tp_macro(struct parser *p, const struct ttoken *at);
struct tnode	*tp_call_block(struct parser *p, const struct ttoken *at);
struct tnode	*tp_block(struct parser *p, const struct ttoken *at);
struct tnode	*tp_include(struct parser *p, const struct ttoken *at);
struct tnode	*tp_import(struct parser *p, const struct ttoken *at,
		    int from);
struct tnode	*tp_extends(struct parser *p, const struct ttoken *at);

/* Expressions (parse_expr.c); all return a finished node or NULL. */
struct tnode	*tp_expr(struct parser *p);		/* x if c else y */
struct tnode	*tp_or(struct parser *p);		/* no "if" */
struct tnode	*tp_expr_tuple(struct parser *p);	/* a, b, c */
/* A filter name and arguments applied to input (taken over). */
struct tnode	*tp_filter(struct parser *p, struct tnode *input);

#endif
