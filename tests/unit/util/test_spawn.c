/*
 * test_spawn.c - running programs without a shell: argv, environment,
 * stdin, capped output, timeouts, exit status and signals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/spawn.h"
#include "util/stop.h"

static const char *child;	/* path of spawn_child */
static char *child_env[] = { "PATH=/usr/bin:/bin", "ONLY=this", NULL };

static void
run(struct spawn_cmd *cmd, struct spawn_status *st)
{
	cmd->file = child;
	if (cmd->envp == NULL)
		cmd->envp = child_env;
	assert_int_equal(spawn_run(cmd, st), 0);
}

static void
test_argv_is_exact(void **state)
{
	char *argv[] = { "spawn_child", "args", "two words", "$(touch /tmp/x)",
	    "'quoted'", "", ";|&", NULL };
	struct spawn_cmd cmd = { .argv = argv };
	struct spawn_status st;
	struct buf out;

	(void)state;
	buf_init(&out, 4096);
	cmd.stdout_buf = &out;
	run(&cmd, &st);
	assert_true(spawn_ok(&st));
	assert_string_equal(buf_str(&out), "[two words]\n[$(touch /tmp/x)]\n"
	    "['quoted']\n[]\n[;|&]\n");
	buf_free(&out);
}

static void
test_environment_is_explicit(void **state)
{
	char *argv[] = { "spawn_child", "env", NULL };
	struct spawn_cmd cmd = { .argv = argv };
	struct spawn_status st;
	struct buf out;

	(void)state;
	setenv("LEAK_ME", "no", 1);
	buf_init(&out, 4096);
	cmd.stdout_buf = &out;
	run(&cmd, &st);
	assert_true(spawn_ok(&st));
	assert_string_equal(buf_str(&out), "PATH=/usr/bin:/bin\nONLY=this\n");
	buf_free(&out);
}

static void
test_stdin_from_buffer_large(void **state)
{
	char *argv[] = { "spawn_child", "cat", NULL };
	struct spawn_cmd cmd = { .argv = argv };
	struct spawn_status st;
	struct buf out, err;
	size_t n = 1 << 20, i;
	char *in;

	(void)state;
	/* More than any pipe holds: feeding and reading must interleave. */
	in = malloc(n);
	for (i = 0; i < n; i++)
		in[i] = (char)('a' + i % 26);
	buf_init(&out, n);
	buf_init(&err, 100);
	cmd.stdin_data = in;
	cmd.stdin_len = n;
	cmd.stdout_buf = &out;
	cmd.stderr_buf = &err;
	run(&cmd, &st);
	assert_true(spawn_ok(&st));
	assert_false(st.truncated);
	assert_int_equal(out.len, n);
	assert_memory_equal(out.data, in, n);
	assert_string_equal(buf_str(&err), "done\n");
	buf_free(&out);
	buf_free(&err);
	free(in);
}

static void
test_stdin_and_stdout_files(void **state)
{
	char in_path[] = "/tmp/test_spawn_in_XXXXXX";
	char out_path[] = "/tmp/test_spawn_out_XXXXXX";
	char *argv[] = { "spawn_child", "cat", NULL };
	/* Given unchanged: CRLF, bytes that are not UTF-8, no final
	 * newline (ACMEd rewrote the lines; see README). */
	static const char in[] = "from a file\r\nnot UTF-8: \xff\xfe";
	struct spawn_cmd cmd = { .argv = argv };
	struct spawn_status st;
	struct buf got;
	int fd;

	(void)state;
	fd = mkstemp(in_path);
	assert_int_equal(write(fd, in, sizeof(in) - 1), sizeof(in) - 1);
	close(fd);
	fd = mkstemp(out_path);
	assert_int_equal(write(fd, "old contents that are longer", 28), 28);
	close(fd);
	cmd.stdin_path = in_path;
	cmd.stdout_path = out_path;
	run(&cmd, &st);
	assert_true(spawn_ok(&st));
	buf_init(&got, 100);
	assert_int_equal(buf_read_file(&got, out_path), 0);
	assert_int_equal(got.len, sizeof(in) - 1);
	assert_memory_equal(got.data, in, sizeof(in) - 1);
	buf_free(&got);
	unlink(in_path);
	unlink(out_path);

	/* A redirection that cannot be opened is named in the error. */
	cmd.stdin_path = "/nonexistent/stdin";
	cmd.stdout_path = NULL;
	assert_int_equal(spawn_run(&cmd, &st), -1);
	assert_non_null(strstr(err_msg(), "stdin file /nonexistent/stdin"));
}

