/*
 * revname.c - the reverse-DNS names of IP identifiers, which tls-alpn-01
 * uses as the SNI (RFC 8738 section 6) and ACMEd exposes to hooks as
 * identifier_tls_alpn; and the way back, for tacd.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crypto/intern.h"
#include "crypto/proof.h"
#include "util/err.h"

#define V4_SUFFIX	".in-addr.arpa"
#define V6_SUFFIX	".ip6.arpa"

int
crypto_tls_alpn_name(const struct crypto_ident *id, struct buf *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char ip[16];
	size_t len, i;

	if (id->type == CRYPTO_IDENT_DNS)
		return buf_puts(out, id->value);
	if ((len = crypto_ip_parse(id->value, ip)) == 0)
		return err_set("%s: invalid IP address", id->value);
	if (len == 4)
		return buf_printf(out, "%u.%u.%u.%u" V4_SUFFIX, ip[3], ip[2],
		    ip[1], ip[0]);
	for (i = 16; i-- > 0;) {
		if (buf_putc(out, hex[ip[i] & 0xf]) == -1 ||
		    buf_putc(out, '.') == -1 ||
		    buf_putc(out, hex[ip[i] >> 4]) == -1 ||
		    (i > 0 && buf_putc(out, '.') == -1))
			return -1;
	}
	return buf_puts(out, V6_SUFFIX);
}

/* 1 when name ends with suffix (case-insensitively); *stem is then the
 * length of what comes before. */
static int
has_suffix(const char *name, const char *suffix, size_t *stem)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (n <= s || strcasecmp(name + n - s, suffix) != 0)
		return 0;
	*stem = n - s;
	return 1;
}

/* "d.c.b.a" (decimal, no leading zeros) -> 4 bytes; 0 on mismatch. */
static int
parse_v4_labels(const char *p, size_t len, unsigned char ip[4])
{
	size_t i = 0, k;
	int v, digits;

	for (k = 0; k < 4; k++) {
		v = digits = 0;
		while (i < len && p[i] >= '0' && p[i] <= '9') {
			if (digits > 0 && v == 0)
				return 0;
			v = v * 10 + (p[i++] - '0');
			if (++digits > 3 || v > 255)
				return 0;
		}
		if (digits == 0)
			return 0;
		ip[3 - k] = (unsigned char)v;
		if (k < 3 && (i >= len || p[i++] != '.'))
			return 0;
	}
	return i == len;
}

/* 32 dot-separated nibbles, least significant first -> 16 bytes. */
static int
parse_v6_labels(const char *p, size_t len, unsigned char ip[16])
{
	size_t k;
	int v;

	if (len != 63)
		return 0;
	memset(ip, 0, 16);
	for (k = 0; k < 32; k++) {
		char c = p[2 * k];

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return 0;
		if (k < 31 && p[2 * k + 1] != '.')
			return 0;
		/* Nibble k counts from the end of the address. */
		ip[15 - k / 2] |= (unsigned char)(k % 2 == 0 ? v : v << 4);
	}
	return 1;
}

int
crypto_tls_alpn_name_parse(const char *name, enum crypto_ident_type *type,
    struct buf *value)
{
	unsigned char ip[16];
	size_t stem, len = 0;

	if (has_suffix(name, V4_SUFFIX, &stem) &&
	    parse_v4_labels(name, stem, ip))
		len = 4;
	else if (has_suffix(name, V6_SUFFIX, &stem) &&
	    parse_v6_labels(name, stem, ip))
		len = 16;
	else
		len = crypto_ip_parse(name, ip);
	if (len == 0) {
		*type = CRYPTO_IDENT_DNS;
		return buf_puts(value, name);
	}
	*type = CRYPTO_IDENT_IP;
	return crypto_ip_format(ip, len, value);
}
