/*
 * input.c - tacd's domain and acmeIdentifier inputs (see input.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>


#include "tacd/input.h"
#include "util/err.h"

/* Reads one line (without its end) from in.  -1 with err on a read error,
 * an over-long line, or no line at all: an empty line says "empty" (an
 * extension left out), the end of the input says nothing was given. */
static int
read_line(FILE *in, struct buf *out)
{
	size_t n = 0;
	int ch;

	while ((ch = getc(in)) != EOF && ch != '\n') {
		if (buf_putc(out, (char)ch) == -1)
			return -1;
		n++;
	}
	if (ch == EOF && ferror(in))
		return err_sys("standard input");
	if (ch == EOF && n == 0)
		return err_set("missing: no line left on the standard input");
	return 0;
}

int
tacd_input_read(const char *value, const char *file, FILE *in,
    const char *what, struct buf *out)
{
	struct buf raw;
	size_t start, end;
	int rc = -1;

	buf_init(&raw, BUF_MAX_SMALL);
	if (value != NULL) {
		if (buf_puts(&raw, value) == -1)
			goto out;
	} else if (file != NULL) {
		if (buf_read_file(&raw, file) == -1)
			goto out;
	} else if (read_line(in, &raw) == -1) {
		err_prefix("%s", what);
		goto out;
	}
	if (raw.len > 0 && memchr(raw.data, '\0', raw.len) != NULL) {
		err_set("%s%s%s: contains a NUL byte", what, file ? " file " :
		    "", file ? file : "");
		goto out;
	}
	start = 0;
	end = raw.len;
	while (start < end && isspace((unsigned char)raw.data[start]))
		start++;
	while (end > start && isspace((unsigned char)raw.data[end - 1]))
		end--;
	if (buf_append(out, raw.data + start, end - start) == -1)
		goto out;
	rc = 0;
out:
	buf_free(&raw);
	return rc;
}

/* The characters a DNS name or an IP literal may hold once in ASCII. */
static int
name_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == ':';
}

int
tacd_input_domain(const char *raw, enum crypto_ident_type *type,
    struct buf *value, struct buf *sni)
{
	struct crypto_ident id;
	struct buf name;
	char *ascii = NULL;
	const unsigned char *p;
	const char *why;
	int rc = -1, non_ascii = 0;

	buf_init(&name, BUF_MAX_SMALL);
	if (raw[0] == '\0') {
		err_set("the domain is empty");
		goto out;
	}
	for (p = (const unsigned char *)raw; *p != '\0'; p++)
		non_ascii |= *p >= 0x80;
	if (non_ascii) {
		/* What acmed's config layer does to identifiers, so that
		 * a name typed by hand matches the one acmed ordered. */
		if ((ascii = crypto_dns_a_labels(raw)) == NULL) {
			err_prefix("%s: invalid domain name", raw);
			goto out;
		}
		raw = ascii;
	}
	for (p = (const unsigned char *)raw; *p != '\0'; p++) {
		if (!name_char(*p)) {
			err_set("%s: invalid domain name (letters, digits, "
			    "'-', '.' and '_', or an IP address)", raw);
			goto out;
		}
		if (buf_putc(&name, (char)tolower(*p)) == -1)
			goto out;
	}
	if (crypto_tls_alpn_name_parse(buf_str(&name), type, value) == -1)
		goto out;
	/* The validation server's SNI has no empty label: a certificate for
	 * "example.org." would answer no validation. */
	if (*type == CRYPTO_IDENT_DNS &&
	    (why = crypto_dns_name_error(value->data)) != NULL) {
		err_set("%s: invalid domain name: %s", raw, why);
		goto out;
	}
	id.type = *type;
	id.value = buf_str(value);
	if (crypto_tls_alpn_name(&id, sni) == -1)
		goto out;
	rc = 0;
out:
	free(ascii);
	buf_free(&name);
	return rc;
}

int
tacd_input_ext(const char *text, unsigned char digest[CRYPTO_ACME_ID_LEN],
    int *has)
{
	*has = 0;
	if (text[0] == '\0')
		return 0;
	if (crypto_tls_alpn01_ext_parse(text, digest) == -1)
		return -1;
	*has = 1;
	return 0;
}
