/*
 * test_http_headers.c - header parsers of the transport: Replay-Nonce,
 * Retry-After, Link, loopback detection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "acme/http.h"

static void
test_nonce(void **state)
{
	static const char *good[] = { "XFHw3qcgFNZAdw", "-", "_", "a", "1" };
	static const char *bad[] = { "", "/", "+", "=", "\xc3\xa9", "a b",
	    "a\"" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(http_nonce_valid(good[i], strlen(good[i])));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(http_nonce_valid(bad[i], strlen(bad[i])));
}

static void
test_retry_after(void **state)
{
	long long now = 784111777;	/* Sun, 06 Nov 1994 08:49:37 GMT */

	(void)state;
	assert_int_equal(http_parse_retry_after("120", now), 120);
	assert_int_equal(http_parse_retry_after(" 0 ", now), 0);
	assert_int_equal(http_parse_retry_after("Sun, 06 Nov 1994 08:51:37 "
	    "GMT", now), 120);
	/* A date in the past means now. */
	assert_int_equal(http_parse_retry_after("Sun, 06 Nov 1994 08:00:00 "
	    "GMT", now), 0);
	assert_int_equal(http_parse_retry_after("soon", now), -1);
	assert_int_equal(http_parse_retry_after("12abc", now), -1);
	/* A year, or an absurd number: capped, not overflowed. */
	assert_int_equal(http_parse_retry_after("31536000", now), 31536000);
	assert_true(http_parse_retry_after("99999999999999999999999999",
	    now) > 0);
}

static void
test_link(void **state)
{
	struct http_response r;

	(void)state;
	http_response_init(&r);
	http_parse_link("<https://ca/cert/1/1>;rel=\"alternate\", "
	    "<https://ca/dir>;rel=\"index\"", &r);
	http_parse_link("<https://ca/cert/1/2>; rel=alternate", &r);
	http_parse_link("<https://ca/up>;rel=\"up\"", &r);
	http_parse_link("<broken", &r);
	assert_int_equal(r.nalternates, 2);
	assert_string_equal(r.alternates[0], "https://ca/cert/1/1");
	assert_string_equal(r.alternates[1], "https://ca/cert/1/2");
	http_response_free(&r);
}

static void
test_loopback(void **state)
{
	(void)state;
	assert_true(http_url_is_loopback("http://127.0.0.1:14000/dir"));
	assert_true(http_url_is_loopback("http://127.1.2.3/"));
	assert_true(http_url_is_loopback("http://[::1]:80/"));
	assert_true(http_url_is_loopback("http://localhost/"));
	assert_false(http_url_is_loopback("http://127.0.0.1.evil.org/"));
	assert_false(http_url_is_loopback("http://example.org/"));
	assert_false(http_url_is_loopback("not a url"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nonce),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_loopback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
