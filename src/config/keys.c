/*
 * keys.c - the one way a table of acmed.toml is read: its keys are looked
 * up in a declarative table (name, type, required, handler), so unknown
 * keys, wrong types and missing keys are reported the same everywhere.
 * Also the handlers that several sections share.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/intern.h"
#include "crypto/keytype.h"
#include "tmpl/tmpl.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/period.h"

const char *
config_a_type(enum toml_type t)
{
	switch (t) {
	case TOML_TABLE:
		return "a table";
	case TOML_ARRAY:
		return "an array";
	case TOML_STRING:
		return "a string";
	case TOML_INTEGER:
		return "an integer";
	case TOML_FLOAT:
		return "a float";
	case TOML_BOOL:
		return "a boolean";
	case TOML_DATETIME:
		return "a datetime";
	}
	return "a value";
}

static const char *
a_vtype(enum config_vtype t)
{
	switch (t) {
	case CONFIG_T_STRING:
		return "a string";
	case CONFIG_T_BOOL:
		return "a boolean";
	case CONFIG_T_INTEGER:
		return "an integer";
	case CONFIG_T_STRINGS:
		return "an array of strings";
	case CONFIG_T_TABLE:
		return "a table";
	case CONFIG_T_TABLES:
		return "an array of tables";
	}
	return "a value";
}

struct config_item *
config_elem(const struct config_item *arr, size_t i, struct config_item *out)
{
	*out = *arr;
	out->v = toml_array_get(arr->v, i);
	out->line = toml_line(out->v);
	out->col = toml_col(out->v);
	return out;
}

struct config_item *
config_elem_of(const struct config_item *arr, size_t i, enum toml_type want,
    struct config_item *out)
{
	size_t len;

	config_elem(arr, i, out);
	if (toml_type(out->v) != want)
		return NULL;
	if (want == TOML_STRING && strlen(toml_string(out->v, &len)) != len)
		return NULL;
	return out;
}

const char *
config_str(const struct config_item *it)
{
	const char *s = toml_string(it->v, NULL);

	return s != NULL ? s : "";
}

/* A string that C can hold: no NUL inside. */
static int
check_string(struct config_ctx *ctx, const struct config_item *it)
{
	size_t len;
	const char *s = toml_string(it->v, &len);

	if (strlen(s) != len)
		return config_error(ctx, it, "%s: a NUL character is not "
		    "allowed", it->key);
	return 0;
}

static int
check_type(struct config_ctx *ctx, const struct config_item *it,
    enum config_vtype want)
{
	struct config_item el;
	enum toml_type t = toml_type(it->v), et;
	size_t i;
	int rc = 0;

	switch (want) {
	case CONFIG_T_STRING:
		if (t == TOML_STRING)
			return check_string(ctx, it);
		break;
	case CONFIG_T_BOOL:
		if (t == TOML_BOOL)
			return 0;
		break;
	case CONFIG_T_INTEGER:
		if (t == TOML_INTEGER)
			return 0;
		break;
	case CONFIG_T_TABLE:
		if (t == TOML_TABLE)
			return 0;
		break;
	case CONFIG_T_STRINGS:
	case CONFIG_T_TABLES:
		if (t != TOML_ARRAY)
			break;
		et = want == CONFIG_T_STRINGS ? TOML_STRING : TOML_TABLE;
		for (i = 0; i < toml_array_len(it->v); i++) {
			config_elem(it, i, &el);
			if (toml_type(el.v) != et)
				rc = config_error(ctx, &el, "%s: expected %s, "
				    "found %s", it->key, et == TOML_STRING ?
				    "a string" : "a table",
				    config_a_type(toml_type(el.v)));
			else if (et == TOML_STRING &&
			    check_string(ctx, &el) == -1)
				rc = -1;
		}
		return rc;
	}
	if (want == CONFIG_T_TABLES && t == TOML_TABLE)
		return config_error(ctx, it, "%s: expected an array of tables, "
		    "found a table (write [[%s]])", it->key, it->key);
	return config_error(ctx, it, "%s: expected %s, found %s", it->key,
	    a_vtype(want), config_a_type(t));
}

