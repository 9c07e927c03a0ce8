/*
 * tables.c - TOML's rules on who may define or extend a table:
 *
 *  - [x.y] defines y once; x is created "implicitly" on the way and may be
 *    defined by its own [x] header later, once.
 *  - [[x]] appends a table to an array of tables; a header that goes
 *    through x continues the last element.
 *  - a dotted key a.b = 1 defines table a; a header may not define a
 *    again, but may add sub-tables under it ([a.c]).  Dotted keys may not
 *    reach into a table defined by a header (nor into an array).
 *  - inline tables and arrays written as values are complete: nothing may
 *    add to them.
 *
 * Every table remembers how it came to be in its TV_* flags; the messages
 * say where the conflicting definition is.
 */
#include <stdio.h>
#include <string.h>

#include "toml/internal.h"
#include "util/err.h"

/* The header as written, [a.b] or [[a.b]].  Borrowed from b. */
static const char *
show_header(struct buf *b, const struct toml_key *k, int aot)
{
	struct buf tmp;

	buf_init(&tmp, BUF_MAX_SMALL);
	buf_reset(b);
	if (toml_key_format(&tmp, k, k->n) == -1 ||
	    buf_printf(b, "%s%s%s", aot ? "[[" : "[", buf_str(&tmp),
	    aot ? "]]" : "]") == -1)
		buf_reset(b);
	buf_free(&tmp);
	return buf_str(b);
}

/* What an existing value is, for "... is already defined at 3:1 as X". */
static const char *
show_kind(const struct toml_value *x)
{
	switch (x->type) {
	case TOML_TABLE:
		if (x->flags & TV_INLINE)
			return "an inline table, which cannot be extended";
		if (x->flags & TV_DOTTED)
			return "a table (by dotted keys)";
		return "a table";
	case TOML_ARRAY:
		if (x->flags & TV_AOT)
			return "an array of tables";
		return "an array, which cannot be extended";
	case TOML_INTEGER:
		return "an integer";
	case TOML_BOOL:
		return "a boolean";
	default:
		break;
	}
	return toml_type(x) == TOML_STRING ? "a string" :
	    toml_type(x) == TOML_FLOAT ? "a float" : "a date/time";
}

/*
 * Where an existing entry was defined, for messages: the header of a
 * table defined by one, else the key ("a" of a = 1, not the 1).
 */
static unsigned
def_line(const struct toml_entry *e)
{
	const struct toml_value *x = e->value;

	return x->type == TOML_TABLE && (x->flags & TV_HEADER) ? x->line :
	    e->line;
}

static unsigned
def_col(const struct toml_entry *e)
{
	const struct toml_value *x = e->value;

	return x->type == TOML_TABLE && (x->flags & TV_HEADER) ? x->col :
	    e->col;
}

static struct toml_value *
new_table(const struct toml_value *parent, unsigned line, unsigned col,
    unsigned flags)
{
	struct toml_value *t;

	if (parent->depth >= TOML_MAX_DEPTH) {
		toml_error_at(line, col, "tables and arrays nested more than "
		    "%d levels deep", TOML_MAX_DEPTH);
		return NULL;
	}
	if ((t = toml_value_new(TOML_TABLE, line, col)) == NULL)
		return NULL;
	t->depth = parent->depth + 1;
	t->flags = flags;
	return t;
}

/*
 * Adds part i of k to t as val.  The key string moves into the table; k
 * keeps a borrowed pointer to it, still good for messages.
 */
static int
add_part(struct toml_value *t, struct toml_key *k, size_t i,
    struct toml_value *val)
{
	struct toml_keypart *kp = &k->parts[i];

	kp->owned = 0;
	return toml_table_add(t, kp->s, kp->len, kp->line, kp->col, val);
}

/* Starts an array of tables at part i of k in t; returns its first table. */
static struct toml_value *
new_aot(struct toml_value *t, struct toml_key *k, size_t i, unsigned line,
    unsigned col)
{
	struct toml_value *arr = NULL, *tab = NULL;

	if (t->depth >= TOML_MAX_DEPTH) {
		toml_error_at(line, col, "tables and arrays nested more than "
		    "%d levels deep", TOML_MAX_DEPTH);
		return NULL;
	}
	if ((arr = toml_value_new(TOML_ARRAY, k->parts[i].line,
	    k->parts[i].col)) == NULL)
		return NULL;
	arr->depth = t->depth + 1;
	arr->flags = TV_AOT;
	if ((tab = new_table(arr, line, col, TV_HEADER)) == NULL) {
		toml_value_free(arr);
		return NULL;
	}
	if (toml_array_push(arr, tab) == -1) {
		toml_value_free(arr);
		return NULL;
	}
	if (add_part(t, k, i, arr) == -1)
		return NULL;
	return tab;
}

/*
 * Finds or creates the table that a [header] (aot 0) or [[header]] (aot 1)
 * at line:col opens.  The key strings it stores are taken from k.
 * Returns the table, borrowed from the tree, or NULL with err.
 */
