/*
 * test_storage_owner.c - the owners the configuration gives the files
 * are checked before anything is ordered: without CAP_CHOWN a process
 * gives a file only to its own user and to a group it is in (or the group
 * a set-group-ID folder gives it anyway), and another user also takes
 * CAP_FOWNER, for the mode set after it.  The checks run in a child that
 * has become "nobody", with or without CAP_CHOWN (needs root; skipped
 * otherwise).
 */
#include <grp.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/storage.h"
#include "nobody.h"
#include "util/err.h"


/* A set-group-ID folder of group DAEMON, and one that is not. */
static char setgid_dir[64], plain_dir[64];
static char key_path[128], crt_path[128];

static int
setup(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	snprintf(setgid_dir, sizeof(setgid_dir), "/tmp/acmed-owner-XXXXXX");
	snprintf(plain_dir, sizeof(plain_dir), "/tmp/acmed-owner-XXXXXX");
	if (mkdtemp(setgid_dir) == NULL || mkdtemp(plain_dir) == NULL ||
	    chown(setgid_dir, 0, DAEMON) == -1 ||
	    chmod(setgid_dir, 02755) == -1 || chmod(plain_dir, 0755) == -1)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (geteuid() == 0) {
		rmdir(setgid_dir);
		rmdir(plain_dir);
	}
	return 0;
}

/* In the child, as nobody: the check's error for these owners of files
 * in dir contains want (NULL: the owners pass, and the folder, which
 * nobody cannot write, is what fails). */
static int
check(const char *dir, uid_t pk_uid, gid_t pk_gid, gid_t cert_gid,
    const char *want)
{
	struct cert_files files;
	struct config cfg;

	snprintf(key_path, sizeof(key_path), "%s/example.org.pk.pem", dir);
	snprintf(crt_path, sizeof(crt_path), "%s/example.org.crt.pem", dir);
	memset(&files, 0, sizeof(files));
	files.key_path = key_path;
	files.crt_path = crt_path;
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
		    strstr(err_msg(), dir) != NULL ? 0 : 3;
	return strstr(err_msg(), want) != NULL ? 0 : 4;
}

/* Runs check() as nobody, with CAP_CHOWN in effect if with_chown. */
static int
as_nobody(int with_chown, const char *dir, uid_t pk_uid, gid_t pk_gid,
    gid_t cert_gid, const char *want)
{
	pid_t pid;
	int status, rc;

	if ((pid = fork()) == 0) {
		if ((rc = become_nobody(with_chown)) != 0)
			_exit(rc);
		_exit(check(dir, pk_uid, pk_gid, cert_gid, want));
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
test_without_capabilities(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	/* A group nobody is not in, for either file. */
	assert_int_equal(as_nobody(0, plain_dir, (uid_t)-1, 0, (gid_t)-1,
	    "pk_file_group: acmed runs as user 65534, which is not in group "
	    "0"), 0);
	assert_int_equal(as_nobody(0, plain_dir, (uid_t)-1, (gid_t)-1, 0,
	    "cert_file_group"), 0);
	/* Another user. */
	assert_int_equal(as_nobody(0, plain_dir, 0, (gid_t)-1, (gid_t)-1,
	    "pk_file_user: acmed runs as user 65534 without CAP_CHOWN and "
	    "CAP_FOWNER, and cannot give files to user 0"), 0);
	/* Its own user and group pass: the folder is what is wrong. */
	assert_int_equal(as_nobody(0, plain_dir, NOBODY, NOBODY, NOBODY,
	    NULL), 0);
	assert_int_equal(as_nobody(0, plain_dir, (uid_t)-1, (gid_t)-1,
	    (gid_t)-1, NULL), 0);
	/* The group a set-group-ID folder gives its new files: already
	 * theirs, nothing to give. */
	assert_int_equal(as_nobody(0, setgid_dir, (uid_t)-1, DAEMON, DAEMON,
	    NULL), 0);
	assert_int_equal(as_nobody(0, setgid_dir, (uid_t)-1, 0, (gid_t)-1,
	    "pk_file_group"), 0);
}

/* CAP_CHOWN alone gives any group, but not another user: the mode set
 * after it would take CAP_FOWNER too. */
static void
test_with_cap_chown(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(as_nobody(1, plain_dir, (uid_t)-1, 0, 0, NULL), 0);
	assert_int_equal(as_nobody(1, plain_dir, 0, (gid_t)-1, (gid_t)-1,
	    "pk_file_user: acmed runs as user 65534 without CAP_CHOWN and "
	    "CAP_FOWNER"), 0);
}

/* Root may give files to anyone: only the folder is checked. */
static void
test_root(void **state)
{
	struct cert_files files = {
		.key_path = "/nonexistent/acmed-test/example.org.pk.pem",
		.crt_path = "/nonexistent/acmed-test/example.org.crt.pem",
	};
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
	assert_null(strstr(err_msg(), "_user"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_capabilities),
		cmocka_unit_test(test_with_cap_chown),
		cmocka_unit_test(test_root),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
