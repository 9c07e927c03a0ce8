/*
 * utf8.h - the one UTF-8 decoder and encoder of the project.
 *
 * Decoding is strict (RFC 3629): overlong forms, surrogates, code points
 * beyond U+10FFFF and sequences cut short are not characters.  What to do
 * with such a byte is the caller's policy: the TOML parser refuses it,
 * templates keep it as an escaped character, include patterns match it as
 * a byte of its own.
 */
#ifndef ACMED_UTIL_UTF8_H
#define ACMED_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length (1..4) of the character that starts s[0..n), n > 0, its
 * code point in *cp; 0 when no valid character starts there (*cp is then
 * left alone).  Bytes are read in order and the first that cannot
 * continue the sequence ends it, so a NUL ends a string's last character. */
size_t	 utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Writes the code point cp, which must be a Unicode scalar value (at most
 * U+10FFFF, not a surrogate), into out (4 bytes of room); its length. */
size_t	 utf8_encode(uint32_t cp, char *out);

#endif
