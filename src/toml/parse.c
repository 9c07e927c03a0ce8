/*
 * parse.c - the TOML grammar: the document's lines (key/value pairs,
 * [table] and [[array]] headers, comments), values, arrays and inline
 * tables.  Strings, numbers, dates and the table rules live in their own
 * files.
 *
 * Recursion (values inside arrays and inline tables) is bounded by
 * TOML_MAX_DEPTH: every level down is a deeper container, and containers
 * deeper than the limit are refused before recursing.
 */
#include <stdlib.h>
#include <string.h>

#include "toml/internal.h"
#include "util/err.h"

static int	keyval(struct toml_parser *, struct toml_value *);

static int
is_token_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+' ||
	    c == '.' || c == ':';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Blanks, comments and newlines, as allowed between array items. */
static void
skip_ws_nl(struct toml_parser *p)
{
	for (;;) {
		toml_skip_ws(p);
		toml_skip_comment(p);
		if (!toml_at_newline(p))
			return;
		toml_skip_newline(p);
	}
}

/*
 * A bare value: boolean, number or date/time.  The token is the run of
 * characters these can contain; a date followed by a space and a time is
 * one token ("1979-05-27 07:32:00").
 */
static int
bare_value(struct toml_parser *p, struct toml_value *v)
{
	char what[32];
	const char *tok;
	size_t start = p->pos, len;

	while (is_token_char(toml_peek(p, 0)))
		toml_adv(p, 1);
	len = p->pos - start;
	tok = p->s + start;
	if (len == 10 && is_digit((unsigned char)tok[0]) && tok[4] == '-' &&
	    tok[7] == '-' && toml_peek(p, 0) == ' ' &&
	    is_digit(toml_peek(p, 1)) && is_digit(toml_peek(p, 2)) &&
	    toml_peek(p, 3) == ':') {
		toml_adv(p, 1);
		while (is_token_char(toml_peek(p, 0)))
			toml_adv(p, 1);
		len = p->pos - start;
	}
	if (len == 0)
		return toml_error(p, "expected a value, found %s",
		    toml_describe(p, what, sizeof(what)));
	if (len == 4 && memcmp(tok, "true", 4) == 0) {
		v->type = TOML_BOOL;
		v->u.b = true;
		return 0;
	}
	if (len == 5 && memcmp(tok, "false", 5) == 0) {
		v->type = TOML_BOOL;
		v->u.b = false;
		return 0;
	}
	if (toml_looks_like_datetime(tok, len)) {
		if (toml_datetime_parse(tok, len, v) == -1)
			return err_prefix("%u:%u", v->line, v->col);
		return 0;
	}
	if (!is_digit((unsigned char)tok[0]) && tok[0] != '+' &&
	    tok[0] != '-' && !(len == 3 && (memcmp(tok, "inf", 3) == 0 ||
	    memcmp(tok, "nan", 3) == 0)))
		/* Not quoted in the message: it may be a secret (see
		 * number.c). */
		return toml_error_at(v->line, v->col, "invalid value (strings "
		    "must be quoted; booleans are true or false)");
	if (toml_number(tok, len, v) == -1)
		return err_prefix("%u:%u", v->line, v->col);
	return 0;
}

