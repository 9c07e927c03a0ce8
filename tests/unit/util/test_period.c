/*
 * test_period.c - ACMEd durations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/err.h"
#include "util/period.h"

static void
test_valid(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} ok[] = {
		{ "0s", 0 }, { "1s", 1 }, { "1m", 60 }, { "1h", 3600 },
		{ "1d", 86400 }, { "1w", 604800 }, { "30d", 2592000 },
		{ "1d42s", 86442 }, { "40s20h4h2s", 86442 },
		{ "007s", 7 }, { "1w1d1h1m1s", 694861 },
		{ "9223372036854775807s", 9223372036854775807ULL },
	};
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 12345;
		assert_int_equal(period_parse(ok[i].s, &v), 0);
		assert_true(v == ok[i].v);
	}
}

static void
test_invalid(void **state)
{
	static const char *bad[] = {
		"", "1", "d", "1D", "1S", "1 d", " 1d", "1d ", "-1d", "+1d",
		"1y", "1dd", "1.5d", "s1", "1d1",
		"9223372036854775808s",		/* past INT64_MAX */
		"99999999999999999999999s",	/* past UINT64_MAX */
		"15250284452472w",		/* number fits, product not */
		"9223372036854775807s1s",	/* the sum overflows */
	};
	uint64_t v = 77;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(period_parse(bad[i], &v), -1);
		assert_true(v == 77);
		assert_non_null(strstr(err_msg(), "invalid duration"));
	}
	period_parse("1y", &v);
	assert_string_equal(err_msg(), "\"1y\": invalid duration: unknown "
	    "unit 'y' (expected s, m, h, d or w)");
	period_parse("12", &v);
	assert_string_equal(err_msg(), "\"12\": invalid duration: missing "
	    "unit (s, m, h, d or w) after 12");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
