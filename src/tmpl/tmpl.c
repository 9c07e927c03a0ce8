/*
 * tmpl.c - compiling and freeing templates (see tmpl.h).
 */
#include <stdlib.h>

#include "tmpl/ast.h"
#include "tmpl/lex.h"
#include "tmpl/parse.h"
#include "tmpl/tmpl.h"
#include "util/err.h"

struct tmpl *
tmpl_compile(const char *src, size_t len)
{
	struct tmpl *t = NULL;
	struct tlex lx;

	if (src == NULL && len > 0) {
		err_set("line 1:col 1: no template source");
		return NULL;
	}
	if (src == NULL)
		src = "";
	/* Jinja's default: one trailing newline is not part of the
	 * output (the template "a\n" renders "a"). */
	if (len > 0 && src[len - 1] == '\n')
		len--;
	if (len > 0 && src[len - 1] == '\r')
		len--;
	if (tlex_run(src, len, &lx) == -1)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		err_set("out of memory");
		goto out;
	}
	if (tparse(&lx, t) == -1) {
		free(t);
		t = NULL;
	}
out:
	tlex_free(&lx);
	return t;
}

void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	tnode_free_list(t->body, t->n);
	free(t);
}