/* Levenshtein distance, capped: only small ones matter. */
size_t
config_distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b), i, j, d[64];

	if (la >= sizeof(d) / sizeof(d[0]) || lb >= sizeof(d) / sizeof(d[0]))
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = d[0], tmp;

		d[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);

			if (d[j] + 1 < best)
				best = d[j] + 1;
			if (d[j - 1] + 1 < best)
				best = d[j - 1] + 1;
			tmp = d[j];
			d[j] = best;
			diag = tmp;
		}
	}
	return d[lb];
}

static size_t
unknown_key(struct config_ctx *ctx, const struct config_item *t,
    const struct toml_entry *e, const char *what,
    const struct config_key *keys, size_t nkeys)
{
	struct buf name;
	const char *best = NULL;
	size_t i, d, bestd, besti = SIZE_MAX;

	buf_init(&name, 256);
	if (toml_key_quote(&name, e->key, e->keylen) == -1) {
		buf_reset(&name);
		(void)buf_puts(&name, "...");
	}
	bestd = CONFIG_NEAR(e->keylen);
	for (i = 0; i < nkeys; i++) {
		d = config_distance(e->key, e->keylen, keys[i].name);
		if (d < bestd) {
			bestd = d;
			best = keys[i].name;
			besti = i;
		}
	}
	if (best != NULL)
		config_error_at(ctx, t->doc, e->line, e->col, "unknown key `%s` "
		    "in %s (did you mean `%s`?)", buf_str(&name), what, best);
	else
		config_error_at(ctx, t->doc, e->line, e->col, "unknown key `%s` "
		    "in %s", buf_str(&name), what);
	buf_free(&name);
	return besti;
}

int
config_table(struct config_ctx *ctx, const struct config_item *t,
    const char *what, const struct config_key *keys, size_t nkeys, void *obj,
    struct config_seen *seen)
{
	struct config_seen local;
	const struct toml_entry *e;
	struct config_item it;
	unsigned char suggested[CONFIG_MAX_KEYS] = { 0 };
	size_t i, k;
	int rc = 0;

	if (seen == NULL)
		seen = &local;
	memset(seen, 0, sizeof(*seen));
	assert(nkeys <= CONFIG_MAX_KEYS);
	for (i = 0; i < toml_table_len(t->v); i++) {
		e = toml_table_entry(t->v, i);
		for (k = 0; k < nkeys; k++)
			if (strlen(keys[k].name) == e->keylen &&
			    memcmp(keys[k].name, e->key, e->keylen) == 0)
				break;
		if (k == nkeys) {
			/* A misspelt required key: one error, not two. */
			if ((k = unknown_key(ctx, t, e, what, keys, nkeys)) !=
			    SIZE_MAX)
				suggested[k] = 1;
			rc = -1;
			continue;
		}
		it.doc = t->doc;
		it.key = keys[k].name;
		it.kline = e->line;
		it.kcol = e->col;
		it.v = e->value;
		it.line = toml_line(e->value);
		it.col = toml_col(e->value);
		seen->found[k] = 1;
		seen->item[k] = it;
		if (check_type(ctx, &it, keys[k].type) == -1) {
			rc = -1;
			/* The good elements of an array are still checked
			 * (handlers skip elements of another type). */
			if ((keys[k].type == CONFIG_T_STRINGS ||
			    keys[k].type == CONFIG_T_TABLES) &&
			    toml_type(it.v) == TOML_ARRAY && keys[k].set != NULL)
				(void)keys[k].set(ctx, &seen->item[k], obj,
				    keys[k].off);
			continue;
		}
		if (keys[k].set != NULL &&
		    keys[k].set(ctx, &seen->item[k], obj, keys[k].off) == -1) {
			rc = -1;
			continue;
		}
		seen->ok[k] = 1;
	}
	for (k = 0; k < nkeys; k++) {
		if ((keys[k].flags & CONFIG_REQ) && !seen->found[k] &&
		    !suggested[k])
			rc = config_error(ctx, t, "missing key `%s` in %s",
			    keys[k].name, what);
	}
	return rc;
}

#define FIELD(type, obj, off)	((type *)(void *)((char *)(obj) + (off)))

int
config_set_str(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	char **p = FIELD(char *, obj, off), *s;

	if ((s = config_strdup(ctx, config_str(it))) == NULL)
		return -1;
	free(*p);
	*p = s;
	return 0;
}

