/*
 * loop.h - the "loop" object of a for loop.
 *
 * It lives as long as anything refers to it, but only reads the loop's
 * iterator while the loop runs; when the loop ends the renderer marks it
 * inactive and drops the items it held, which also breaks any reference
 * cycle through a namespace.
 */
#ifndef ACMED_TMPL_LOOP_H
#define ACMED_TMPL_LOOP_H

#include <stddef.h>

#include "tmpl/value.h"

struct tnode;

struct tloop {
	size_t			 index0;
	size_t			 len;		/* TITER_UNKNOWN if unknown */
	unsigned		 depth0;	/* recursion depth */
	int			 active;
	struct tmpl_value	*prev;		/* previous item or NULL */
	struct tmpl_value	*changed;	/* args of the last changed() */
	struct titer		*it;		/* borrowed while active */
	const struct tnode	*node;		/* the for statement */
};

/* A new loop value (TK_LOOP) for the for statement node. */
struct tmpl_value *tloop_new(const struct tnode *node, struct titer *it,
	    unsigned depth0);
/* Drops the references held for the running loop; makes it inactive. */
void	 tloop_end(struct tloop *l);
void	 tloop_free(struct tloop *l);

/* The attribute name of a loop: a new reference, undefined when unknown,
 * NULL with err. */
struct tmpl_value *tloop_attr(struct tloop *l, const char *name);
/* The attribute names, for dict(loop). */
extern const char *const tloop_keys[];

#endif
