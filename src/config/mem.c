/*
 * mem.c - allocation helpers of the loader: a failure is recorded once in
 * the context ("out of memory") and the caller just returns.
 */
#include <stdlib.h>
#include <string.h>

#include "config/intern.h"

char *
config_strdup(struct config_ctx *ctx, const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		config_oom(ctx);
	return p;
}

void *
config_reallocarray(struct config_ctx *ctx, void *p, size_t n, size_t size)
{
	void *np;

	if ((np = reallocarray(p, n > 0 ? n : 1, size)) == NULL)
		config_oom(ctx);
	return np;
}

int
config_strv_push(struct config_ctx *ctx, struct config_strv *v, char *s)
{
	char **nv;

	if (s == NULL)
		return -1;
	if ((nv = config_reallocarray(ctx, v->v, v->n + 1,
	    sizeof(*v->v))) == NULL) {
		free(s);
		return -1;
	}
	v->v = nv;
	v->v[v->n++] = s;
	return 0;
}

void
config_strv_free(struct config_strv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}