static int
array(struct toml_parser *p, unsigned depth, struct toml_value **out)
{
	struct toml_value *a, *item;
	char what[32];

	if (depth > TOML_MAX_DEPTH)
		return toml_error(p, "tables and arrays nested more than %d "
		    "levels deep", TOML_MAX_DEPTH);
	if ((a = toml_value_new(TOML_ARRAY, p->line, p->col)) == NULL)
		return -1;
	a->depth = depth;
	a->flags = TV_INLINE;
	toml_adv(p, 1);
	for (;;) {
		skip_ws_nl(p);
		if (toml_peek(p, 0) == ']')
			break;
		if (toml_eof(p)) {
			toml_error_at(a->line, a->col, "array is not closed "
			    "(missing ']')");
			goto fail;
		}
		if (toml_parse_value(p, depth + 1, &item) == -1 ||
		    toml_array_push(a, item) == -1)
			goto fail;
		skip_ws_nl(p);
		if (toml_peek(p, 0) == ',') {
			toml_adv(p, 1);
			continue;
		}
		if (toml_peek(p, 0) == ']')
			break;
		if (toml_eof(p))
			toml_error_at(a->line, a->col, "array is not closed "
			    "(missing ']')");
		else
			toml_error(p, "expected ',' or ']' after an array "
			    "item, found %s", toml_describe(p, what,
			    sizeof(what)));
		goto fail;
	}
	toml_adv(p, 1);
	*out = a;
	return 0;
fail:
	toml_value_free(a);
	return -1;
}

/* TOML 1.0 inline tables: one line, no trailing comma, then frozen. */
static int
inline_table(struct toml_parser *p, unsigned depth, struct toml_value **out)
{
	struct toml_value *t;
	char what[32];

	if (depth > TOML_MAX_DEPTH)
		return toml_error(p, "tables and arrays nested more than %d "
		    "levels deep", TOML_MAX_DEPTH);
	if ((t = toml_value_new(TOML_TABLE, p->line, p->col)) == NULL)
		return -1;
	t->depth = depth;
	/* Frozen from the start: only the keys written inside the braces,
	 * which start from t itself, may add to it. */
	t->flags = TV_INLINE;
	toml_adv(p, 1);
	toml_skip_ws(p);
	if (toml_peek(p, 0) == '}')
		goto done;
	for (;;) {
		if (keyval(p, t) == -1)
			goto fail;
		toml_skip_ws(p);
		if (toml_peek(p, 0) == '}')
			break;
		if (toml_peek(p, 0) == ',') {
			toml_adv(p, 1);
			toml_skip_ws(p);
			if (toml_peek(p, 0) == '}') {
				toml_error(p, "trailing comma in inline table "
				    "(not allowed in TOML 1.0)");
				goto fail;
			}
			continue;
		}
		if (toml_eof(p) || toml_at_newline(p))
			toml_error(p, "inline table is not closed before the "
			    "end of the line (missing '}'; TOML 1.0 inline "
			    "tables are on one line)");
		else
			toml_error(p, "expected ',' or '}' in inline table, "
			    "found %s", toml_describe(p, what, sizeof(what)));
		goto fail;
	}
done:
	toml_adv(p, 1);
	*out = t;
	return 0;
fail:
	toml_value_free(t);
	return -1;
}

/*
 * Parses the value at the cursor; depth is the nesting level it would
 * have as a container.  *out gets an allocated value.
 */
int
toml_parse_value(struct toml_parser *p, unsigned depth,
    struct toml_value **out)
{
	struct toml_value *v;
	char what[32];
	int c = toml_peek(p, 0);

