/*
 * value.c - tree nodes: allocation, tables that keep insertion order and
 * find keys through a hash index, arrays, and the public accessors.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml/internal.h"
#include "util/err.h"

/* Below this many keys a linear scan is as fast as hashing. */
#define TABLE_INDEX_MIN	8

/* Longest key part shown in a message. */
#define KEY_SHOW	200

struct toml_value *
toml_value_new(enum toml_type type, unsigned line, unsigned col)
{
	struct toml_value *v;

	if ((v = calloc(1, sizeof(*v))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	v->type = type;
	v->line = line;
	v->col = col;
	return v;
}

/*
 * Recursion is bounded: the parser refuses trees deeper than
 * TOML_MAX_DEPTH.
 */
void
toml_value_free(struct toml_value *v)
{
	size_t i;

	if (v == NULL)
		return;
	switch (v->type) {
	case TOML_TABLE:
		for (i = 0; i < v->u.tab.len; i++) {
			free(v->u.tab.ents[i].key);
			toml_value_free(v->u.tab.ents[i].value);
		}
		free(v->u.tab.ents);
		free(v->u.tab.slots);
		break;
	case TOML_ARRAY:
		for (i = 0; i < v->u.arr.len; i++)
			toml_value_free(v->u.arr.items[i]);
		free(v->u.arr.items);
		break;
	case TOML_STRING:
		/* A configuration holds secrets (an EAB key, tokens in env):
		 * none is left in the heap. */
		if (v->u.str.s != NULL)
			explicit_bzero(v->u.str.s, v->u.str.len);
		free(v->u.str.s);
		break;
	default:
		break;
	}
	if (v->text != NULL)
		explicit_bzero(v->text, strlen(v->text));
	free(v->text);
	free(v);
}

void
toml_free(struct toml_value *root)
{
	toml_value_free(root);
}

/* FNV-1a: keys come from a configuration file, not from an attacker
 * who could aim for collisions, and the index only saves time. */
static size_t
key_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 32));
}

static void
index_insert(struct toml_table *t, size_t idx)
{
	const struct toml_entry *e = &t->ents[idx];
	size_t mask = t->nslots - 1;
	size_t i = key_hash(e->key, e->keylen) & mask;

	while (t->slots[i] != 0)
		i = (i + 1) & mask;
	t->slots[i] = idx + 1;
}

/* Keeps the index at most half full so that probes stay short. */
static int
index_grow(struct toml_table *t)
{
	size_t n, i, *slots;

	n = t->nslots ? t->nslots * 2 : 32;
	if (n > SIZE_MAX / sizeof(*slots) / 2)
		return err_set("out of memory");
	if ((slots = calloc(n, sizeof(*slots))) == NULL)
		return err_set("out of memory");
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	for (i = 0; i < t->len; i++)
		index_insert(t, i);
	return 0;
}

long
toml_table_lookup(const struct toml_value *v, const char *key, size_t len)
{
	const struct toml_table *t = &v->u.tab;
	const struct toml_entry *e;
	size_t i, mask;

	if (t->nslots == 0) {
		for (i = 0; i < t->len; i++) {
			e = &t->ents[i];
			if (e->keylen == len && memcmp(e->key, key, len) == 0)
				return (long)i;
		}
		return -1;
	}
	mask = t->nslots - 1;
	for (i = key_hash(key, len) & mask; t->slots[i] != 0;
	    i = (i + 1) & mask) {
		e = &t->ents[t->slots[i] - 1];
		if (e->keylen == len && memcmp(e->key, key, len) == 0)
			return (long)(t->slots[i] - 1);
	}
	return -1;
}

int
toml_table_add(struct toml_value *v, char *key, size_t keylen,
    unsigned line, unsigned col, struct toml_value *val)
{
	struct toml_table *t = &v->u.tab;
	struct toml_entry *ents;
	size_t ncap;

	assert(v->type == TOML_TABLE);
	if (t->len == t->cap) {
		ncap = t->cap ? t->cap * 2 : 4;
		if (ncap > SIZE_MAX / sizeof(*ents) ||
		    (ents = realloc(t->ents, ncap * sizeof(*ents))) == NULL) {
			free(key);
			toml_value_free(val);
			return err_set("out of memory");
		}
		t->ents = ents;
		t->cap = ncap;
	}
	t->ents[t->len].key = key;
	t->ents[t->len].keylen = keylen;
	t->ents[t->len].line = line;
	t->ents[t->len].col = col;
	t->ents[t->len].value = val;
	t->len++;
	if (t->len < TABLE_INDEX_MIN)
		return 0;
	if (t->len * 2 > t->nslots)
		return index_grow(t);
	index_insert(t, t->len - 1);
	return 0;
}

int
toml_array_push(struct toml_value *v, struct toml_value *val)
{
	struct toml_array *a = &v->u.arr;
	struct toml_value **items;
	size_t ncap;

	assert(v->type == TOML_ARRAY);
	if (a->len == a->cap) {
		ncap = a->cap ? a->cap * 2 : 4;
		if (ncap > SIZE_MAX / sizeof(*items) ||
		    (items = realloc(a->items, ncap * sizeof(*items))) ==
		    NULL) {
			toml_value_free(val);
			return err_set("out of memory");
		}
		a->items = items;
		a->cap = ncap;
	}
	a->items[a->len++] = val;
	return 0;
}

