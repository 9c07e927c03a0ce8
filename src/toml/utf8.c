/*
 * utf8.c - checks the whole document once before parsing: valid UTF-8, no
 * NUL, no control character but tab, and carriage returns only in CRLF.
 *
 * TOML forbids those controls in comments and strings and has no use for
 * them anywhere else, so one pass settles it for every context and the
 * grammar code never meets a malformed byte.
 */
#include <stdint.h>

#include "toml/internal.h"
#include "util/err.h"

/* Length of the UTF-8 sequence at s[0..n), 0 when it is not valid
 * (overlong, surrogate, beyond U+10FFFF or cut short). */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		if (n >= 2 && (s[1] & 0xc0) == 0x80)
			return 2;
		return 0;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;		/* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0;		/* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 ||
		    (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;		/* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;		/* beyond U+10FFFF */
		return 4;
	}
	return 0;
}

int
toml_check_text(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned line = 1, col = 1;
	size_t i = 0, n;

	while (i < len) {
		unsigned char c = s[i];

		if (c == '\n') {
			line++;
			col = 1;
			i++;
			continue;
		}
		if (c == '\r') {
			if (i + 1 < len && s[i + 1] == '\n') {
				i++;
				continue;
			}
			return toml_error_at(line, col, "carriage return not "
			    "followed by a newline");
		}
		if (c == 0)
			return toml_error_at(line, col, "NUL byte in the "
			    "document (TOML files are UTF-8 text)");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return toml_error_at(line, col, "control character "
			    "U+%04X is not allowed", c);
		if ((n = utf8_len(s + i, len - i)) == 0)
			return toml_error_at(line, col, "invalid UTF-8 "
			    "(byte 0x%02X)", c);
		i += n;
		col++;
	}
	return 0;
}

int
toml_utf8_put(struct buf *b, uint32_t cp)
{
	char out[4];
	size_t n;

	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		out[0] = (char)(0xf0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(b, out, n);
}
