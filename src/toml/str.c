/*
 * str.c - the four string forms ("basic", 'literal', """multi-line
 * basic""", '''multi-line literal''') and keys, which are bare words or
 * single-line strings joined by dots.
 *
 * Strings are decoded into p->scratch; the document was checked for UTF-8
 * and control characters beforehand, so only the grammar is left here.
 */
#include <stdlib.h>
#include <string.h>

#include "toml/internal.h"
#include "util/err.h"
#include "util/utf8.h"

static int
is_bare_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* \uXXXX or \UXXXXXXXX with the cursor on the backslash. */
static int
unicode_escape(struct toml_parser *p, size_t ndigits)
{
	unsigned line = p->line, col = p->col;
	uint32_t cp = 0;
	char out[4];
	size_t i;
	int h;

	for (i = 0; i < ndigits; i++) {
		if ((h = hex_value(toml_peek(p, 2 + i))) == -1)
			return toml_error(p, "\\%c escape needs %zu hex digits",
			    ndigits == 4 ? 'u' : 'U', ndigits);
		cp = (cp << 4) | (uint32_t)h;
	}
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return toml_error_at(line, col, "escape \\%c%.*s is not a "
		    "Unicode scalar value", ndigits == 4 ? 'u' : 'U',
		    (int)ndigits, p->s + p->pos + 2);
	toml_adv(p, 2 + ndigits);
	return buf_append(&p->scratch, out, utf8_encode(cp, out));
}

/* An escape sequence of a basic string, with the cursor on the '\'. */
static int
escape(struct toml_parser *p)
{
	int c = toml_peek(p, 1);
	char out;

	switch (c) {
	case 'b':
		out = '\b';
		break;
	case 't':
		out = '\t';
		break;
	case 'n':
		out = '\n';
		break;
	case 'f':
		out = '\f';
		break;
	case 'r':
		out = '\r';
		break;
	case '"':
		out = '"';
		break;
	case '\\':
		out = '\\';
		break;
	case 'u':
		return unicode_escape(p, 4);
	case 'U':
		return unicode_escape(p, 8);
	default:
		if (c == ' ' || c == '\t')
			return toml_error(p, "a backslash followed by blanks "
			    "must end the line (line-ending backslash)");
		if (c > ' ' && c < 0x7f)
			return toml_error(p, "invalid escape sequence \"\\%c\" "
			    "(write \\\\ for a backslash)", c);
		return toml_error(p, "invalid escape sequence (write \\\\ "
		    "for a backslash)");
	}
	toml_adv(p, 2);
	return buf_putc(&p->scratch, out);
}

/*
 * A backslash that ends a line in a multi-line basic string removes itself,
 * the newline and all blanks and newlines after it.  Returns 1 if the
 * backslash at the cursor is one, after skipping; 0 if not.
 */
static int
line_ending_backslash(struct toml_parser *p)
{
	size_t k = 1;
	int c;

	while ((c = toml_peek(p, k)) == ' ' || c == '\t')
		k++;
	if (c != '\n' && !(c == '\r' && toml_peek(p, k + 1) == '\n'))
		return 0;
	toml_adv(p, k);
	while ((c = toml_peek(p, 0)) == ' ' || c == '\t' || c == '\n' ||
	    c == '\r')
		toml_adv(p, 1);
	return 1;
}

/* Appends bytes up to the next byte that needs a look. */
static int
plain_run(struct toml_parser *p, const char *stops)
{
	size_t start = p->pos, end = p->pos, nstops = strlen(stops);

	/* memchr, not strchr: the latter would match a NUL byte. */
	while (end < p->len && memchr(stops, p->s[end], nstops) == NULL)
		end++;
	toml_adv(p, end - start);
	return buf_append(&p->scratch, p->s + start, end - start);
}

static int
basic_string(struct toml_parser *p, unsigned line, unsigned col)
{
	int c;

	toml_adv(p, 1);
	for (;;) {
		c = toml_peek(p, 0);
		if (c == -1 || c == '\n' || c == '\r')
			return toml_error_at(line, col, "string is not closed "
			    "(missing '\"' before the end of the line)");
		if (c == '"') {
			toml_adv(p, 1);
			return 0;
		}
		if (c == '\\') {
			if (escape(p) == -1)
				return -1;
		} else if (plain_run(p, "\"\\\r\n") == -1)
			return -1;
	}
}

static int
literal_string(struct toml_parser *p, unsigned line, unsigned col)
{
	int c;

	toml_adv(p, 1);
	for (;;) {
		c = toml_peek(p, 0);
		if (c == -1 || c == '\n' || c == '\r')
			return toml_error_at(line, col, "string is not closed "
			    "(missing \"'\" before the end of the line)");
		if (c == '\'') {
			toml_adv(p, 1);
			return 0;
		}
		if (plain_run(p, "'\r\n") == -1)
			return -1;
	}
}

/*
 * Multi-line strings, basic (q is '"') or literal (q is '\'').  Up to two
 * quotes may sit right before the closing three, so a run of 3 to 5 quotes
 * closes the string and the first 0 to 2 belong to it.
 */
