/*
 * b64url.h - base64url without padding (RFC 4648 section 5), as ACME and
 * JOSE use it.  Decoding is strict: padding, '+', '/', whitespace and
 * lengths that no encoder can produce are rejected.
 */
#ifndef ACMED_UTIL_B64URL_H
#define ACMED_UTIL_B64URL_H

#include <stddef.h>

#include "util/buf.h"

/* Appends the encoding of data to out.  -1 with err on overflow. */
int	 b64url_encode_buf(struct buf *out, const void *data, size_t len);

/* Returns the encoding as an allocated string (caller frees), NULL on
 * ENOMEM. */
char	*b64url_encode(const void *data, size_t len);

/* Decodes len characters of in and appends the bytes to out.  -1 with err
 * ("invalid base64url character at offset 3", ...) on bad input. */
int	 b64url_decode_buf(struct buf *out, const char *in, size_t len);

#endif
