/*
 * ops.h - the operators of template expressions and value lookups.
 *
 * Every function returns a new reference, or NULL (-1) with err set to
 * MiniJinja's message for the failure.
 */
#ifndef ACMED_TMPL_OPS_H
#define ACMED_TMPL_OPS_H

#include "tmpl/value.h"

enum top {
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD, OP_POW,
	OP_CONCAT,
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOTIN,
	OP_AND, OP_OR,
	OP_NEG, OP_POS, OP_NOT,
};

/* Arithmetic and ~ (OP_ADD .. OP_CONCAT). */
struct tmpl_value *op_binary(enum top op, const struct tmpl_value *a,
	    const struct tmpl_value *b);
/* Comparisons and containment (OP_EQ .. OP_NOTIN). */
struct tmpl_value *op_compare(enum top op, const struct tmpl_value *a,
	    const struct tmpl_value *b);
struct tmpl_value *op_neg(const struct tmpl_value *a);
struct tmpl_value *op_pos(const struct tmpl_value *a);
/* *result = whether item is in container. */
int	 op_contains(const struct tmpl_value *container,
	    const struct tmpl_value *item, int *result);

/* a.name and a[key]: undefined when missing, an error when a is
 * undefined. */
struct tmpl_value *op_getattr(const struct tmpl_value *a, const char *name);
struct tmpl_value *op_getitem(const struct tmpl_value *a,
	    const struct tmpl_value *key);
/* a[start:stop:step] with Python's rules; NULL bounds are absent. */
struct tmpl_value *op_slice(const struct tmpl_value *a,
	    const struct tmpl_value *start, const struct tmpl_value *stop,
	    const struct tmpl_value *step);
/* Follows a dotted path such as "a.0.b" (map(attribute=...) and
 * friends); digits index sequences. */
struct tmpl_value *op_getpath(const struct tmpl_value *a, const char *path);

#define OP_UNDEFINED_MSG	"undefined value"

#endif
