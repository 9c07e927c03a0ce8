/*
 * b64url.c - strict base64url without padding (see b64url.h).
 */
#include <stdint.h>
#include <stdlib.h>

#include "util/b64url.h"
#include "util/err.h"

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int
b64url_encode_buf(struct buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	char quad[4];
	size_t i;

	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 |
		    p[i + 2];
		quad[0] = b64url_alphabet[v >> 18];
		quad[1] = b64url_alphabet[(v >> 12) & 63];
		quad[2] = b64url_alphabet[(v >> 6) & 63];
		quad[3] = b64url_alphabet[v & 63];
		if (buf_append(out, quad, 4) == -1)
			return -1;
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		quad[0] = b64url_alphabet[v >> 18];
		quad[1] = b64url_alphabet[(v >> 12) & 63];
		return buf_append(out, quad, 2);
	}
	if (len - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		quad[0] = b64url_alphabet[v >> 18];
		quad[1] = b64url_alphabet[(v >> 12) & 63];
		quad[2] = b64url_alphabet[(v >> 6) & 63];
		return buf_append(out, quad, 3);
	}
	return 0;
}

char *
b64url_encode(const void *data, size_t len)
{
	struct buf b;

	buf_init(&b, SIZE_MAX - 1);
	if (b64url_encode_buf(&b, data, len) == -1) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int
b64url_decode_buf(struct buf *out, const char *in, size_t len)
{
	unsigned char bytes[3];
	uint32_t acc = 0;
	size_t i, nbits = 0, start = out->len;
	int v;

	if (len % 4 == 1)
		return err_set("invalid base64url length %zu", len);
	for (i = 0; i < len; i++) {
		if ((v = b64url_value((unsigned char)in[i])) == -1) {
			buf_truncate(out, start);
			return err_set("invalid base64url character at offset %zu",
			    i);
		}
		acc = acc << 6 | (uint32_t)v;
		nbits += 6;
		if (nbits == 24) {
			bytes[0] = (unsigned char)(acc >> 16);
			bytes[1] = (unsigned char)(acc >> 8);
			bytes[2] = (unsigned char)acc;
			if (buf_append(out, bytes, 3) == -1)
				goto fail;
			acc = 0;
			nbits = 0;
		}
	}
	/* Leftover bits must be zero: otherwise no encoder produced this. */
	if (nbits == 12) {
		if (acc & 0xf)
			goto noncanon;
		bytes[0] = (unsigned char)(acc >> 4);
		if (buf_append(out, bytes, 1) == -1)
			goto fail;
	} else if (nbits == 18) {
		if (acc & 0x3)
			goto noncanon;
		bytes[0] = (unsigned char)(acc >> 10);
		bytes[1] = (unsigned char)(acc >> 2);
		if (buf_append(out, bytes, 2) == -1)
			goto fail;
	}
	return 0;
noncanon:
	buf_truncate(out, start);
	return err_set("invalid base64url: non-zero trailing bits");
fail:
	buf_truncate(out, start);
	return -1;
}
