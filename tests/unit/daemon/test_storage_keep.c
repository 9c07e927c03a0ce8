/*
 * test_storage_keep.c - a file replaced keeps the old one's owner and
 * group only when acmed may give them: without CAP_CHOWN, neither (a
 * group it is not in); with CAP_CHOWN alone, the group but not the owner
 * (which takes CAP_FOWNER too).  The file is stored all the same, with
 * one warning naming it, and keeps its mode, but for a key (an account
 * file holds one) the group's bits when the group is not kept.  Through an account file's
 * save, written by a child that has become "nobody" in a folder of its
 * own (needs root; skipped otherwise).
 */
#include <fcntl.h>
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
#include "util/log.h"


static char dir[64], path[128], logp[128];

static int
setup(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	snprintf(dir, sizeof(dir), "/tmp/acmed-keep-XXXXXX");
	if (mkdtemp(dir) == NULL || chown(dir, NOBODY, NOBODY) == -1 ||
	    chmod(dir, 0755) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/account.bin", dir);
	snprintf(logp, sizeof(logp), "%s.log", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (geteuid() == 0) {
		unlink(path);
		rmdir(dir);
		unlink(logp);
	}
	return 0;
}

/* A file of root's, group DAEMON, mode 0640, replaced by nobody (with
 * CAP_CHOWN if with_chown), its log in logp.  0 when saved. */
static int
save_as_nobody(int with_chown)
{
	struct config_account acc;
	struct storage_account sa = { &acc };
	pid_t pid;
	int fd, status, rc;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old\n", 4), 4);
	assert_int_equal(fchown(fd, 0, DAEMON), 0);
	assert_int_equal(fchmod(fd, 0640), 0);
	close(fd);
	if ((pid = fork()) == 0) {
		if ((fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) ==
		    -1 || dup2(fd, 2) == -1)
			_exit(12);
		log_init("test", LOG_SINK_STDERR, LOGL_DEBUG);
		if ((rc = become_nobody(with_chown)) != 0)
			_exit(rc);
		memset(&acc, 0, sizeof(acc));
		acc.name = "test";
		_exit(storage_save_account(&sa, path, "new\n", 4) == 0 ? 0 :
		    1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* The lines of the child's log that contain want. */
static int
log_count(const char *want)
{
	char line[4096];
	FILE *f = fopen(logp, "r");
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, want) != NULL;
	fclose(f);
	return n;
}

static void
check_file(uid_t uid, gid_t gid, mode_t mode)
{
	struct stat st;
	char buf[8] = { 0 };
	int fd;

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, uid);
	assert_int_equal(st.st_gid, gid);
	assert_int_equal(st.st_mode & 07777, mode);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 4);
	close(fd);
	assert_string_equal(buf, "new\n");
}

static void
test_without_capabilities(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(save_as_nobody(0), 0);
	/* The group's bits were for group DAEMON, not nobody's: an account
	 * file holds a private key. */
	check_file(NOBODY, NOBODY, 0600);
	assert_int_equal(log_count(" WARN "), 1);
	assert_int_equal(log_count("its replacement cannot keep its owner "
	    "and group (0:1): acmed runs as user 65534, without CAP_CHOWN "
	    "and CAP_FOWNER, and gives it its own, without the group's "
	    "bits"), 1);
	assert_int_equal(log_count(path), 1);
}

static void
test_with_cap_chown(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(save_as_nobody(1), 0);
	check_file(NOBODY, DAEMON, 0640);
	assert_int_equal(log_count(" WARN "), 1);
	assert_int_equal(log_count("its replacement cannot keep its owner "
	    "(0:1)"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_capabilities),
		cmocka_unit_test(test_with_cap_chown),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
