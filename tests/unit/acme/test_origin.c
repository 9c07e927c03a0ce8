/*
 * test_origin.c - every request must go to the directory's origin: the
 * shortcut (the directory URL's scheme://authority/ as a prefix) must
 * never say "same" where parsing both URLs would say "other".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "acme/endpoint.h"
#include "acme/request.h"
#include "util/err.h"

#define DIR_URL	"https://Ca.Example:14000/dir"

static const struct {
	const char	*url;
	int		 ok;		/* acme_session_check_url() */
	int		 shortcut;	/* acme_endpoint_same_origin() */
} cases[] = {
	{ "https://Ca.Example:14000/order/1", 1, 1 },
	{ "https://Ca.Example:14000/", 1, 1 },
	{ "https://ca.example:14000/order/1", 1, 0 },	/* parsed: same */
	{ "HTTPS://CA.EXAMPLE:14000/x", 1, 0 },
	{ "https://Ca.Example:14000?x", 1, 0 },
	{ "https://Ca.Example:14001/order/1", 0, 0 },
	{ "https://Ca.Example/order/1", 0, 0 },		/* port 443 */
	{ "http://Ca.Example:14000/order/1", 0, 0 },
	{ "https://Ca.Example:14000@evil.example/x", 0, 0 },
	{ "https://Ca.Example:14000.evil.example/x", 0, 0 },
	{ "https://evil.example/https://Ca.Example:14000/", 0, 0 },
	{ "https://Ca.Example:14000/a b", 0, 0 },	/* not a URL */
	{ "https://Ca.Example:14000/a\\@evil.example/", 1, 0 },
	{ "https://Ca.Example:14000/\xc3\xa9", 1, 0 },	/* parsed: same */
	{ "not a url", 0, 0 },
};

static void
test_origins(void **state)
{
	struct acme_endpoint_opts o = { "ca", DIR_URL, NULL, 0, 0, 0 };
	struct acme_endpoint *ep = acme_endpoint_new(&o);
	struct acme_session s;
	size_t i;

	(void)state;
	assert_non_null(ep);
	assert_string_equal(ep->origin, "https://ca.example:14000");
	memset(&s, 0, sizeof(s));
	s.ep = ep;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int same = acme_endpoint_same_origin(ep, cases[i].url);

		if (same != cases[i].shortcut)
			fail_msg("shortcut for %s: %d", cases[i].url, same);
		if ((acme_session_check_url(&s, cases[i].url) == 0) !=
		    cases[i].ok)
			fail_msg("check of %s: %s", cases[i].url, err_msg());
	}
	acme_endpoint_free(ep);
}

static void
test_directory_url_with_user(void **state)
{
	/* No shortcut from a directory URL that names a user: parsing
	 * decides alone. */
	struct acme_endpoint_opts o = { "ca", "https://u@ca.example/dir",
	    NULL, 0, 0, 0 };
	struct acme_endpoint *ep = acme_endpoint_new(&o);

	(void)state;
	assert_non_null(ep);
	assert_null(ep->prefix);
	assert_int_equal(acme_endpoint_same_origin(ep,
	    "https://u@ca.example/x"), 0);
	acme_endpoint_free(ep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_origins),
		cmocka_unit_test(test_directory_url_with_user),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
