/*
 * scan.c - the parser's cursor: reading bytes without passing the end,
 * keeping line and column up to date, skipping blanks and comments, and
 * formatting "line:col: message" errors.
 */
#include <stdarg.h>
#include <stdio.h>

#include "toml/internal.h"
#include "util/err.h"

int
toml_eof(const struct toml_parser *p)
{
	return p->pos >= p->len;
}

/* The byte k places ahead, or -1 past the end. */
int
toml_peek(const struct toml_parser *p, size_t k)
{
	if (p->pos >= p->len || k >= p->len - p->pos)
		return -1;
	return (unsigned char)p->s[p->pos + k];
}

/*
 * Columns count characters: a UTF-8 continuation byte does not move the
 * column.  The document was checked by toml_check_text(), so sequences are
 * whole.
 */
void
toml_adv(struct toml_parser *p, size_t n)
{
	while (n-- > 0 && p->pos < p->len) {
		unsigned char c = (unsigned char)p->s[p->pos++];

		if (c == '\n') {
			p->line++;
			p->col = 1;
		} else if ((c & 0xc0) != 0x80)
			p->col++;
	}
}

void
toml_skip_ws(struct toml_parser *p)
{
	int c;

	while ((c = toml_peek(p, 0)) == ' ' || c == '\t')
		toml_adv(p, 1);
}

/* Comments run to the end of the line; their content was checked. */
void
toml_skip_comment(struct toml_parser *p)
{
	int c;

	if (toml_peek(p, 0) != '#')
		return;
	while ((c = toml_peek(p, 0)) != -1 && c != '\n' && c != '\r')
		toml_adv(p, 1);
}

int
toml_at_newline(const struct toml_parser *p)
{
	int c = toml_peek(p, 0);

	return c == '\n' || (c == '\r' && toml_peek(p, 1) == '\n');
}

void
toml_skip_newline(struct toml_parser *p)
{
	if (toml_peek(p, 0) == '\r')
		toml_adv(p, 1);
	if (toml_peek(p, 0) == '\n')
		toml_adv(p, 1);
}

static int
verror_at(unsigned line, unsigned col, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static int
verror_at(unsigned line, unsigned col, const char *fmt, va_list ap)
{
	char msg[ERR_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	return err_set("%u:%u: %s", line, col, msg);
}

int
toml_error_at(unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror_at(line, col, fmt, ap);
	va_end(ap);
	return -1;
}

int
toml_error(const struct toml_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror_at(p->line, p->col, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Names the character under the cursor for a message: "'x'", "end of
 * line", "U+3000".  Returns buf.
 */
const char *
toml_describe(const struct toml_parser *p, char *buf, size_t size)
{
	int c = toml_peek(p, 0);
	unsigned long cp;
	size_t i, n;

	if (c == -1)
		snprintf(buf, size, "end of file");
	else if (toml_at_newline(p))
		snprintf(buf, size, "end of line");
	else if (c == '\t')
		snprintf(buf, size, "a tab");
	else if (c < 0x80)
		snprintf(buf, size, "'%c'", c);
	else {
		/* Decode the (valid) sequence to name its code point. */
		n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		cp = (unsigned long)c & (0x7f >> n);
		for (i = 1; i < n; i++)
			cp = (cp << 6) | ((unsigned long)toml_peek(p, i) & 0x3f);
		snprintf(buf, size, "U+%04lX", cp);
	}
	return buf;
}
