/*
 * names.c - the names a configuration defines (rate limits, hooks and
 * groups, endpoints, accounts, certificate ids), with where each was
 * defined: a second definition is an error that points at the first.
 *
 * XXX: lookups are linear; a configuration has at most some thousands of
 * names, looked up once per reference.
 */
#include <stdlib.h>
#include <string.h>

#include "config/intern.h"

const struct config_name *
config_name_find(const struct config_names *names, const char *name)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		if (strcmp(names->v[i].name, name) == 0)
			return &names->v[i];
	return NULL;
}

int
config_name_add(struct config_ctx *ctx, struct config_names *names,
    const char *what, const char *name, int kind, size_t idx,
    const struct config_item *it)
{
	const struct config_name *first;
	struct config_name *nv;
	char where[4096];

	if ((first = config_name_find(names, name)) != NULL) {
		config_where(first->doc, first->line, first->col, where,
		    sizeof(where));
		if (names == &ctx->hook_names && first->kind != kind)
			return config_error(ctx, it, "%s \"%s\": the name is "
			    "already used by the %s defined at %s", what, name,
			    first->kind == CONFIG_NAME_HOOK ? "hook" : "group",
			    where);
		return config_error(ctx, it, "duplicate %s \"%s\" (first "
		    "defined at %s)", what, name, where);
	}
	if (names->n == names->alloc) {
		size_t na = names->alloc ? names->alloc * 2 : 16;

		if ((nv = config_reallocarray(ctx, names->v, na,
		    sizeof(*nv))) == NULL)
			return -1;
		names->v = nv;
		names->alloc = na;
	}
	nv = &names->v[names->n++];
	nv->name = name;
	nv->kind = kind;
	nv->idx = idx;
	nv->doc = it->doc;
	nv->line = it->line;
	nv->col = it->col;
	return 0;
}

void
config_names_free(struct config_names *names)
{
	free(names->v);
	names->v = NULL;
	names->n = names->alloc = 0;
}
