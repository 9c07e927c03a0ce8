/*
 * test_problem.c - problem documents and the retry policy per error type.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "acme/problem.h"
#include "util/err.h"

static void
test_types_and_policy(void **state)
{
	(void)state;
	assert_int_equal(acme_error_from_uri(
	    "urn:ietf:params:acme:error:badNonce"), ACME_ERR_badNonce);
	assert_int_equal(acme_error_from_uri(
	    "urn:ietf:params:acme:error:userActionRequired"),
	    ACME_ERR_userActionRequired);
	assert_int_equal(acme_error_from_uri(
	    "urn:ietf:params:acme:error:somethingNew"), ACME_ERR_UNKNOWN);
	assert_int_equal(acme_error_from_uri("about:blank"), ACME_ERR_NONE);
	assert_int_equal(acme_error_from_uri(NULL), ACME_ERR_NONE);
	assert_string_equal(acme_error_name(ACME_ERR_rateLimited),
	    "rateLimited");
	assert_int_equal(acme_error_retry(ACME_ERR_badNonce),
	    ACME_RETRY_NONCE);
	assert_int_equal(acme_error_retry(ACME_ERR_rateLimited),
	    ACME_RETRY_LATER);
	assert_int_equal(acme_error_retry(ACME_ERR_serverInternal),
	    ACME_RETRY_BACKOFF);
	/* ACMEd retried these; they never get better by themselves. */
	assert_int_equal(acme_error_retry(ACME_ERR_malformed), ACME_RETRY_NO);
	assert_int_equal(acme_error_retry(ACME_ERR_unauthorized),
	    ACME_RETRY_NO);
}

static void
test_parse_with_subproblems(void **state)
{
	static const char body[] =
	    "{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\","
	    "\"detail\":\"Some identifiers were rejected\",\"status\":400,"
	    "\"subproblems\":[{\"type\":\"urn:ietf:params:acme:error:"
	    "malformed\",\"detail\":\"Invalid underscore in DNS name "
	    "\\\"_example.org\\\"\",\"identifier\":{\"type\":\"dns\","
	    "\"value\":\"_example.org\"}},{\"type\":\"urn:ietf:params:acme:"
	    "error:rejectedIdentifier\",\"detail\":\"This CA will not issue "
	    "for \\\"example.net\\\"\",\"identifier\":{\"type\":\"dns\","
	    "\"value\":\"example.net\"}}]}";
	struct acme_problem p;

	(void)state;
	acme_problem_parse(&p, 400, body, sizeof(body) - 1);
	assert_int_equal(p.type, ACME_ERR_rejectedIdentifier);
	assert_string_equal(p.detail, "Some identifiers were rejected");
	assert_int_equal(p.nsub, 2);
	assert_int_equal(p.sub[0].type, ACME_ERR_malformed);
	assert_string_equal(p.sub[0].identifier, "dns:_example.org");
	assert_int_equal(acme_problem_err(&p, "https://ca/new-order"), -1);
	assert_string_equal(err_msg(), "https://ca/new-order: HTTP 400 "
	    "rejectedIdentifier: Some identifiers were rejected "
	    "(dns:_example.org: malformed: Invalid underscore in DNS name "
	    "\"_example.org\"; dns:example.net: rejectedIdentifier: This CA "
	    "will not issue for \"example.net\")");
	acme_problem_free(&p);
}

static void
test_hostile_bodies(void **state)
{
	static const char *bodies[] = {
		"", "not json", "[]", "{\"type\":42}", "{\"detail\":[1]}",
		"{\"type\":\"urn:ietf:params:acme:error:badNonce\","
		    "\"subproblems\":\"x\"}",
		"{\"subproblems\":[1,null,{\"identifier\":5}]}",
		"{\"a\":1,\"a\":2}",
	};
	struct acme_problem p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		acme_problem_parse(&p, 500, bodies[i], strlen(bodies[i]));
		assert_int_equal(p.status, 500);
		acme_problem_err(&p, "u");
		assert_non_null(strstr(err_msg(), "u: HTTP 500"));
		acme_problem_free(&p);
	}
	/* A type that is not a string leaves the problem untyped. */
	acme_problem_parse(&p, 400, bodies[3], strlen(bodies[3]));
	assert_int_equal(p.type, ACME_ERR_NONE);
	acme_problem_free(&p);
}

static void
test_untyped_subproblems_say_something(void **state)
{
	static const char body[] =
	    "{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\","
	    "\"subproblems\":[7,{\"type\":7,\"detail\":{}},"
	    "{\"detail\":\"no CAA\",\"type\":\"x\"}]}";
	struct acme_problem p;

	(void)state;
	acme_problem_parse(&p, 403, body, sizeof(body) - 1);
	assert_int_equal(acme_problem_err(&p, "u"), -1);
	assert_string_equal(err_msg(), "u: HTTP 403 rejectedIdentifier "
	    "(unknown problem; no CAA)");
	acme_problem_free(&p);
}

static void
test_detail_is_sanitised(void **state)
{
	static const char body[] =
	    "{\"type\":\"urn:ietf:params:acme:error:malformed\","
	    "\"detail\":\"line1\\nline2\\u001b[31m\\u00e9\"}";
	struct acme_problem p;

	(void)state;
	acme_problem_parse(&p, 400, body, sizeof(body) - 1);
	assert_string_equal(p.detail, "line1?line2?[31m??");
	acme_problem_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_and_policy),
		cmocka_unit_test(test_parse_with_subproblems),
		cmocka_unit_test(test_hostile_bodies),
		cmocka_unit_test(test_untyped_subproblems_say_something),
		cmocka_unit_test(test_detail_is_sanitised),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
