/*
 * ipaddr.c - IP addresses between text and the 4 or 16 bytes that
 * certificates carry.  The text form is the canonical one (inet_ntop:
 * dotted quad, RFC 5952 compressed lower-case IPv6), as ACMEd writes
 * identifiers after parsing them.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "crypto/intern.h"
#include "util/err.h"

size_t
crypto_ip_parse(const char *s, unsigned char out[16])
{
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, out) == 1)
		return 16;
	return 0;
}

int
crypto_ip_format(const unsigned char *ip, size_t len, struct buf *out)
{
	char text[INET6_ADDRSTRLEN];

	if ((len != 4 && len != 16) ||
	    inet_ntop(len == 4 ? AF_INET : AF_INET6, ip, text,
	    sizeof(text)) == NULL)
		return err_set("invalid IP address of %zu bytes", len);
	return buf_puts(out, text);
}
