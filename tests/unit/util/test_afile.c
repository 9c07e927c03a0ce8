/*
 * test_afile.c - atomic replacement: modes never wider than asked, the old
 * file intact after a failed write, no temporary file left behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/afile.h"
#include "util/buf.h"
#include "util/err.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_afile_XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[512];
	DIR *d;
	struct dirent *de;

	(void)state;
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
			    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
				continue;
			snprintf(cmd, sizeof(cmd), "%s/%s", dir, de->d_name);
			unlink(cmd);
		}
		closedir(d);
	}
	rmdir(dir);
	return 0;
}

static int
count_entries(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static char *
read_all(const char *path)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	assert_int_equal(buf_read_file(&b, path), 0);
	return buf_steal(&b);
}

static void
test_write_modes(void **state)
{
	struct afile_opts key = { 0600, (uid_t)-1, (gid_t)-1 };
	struct afile_opts crt = { 0644, (uid_t)-1, (gid_t)-1 };
	char path[128];
	struct stat sb;
	mode_t old;
	char *s;

	(void)state;
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	old = umask(0);
	assert_int_equal(afile_write(path, "secret", 6, &key), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	s = read_all(path);
	assert_string_equal(s, "secret");
	free(s);

	/* A restrictive umask does not make a certificate unreadable. */
	umask(077);
	snprintf(path, sizeof(path), "%s/crt.pem", dir);
	assert_int_equal(afile_write(path, "cert", 4, &crt), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);

	/* Replacing gives the new contents and the new mode. */
	assert_int_equal(afile_write(path, "c2", 2, &key), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	s = read_all(path);
	assert_string_equal(s, "c2");
	free(s);
	umask(old);
	assert_int_equal(count_entries(), 2);
}

/* Linked with -Wl,--wrap=fsync: the mode each synced regular file had
 * when its fsync was asked for. */
int __real_fsync(int fd);
int __wrap_fsync(int fd);
static mode_t synced_mode[8];
static int nsynced;

static int fail_dir_sync;	/* folders' fsync() fails with EIO */

int
__wrap_fsync(int fd)
{
	struct stat sb;

	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && nsynced < 8)
		synced_mode[nsynced++] = sb.st_mode & 07777;
	if (fail_dir_sync && fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		errno = EIO;
		return -1;
	}
	return __real_fsync(fd);
}

int __real_link(const char *from, const char *to);
int __wrap_link(const char *from, const char *to);
/* 1 when path ends with suffix (NULL: never; "": always). */
static int
ends_with(const char *path, const char *suffix)
{
	size_t n = suffix ? strlen(suffix) : 0;

	return suffix != NULL && strlen(path) >= n &&
	    strcmp(path + strlen(path) - n, suffix) == 0;
}

int __real_rename(const char *from, const char *to);
int __wrap_rename(const char *from, const char *to);
static const char *fail_rename;	/* rename() to such a path fails, EIO */

int
__wrap_rename(const char *from, const char *to)
{
	if (ends_with(to, fail_rename)) {
		errno = EIO;
		return -1;
	}
	return __real_rename(from, to);
}

/* link() from such a path fails with EPERM. */
static const char *fail_link;

int
__wrap_link(const char *from, const char *to)
{
	if (ends_with(from, fail_link)) {
		errno = EPERM;
		return -1;
	}
	return __real_link(from, to);
}

/* Owner and mode are set before the file's fsync: the folder's sync
 * after the rename does not write the inode, so a crash right after
 * could otherwise leave the file with the mode the umask gave it. */
static void
test_mode_set_before_sync(void **state)
{
	struct afile_opts crt = { 0644, (uid_t)-1, (gid_t)-1 };
	char path[128];
	mode_t old;

	(void)state;
	snprintf(path, sizeof(path), "%s/crt.pem", dir);
	old = umask(077);
	nsynced = 0;
	assert_int_equal(afile_write(path, "cert", 4, &crt), 0);
	umask(old);
	assert_int_equal(nsynced, 1);
	assert_int_equal(synced_mode[0], 0644);
}

static atomic_int stop_scan;
static atomic_int seen_wide;
static atomic_long scanned;

static void *
scanner(void *arg)
{
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int dfd;

	(void)arg;
	while (!atomic_load(&stop_scan)) {
		if ((d = opendir(dir)) == NULL)
			continue;
		dfd = dirfd(d);
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
			    de->d_name[1] == '.'))
				continue;
			if (fstatat(dfd, de->d_name, &sb,
			    AT_SYMLINK_NOFOLLOW) == 0) {
				atomic_fetch_add(&scanned, 1);
				if (sb.st_mode & 077)
					atomic_store(&seen_wide, 1);
			}
		}
		closedir(d);
	}
	return NULL;
}

