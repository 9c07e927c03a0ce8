/*
 * test_clockstep.c - the wall clock's watcher: a wake descriptor ends its
 * wait; an offset that no longer holds (the clock set before the wait
 * began) is told at once.  A real set of the clock needs CAP_SYS_TIME and
 * would move the machine's clock: not done here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/eventfd.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_woken),
		cmocka_unit_test(test_set_before_the_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
