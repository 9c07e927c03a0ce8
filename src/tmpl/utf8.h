/*
 * utf8.h - the few Unicode operations the filters need.
 *
 * Strings are UTF-8 but may come from anywhere, so decoding (through
 * util/utf8.h) never reads past the end and treats each byte of an
 * invalid sequence as one character of its own, an escape that encodes
 * back to the same byte.
 */
#ifndef ACMED_TMPL_UTF8_H
#define ACMED_TMPL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the character at s[0] (n > 0 bytes left); returns its length
 * in bytes (1..4) and stores the code point (U+DC80..U+DCFF, the byte's
 * escape, for a byte that starts no valid character). */
size_t	 uc_decode(const char *s, size_t n, uint32_t *cp);
/* Encodes cp into out (4 bytes room), an escape back into its byte;
 * returns the length. */
size_t	 uc_encode(uint32_t cp, char *out);
size_t	 uc_count(const char *s, size_t n);

/* Simple case mappings: the character itself when there is none or it
 * maps to several. */
uint32_t uc_upper(uint32_t cp);
uint32_t uc_lower(uint32_t cp);
/* Full case mappings, as Rust's char::to_uppercase and to_lowercase:
 * one to three characters in out, their number returned (ß is SS). */
size_t	 uc_to_upper(uint32_t cp, uint32_t out[3]);
size_t	 uc_to_lower(uint32_t cp, uint32_t out[3]);
/* The Cased and Case_Ignorable properties (the final sigma rule). */
int	 uc_is_cased(uint32_t cp);
int	 uc_is_case_ignorable(uint32_t cp);
/* Whether Rust's Debug for strings writes cp as \u{...}: not printable,
 * or a grapheme extender. */
int	 uc_debug_escaped(uint32_t cp);
int	 uc_is_upper(uint32_t cp);
int	 uc_is_lower(uint32_t cp);
int	 uc_is_space(uint32_t cp);	/* Unicode White_Space */
int	 uc_is_control(uint32_t cp);

#endif
