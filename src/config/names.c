/*
 * names.c - the names a configuration defines (rate limits, hooks and
 * groups, endpoints, accounts, certificate ids), with where each was
 * defined: a second definition is an error that points at the first.
 *
 * A hash index keeps lookups constant: a configuration of 10,000
 * certificates checks 10,000 ids and resolves 30,000 references.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/intern.h"

static size_t
name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

const struct config_name *
config_name_find(const struct config_names *names, const char *name)
{
	size_t i, slot;

	if (names->nslots == 0)
		return NULL;
	for (i = name_hash(name) & (names->nslots - 1);
	    (slot = names->slots[i]) != 0; i = (i + 1) & (names->nslots - 1))
		if (strcmp(names->v[slot - 1].name, name) == 0)
			return &names->v[slot - 1];
	return NULL;
}

const char *
config_did_you_mean(const struct config_names *names, const char *name,
    char *out, size_t size)
{
	size_t len = strlen(name), bestd = CONFIG_NEAR(len), d, i;
	const char *best = NULL;

	for (i = 0; i < names->n; i++)
		if ((d = config_distance(name, len, names->v[i].name)) <
		    bestd) {
			bestd = d;
			best = names->v[i].name;
		}
	if (best == NULL || snprintf(out, size, " (did you mean \"%s\"?)",
	    best) >= (int)size)
		out[0] = '\0';
	return out;
}

/* Puts entry idx in the index (which has room). */
static void
name_index(struct config_names *names, size_t idx)
{
	size_t i = name_hash(names->v[idx].name) & (names->nslots - 1);

	while (names->slots[i] != 0)
		i = (i + 1) & (names->nslots - 1);
	names->slots[i] = idx + 1;
}

/* Keeps the index under half full. */
static int
name_reserve(struct config_ctx *ctx, struct config_names *names)
{
	size_t n = names->nslots ? names->nslots : 32, i;
	size_t *slots;

	if (2 * (names->n + 1) < names->nslots)
		return 0;
	while (2 * (names->n + 1) >= n)
		n *= 2;
	if ((slots = config_reallocarray(ctx, NULL, n, sizeof(*slots))) ==
	    NULL)
		return -1;
	memset(slots, 0, n * sizeof(*slots));
	free(names->slots);
	names->slots = slots;
	names->nslots = n;
	for (i = 0; i < names->n; i++)
		name_index(names, i);
	return 0;
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
	if (name_reserve(ctx, names) == -1)
		return -1;
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
	name_index(names, names->n - 1);
	return 0;
}

void
config_names_free(struct config_names *names)
{
	free(names->v);
	free(names->slots);
	names->v = NULL;
	names->slots = NULL;
	names->n = names->alloc = names->nslots = 0;
}