static void
test_child_ignores_stdin(void **state)
{
	char *argv[] = { "spawn_child", "exit", "0", NULL };
	struct spawn_cmd cmd = { .argv = argv };
	struct spawn_status st;
	static char in[1 << 20];

	(void)state;
	cmd.stdin_data = in;
	cmd.stdin_len = sizeof(in);
	run(&cmd, &st);
	assert_true(spawn_ok(&st));
	/* SIGPIPE was not left pending for this thread either. */
	sigset_t pending;
	sigpending(&pending);
	assert_false(sigismember(&pending, SIGPIPE));
}

static void
test_flood_is_capped(void **state)
{
	char *argv[] = { "spawn_child", "flood", NULL };
	struct spawn_cmd cmd = { .argv = argv };
	struct spawn_status st;
	struct buf err;

	(void)state;
	buf_init(&err, 1000);
	cmd.stderr_buf = &err;
	run(&cmd, &st);
	assert_true(spawn_ok(&st));
	assert_true(st.truncated);
	assert_int_equal(err.len, 1000);
	buf_free(&err);
}

static int
process_gone(pid_t pid)
{
	char path[64], stat[256];
	FILE *f;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 1;
	p = fgets(stat, sizeof(stat), f);
	fclose(f);
	/* A zombie waiting for a reaper is gone too. */
	return p == NULL || strstr(stat, ") Z ") != NULL;
}

static void
check_hang(char *mode, int want_signal)
{
	char *argv[] = { "spawn_child", "hang", mode, NULL };
	struct spawn_cmd cmd = { .argv = argv };
	struct spawn_status st;
	struct buf out;
	char desc[128];
	int grandchild, i;

	buf_init(&out, 100);
	cmd.stdout_buf = &out;
	cmd.timeout_ms = 300;
	run(&cmd, &st);
	assert_true(st.timed_out);
	assert_false(st.exited);
	assert_int_equal(st.signo, want_signal);
	assert_non_null(strstr(spawn_describe(&st, &cmd, desc, sizeof(desc)),
	    "timed out after 300 ms"));
	/* The grandchild in the child's session was killed too. */
	grandchild = atoi(buf_str(&out));
	assert_true(grandchild > 0);
	for (i = 0; i < 200 && !process_gone(grandchild); i++)
		usleep(10000);
	assert_true(process_gone(grandchild));
	buf_free(&out);
}

static void
test_timeout_kills_group(void **state)
{
	(void)state;
	check_hang("", SIGTERM);
}

static void
test_timeout_escalates_to_kill(void **state)
{
	(void)state;
	check_hang("deaf", SIGKILL);
}

static void *
stop_soon(void *arg)
{
	(void)arg;
	usleep(200000);
	stop_set();
	return NULL;
}

static void
test_stop_kills_stoppable(void **state)
{
	char *argv[] = { "spawn_child", "hang", "", NULL };
	struct spawn_cmd cmd = { .argv = argv };
	struct spawn_status st;
	struct buf out;
	pthread_t th;
	char desc[128];

	(void)state;
	buf_init(&out, 100);
	cmd.stdout_buf = &out;
	cmd.timeout_ms = 60000;
	cmd.stoppable = 1;
	pthread_create(&th, NULL, stop_soon, NULL);
	run(&cmd, &st);
	pthread_join(th, NULL);
	stop_reset();
	assert_true(st.stopped);
	assert_false(st.timed_out);
	assert_int_equal(st.signo, SIGTERM);
	assert_string_equal(spawn_describe(&st, &cmd, desc, sizeof(desc)),
	    "killed because acmed is stopping");
	buf_free(&out);
}

