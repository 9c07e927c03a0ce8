/*
 * ast.c - allocation of tree nodes (see ast.h).
 */
#include <stdlib.h>

#include "tmpl/ast.h"
#include "util/err.h"

struct tnode *
tnode_new(enum nkind kind, unsigned line, unsigned col)
{
	struct tnode *n;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	n->kind = (unsigned short)kind;
	n->line = line;
	n->col = col;
	return n;
}

void
tnode_free_list(struct tnode **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tnode_free(list[i]);
	free(list);
}

/* The parser limits nesting, so this recursion is bounded. */
void
tnode_free(struct tnode *n)
{
	if (n == NULL)
		return;
	free(n->name);
	tv_free_immortal(n->val);
	tnode_free(n->a);
	tnode_free(n->b);
	tnode_free(n->c);
	tnode_free(n->d);
	tnode_free_list(n->list, n->n);
	tnode_free_list(n->list2, n->n2);
	free(n);
}

int
tnode_push(struct tnode ***list, size_t *n, struct tnode *child)
{
	struct tnode **p;

	if (child == NULL)
		return -1;
	/* Grow in powers of two: capacity is implied by n. */
	if ((*n & (*n - 1)) == 0) {
		if ((p = reallocarray(*list, *n ? *n * 2 : 1,
		    sizeof(*p))) == NULL) {
			tnode_free(child);
			return err_set("out of memory");
		}
		*list = p;
	}
	(*list)[(*n)++] = child;
	return 0;
}
