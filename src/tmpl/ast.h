/*
 * ast.h - the tree a template compiles into.
 *
 * One node type for expressions and statements; each kind uses the
 * fields listed next to it.  The tree, its strings and its constant
 * values belong to the template and are never modified after parsing.
 */
#ifndef ACMED_TMPL_AST_H
#define ACMED_TMPL_AST_H

#include <stddef.h>

#include "tmpl/value.h"

enum nkind {
	/* expressions */
	N_CONST,	/* val */
	N_NAME,		/* name */
	N_LIST,		/* list: items */
	N_TUPLE,	/* list: items */
	N_MAP,		/* list: key, value, key, value... */
	N_ATTR,		/* a.name */
	N_ITEM,		/* a[b] */
	N_SLICE,	/* a[b:c:d], each of b c d may be NULL */
	N_UNARY,	/* op a (OP_NEG, OP_POS, OP_NOT) */
	N_BINARY,	/* a op b (arithmetic, ~, and, or) */
	N_COMPARE,	/* a op b */
	N_COND,		/* b if a else c (c may be NULL) */
	N_CALL,		/* a(list) */
	N_FILTER,	/* a|name(list) */
	N_TEST,		/* a is [not: flag NEGATED] name(list) */
	N_KWARG,	/* name=a, in argument lists */
	N_SPLAT,	/* *a, in argument lists */
	N_KWSPLAT,	/* **a, in argument lists */
	N_CAPTURED,	/* the body of a filter block or set block */

	/* statements; list/list2 hold statement lists */
	S_TEXT,		/* val: template text */
	S_EMIT,		/* {{ a }} */
	S_IF,		/* if a: list else list2 */
	S_FOR,		/* for a in b [if c] [flag RECURSIVE]: list
			   else list2 */
	S_SET,		/* set a = b */
	S_SETBLOCK,	/* set a [| filters b]: list */
	S_WITH,		/* with list2 (S_SET nodes): list */
	S_AUTOESCAPE,	/* autoescape a: list */
	S_FILTERBLOCK,	/* filter b: list */
	S_BREAK,
	S_CONTINUE,
	S_DO,		/* do a */
	S_MACRO,	/* macro name(list2): list; list2 holds N_NAME
			   arguments, each with its default in a (or NULL);
			   val is the list of names the body uses (its
			   closure), flag CALLER when one is "caller" */
	S_CALLBLOCK,	/* call a (an N_CALL) with b (an S_MACRO named
			   "caller") as the caller keyword argument */
	S_BLOCK,	/* block name: list */
	S_INCLUDE,	/* include a [flag IGNORE_MISSING] */
	S_IMPORT,	/* import a as ..., from a import ... */
	S_EXTENDS,	/* extends a */
};

/* flags */
#define NF_NEGATED	0x02
#define NF_RECURSIVE	0x04
#define NF_CALLER	0x08
#define NF_IGNORE_MISSING 0x10

struct tnode {
	unsigned short		 kind;
	unsigned short		 op;	/* enum top */
	unsigned short		 flags;
	unsigned short		 depth;	/* height of the subtree */
	unsigned		 line;
	unsigned		 col;
	char			*name;
	struct tmpl_value	*val;
	struct tnode		*a, *b, *c, *d;
	struct tnode		**list;
	size_t			 n;
	struct tnode		**list2;
	size_t			 n2;
};

/* Deepest tree the parser builds; bounds every recursion over it. */
#define TNODE_MAX_DEPTH	200

/* A compiled template (tmpl.h): its top-level statements. */
struct tmpl {
	struct tnode	**body;
	size_t		  n;
};

struct tnode	*tnode_new(enum nkind kind, unsigned line, unsigned col);
void		 tnode_free(struct tnode *n);
/* Appends child to *list (with *n entries); takes it over even on
 * failure. */
int		 tnode_push(struct tnode ***list, size_t *n,
		    struct tnode *child);
void		 tnode_free_list(struct tnode **list, size_t n);

#endif