static void
test_never_wider(void **state)
{
	struct afile_opts key = { 0600, (uid_t)-1, (gid_t)-1 };
	char path[128];
	pthread_t th;
	mode_t old;
	int i;

	(void)state;
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	/* Even with a permissive umask, no entry of the folder - the file
	 * or its temporary - is ever seen with group or other bits. */
	old = umask(0);
	atomic_store(&stop_scan, 0);
	atomic_store(&seen_wide, 0);
	assert_int_equal(pthread_create(&th, NULL, scanner, NULL), 0);
	for (i = 0; i < 300; i++)
		assert_int_equal(afile_write(path, "k", 1, &key), 0);
	atomic_store(&stop_scan, 1);
	pthread_join(th, NULL);
	umask(old);
	assert_true(atomic_load(&scanned) > 0);
	assert_int_equal(atomic_load(&seen_wide), 0);
	assert_int_equal(count_entries(), 1);
}

static void
test_failed_write_keeps_old(void **state)
{
	struct afile_opts o = { 0644, (uid_t)-1, (gid_t)-1 };
	struct rlimit rl, saved;
	char path[128], big[4096];
	char *s;

	(void)state;
	snprintf(path, sizeof(path), "%s/crt.pem", dir);
	assert_int_equal(afile_write(path, "the old certificate", 19, &o), 0);

	/* A file size limit makes the write fail half-way, as a full disk
	 * would. */
	memset(big, 'x', sizeof(big));
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &saved);
	rl = saved;
	rl.rlim_cur = 1000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	assert_int_equal(afile_write(path, big, sizeof(big), &o), -1);
	setrlimit(RLIMIT_FSIZE, &saved);
	assert_non_null(strstr(err_msg(), path));
	assert_non_null(strstr(err_msg(), "write"));

	s = read_all(path);
	assert_string_equal(s, "the old certificate");
	free(s);
	assert_int_equal(count_entries(), 1);

	/* A folder that does not exist: an error naming the file. */
	assert_int_equal(afile_write("/nonexistent/dir/f", "x", 1, &o), -1);
	assert_non_null(strstr(err_msg(), "/nonexistent/dir/f"));
}

static void
test_symlink_target_replaced_not_followed(void **state)
{
	struct afile_opts o = { 0600, (uid_t)-1, (gid_t)-1 };
	char path[128], victim[128];
	struct stat sb;
	char *s;

	(void)state;
	snprintf(path, sizeof(path), "%s/link.pem", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	assert_int_equal(afile_write(victim, "untouched", 9, &o), 0);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(afile_write(path, "new", 3, &o), 0);
	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	s = read_all(victim);
	assert_string_equal(s, "untouched");
	free(s);
}

static void
test_stage_commit_discard(void **state)
{
	struct afile_opts o = { 0600, (uid_t)-1, (gid_t)-1 };
	struct afile a, b;
	char pa[128], pb[128];
	char *s;

	(void)state;
	snprintf(pa, sizeof(pa), "%s/a", dir);
	snprintf(pb, sizeof(pb), "%s/b", dir);
	assert_int_equal(afile_write(pa, "old a", 5, &o), 0);

	/* Staged but discarded: nothing changes. */
	assert_int_equal(afile_stage(&a, pa, "new a", 5, &o), 0);
	assert_int_equal(afile_stage(&b, pb, "new b", 5, &o), 0);
	afile_discard(&a);
	afile_discard(&b);
	s = read_all(pa);
	assert_string_equal(s, "old a");
	free(s);
	assert_int_equal(count_entries(), 1);

	/* Staged then committed together. */
	assert_int_equal(afile_stage(&a, pa, "new a", 5, &o), 0);
	assert_int_equal(afile_stage(&b, pb, "new b", 5, &o), 0);
	assert_int_equal(count_entries(), 3);
	assert_int_equal(afile_commit(&a), 0);
	assert_int_equal(afile_commit(&b), 0);
	afile_discard(&a);
	afile_discard(&b);
	s = read_all(pa);
	assert_string_equal(s, "new a");
	free(s);
	s = read_all(pb);
	assert_string_equal(s, "new b");
	free(s);
	assert_int_equal(count_entries(), 2);

	/* Committed as a pair. */
	assert_int_equal(afile_stage(&a, pa, "pair a", 6, &o), 0);
	assert_int_equal(afile_stage(&b, pb, "pair b", 6, &o), 0);
	{
		struct afile *both[2] = { &a, &b };

		assert_int_equal(afile_commit_all(both, 2), 0);
		/* Nothing staged any more: a second commit fails. */
		assert_int_equal(afile_commit_all(both, 2), -1);
		assert_non_null(strstr(err_msg(), "nothing staged"));
	}
	afile_discard(&a);
	afile_discard(&b);
	s = read_all(pa);
	assert_string_equal(s, "pair a");
	free(s);
	s = read_all(pb);
	assert_string_equal(s, "pair b");
	free(s);
	assert_int_equal(count_entries(), 2);
}

static void
touch(const char *name)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
}

