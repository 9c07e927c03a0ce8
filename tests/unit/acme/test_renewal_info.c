/*
 * test_renewal_info.c - RFC 9773 answers: RFC 3339 times, the window, the
 * moment picked in it, and when to ask again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "acme/json.h"
#include "acme/renewal_info.h"
#include "util/err.h"

static int
parse_time(const char *text, int64_t *out)
{
	char doc[256];
	json_t *o;
	int rc;

	snprintf(doc, sizeof(doc), "{\"t\":\"%s\"}", text);
	o = json_parse_object(doc, strlen(doc));
	assert_non_null(o);
	rc = json_get_time(o, "t", 1, out);
	json_decref(o);
	return rc;
}

static void
test_rfc3339(void **state)
{
	static const struct {
		const char	*text;
		int64_t		 t;
	} good[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2025-01-02T04:00:00Z", 1735790400 },
		{ "2025-01-02t04:00:00z", 1735790400 },
		{ "2025-01-02T04:00:00.999999999Z", 1735790400 },
		{ "2025-01-02T06:30:00+02:30", 1735790400 },
		{ "2025-01-01T23:00:00-05:00", 1735790400 },
		{ "2024-02-29T00:00:00Z", 1709164800 },
		{ "2000-02-29T00:00:00Z", 951782400 },
		{ "2016-12-31T23:59:60Z", 1483228799 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "9999-12-31T23:59:59Z", 253402300799 },
	};
	static const char *const bad[] = {
		"", "2025-01-02", "2025-01-02T04:00:00", "2025-01-02 04:00:00Z",
		"2025-13-01T00:00:00Z", "2025-00-01T00:00:00Z",
		"2025-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
		"2025-04-31T00:00:00Z", "2025-01-02T24:00:00Z",
		"2025-01-02T04:60:00Z", "2025-01-02T04:00:61Z",
		"2025-01-02T04:00:00.Z", "2025-01-02T04:00:00+0200",
		"2025-01-02T04:00:00+24:00", "2025-01-02T04:00:00Zjunk",
		"25-01-02T04:00:00Z", "+2025-01-02T04:00:00Z",
		"2025-1-02T04:00:00Z",
	};
	int64_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		t = 42;
		if (parse_time(good[i].text, &t) != 0)
			fail_msg("%s: %s", good[i].text, err_msg());
		if (t != good[i].t)
			fail_msg("%s: %lld, not %lld", good[i].text,
			    (long long)t, (long long)good[i].t);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (parse_time(bad[i], &t) != -1)
			fail_msg("%s: accepted", bad[i]);
		assert_string_equal(err_msg(),
		    "member \"t\" is not an RFC 3339 date-time");
	}
}

static void
test_parse(void **state)
{
	static const char ok[] = "{\"suggestedWindow\":{\"start\":"
	    "\"2025-01-02T04:00:00Z\",\"end\":\"2025-01-03T04:00:00Z\"},"
	    "\"explanationURL\":\"https://ca.example/why\\u0007\"}";
	static const struct {
		const char	*body;
		const char	*err;
	} bad[] = {
		{ "{}", "member \"suggestedWindow\" is missing" },
		{ "{\"suggestedWindow\":[]}",
		    "member \"suggestedWindow\" is not an object" },
		{ "{\"suggestedWindow\":{\"start\":\"2025-01-02T04:00:00Z\"}}",
		    "suggestedWindow: member \"end\" is missing" },
		{ "{\"suggestedWindow\":{\"start\":1,\"end\":2}}",
		    "suggestedWindow: member \"start\" is not a string" },
		{ "{\"suggestedWindow\":{\"start\":\"2025-01-02T04:00:00Z\","
		    "\"end\":\"2025-01-02T04:00:00Z\"}}",
		    "suggestedWindow: the end is not after the start" },
		{ "{\"suggestedWindow\":{\"start\":\"2025-01-02T04:00:00Z\","
		    "\"end\":\"2025-01-03T04:00:00Z\"},\"explanationURL\":7}",
		    "member \"explanationURL\" is not a string" },
	};
	struct acme_renewal_info ri;
	size_t i;

	(void)state;
	assert_int_equal(acme_renewal_info_parse(&ri, ok, sizeof(ok) - 1), 0);
	assert_int_equal(ri.start, 1735790400);
	assert_int_equal(ri.end, 1735790400 + 86400);
	/* Printable only: it goes to a log line. */
	assert_string_equal(ri.explanation, "https://ca.example/why?");
	assert_int_equal(ri.retry_after, -1);
	acme_renewal_info_free(&ri);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(acme_renewal_info_parse(&ri, bad[i].body,
		    strlen(bad[i].body)), -1);
		if (strstr(err_msg(), bad[i].err) == NULL)
			fail_msg("%s: %s", bad[i].body, err_msg());
		acme_renewal_info_free(&ri);
	}
}

static void
test_pick(void **state)
{
	struct acme_renewal_info ri = { 1000000, 1086400, NULL, -1 };
	char id[64];
	int64_t t, first, low = INT64_MAX, high = INT64_MIN;
	int i;

	(void)state;
	/* The same certificate and window: the same moment. */
	first = acme_renewal_info_pick(&ri, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
	assert_int_equal(acme_renewal_info_pick(&ri,
	    "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"), first);
	/* Certificates spread over the whole window, never outside it. */
	for (i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "aYhba4dGQEHhs3uEe6CuLN4ByNQ.%d", i);
		t = acme_renewal_info_pick(&ri, id);
		assert_true(t >= ri.start && t < ri.end);
		low = t < low ? t : low;
		high = t > high ? t : high;
	}
	assert_true(low < ri.start + 86400 / 20);
	assert_true(high > ri.end - 86400 / 20);
	/* A one-second window has one moment. */
	ri.end = ri.start + 1;
	assert_int_equal(acme_renewal_info_pick(&ri, "x.y"), ri.start);
}

static void
test_recheck(void **state)
{
	struct acme_renewal_info ri = { 0, 1, NULL, -1 };

	(void)state;
	assert_int_equal(acme_renewal_info_recheck(&ri), 21600);
	ri.retry_after = 0;
	assert_int_equal(acme_renewal_info_recheck(&ri), 60);
	ri.retry_after = 3600;
	assert_int_equal(acme_renewal_info_recheck(&ri), 3600);
	ri.retry_after = 10LL * 86400;
	assert_int_equal(acme_renewal_info_recheck(&ri), 86400);
	/* What a failed check's Retry-After goes through too. */
	assert_int_equal(acme_renewal_info_clamp(0), 60);
	assert_int_equal(acme_renewal_info_clamp(1LL << 40), 86400);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_recheck),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
