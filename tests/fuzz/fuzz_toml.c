/*
 * fuzz_toml.c - libFuzzer target for the TOML parser: any bytes must give
 * either a tree or a "line:col: message" error, never a crash, a leak or a
 * read past the input.  A tree is walked through the public accessors so
 * that they run under the sanitizers too.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml/toml.h"
#include "util/buf.h"
#include "util/err.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t
walk(const struct toml_value *v, unsigned depth)
{
	const struct toml_entry *e;
	const struct toml_datetime *dt;
	struct buf b;
	size_t i, n = 1, len;
	const char *s;

	assert(depth <= TOML_MAX_DEPTH + 1);
	assert(toml_line(v) >= 1 && toml_col(v) >= 1);
	switch (toml_type(v)) {
	case TOML_TABLE:
		for (i = 0; i < toml_table_len(v); i++) {
			e = toml_table_entry(v, i);
			assert(e != NULL && e->key[e->keylen] == '\0');
			assert(e->line >= 1 && e->col >= 1);
			buf_init(&b, BUF_MAX_SMALL);
			(void)toml_key_quote(&b, e->key, e->keylen);
			buf_free(&b);
			/* A key without NULs must be found by its name. */
			if (strlen(e->key) == e->keylen)
				assert(toml_table_find(v, e->key) == e);
			n += walk(e->value, depth + 1);
		}
		assert(toml_table_entry(v, i) == NULL);
		break;
	case TOML_ARRAY:
		for (i = 0; i < toml_array_len(v); i++)
			n += walk(toml_array_get(v, i), depth + 1);
		assert(toml_array_get(v, i) == NULL);
		break;
	case TOML_STRING:
		s = toml_string(v, &len);
		assert(s != NULL && s[len] == '\0');
		break;
	case TOML_DATETIME:
		dt = toml_datetime(v);
		assert(dt != NULL && dt->text != NULL);
		break;
	default:
		(void)toml_int(v);
		(void)toml_float(v);
		(void)toml_bool(v);
		break;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_value *root;
	char *copy;

	/* An exact-size copy, so that ASan catches any read past the end. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(copy, data, size);
	root = toml_parse(copy, size);
	if (root == NULL) {
		/* Every error says where (but running out of memory). */
		if (strstr(err_msg(), "out of memory") == NULL) {
			assert(err_msg()[0] >= '1' && err_msg()[0] <= '9');
			assert(strchr(err_msg(), ':') != NULL);
		}
	} else
		(void)walk(root, 0);
	toml_free(root);
	free(copy);
	return 0;
}