/* Puts a folder that is not empty where c.pem is: renaming a file over
 * it fails. */
static void
block_crt(void)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/c.pem", dir);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkdir(p, 0700), 0);
	touch("c.pem/x");
}

static void
unblock_crt(void)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/c.pem/x", dir);
	assert_int_equal(unlink(p), 0);
	p[strlen(p) - 2] = '\0';
	assert_int_equal(rmdir(p), 0);
}

/* pa, pb (size 128): k.pem and c.pem in the test folder, holding "old
 * key" and "old crt" unless fresh. */
static void
pair_paths(char *pa, char *pb, int fresh)
{
	struct afile_opts o = { 0600, (uid_t)-1, (gid_t)-1 };

	snprintf(pa, 128, "%s/k.pem", dir);
	snprintf(pb, 128, "%s/c.pem", dir);
	if (!fresh) {
		assert_int_equal(afile_write(pa, "old key", 7, &o), 0);
		assert_int_equal(afile_write(pb, "old crt", 7, &o), 0);
	}
}

static void
assert_content(const char *path, const char *want)
{
	char *s = read_all(path);

	assert_string_equal(s, want);
	free(s);
}

/* A pair whose second rename fails leaves both files as they were: a key
 * is never replaced without its certificate. */
static void
test_pair_rolled_back(void **state)
{
	struct afile_opts o = { 0600, (uid_t)-1, (gid_t)-1 };
	struct afile a, b, c;
	char pa[128], pb[128], pc[128], *s;

	(void)state;
	snprintf(pa, sizeof(pa), "%s/k.pem", dir);
	snprintf(pb, sizeof(pb), "%s/c.pem", dir);
	snprintf(pc, sizeof(pc), "%s/new.pem", dir);
	assert_int_equal(afile_write(pa, "old key", 7, &o), 0);
	assert_int_equal(afile_write(pb, "old crt", 7, &o), 0);
	assert_int_equal(afile_stage(&c, pc, "new file", 8, &o), 0);
	assert_int_equal(afile_stage(&a, pa, "new key", 7, &o), 0);
	assert_int_equal(afile_stage(&b, pb, "new crt", 7, &o), 0);
	/* The certificate's rename fails after the key's and the new
	 * file's succeeded. */
	block_crt();
	{
		struct afile *all[3] = { &c, &a, &b };

		assert_int_equal(afile_commit_all(all, 3), -1);
		assert_non_null(strstr(err_msg(), "nothing replaced"));
		assert_non_null(strstr(err_msg(), pb));
	}
	afile_discard(&a);
	afile_discard(&b);
	afile_discard(&c);
	s = read_all(pa);
	assert_string_equal(s, "old key");
	free(s);
	assert_int_equal(access(pc, F_OK), -1);
	/* k.pem and the folder c.pem: no second name, no temporary file. */
	assert_int_equal(count_entries(), 2);
	unblock_crt();
}

/* A file being replaced that cannot have a second name (link() refused,
 * as fs.protected_hardlinks does for another user's file) is replaced
 * all the same; should its pair then fail, it stays new rather than
 * gone (it was removed, leaving a certificate without its key). */
static void
test_pair_without_second_name(void **state)
{
	struct afile_opts o = { 0600, (uid_t)-1, (gid_t)-1 };
	struct afile a, b;
	char pa[128], pb[128];

	(void)state;
	pair_paths(pa, pb, 0);
	fail_link = "";
	{
		struct afile *all[2] = { &a, &b };

		assert_int_equal(afile_stage(&a, pa, "new key", 7, &o), 0);
		assert_int_equal(afile_stage(&b, pb, "new crt", 7, &o), 0);
		assert_int_equal(afile_commit_all(all, 2), 0);
		afile_discard(&a);
		afile_discard(&b);
		assert_content(pb, "new crt");

		/* The certificate's rename fails. */
		assert_int_equal(afile_stage(&a, pa, "newer key", 9, &o), 0);
		assert_int_equal(afile_stage(&b, pb, "newer crt", 9, &o), 0);
		block_crt();
		assert_int_equal(afile_commit_all(all, 2), -1);
	}
	fail_link = NULL;
	assert_non_null(strstr(err_msg(), "not all replaced"));
	afile_discard(&a);
	afile_discard(&b);
	assert_content(pa, "newer key");
	/* k.pem and the folder c.pem, no temporary file. */
	assert_int_equal(count_entries(), 2);
	unblock_crt();
}

