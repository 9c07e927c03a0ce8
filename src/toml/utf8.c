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
#include "util/utf8.h"

int
toml_check_text(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned line = 1, col = 1;
	size_t i = 0, n;
	uint32_t cp;

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
		if ((n = utf8_decode(text + i, len - i, &cp)) == 0)
			return toml_error_at(line, col, "invalid UTF-8 "
			    "(byte 0x%02X)", c);
		i += n;
		col++;
	}
	return 0;
}