static void
test_status_reporting(void **state)
{
	char *argv_exit[] = { "spawn_child", "exit", "42", NULL };
	char *argv_kill[] = { "spawn_child", "kill", "6", NULL };
	struct spawn_cmd cmd = { .argv = argv_exit };
	struct spawn_status st;
	char desc[128];

	(void)state;
	run(&cmd, &st);
	assert_true(st.exited);
	assert_int_equal(st.code, 42);
	assert_false(spawn_ok(&st));
	assert_string_equal(spawn_describe(&st, &cmd, desc, sizeof(desc)),
	    "exit code 42");

	cmd.argv = argv_kill;
	run(&cmd, &st);
	assert_false(st.exited);
	assert_int_equal(st.signo, 6);
	assert_non_null(strstr(spawn_describe(&st, &cmd, desc, sizeof(desc)),
	    "killed by signal 6"));
}

static void
test_only_std_fds(void **state)
{
	char *argv[] = { "spawn_child", "fds", NULL };
	struct spawn_cmd cmd = { .argv = argv };
	struct spawn_status st;
	int leak = dup(0);	/* not close-on-exec */

	(void)state;
	run(&cmd, &st);
	close(leak);
	assert_true(st.exited);
	assert_int_equal(st.code, 0);
}

static void
test_daemonising_child_does_not_hang(void **state)
{
	char *argv[] = { "spawn_child", "daemon", NULL };
	struct spawn_cmd cmd = { .argv = argv };
	struct spawn_status st;
	struct buf out;
	time_t t0 = time(NULL);

	(void)state;
	buf_init(&out, 100);
	cmd.stdout_buf = &out;
	cmd.timeout_ms = 20000;
	run(&cmd, &st);
	assert_true(spawn_ok(&st));
	assert_false(st.timed_out);
	assert_true(time(NULL) - t0 < 10);
	buf_free(&out);
}

/* A folder for a grandchild's signal and report. */
struct bg {
	char	dir[64];
	char	go[96];
	char	marker[96];
};

static void
bg_init(struct bg *bg)
{
	snprintf(bg->dir, sizeof(bg->dir), "/tmp/test_spawn_bg_XXXXXX");
	assert_non_null(mkdtemp(bg->dir));
	snprintf(bg->go, sizeof(bg->go), "%s/go", bg->dir);
	snprintf(bg->marker, sizeof(bg->marker), "%s/marker", bg->dir);
}

