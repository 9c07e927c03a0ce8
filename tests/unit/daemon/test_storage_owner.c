/*
 * test_storage_owner.c - the owners the configuration gives the files
 * are checked before anything is ordered: a process without CAP_CHOWN
 * gives a file only to its own user and to a group it is in.  The checks
 * run in a child that has become "nobody" (needs root; skipped
 * otherwise).
 */
#include <grp.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/storage.h"
#include "util/err.h"

#define NOBODY	65534

static const struct cert_files files = {
	.key_path = "/nonexistent/acmed-test/example.org.pk.pem",
	.crt_path = "/nonexistent/acmed-test/example.org.crt.pem",
};

/* In the child, as nobody: the check's error for these owners contains
 * want (NULL: the owners pass, and the folder is what fails). */
static int
check_as_nobody(uid_t pk_uid, gid_t pk_gid, gid_t cert_gid,
    const char *want)
{
	struct config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.global.pk_file_uid = pk_uid;
	cfg.global.pk_file_gid = pk_gid;
	cfg.global.cert_file_uid = (uid_t)-1;
	cfg.global.cert_file_gid = cert_gid;
	if (storage_check_writable(&cfg, &files) != -1)
		return 1;
	if (strstr(err_msg(), "before ordering") == NULL)
		return 2;
	if (want == NULL)
		return strstr(err_msg(), "_user") == NULL &&
		    strstr(err_msg(), "_group") == NULL &&
		    strstr(err_msg(), "/nonexistent/acmed-test") != NULL ?
		    0 : 3;
	return strstr(err_msg(), want) != NULL ? 0 : 4;
}

static int
run_as_nobody(uid_t pk_uid, gid_t pk_gid, gid_t cert_gid, const char *want)
{
	pid_t pid;
	int status;

	if ((pid = fork()) == 0) {
		if (setgroups(0, NULL) == -1 || setgid(NOBODY) == -1 ||
		    setuid(NOBODY) == -1)
			_exit(10);
		_exit(check_as_nobody(pk_uid, pk_gid, cert_gid, want));
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
test_owners(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	/* A group nobody is not in, for either file. */
	assert_int_equal(run_as_nobody((uid_t)-1, 0, (gid_t)-1,
	    "pk_file_group: acmed runs as user 65534, which is not in group "
	    "0"), 0);
	assert_int_equal(run_as_nobody((uid_t)-1, (gid_t)-1, 0,
	    "cert_file_group"), 0);
	/* Another user. */
	assert_int_equal(run_as_nobody(0, (gid_t)-1, (gid_t)-1,
	    "pk_file_user: acmed runs as user 65534, which cannot give files "
	    "to user 0"), 0);
	/* Its own user and group pass: the folder is what is wrong. */
	assert_int_equal(run_as_nobody(NOBODY, NOBODY, NOBODY, NULL), 0);
	assert_int_equal(run_as_nobody((uid_t)-1, (gid_t)-1, (gid_t)-1,
	    NULL), 0);
}

/* Root may give files to anyone: only the folder is checked. */
static void
test_root(void **state)
{
	struct config cfg;

	(void)state;
	if (geteuid() != 0)
		skip();
	memset(&cfg, 0, sizeof(cfg));
	cfg.global.pk_file_uid = NOBODY;
	cfg.global.pk_file_gid = 0;
	cfg.global.cert_file_uid = NOBODY;
	cfg.global.cert_file_gid = NOBODY;
	assert_int_equal(storage_check_writable(&cfg, &files), -1);
	assert_non_null(strstr(err_msg(), "/nonexistent/acmed-test"));
	assert_null(strstr(err_msg(), "_group"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owners),
		cmocka_unit_test(test_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