static int
multiline_string(struct toml_parser *p, int q, unsigned line, unsigned col)
{
	const char *stops = q == '"' ? "\"\\\r\n" : "'\r\n";
	size_t n;
	int c;

	toml_adv(p, 3);
	/* A newline right after the opening quotes is trimmed. */
	if (toml_at_newline(p))
		toml_skip_newline(p);
	for (;;) {
		c = toml_peek(p, 0);
		if (c == -1)
			return toml_error_at(line, col, "multi-line string is "
			    "not closed (missing %c%c%c)", q, q, q);
		if (c == q) {
			for (n = 0; toml_peek(p, n) == q && n < 5; n++)
				;
			if (n >= 3) {
				if (buf_append(&p->scratch, p->s + p->pos,
				    n - 3) == -1)
					return -1;
				toml_adv(p, n);
				return 0;
			}
			if (buf_append(&p->scratch, p->s + p->pos, n) == -1)
				return -1;
			toml_adv(p, n);
		} else if (c == '\n' || c == '\r') {
			/* CRLF becomes LF, as on the platforms we run on. */
			toml_skip_newline(p);
			if (buf_putc(&p->scratch, '\n') == -1)
				return -1;
		} else if (c == '\\' && q == '"') {
			if (line_ending_backslash(p))
				continue;
			if (escape(p) == -1)
				return -1;
		} else if (plain_run(p, stops) == -1)
			return -1;
	}
}

/* Decodes the string at the cursor into p->scratch. */
static int
read_string(struct toml_parser *p, int is_key)
{
	unsigned line = p->line, col = p->col;
	int q = toml_peek(p, 0);

	buf_reset(&p->scratch);
	if (toml_peek(p, 1) == q && toml_peek(p, 2) == q) {
		if (is_key)
			return toml_error(p, "a key cannot be a multi-line "
			    "string");
		return multiline_string(p, q, line, col);
	}
	if (q == '"')
		return basic_string(p, line, col);
	return literal_string(p, line, col);
}

static char *
scratch_dup(struct toml_parser *p, size_t *lenp)
{
	char *s;

	if ((s = malloc(p->scratch.len + 1)) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	if (p->scratch.len > 0)
		memcpy(s, p->scratch.data, p->scratch.len);
	s[p->scratch.len] = '\0';
	*lenp = p->scratch.len;
	return s;
}

int
toml_parse_string(struct toml_parser *p, struct toml_value **out)
{
	struct toml_value *v;

	if ((v = toml_value_new(TOML_STRING, p->line, p->col)) == NULL)
		return -1;
	if (read_string(p, 0) == -1 ||
	    (v->u.str.s = scratch_dup(p, &v->u.str.len)) == NULL) {
		toml_value_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

static int
key_push(struct toml_key *k, char *s, size_t len,
    unsigned line, unsigned col)
{
	struct toml_keypart *parts;
	size_t ncap;

	if (k->n >= TOML_MAX_DEPTH) {
		free(s);
		return toml_error_at(line, col, "key has more than %d "
		    "dotted parts", TOML_MAX_DEPTH);
	}
	if (k->n == k->cap) {
		ncap = k->cap ? k->cap * 2 : 4;
		if ((parts = realloc(k->parts, ncap * sizeof(*parts))) ==
		    NULL) {
			free(s);
			return err_set("out of memory");
		}
		k->parts = parts;
		k->cap = ncap;
	}
	k->parts[k->n].s = s;
	k->parts[k->n].owned = 1;
	k->parts[k->n].len = len;
	k->parts[k->n].line = line;
	k->parts[k->n].col = col;
	k->n++;
	return 0;
}

/*
 * A key: one or more parts separated by dots, blanks allowed around the
 * dots.  The cursor is left after the last part and the blanks after it.
 */
int
toml_parse_key(struct toml_parser *p, struct toml_key *k)
{
	char what[32];
	unsigned line, col;
	size_t start, len;
	char *s;
	int c;

	for (;;) {
		toml_skip_ws(p);
		line = p->line;
		col = p->col;
		c = toml_peek(p, 0);
		if (c == '"' || c == '\'') {
			if (read_string(p, 1) == -1 ||
			    (s = scratch_dup(p, &len)) == NULL)
				return -1;
		} else if (is_bare_char(c)) {
			start = p->pos;
			while (is_bare_char(toml_peek(p, 0)))
				toml_adv(p, 1);
			len = p->pos - start;
			if ((s = malloc(len + 1)) == NULL)
				return err_set("out of memory");
			memcpy(s, p->s + start, len);
			s[len] = '\0';
		} else
			return toml_error(p, "expected a key, found %s%s",
			    toml_describe(p, what, sizeof(what)),
			    c == '=' ? " (the key is missing)" : "");
		if (key_push(k, s, len, line, col) == -1)
			return -1;
		toml_skip_ws(p);
		if (toml_peek(p, 0) != '.')
			return 0;
		toml_adv(p, 1);
	}
}