struct toml_value *
toml_open_header(struct toml_parser *p, struct toml_key *k, int aot,
    unsigned line, unsigned col)
{
	struct toml_value *t = p->root, *x, *nt, *res = NULL;
	struct toml_entry *e;
	struct buf b1, b2;
	size_t i;
	long idx;
	int last;

	buf_init(&b1, BUF_MAX_SMALL);
	buf_init(&b2, BUF_MAX_SMALL);
	for (i = 0; i < k->n; i++) {
		last = i + 1 == k->n;
		idx = toml_table_lookup(t, k->parts[i].s, k->parts[i].len);
		if (idx == -1) {
			if (last && aot) {
				res = new_aot(t, k, i, line, col);
				goto out;
			}
			if (last)
				nt = new_table(t, line, col, TV_HEADER);
			else
				nt = new_table(t, k->parts[i].line,
				    k->parts[i].col, TV_IMPLICIT);
			if (nt == NULL || add_part(t, k, i, nt) == -1)
				goto out;
			t = nt;
			continue;
		}
		e = &t->u.tab.ents[idx];
		x = e->value;
		if (last && aot && x->type == TOML_ARRAY &&
		    (x->flags & TV_AOT)) {
			if ((nt = new_table(x, line, col, TV_HEADER)) == NULL ||
			    toml_array_push(x, nt) == -1)
				goto out;
			res = nt;
			goto out;
		}
		if (last && !aot && x->type == TOML_TABLE &&
		    x->flags == TV_IMPLICIT) {
			/* Defined at last: point at the definition. */
			x->flags = TV_HEADER;
			x->line = line;
			x->col = col;
			e->line = k->parts[i].line;
			e->col = k->parts[i].col;
			res = x;
			goto out;
		}
		if (!last && x->type == TOML_TABLE &&
		    !(x->flags & TV_INLINE)) {
			t = x;
			continue;
		}
		if (!last && x->type == TOML_ARRAY && (x->flags & TV_AOT)) {
			t = x->u.arr.items[x->u.arr.len - 1];
			continue;
		}
		if (last && !aot && x->type == TOML_TABLE &&
		    (x->flags & TV_HEADER))
			toml_error_at(line, col,
			    "table %s is already defined at %u:%u",
			    show_header(&b1, k, aot), def_line(e), def_col(e));
		else
			toml_error_at(k->parts[i].line, k->parts[i].col,
			    "cannot define %s %s: %s is already defined at "
			    "%u:%u as %s", aot ? "array of tables" : "table",
			    show_header(&b1, k, aot), toml_key_show(&b2, k, i + 1),
			    def_line(e), def_col(e), show_kind(x));
		goto out;
	}
	res = t;
out:
	buf_free(&b1);
	buf_free(&b2);
	return res;
}

/*
 * Walks the parts of a dotted key but the last from t, creating the
 * missing tables.  Returns the table that gets the last part (borrowed),
 * or NULL with err.
 */
struct toml_value *
toml_open_dotted(struct toml_value *t, struct toml_key *k)
{
	struct toml_value *x, *nt;
	struct toml_entry *e;
	struct buf b1, b2;
	size_t i;
	long idx;

	buf_init(&b1, BUF_MAX_SMALL);
	buf_init(&b2, BUF_MAX_SMALL);
	for (i = 0; i + 1 < k->n; i++) {
		idx = toml_table_lookup(t, k->parts[i].s, k->parts[i].len);
		if (idx == -1) {
			nt = new_table(t, k->parts[i].line, k->parts[i].col,
			    TV_DOTTED);
			if (nt == NULL || add_part(t, k, i, nt) == -1)
				goto fail;
			t = nt;
			continue;
		}
		e = &t->u.tab.ents[idx];
		x = e->value;
		if (x->type == TOML_TABLE && x->flags == TV_IMPLICIT) {
			/* Named by a header only in passing: the dotted key
			 * defines it now, and a later [header] may not. */
			x->flags = TV_DOTTED;
			x->line = e->line = k->parts[i].line;
			x->col = e->col = k->parts[i].col;
		}
		if (x->type == TOML_TABLE && x->flags == TV_DOTTED) {
			t = x;
			continue;
		}
		if (x->type == TOML_TABLE && (x->flags & TV_HEADER))
			toml_error_at(k->parts[i].line, k->parts[i].col,
			    "cannot set key %s: %s is a table defined by a "
			    "header at %u:%u; set the key under that header",
			    toml_key_show(&b1, k, k->n), toml_key_show(&b2, k, i + 1),
			    def_line(e), def_col(e));
		else
			toml_error_at(k->parts[i].line, k->parts[i].col,
			    "cannot set key %s: %s is already defined at "
			    "%u:%u as %s", toml_key_show(&b1, k, k->n),
			    toml_key_show(&b2, k, i + 1), def_line(e), def_col(e),
			    show_kind(x));
		goto fail;
	}
	buf_free(&b1);
	buf_free(&b2);
	return t;
fail:
	buf_free(&b1);
	buf_free(&b2);
	return NULL;
}

/*
 * Stores val under the last part of k in t (the table toml_open_dotted()
 * returned).  Takes ownership of val, also on failure.
 */
int
toml_put_key(struct toml_value *t, struct toml_key *k, struct toml_value *val)
{
	const struct toml_keypart *kp = &k->parts[k->n - 1];
	const struct toml_entry *e;
	struct buf b;
	long idx;

	if ((idx = toml_table_lookup(t, kp->s, kp->len)) != -1) {
		e = &t->u.tab.ents[idx];
		buf_init(&b, BUF_MAX_SMALL);
		toml_error_at(kp->line, kp->col, "duplicate key %s (first "
		    "defined at %u:%u)", toml_key_show(&b, k, k->n), e->line,
		    e->col);
		buf_free(&b);
		toml_value_free(val);
		return -1;
	}
	return add_part(t, k, k->n - 1, val);
}