int
config_set_nonempty(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	if (*config_str(it) == '\0')
		return config_error(ctx, it, "%s: must not be empty", it->key);
	return config_set_str(ctx, it, obj, off);
}

int
config_set_bool(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	(void)ctx;
	*FIELD(int, obj, off) = toml_bool(it->v) ? 1 : 0;
	return 0;
}

int
config_set_period(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	struct config_opt_period *p = FIELD(struct config_opt_period, obj, off);
	uint64_t s;

	if (period_parse(config_str(it), &s) == -1)
		return config_error(ctx, it, "%s: %s", it->key, err_msg());
	p->set = 1;
	p->seconds = s;
	return 0;
}

int
config_set_path(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	char **p = FIELD(char *, obj, off), *s;

	if (*config_str(it) == '\0')
		return config_error(ctx, it, "%s: must not be empty", it->key);
	if ((s = config_abspath(ctx, config_str(it))) == NULL)
		return -1;
	free(*p);
	*p = s;
	return 0;
}

/* The later list replaces the earlier one (an included file overrides). */
int
config_set_paths(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	struct config_strv *p = FIELD(struct config_strv, obj, off), v = { 0 };
	struct config_item el;
	size_t i;
	char *s;
	int rc = 0;

	for (i = 0; i < toml_array_len(it->v); i++) {
		if (config_elem_of(it, i, TOML_STRING, &el) == NULL)
			continue;
		if (*config_str(&el) == '\0') {
			rc = config_error(ctx, &el, "%s: a path must not be "
			    "empty", it->key);
			continue;
		}
		if ((s = config_abspath(ctx, config_str(&el))) == NULL ||
		    config_strv_push(ctx, &v, s) == -1) {
			config_strv_free(&v);
			return -1;
		}
	}
	if (rc == -1) {
		config_strv_free(&v);
		return -1;
	}
	config_strv_free(p);
	*p = v;
	return 0;
}

int
config_set_env(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	struct config_env *env = FIELD(struct config_env, obj, off);
	const struct toml_entry *e;
	struct config_item v;
	struct buf name;
	size_t i;
	int rc = 0;

	buf_init(&name, 256);
	for (i = 0; i < toml_table_len(it->v); i++) {
		e = toml_table_entry(it->v, i);
		v = *it;
		v.kline = e->line;
		v.kcol = e->col;
		v.v = e->value;
		v.line = toml_line(e->value);
		v.col = toml_col(e->value);
		buf_reset(&name);
		if (toml_key_quote(&name, e->key, e->keylen) == -1)
			(void)buf_puts(&name, "...");
		if (e->keylen == 0 || strlen(e->key) != e->keylen ||
		    strchr(e->key, '=') != NULL) {
			rc = config_error_key(ctx, &v, "%s: `%s` cannot be the "
			    "name of an environment variable", it->key,
			    buf_str(&name));
			continue;
		}
		if (toml_type(v.v) != TOML_STRING) {
			rc = config_error(ctx, &v, "%s.%s: expected a string, "
			    "found %s", it->key, buf_str(&name),
			    config_a_type(toml_type(v.v)));
			continue;
		}
		v.key = it->key;
		if (check_string(ctx, &v) == -1) {
			rc = -1;
			continue;
		}
		if (config_env_set(ctx, env, e->key, config_str(&v)) == -1) {
			rc = -1;
			break;
		}
	}
	buf_free(&name);
	return rc;
}

struct tmpl *
config_compile(struct config_ctx *ctx, const struct config_item *it,
    const char *src)
{
	struct tmpl *t;

	if ((t = tmpl_compile(src, strlen(src))) == NULL)
		config_error(ctx, it, "%s: invalid template: %s", it->key,
		    err_msg());
	return t;
}

int
config_set_format(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	struct tmpl *t;

	if ((t = config_compile(ctx, it, config_str(it))) == NULL)
		return -1;
	tmpl_free(t);
	return config_set_str(ctx, it, obj, off);
}

int
config_set_key_type(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	enum crypto_key_type kt;

	if (crypto_key_type_parse(config_str(it), &kt) == -1)
		return config_error(ctx, it, "%s: %s", it->key, err_msg());
	*FIELD(enum crypto_key_type, obj, off) = kt;
	return 0;
}