/* The key alone cannot have a second name: it is renamed last, so that a
 * failing certificate leaves both as they were. */
static void
test_key_without_second_name_goes_last(void **state)
{
	struct afile_opts o = { 0600, (uid_t)-1, (gid_t)-1 };
	struct afile a, b;
	char pa[128], pb[128];

	(void)state;
	pair_paths(pa, pb, 0);
	assert_int_equal(afile_stage(&a, pa, "new key", 7, &o), 0);
	assert_int_equal(afile_stage(&b, pb, "new crt", 7, &o), 0);
	fail_link = "/k.pem";
	fail_rename = "/c.pem";
	{
		struct afile *all[2] = { &a, &b };

		assert_int_equal(afile_commit_all(all, 2), -1);
	}
	fail_link = fail_rename = NULL;
	assert_non_null(strstr(err_msg(), "nothing replaced"));
	afile_discard(&a);
	afile_discard(&b);
	assert_content(pa, "old key");
	assert_content(pb, "old crt");
	assert_int_equal(count_entries(), 2);
}

/* A file alone needs no second name: nothing is put back for it. */
static void
test_single_file_needs_no_second_name(void **state)
{
	struct afile_opts o = { 0600, (uid_t)-1, (gid_t)-1 };
	struct afile a;
	char pa[128], pb[128];

	(void)state;
	pair_paths(pa, pb, 0);
	assert_int_equal(afile_stage(&a, pb, "new crt", 7, &o), 0);
	fail_link = "";
	{
		struct afile *all[1] = { &a };

		assert_int_equal(afile_commit_all(all, 1), 0);
	}
	fail_link = NULL;
	afile_discard(&a);
	assert_content(pb, "new crt");
	assert_int_equal(count_entries(), 2);
}

/* A folder sync that fails after the renames is a warning: the files are
 * in place, and the caller must not take the write for failed. */
static void
test_failed_folder_sync_after_rename(void **state)
{
	struct afile_opts o = { 0600, (uid_t)-1, (gid_t)-1 };
	struct afile a, b;
	char pa[128], pb[128];

	(void)state;
	pair_paths(pa, pb, 1);
	assert_int_equal(afile_stage(&a, pa, "new key", 7, &o), 0);
	assert_int_equal(afile_stage(&b, pb, "new crt", 7, &o), 0);
	fail_dir_sync = 1;
	{
		struct afile *all[2] = { &a, &b };

		assert_int_equal(afile_commit_all(all, 2), 0);
	}
	assert_int_equal(afile_write(pa, "newer", 5, &o), 0);
	fail_dir_sync = 0;
	afile_discard(&a);
	afile_discard(&b);
	assert_content(pa, "newer");
	assert_content(pb, "new crt");
	assert_int_equal(count_entries(), 2);
}

static void
test_remove_stale(void **state)
{
	char p[128];

	(void)state;
	/* What killed writers of "k.pem" and "x" leave, and what is not
	 * theirs. */
	touch(".k.pem.0123456789ab.tmp");
	touch(".k.pem.ba9876543210.tmp");
	touch(".x.0123456789ab.tmp");
	touch("k.pem");
	touch(".k.pem.0123456789AB.tmp");	/* not our hex */
	touch(".k.pem.0123456789a.tmp");	/* too short */
	touch("..0123456789ab.tmp");		/* no base name */
	touch(".k.pem0123456789ab.tmp");	/* no dot before */
	touch(".k.pem.0123456789ab.tmpx");
	touch("k.pem.0123456789ab.tmp");	/* not hidden */
	assert_int_equal(afile_remove_stale(dir), 3);
	assert_int_equal(count_entries(), 7);
	assert_int_equal(afile_remove_stale(dir), 0);
	snprintf(p, sizeof(p), "%s/missing", dir);
	assert_int_equal(afile_remove_stale(p), -1);
	assert_non_null(strstr(err_msg(), "cannot read the folder"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_modes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_mode_set_before_sync,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_wider, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_keeps_old,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_symlink_target_replaced_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stage_commit_discard,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pair_rolled_back, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pair_without_second_name,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_key_without_second_name_goes_last, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_single_file_needs_no_second_name, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_failed_folder_sync_after_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_stale, setup,
		    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