	*out = NULL;
	switch (c) {
	case '"':
	case '\'':
		return toml_parse_string(p, out);
	case '[':
		return array(p, depth, out);
	case '{':
		return inline_table(p, depth, out);
	case -1:
	case '\n':
	case '\r':
	case '#':
		return toml_error(p, "expected a value, found %s",
		    c == '#' ? "a comment" : toml_describe(p, what,
		    sizeof(what)));
	default:
		break;
	}
	/* The type is set once the token is known. */
	if ((v = toml_value_new(TOML_BOOL, p->line, p->col)) == NULL)
		return -1;
	if (bare_value(p, v) == -1) {
		toml_value_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

/* key = value, added to table t (the section's table or an inline one). */
static int
keyval(struct toml_parser *p, struct toml_value *t)
{
	struct toml_key k = { NULL, 0, 0 };
	struct toml_value *tgt, *val = NULL;
	struct buf b;
	char what[32];
	int rc = -1;

	if (toml_parse_key(p, &k) == -1)
		goto out;
	if (toml_peek(p, 0) != '=') {
		buf_init(&b, BUF_MAX_SMALL);
		toml_error(p, "expected '=' after key %s, found %s",
		    toml_key_show(&b, &k, k.n),
		    toml_describe(p, what, sizeof(what)));
		buf_free(&b);
		goto out;
	}
	toml_adv(p, 1);
	toml_skip_ws(p);
	if ((tgt = toml_open_dotted(t, &k)) == NULL)
		goto out;
	if (toml_parse_value(p, tgt->depth + 1, &val) == -1)
		goto out;
	rc = toml_put_key(tgt, &k, val);
out:
	toml_key_clear(&k);
	return rc;
}

/* [a.b] or [[a.b]]: makes the table current for the lines below. */
static int
header(struct toml_parser *p)
{
	struct toml_key k = { NULL, 0, 0 };
	struct toml_value *t;
	unsigned line = p->line, col = p->col;
	char what[32];
	int aot = 0, rc = -1;

	toml_adv(p, 1);
	if (toml_peek(p, 0) == '[') {
		aot = 1;
		toml_adv(p, 1);
	}
	if (toml_parse_key(p, &k) == -1)
		goto out;
	if (toml_peek(p, 0) != ']' || (aot && toml_peek(p, 1) != ']')) {
		if (toml_peek(p, 0) == ']')
			toml_adv(p, 1);
		toml_error(p, "expected '%s' to close the %s header, found %s",
		    aot ? "]]" : "]", aot ? "[[array of tables]]" : "[table]",
		    toml_describe(p, what, sizeof(what)));
		goto out;
	}
	toml_adv(p, aot ? 2 : 1);
	if ((t = toml_open_header(p, &k, aot, line, col)) == NULL)
		goto out;
	p->cur = t;
	rc = 0;
out:
	toml_key_clear(&k);
	return rc;
}

/* After a key/value pair or a header: blanks, a comment, then a newline. */
static int
end_of_line(struct toml_parser *p, const char *after)
{
	char what[32];

	toml_skip_ws(p);
	toml_skip_comment(p);
	if (toml_eof(p))
		return 0;
	if (toml_at_newline(p)) {
		toml_skip_newline(p);
		return 0;
	}
	return toml_error(p, "expected the end of the line after %s, found %s",
	    after, toml_describe(p, what, sizeof(what)));
}

static int
document(struct toml_parser *p)
{
	int c;

	for (;;) {
		toml_skip_ws(p);
		c = toml_peek(p, 0);
		if (c == -1)
			return 0;
		if (c == '#')
			toml_skip_comment(p);
		else if (toml_at_newline(p))
			toml_skip_newline(p);
		else if (c == '[') {
			if (header(p) == -1 ||
			    end_of_line(p, "the header") == -1)
				return -1;
		} else if (keyval(p, p->cur) == -1 ||
		    end_of_line(p, "the value") == -1)
			return -1;
	}
}

struct toml_value *
toml_parse(const char *data, size_t len)
{
	struct toml_parser p;
	struct toml_value *root = NULL;

	if (data == NULL)
		len = 0;
	if (toml_check_text(data, len) == -1)
		return NULL;
	memset(&p, 0, sizeof(p));
	p.s = data;
	p.len = len;
	p.line = 1;
	p.col = 1;
	/* A decoded string is never longer than its source. */
	buf_init(&p.scratch, len + 1);
	/* A UTF-8 byte order mark is allowed at the very start. */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		p.pos = 3;
	if ((root = toml_value_new(TOML_TABLE, 1, 1)) == NULL)
		goto out;
	root->flags = TV_HEADER;
	p.root = p.cur = root;
	if (document(&p) == -1) {
		toml_value_free(root);
		root = NULL;
	}
out:
	/* Every string went through it: an EAB key, a token. */
	buf_free_secure(&p.scratch);
	return root;
}
