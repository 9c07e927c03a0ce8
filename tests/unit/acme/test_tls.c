/*
 * test_tls.c - the system roots are looked up in a folder only when it
 * has OpenSSL's hash links; a folder of bundles (RHEL's) must send the
 * trust store to the bundle file instead, or no root would be found.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "acme/tls.h"

static char base[] = "/tmp/acmed-test-tls-XXXXXX";

/* base/sub, created, holding the given names as empty files. */
static const char *
folder(const char *sub, const char *const *names)
{
	static char path[256];
	char file[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", base, sub);
	assert_int_equal(mkdir(path, 0700), 0);
	for (; *names != NULL; names++) {
		snprintf(file, sizeof(file), "%s/%s", path, *names);
		assert_non_null(f = fopen(file, "w"));
		fclose(f);
	}
	return path;
}

static void
test_hashed(void **state)
{
	static const char *const debian[] = { "ca-certificates.crt",
	    "ISRG_Root_X1.pem", "4042bcee.0", NULL };
	static const char *const second[] = { "a.pem", "5A2B3C4D.12", NULL };

	(void)state;
	assert_int_equal(tls_dir_hashed(folder("debian", debian)), 1);
	assert_int_equal(tls_dir_hashed(folder("second", second)), 1);
}

static void
test_not_hashed(void **state)
{
	static const char *const rhel[] = { "ca-bundle.crt",
	    "ca-bundle.trust.crt", NULL };
	static const char *const near[] = { "4042bcee", "4042bcee.",
	    "4042bce.0", "4042bcee.r0", "4042bceg.0", "4042bcee.0x",
	    "x4042bcee.0", NULL };
	static const char *const none[] = { NULL };

	(void)state;
	assert_int_equal(tls_dir_hashed(folder("rhel", rhel)), 0);
	assert_int_equal(tls_dir_hashed(folder("near", near)), 0);
	assert_int_equal(tls_dir_hashed(folder("empty", none)), 0);
	assert_int_equal(tls_dir_hashed("/nonexistent/acmed-test"), 0);
	assert_int_equal(tls_dir_hashed(""), 0);
}

static void
test_list(void **state)
{
	static const char *const rhel[] = { "ca-bundle.crt", NULL };
	static const char *const debian[] = { "4042bcee.0", NULL };
	char list[1024];
	char a[256];

	(void)state;
	snprintf(a, sizeof(a), "%s", folder("l1", rhel));
	snprintf(list, sizeof(list), "%s:%s", a, folder("l2", debian));
	assert_int_equal(tls_dir_hashed(list), 1);
	snprintf(list, sizeof(list), "::/nonexistent:%s:", a);
	assert_int_equal(tls_dir_hashed(list), 0);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(base) == NULL ? -1 : 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashed),
		cmocka_unit_test(test_not_hashed),
		cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
