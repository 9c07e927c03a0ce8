/*
 * test_utf8.c - the strict decoder at each boundary of RFC 3629's table,
 * the forms it refuses, and the encoder as its inverse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/utf8.h"

static const struct {
	const char	*s;
	uint32_t	 cp;
} valid[] = {
	{ "\x00", 0x0 }, { "\x7f", 0x7f },
	{ "\xc2\x80", 0x80 }, { "\xdf\xbf", 0x7ff },
	{ "\xe0\xa0\x80", 0x800 }, { "\xed\x9f\xbf", 0xd7ff },
	{ "\xee\x80\x80", 0xe000 }, { "\xef\xbf\xbf", 0xffff },
	{ "\xf0\x90\x80\x80", 0x10000 }, { "\xf4\x8f\xbf\xbf", 0x10ffff },
	{ "\xc3\x9f", 0xdf }, { "\xe2\x82\xac", 0x20ac },
};

static void
test_valid(void **state)
{
	char out[4];
	uint32_t cp;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		n = valid[i].s[0] == '\0' ? 1 : strlen(valid[i].s);
		cp = 0xffffffff;
		assert_int_equal(utf8_decode(valid[i].s, n, &cp), n);
		assert_int_equal(cp, valid[i].cp);
		assert_int_equal(utf8_encode(cp, out), n);
		assert_memory_equal(out, valid[i].s, n);
	}
}

static void
test_refused(void **state)
{
	static const char *const bad[] = {
		"\x80",			/* a continuation byte first */
		"\xbf",
		"\xc0\x80",		/* overlong NUL */
		"\xc1\xbf",		/* overlong U+007F */
		"\xe0\x9f\xbf",		/* overlong U+07FF */
		"\xf0\x8f\xbf\xbf",	/* overlong U+FFFF */
		"\xed\xa0\x80",		/* U+D800 */
		"\xed\xbf\xbf",		/* U+DFFF */
		"\xf4\x90\x80\x80",	/* U+110000 */
		"\xf5\x80\x80\x80",
		"\xff",
		"\xc3\x28",		/* not a continuation */
		"\xe2\x82\x28",
	};
	uint32_t cp = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(utf8_decode(bad[i], strlen(bad[i]), &cp), 0);
		assert_int_equal(cp, 42);	/* left alone */
	}
}

/* A sequence cut short by the length given, or by a string's NUL: the
 * decoder reads no byte past either. */
static void
test_cut_short(void **state)
{
	const char euro[] = "\xe2\x82\xac";
	uint32_t cp = 42;

	(void)state;
	assert_int_equal(utf8_decode(euro, 1, &cp), 0);
	assert_int_equal(utf8_decode(euro, 2, &cp), 0);
	assert_int_equal(utf8_decode("\xe2\x82", 4, &cp), 0);
	assert_int_equal(utf8_decode("\xf0\x90\x80", 4, &cp), 0);
	assert_int_equal(cp, 42);
	assert_int_equal(utf8_decode(euro, 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
}

/* Every scalar value goes through the encoder and back. */
static void
test_roundtrip(void **state)
{
	char out[4];
	uint32_t c, cp;
	size_t n;

	(void)state;
	for (c = 0; c <= 0x10ffff; c++) {
		if (c >= 0xd800 && c <= 0xdfff)
			continue;
		n = utf8_encode(c, out);
		assert_int_equal(utf8_decode(out, n, &cp), n);
		assert_int_equal(cp, c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_cut_short),
		cmocka_unit_test(test_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
