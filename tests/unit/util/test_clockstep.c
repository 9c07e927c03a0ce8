/*
 * test_clockstep.c - the wall clock's watcher: a wake descriptor ends its
 * wait; an offset that no longer holds (the clock set before the wait
 * began) is told at once; a suspend (in a time namespace whose boot
 * clock is ahead) is no step.  A real set of the clock needs CAP_SYS_TIME
 * and would move the machine's clock: not done here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/clockstep.h"

static void
test_woken(void **state)
{
	int fd, wake;

	(void)state;
	assert_true((fd = clockstep_open()) >= 0);
	assert_true((wake = eventfd(0, EFD_CLOEXEC)) >= 0);
	assert_int_equal(eventfd_write(wake, 1), 0);
	assert_int_equal(clockstep_wait(fd, wake, clockstep_offset()), 0);
	close(wake);
	close(fd);
}

static void
test_set_before_the_wait(void **state)
{
	int fd, wake;

	(void)state;
	assert_true((fd = clockstep_open()) >= 0);
	assert_true((wake = eventfd(0, EFD_CLOEXEC)) >= 0);
	/* Not woken: the offset given is an hour off. */
	assert_int_equal(clockstep_wait(fd, wake, clockstep_offset() + 3600),
	    1);
	assert_int_equal(clockstep_wait(fd, wake, clockstep_offset() - 2), 1);
	close(wake);
	close(fd);
}

/* In a time namespace whose CLOCK_BOOTTIME is a day ahead of its
 * CLOCK_MONOTONIC, as after a day asleep: the offset is the wall clock
 * minus CLOCK_BOOTTIME, so that a suspend is no step (a resume cancels
 * the timer as a set does).  The child's exit status: 0 good, 1 wrong,
 * 2 no time namespace here (not root, an old kernel). */
static int
offset_in_namespace(void)
{
	struct timespec wall, boot, mono;
	time_t off;
	pid_t pid;
	FILE *f;
	int status;

	if (unshare(CLONE_NEWTIME) == -1)
		return 2;
	/* Only before a process is in it. */
	if ((f = fopen("/proc/self/timens_offsets", "w")) == NULL ||
	    fprintf(f, "boottime 86400 0\n") < 0 || fclose(f) != 0)
		return 2;
	if ((pid = fork()) == 0) {
		off = clockstep_offset();
		clock_gettime(CLOCK_REALTIME, &wall);
		clock_gettime(CLOCK_BOOTTIME, &boot);
		clock_gettime(CLOCK_MONOTONIC, &mono);
		if (boot.tv_sec - mono.tv_sec < 86400 - 2)
			_exit(2);
		_exit(labs((long)(off - (wall.tv_sec - boot.tv_sec))) <= 1 ?
		    0 : 1);
	}
	if (pid == -1 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}

static void
test_suspend_is_no_step(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	if ((pid = fork()) == 0)
		_exit(offset_in_namespace());
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 2)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_woken),
		cmocka_unit_test(test_set_before_the_wait),
		cmocka_unit_test(test_suspend_is_no_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
