/*
 * utf8.c - UTF-8 decoding, case mapping and character properties (see
 * utf8.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "tmpl/utf8.h"
#include "util/utf8.h"

/*
 * Invalid bytes decode to U+DC80..U+DCFF ("surrogate escape") and encode
 * back to the same byte, so that reversing or slicing a string that is
 * not valid UTF-8 keeps its bytes.
 */
#define ESC_BASE	0xdc00u

size_t
uc_decode(const char *s, size_t n, uint32_t *cp)
{
	size_t len = utf8_decode(s, n, cp);

	if (len > 0)
		return len;
	*cp = ESC_BASE + (unsigned char)s[0];
	return 1;
}

size_t
uc_encode(uint32_t cp, char *out)
{
	if (cp >= ESC_BASE + 0x80 && cp <= ESC_BASE + 0xff) {
		out[0] = (char)(cp - ESC_BASE);
		return 1;
	}
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		cp = 0xfffd;
	return utf8_encode(cp, out);
}

size_t
uc_count(const char *s, size_t n)
{
	size_t i = 0, count = 0;
	uint32_t cp;

	while (i < n) {
		i += uc_decode(s + i, n - i, &cp);
		count++;
	}
	return count;
}

/*
 * Case mappings and properties come from the generated tables of
 * utf8_tab.h (see scripts/gen-unicode-tables.py), which are what Rust's
 * standard library, and so MiniJinja, uses.
 */
struct uc_run {
	uint32_t	 first;
	uint16_t	 count;
	uint8_t		 step;
	int32_t		 delta;
};

struct uc_special {
	uint32_t	 cp;
	uint32_t	 to[3];		/* 0 past the end */
};

struct uc_range {
	uint32_t	 lo, hi;
};

#include "tmpl/utf8_tab.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static uint32_t
map_runs(const struct uc_run *runs, size_t n, uint32_t cp)
{
	size_t i;
	uint32_t off;

	/* Runs of step 2 interleave, so every run starting at or before
	 * cp may hold it. */
	for (i = 0; i < n && runs[i].first <= cp; i++) {
		off = cp - runs[i].first;
		if (off % runs[i].step == 0 &&
		    off / runs[i].step < runs[i].count)
			return (uint32_t)((int32_t)cp + runs[i].delta);
	}
	return cp;
}

static int
in_ranges(const struct uc_range *r, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cp < r[mid].lo)
			hi = mid;
		else if (cp > r[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static size_t
map_full(const struct uc_special *sp, size_t nsp, const struct uc_run *runs,
    size_t nruns, uint32_t cp, uint32_t out[3])
{
	size_t i, n;

	for (i = 0; i < nsp && sp[i].cp <= cp; i++)
		if (sp[i].cp == cp) {
			for (n = 0; n < 3 && sp[i].to[n] != 0; n++)
				out[n] = sp[i].to[n];
			return n;
		}
	out[0] = map_runs(runs, nruns, cp);
	return 1;
}

uint32_t
uc_upper(uint32_t cp)
{
	return map_runs(uc_upper_runs, NITEMS(uc_upper_runs), cp);
}

uint32_t
uc_lower(uint32_t cp)
{
	return map_runs(uc_lower_runs, NITEMS(uc_lower_runs), cp);
}

size_t
uc_to_upper(uint32_t cp, uint32_t out[3])
{
	return map_full(uc_upper_special, NITEMS(uc_upper_special),
	    uc_upper_runs, NITEMS(uc_upper_runs), cp, out);
}

size_t
uc_to_lower(uint32_t cp, uint32_t out[3])
{
	return map_full(uc_lower_special, NITEMS(uc_lower_special),
	    uc_lower_runs, NITEMS(uc_lower_runs), cp, out);
}

int
uc_is_cased(uint32_t cp)
{
	return in_ranges(uc_cased, NITEMS(uc_cased), cp);
}

int
uc_is_case_ignorable(uint32_t cp)
{
	return in_ranges(uc_case_ignorable, NITEMS(uc_case_ignorable), cp);
}

int
uc_debug_escaped(uint32_t cp)
{
	return in_ranges(uc_debug_escaped_tab, NITEMS(uc_debug_escaped_tab),
	    cp);
}

int
uc_is_upper(uint32_t cp)
{
	return uc_lower(cp) != cp;
}

int
uc_is_lower(uint32_t cp)
{
	return uc_upper(cp) != cp || cp == 0xdf;
}

int
uc_is_space(uint32_t cp)
{
	return (cp >= 9 && cp <= 13) || cp == ' ' || cp == 0x85 ||
	    cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000;
}

int
uc_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}
