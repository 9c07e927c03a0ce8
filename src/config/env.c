/*
 * env.c - env tables: ordered string maps in which a later key replaces
 * the value of an earlier one but keeps its place.
 */
#include <stdlib.h>
#include <string.h>

#include "config/intern.h"

const char *
config_env_get(const struct config_env *e, const char *key)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->keys[i], key) == 0)
			return e->values[i];
	return NULL;
}

/* Frees a value, which may be a token: none is left in the heap. */
static void
config_env_wipe(char *v)
{
	if (v != NULL)
		explicit_bzero(v, strlen(v));
	free(v);
}

int
config_env_set(struct config_ctx *ctx, struct config_env *e, const char *key,
    const char *value)
{
	char *k = NULL, *v = NULL, **nk, **nv;
	size_t i;

	if ((v = config_strdup(ctx, value)) == NULL)
		return -1;
	for (i = 0; i < e->n; i++) {
		if (strcmp(e->keys[i], key) == 0) {
			config_env_wipe(e->values[i]);
			e->values[i] = v;
			return 0;
		}
	}
	if ((k = config_strdup(ctx, key)) == NULL)
		goto fail;
	if ((nk = config_reallocarray(ctx, e->keys, e->n + 1,
	    sizeof(*nk))) == NULL)
		goto fail;
	e->keys = nk;
	if ((nv = config_reallocarray(ctx, e->values, e->n + 1,
	    sizeof(*nv))) == NULL)
		goto fail;
	e->values = nv;
	e->keys[e->n] = k;
	e->values[e->n] = v;
	e->n++;
	return 0;
fail:
	free(k);
	free(v);
	return -1;
}

int
config_env_merge(struct config_ctx *ctx, struct config_env *dst,
    const struct config_env *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (config_env_set(ctx, dst, src->keys[i],
		    src->values[i]) == -1)
			return -1;
	return 0;
}

void
config_env_free(struct config_env *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		free(e->keys[i]);
		config_env_wipe(e->values[i]);
	}
	free(e->keys);
	free(e->values);
	e->keys = e->values = NULL;
	e->n = 0;
}