void
toml_key_clear(struct toml_key *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->parts[i].owned)
			free(k->parts[i].s);
	free(k->parts);
	k->parts = NULL;
	k->n = 0;
	k->cap = 0;
}

static int
is_bare(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int
toml_key_quote(struct buf *out, const char *key, size_t len)
{
	size_t i;

	if (is_bare(key, len))
		return buf_append(out, key, len);
	if (buf_putc(out, '"') == -1)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)key[i];
		int rc;

		switch (c) {
		case '"':
			rc = buf_puts(out, "\\\"");
			break;
		case '\\':
			rc = buf_puts(out, "\\\\");
			break;
		case '\t':
			rc = buf_puts(out, "\\t");
			break;
		case '\n':
			rc = buf_puts(out, "\\n");
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				rc = buf_printf(out, "\\u%04X", c);
			else
				rc = buf_putc(out, (char)c);
			break;
		}
		if (rc == -1)
			return -1;
	}
	return buf_putc(out, '"');
}

/*
 * Keys are shown in messages cut to KEY_SHOW bytes (at a character
 * boundary), so that a huge key cannot crowd out the message.
 */
int
toml_key_format(struct buf *out, const struct toml_key *k, size_t n)
{
	size_t i, len;

	for (i = 0; i < n && i < k->n; i++) {
		if (out->len >= KEY_SHOW)
			return buf_puts(out, "...");
		if (i > 0 && buf_putc(out, '.') == -1)
			return -1;
		len = k->parts[i].len;
		if (len > KEY_SHOW) {
			len = KEY_SHOW;
			while (len > 0 &&
			    ((unsigned char)k->parts[i].s[len] & 0xc0) == 0x80)
				len--;
		}
		if (toml_key_quote(out, k->parts[i].s, len) == -1)
			return -1;
		if (len < k->parts[i].len && buf_puts(out, "...") == -1)
			return -1;
	}
	return 0;
}

/*
 * The key parts [0, n) as TOML would write them, in double quotes unless
 * already quoted: "name", "a.b", "my key".c.  Borrowed from b.
 */
const char *
toml_key_show(struct buf *b, const struct toml_key *k, size_t n)
{
	struct buf tmp;

	buf_init(&tmp, BUF_MAX_SMALL);
	buf_reset(b);
	if (toml_key_format(&tmp, k, n) == -1 ||
	    (strchr(buf_str(&tmp), '"') == NULL ?
	    buf_printf(b, "\"%s\"", buf_str(&tmp)) :
	    buf_puts(b, buf_str(&tmp))) == -1)
		buf_reset(b);
	buf_free(&tmp);
	return buf_str(b);
}

enum toml_type
toml_type(const struct toml_value *v)
{
	return v->type;
}

const char *
toml_type_name(enum toml_type type)
{
	switch (type) {
	case TOML_TABLE:
		return "table";
	case TOML_ARRAY:
		return "array";
	case TOML_STRING:
		return "string";
	case TOML_INTEGER:
		return "integer";
	case TOML_FLOAT:
		return "float";
	case TOML_BOOL:
		return "boolean";
	case TOML_DATETIME:
		return "datetime";
	}
	return "value";
}

unsigned
toml_line(const struct toml_value *v)
{
	return v->line;
}

unsigned
toml_col(const struct toml_value *v)
{
	return v->col;
}

size_t
toml_table_len(const struct toml_value *t)
{
	if (t == NULL || t->type != TOML_TABLE)
		return 0;
	return t->u.tab.len;
}

const struct toml_entry *
toml_table_entry(const struct toml_value *t, size_t i)
{
	if (t == NULL || t->type != TOML_TABLE || i >= t->u.tab.len)
		return NULL;
	return &t->u.tab.ents[i];
}

const struct toml_entry *
toml_table_find(const struct toml_value *t, const char *key)
{
	long i;

	if (t == NULL || t->type != TOML_TABLE)
		return NULL;
	if ((i = toml_table_lookup(t, key, strlen(key))) == -1)
		return NULL;
	return &t->u.tab.ents[i];
}

size_t
toml_array_len(const struct toml_value *a)
{
	if (a == NULL || a->type != TOML_ARRAY)
		return 0;
	return a->u.arr.len;
}

const struct toml_value *
toml_array_get(const struct toml_value *a, size_t i)
{
	if (a == NULL || a->type != TOML_ARRAY || i >= a->u.arr.len)
		return NULL;
	return a->u.arr.items[i];
}

const char *
toml_string(const struct toml_value *v, size_t *lenp)
{
	if (v == NULL || v->type != TOML_STRING)
		return NULL;
	if (lenp != NULL)
		*lenp = v->u.str.len;
	return v->u.str.s;
}

int64_t
toml_int(const struct toml_value *v)
{
	if (v == NULL || v->type != TOML_INTEGER)
		return 0;
	return v->u.i;
}

bool
toml_int_decimal(const struct toml_value *v)
{
	return v != NULL && v->type == TOML_INTEGER &&
	    (v->flags & TV_DECIMAL) != 0;
}

double
toml_float(const struct toml_value *v)
{
	if (v == NULL || v->type != TOML_FLOAT)
		return 0.0;
	return v->u.f;
}

bool
toml_bool(const struct toml_value *v)
{
	if (v == NULL || v->type != TOML_BOOL)
		return false;
	return v->u.b;
}

const struct toml_datetime *
toml_datetime(const struct toml_value *v)
{
	if (v == NULL || v->type != TOML_DATETIME)
		return NULL;
	return &v->u.dt;
}
