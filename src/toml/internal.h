/*
 * internal.h - what the files of the toml layer share: the tree's real
 * layout and the parser's cursor.  Nothing outside src/toml includes it.
 *
 * Files:
 *	value.c		tree nodes, tables (ordered, hashed), arrays, accessors
 *	utf8.c		whole-document check (UTF-8, control characters)
 *	scan.c		the cursor: positions, whitespace, comments, messages
 *	str.c		the four string forms and keys
 *	number.c	integers and floats
 *	datetime.c	the four date/time forms
 *	tables.c	TOML's rules for [table], [[array]] and dotted keys
 *	parse.c		the grammar: document, key/value pairs, arrays, inline
 *			tables
 */
#ifndef ACMED_TOML_INTERNAL_H
#define ACMED_TOML_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "toml/toml.h"
#include "util/buf.h"

/* How a table or an array came to be; decides what may still change it. */
#define TV_IMPLICIT	0x01	/* table named on the way to a [x.y] header */
#define TV_HEADER	0x02	/* table defined by [x] or an [[x]] element */
#define TV_DOTTED	0x04	/* table defined by a dotted key a.b = 1 */
#define TV_INLINE	0x08	/* {...} or [...] value: complete, frozen */
#define TV_AOT		0x10	/* array made by [[x]] headers */
#define TV_DECIMAL	0x20	/* integer written in base 10 */

struct toml_table {
	struct toml_entry	*ents;
	size_t			 len;
	size_t			 cap;
	/* Open addressing over ents once the table is large: slot holds an
	 * index + 1, 0 is empty.  nslots is 0 or a power of two. */
	size_t			*slots;
	size_t			 nslots;
};

struct toml_array {
	struct toml_value	**items;
	size_t			 len;
	size_t			 cap;
};

struct toml_value {
	enum toml_type		 type;
	unsigned		 line;
	unsigned		 col;
	unsigned		 depth;		/* containers: root is 0 */
	unsigned		 flags;		/* TV_* */
	char			*text;		/* owns u.dt.text */
	union {
		struct toml_table	 tab;
		struct toml_array	 arr;
		struct {
			char		*s;
			size_t		 len;
		}			 str;
		int64_t			 i;
		double			 f;
		bool			 b;
		struct toml_datetime	 dt;
	} u;
};

/* The parser's state; one per toml_parse() call. */
struct toml_parser {
	const char		*s;		/* the document */
	size_t			 len;
	size_t			 pos;		/* next byte to read */
	unsigned		 line;		/* position of s[pos] */
	unsigned		 col;
	struct toml_value	*root;
	struct toml_value	*cur;		/* table of the current section */
	struct buf		 scratch;	/* decoded strings */
};

/* One part of a dotted key, with where it was written. */
struct toml_keypart {
	char			*s;		/* NUL-terminated */
	int			 owned;		/* 0 once a table took s */
	size_t			 len;
	unsigned		 line;
	unsigned		 col;
};

struct toml_key {
	struct toml_keypart	*parts;
	size_t			 n;
	size_t			 cap;
};

/* value.c */
struct toml_value *toml_value_new(enum toml_type, unsigned, unsigned);
void	 toml_value_free(struct toml_value *);
/* Index of key in t, or -1. */
long	 toml_table_lookup(const struct toml_value *, const char *, size_t);
/* Adds key (taking ownership of key and val, also on failure) at the end
 * of t.  The caller has checked that the key is new. */
int	 toml_table_add(struct toml_value *, char *, size_t, unsigned,
	    unsigned, struct toml_value *);
/* Appends val (taking ownership, also on failure). */
int	 toml_array_push(struct toml_value *, struct toml_value *);
void	 toml_key_clear(struct toml_key *);
/* A key for messages: parts joined with '.', each quoted if needed. */
int	 toml_key_format(struct buf *, const struct toml_key *, size_t);
/* The same for messages, in double quotes unless a part is quoted:
 * "name", "a.b", "my key".c.  Borrowed from the buffer; "" on overflow. */
const char *toml_key_show(struct buf *, const struct toml_key *, size_t);

/* utf8.c */
int	 toml_check_text(const char *, size_t);

/* scan.c */
int	 toml_eof(const struct toml_parser *);
int	 toml_peek(const struct toml_parser *, size_t);
void	 toml_adv(struct toml_parser *, size_t);
void	 toml_skip_ws(struct toml_parser *);
void	 toml_skip_comment(struct toml_parser *);
int	 toml_at_newline(const struct toml_parser *);
void	 toml_skip_newline(struct toml_parser *);
int	 toml_error_at(unsigned, unsigned, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	 toml_error(const struct toml_parser *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
const char *toml_describe(const struct toml_parser *, char *, size_t);

/* str.c */
int	 toml_parse_string(struct toml_parser *, struct toml_value **);
int	 toml_parse_key(struct toml_parser *, struct toml_key *);

/* number.c */
int	 toml_number(const char *, size_t, struct toml_value *);

/* datetime.c */
int	 toml_looks_like_datetime(const char *, size_t);
int	 toml_datetime_parse(const char *, size_t, struct toml_value *);

/* tables.c */
struct toml_value *toml_open_header(struct toml_parser *, struct toml_key *,
	    int, unsigned, unsigned);
struct toml_value *toml_open_dotted(struct toml_value *,
	    struct toml_key *);
int	 toml_put_key(struct toml_value *, struct toml_key *,
	    struct toml_value *);

/* parse.c */
int	 toml_parse_value(struct toml_parser *, unsigned,
	    struct toml_value **);

#endif
