/*
 * test_ratelimit.c - the sliding window, driven by an explicit clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "acme/ratelimit.h"
#include "util/err.h"
#include "util/stop.h"

static void
test_window(void **state)
{
	struct ratelimit *rl = ratelimit_new();
	long long t = 1000;
	int i;

	(void)state;
	assert_int_equal(ratelimit_add(rl, 3, 10), 0);	/* 3 per 10 s */
	for (i = 0; i < 3; i++)
		assert_int_equal(ratelimit_try(rl, t + i * 100), 0);
	/* The 4th must wait until the first leaves the window. */
	assert_int_equal(ratelimit_try(rl, t + 500), 10000 - 500);
	assert_int_equal(ratelimit_try(rl, t + 9999), 1);
	assert_int_equal(ratelimit_try(rl, t + 10000), 0);
	/* A refused try is not counted. */
	assert_int_equal(ratelimit_try(rl, t + 10050), 50);
	assert_int_equal(ratelimit_try(rl, t + 10100), 0);
	ratelimit_free(rl);
}

static void
test_clock_near_zero(void **state)
{
	/* ACMEd blocked forever when now - period was before the
	 * monotonic clock's origin (a long period on a fresh boot). */
	struct ratelimit *rl = ratelimit_new();

	(void)state;
	assert_int_equal(ratelimit_add(rl, 2, 7 * 86400), 0);
	assert_int_equal(ratelimit_try(rl, 0), 0);
	assert_int_equal(ratelimit_try(rl, 5), 0);
	assert_int_equal(ratelimit_try(rl, 10), 7LL * 86400 * 1000 - 10);
	ratelimit_free(rl);
}

static void
test_several_limits(void **state)
{
	struct ratelimit *rl = ratelimit_new();
	long long t = 0;
	int i;

	(void)state;
	assert_int_equal(ratelimit_add(rl, 20, 1), 0);	/* 20/s */
	assert_int_equal(ratelimit_add(rl, 30, 60), 0);	/* 30/min */
	for (i = 0; i < 20; i++)
		assert_int_equal(ratelimit_try(rl, t), 0);
	assert_int_equal(ratelimit_try(rl, t), 1000);
	for (i = 0; i < 10; i++)
		assert_int_equal(ratelimit_try(rl, 1000), 0);
	/* Now the per-minute limit is the one that holds. */
	assert_int_equal(ratelimit_try(rl, 2000), 60000 - 2000);
	ratelimit_free(rl);
}

static void
test_bad_limits(void **state)
{
	struct ratelimit *rl = ratelimit_new();

	(void)state;
	assert_int_equal(ratelimit_add(rl, 0, 10), -1);
	assert_non_null(strstr(err_msg(), "0 requests"));
	assert_int_equal(ratelimit_add(rl, RATELIMIT_MAX_NUMBER + 1, 10), -1);
	/* No limit: everything goes, at once. */
	assert_int_equal(ratelimit_try(rl, 0), 0);
	assert_int_equal(ratelimit_acquire(rl), 0);
	/* A period of zero never holds anything back. */
	assert_int_equal(ratelimit_add(rl, 1, 0), 0);
	assert_int_equal(ratelimit_try(rl, 0), 0);
	assert_int_equal(ratelimit_try(rl, 0), 0);
	ratelimit_free(rl);
}

static void
test_cancel(void **state)
{
	struct ratelimit *rl = ratelimit_new();

	(void)state;
	assert_int_equal(ratelimit_add(rl, 1, 3600), 0);
	assert_int_equal(ratelimit_acquire(rl), 0);
	stop_set();
	assert_int_equal(ratelimit_acquire(rl), -1);
	assert_string_equal(err_msg(), "rate limit: shutting down");
	stop_reset();
	ratelimit_free(rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_clock_near_zero),
		cmocka_unit_test(test_several_limits),
		cmocka_unit_test(test_bad_limits),
		cmocka_unit_test(test_cancel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