/* Lets the grandchild go, and waits (20 s at most) for its report. */
static void
bg_report(struct bg *bg, struct buf *report)
{
	int fd, i;

	fd = open(bg->go, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	for (i = 0; i < 2000 && access(bg->marker, F_OK) == -1; i++)
		usleep(10000);
	assert_int_equal(buf_read_file(report, bg->marker), 0);
	unlink(bg->go);
	unlink(bg->marker);
	rmdir(bg->dir);
}

/* A hook that starts a server leaves it writing to its stdout and
 * stderr after it exited, and after acmed stopped capturing them (or
 * exited): those writes must not fail (ACMEd gave such a hook
 * /dev/null). */
static void
test_background_writer_outlives_capture(void **state)
{
	struct bg bg;
	char *argv[] = { "spawn_child", "bgwrite", bg.go, bg.marker, NULL };
	struct spawn_cmd cmd = { .argv = argv };
	struct spawn_status st;
	struct buf out, err, report;

	(void)state;
	bg_init(&bg);
	buf_init(&out, 4096);
	buf_init(&err, 4096);
	buf_init(&report, 256);
	cmd.stdout_buf = &out;
	cmd.stderr_buf = &err;
	cmd.timeout_ms = 20000;
	run(&cmd, &st);
	assert_true(spawn_ok(&st));
	assert_false(st.truncated);
	/* The child's own output, nothing of what came later. */
	assert_string_equal(buf_str(&out), "child out\n");
	assert_string_equal(buf_str(&err), "child err\n");
	bg_report(&bg, &report);
	/* Every write went through, and the child's output no longer
	 * takes memory once read. */
	assert_string_equal(buf_str(&report), "ok 0");
	buf_free(&out);
	buf_free(&err);
	buf_free(&report);
}

/* A background process reading the stdin it inherited gets all of it,
 * however late (ACMEd wrote it whole before waiting). */
static void
test_background_reader_gets_all_stdin(void **state)
{
	struct bg bg;
	char *argv[] = { "spawn_child", "bgread", bg.go, bg.marker, NULL };
	struct spawn_cmd cmd = { .argv = argv };
	struct spawn_status st;
	struct buf report;
	static char in[1 << 20];

	(void)state;
	bg_init(&bg);
	buf_init(&report, 256);
	memset(in, 'i', sizeof(in));
	cmd.stdin_data = in;
	cmd.stdin_len = sizeof(in);
	cmd.timeout_ms = 20000;
	run(&cmd, &st);
	assert_true(spawn_ok(&st));
	bg_report(&bg, &report);
	assert_string_equal(buf_str(&report), "ok 1048576");
	buf_free(&report);
}

/* Output past the cap is dropped while the child runs, not only once
 * it exited: a flood takes no more memory than the cap and what comes
 * between two looks (the child waits until it is dropped). */
static void
test_flood_does_not_pile_up(void **state)
{
	char *argv[] = { "spawn_child", "floodwait", NULL };
	struct spawn_cmd cmd = { .argv = argv };
	struct spawn_status st;
	struct buf out;

	(void)state;
	buf_init(&out, 1000);
	cmd.stdout_buf = &out;
	cmd.timeout_ms = 30000;
	run(&cmd, &st);
	assert_true(st.exited);
	assert_int_equal(st.code, 0);
	assert_true(st.truncated);
	assert_int_equal(out.len, 1000);
	assert_int_equal(strspn(buf_str(&out), "y"), 1000);
	buf_free(&out);
}

static void
test_path_lookup(void **state)
{
	char *argv[] = { "true", NULL };
	char *env_ok[] = { "PATH=/nonexistent:/usr/bin:/bin", NULL };
	char *env_bad[] = { "PATH=/nonexistent", NULL };
	struct spawn_cmd cmd = { .file = "true", .argv = argv };
	struct spawn_status st;
	char *p;

	(void)state;
	cmd.envp = env_ok;
	assert_int_equal(spawn_run(&cmd, &st), 0);
	assert_true(spawn_ok(&st));
	cmd.envp = env_bad;
	assert_int_equal(spawn_run(&cmd, &st), -1);
	assert_string_equal(err_msg(),
	    "true: command not found in PATH (/nonexistent)");
	p = spawn_which("true", env_ok);
	assert_non_null(p);
	assert_true(strcmp(p, "/usr/bin/true") == 0 ||
	    strcmp(p, "/bin/true") == 0);
	free(p);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argv_is_exact),
		cmocka_unit_test(test_environment_is_explicit),
		cmocka_unit_test(test_stdin_from_buffer_large),
		cmocka_unit_test(test_stdin_and_stdout_files),
		cmocka_unit_test(test_child_ignores_stdin),
		cmocka_unit_test(test_flood_is_capped),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_timeout_escalates_to_kill),
		cmocka_unit_test(test_stop_kills_stoppable),
		cmocka_unit_test(test_status_reporting),
		cmocka_unit_test(test_only_std_fds),
		cmocka_unit_test(test_daemonising_child_does_not_hang),
		cmocka_unit_test(test_background_writer_outlives_capture),
		cmocka_unit_test(test_background_reader_gets_all_stdin),
		cmocka_unit_test(test_flood_does_not_pile_up),
		cmocka_unit_test(test_path_lookup),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test_spawn /path/to/spawn_child\n");
		return 1;
	}
	child = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
