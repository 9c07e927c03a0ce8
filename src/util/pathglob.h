/*
 * pathglob.h - file name patterns expanded as ACMEd expands its includes.
 *
 * ACMEd uses Rust's glob crate (0.3), not glob(3), and users write its
 * patterns:
 *   - "*", "?" and "[...]" / "[!...]" within one path component; "*"
 *     also matches a leading dot; a backslash is an ordinary character;
 *   - "**" alone as a component matches zero or more folders: the
 *     components conf.d, ** and *.toml match the .toml files of conf.d and
 *     of every folder below it;
 *   - matches come folder by folder, each folder's entries in byte order,
 *     a folder's matches at the place of its name: "a/x" before "a-b/y"
 *     before "a.b/z" (not the order of the whole paths' bytes);
 *   - a pattern ending with "/" matches folders only;
 *   - unreadable folders are skipped without a word.
 * Where acmed differs, on purpose: the folder the pattern is relative to
 * is taken literally (a "[" in its name is not a pattern), "." and ".."
 * are never matched by a wildcard, and a folder already being walked is
 * not walked again through a symbolic link (no endless loop).  "?" and
 * a set match one UTF-8 character, as in the crate ("?.toml" matches
 * "é.toml"; "[^a]" is "^" or "a", only "!" negates); a name that is not
 * UTF-8 can match, byte by byte (the crate skips it).
 */
#ifndef ACMED_UTIL_PATHGLOB_H
#define ACMED_UTIL_PATHGLOB_H

#include <stddef.h>

struct pathglob {
	char	**paths;	/* matches, in the order above */
	size_t	  n;
};

/* 0 if pattern is valid; else -1 with err, worded as the glob crate
 * words it ("**" not alone in its component, "***", a "[" never closed). */
int	pathglob_check(const char *pattern);

/* Expands pattern relative to the folder dir (a pattern starting with "/"
 * is absolute).  0 with out filled (n may be 0); -1 with err when the
 * pattern is invalid or memory runs out (dir shorter than PATH_MAX), out
 * then empty. */
int	pathglob(const char *dir, const char *pattern, struct pathglob *out);

void	pathglob_free(struct pathglob *g);

#endif
