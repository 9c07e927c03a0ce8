/*
 * toml.h - a TOML 1.0 parser into a read-only tree that remembers where
 * every key and every value was written, so that the configuration loader
 * can say "acmed.toml: 12:3: ..." about any of them.
 *
 * Usage:
 *
 *	struct toml_value *root;
 *	const struct toml_entry *e;
 *
 *	if ((root = toml_parse(data, len)) == NULL) {
 *		err_prefix("%s", path);		-> "acmed.toml: 3:7: ..."
 *		return -1;
 *	}
 *	for (i = 0; i < toml_table_len(root); i++) {
 *		e = toml_table_entry(root, i);
 *		... e->key, e->line, e->col, toml_type(e->value) ...
 *	}
 *	toml_free(root);
 *
 * Ownership: toml_parse() returns an allocated tree that the caller frees
 * with toml_free().  Every other pointer handed out below (values, entries,
 * strings, datetimes) is borrowed from the tree and stays valid until
 * toml_free() of its root.  The tree is never modified after toml_parse()
 * returns, so several threads may read it at once.
 *
 * Positions are 1-based; a column counts Unicode characters (a tab is one
 * column).
 */
#ifndef ACMED_TOML_TOML_H
#define ACMED_TOML_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Deepest nesting of tables and arrays accepted; deeper input is an error
 * rather than a stack overflow. */
#define TOML_MAX_DEPTH	128

enum toml_type {
	TOML_TABLE = 1,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,
};

enum toml_datetime_kind {
	TOML_DT_OFFSET = 1,	/* 1979-05-27T07:32:00Z, a point in time */
	TOML_DT_LOCAL,		/* 1979-05-27T07:32:00 */
	TOML_DT_DATE,		/* 1979-05-27 */
	TOML_DT_TIME,		/* 07:32:00.5 */
};

struct toml_datetime {
	enum toml_datetime_kind	 kind;
	int			 year;		/* 0 for TOML_DT_TIME */
	int			 month;		/* 1-12, 0 for TOML_DT_TIME */
	int			 day;		/* 1-31, 0 for TOML_DT_TIME */
	int			 hour;		/* 0 for TOML_DT_DATE */
	int			 minute;
	int			 second;	/* 0-60 (leap second) */
	long			 nanosecond;	/* digits past 9 are dropped */
	int			 offset_minutes; /* east of UTC; TOML_DT_OFFSET */
	/* The value as written, with the date/time separator turned into
	 * 'T' and a 'z' into 'Z': "1979-05-27T07:32:00.5-07:00". */
	const char		*text;
};

struct toml_value;

/* One key of a table, in the order the document defined them.  Read-only. */
struct toml_entry {
	char			*key;	/* NUL-terminated, but see keylen */
	size_t			 keylen; /* a quoted key may hold "\u0000" */
	unsigned		 line;	/* where the key is written */
	unsigned		 col;
	struct toml_value	*value;
};

/*
 * Parses len bytes of data (no NUL terminator needed; a NUL byte in the data
 * is an error).  Returns the root table, allocated (free with toml_free()),
 * or NULL with err set to "line:col: message".
 */
struct toml_value	*toml_parse(const char *data, size_t len);

/* Frees a tree returned by toml_parse().  NULL is fine. */
void			 toml_free(struct toml_value *root);

enum toml_type		 toml_type(const struct toml_value *v);

/* "table", "array", "string", "integer", "float", "boolean", "datetime":
 * for messages like "expected a string, found an integer".  Static. */
const char		*toml_type_name(enum toml_type type);

/* Where the value starts: its first character, the '[' of a [table] or
 * [[array]] header, or the key that created a table implicitly. */
unsigned		 toml_line(const struct toml_value *v);
unsigned		 toml_col(const struct toml_value *v);

/*
 * Tables.  Entries keep the document's order.  On a value that is not a
 * table, len is 0 and the lookups return NULL.
 */
size_t			 toml_table_len(const struct toml_value *t);
const struct toml_entry	*toml_table_entry(const struct toml_value *t,
			    size_t i);
/* Looks a key up without scanning: fine for tables with many keys. */
const struct toml_entry	*toml_table_find(const struct toml_value *t,
			    const char *key);

/* Arrays (also arrays of tables).  NULL when i is out of range. */
size_t			 toml_array_len(const struct toml_value *a);
const struct toml_value	*toml_array_get(const struct toml_value *a, size_t i);

/*
 * Scalars.  Each returns NULL/0/false when v has another type, so check
 * toml_type() first.  toml_string() is NUL-terminated; *lenp (if not NULL)
 * gets its length, which matters when the string contains "\u0000".
 */
const char		*toml_string(const struct toml_value *v, size_t *lenp);
int64_t			 toml_int(const struct toml_value *v);
/* Whether an integer was written in base 10 (not 0x, 0o, 0b): a file
 * mode written 644 is not 0o644. */
bool			 toml_int_decimal(const struct toml_value *v);
double			 toml_float(const struct toml_value *v);
bool			 toml_bool(const struct toml_value *v);
const struct toml_datetime *toml_datetime(const struct toml_value *v);

/*
 * Appends a key as it could be written in TOML: bare when possible
 * (server_name), else quoted with escapes ("a.b", "tab\there").  Use it to
 * show keys in messages without letting control characters through.  -1
 * with err when the buffer is full.
 */
int			 toml_key_quote(struct buf *out, const char *key,
			    size_t len);

#endif
