/*
 * test_log.c - log levels, the stderr line format, lazy arguments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"

static int evaluated;

static const char *
side_effect(void)
{
	evaluated++;
	return "x";
}

/* Runs fn with stderr going to a temporary file; returns what it wrote. */
static char *
capture_stderr(void (*fn)(void))
{
	char path[] = "/tmp/test_log_XXXXXX";
	struct buf b;
	int fd, saved;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	buf_init(&b, 65536);
	assert_int_equal(buf_read_file(&b, path), 0);
	unlink(path);
	return buf_steal(&b);
}

static void
emit_some(void)
{
	log_init("tester", LOG_SINK_STDERR, LOGL_INFO);
	log_error("an error %d", 1);
	log_warn("a warning");
	log_info("some info\nwith a newline");
	log_debug("hidden %s", side_effect());
	log_trace("hidden %s", side_effect());
}

static void
test_levels_and_format(void **state)
{
	char *out, *line2, *line3;

	(void)state;
	evaluated = 0;
	out = capture_stderr(emit_some);
	assert_int_equal(evaluated, 0);
	/* [YYYY-MM-DDTHH:MM:SSZ LEVEL ident] message */
	assert_int_equal(out[0], '[');
	assert_int_equal(out[11], 'T');
	assert_int_equal(out[20], 'Z');
	assert_memory_equal(out + 21, " ERROR tester] an error 1\n", 26);
	line2 = strchr(out, '\n') + 1;
	assert_memory_equal(line2 + 21, " WARN  tester] a warning\n", 25);
	line3 = strchr(line2, '\n') + 1;
	assert_string_equal(line3 + 21,
	    " INFO  tester] some info with a newline\n");
	free(out);
}

static void
emit_trace(void)
{
	log_init("tester", LOG_SINK_STDERR, LOGL_TRACE);
	log_trace("shown %s", side_effect());
}

static void
test_trace_evaluates(void **state)
{
	char *out;

	(void)state;
	evaluated = 0;
	out = capture_stderr(emit_trace);
	assert_int_equal(evaluated, 1);
	assert_non_null(strstr(out, "TRACE tester] shown x\n"));
	free(out);
}

static void
test_parse(void **state)
{
	enum log_level l;

	(void)state;
	assert_int_equal(log_level_parse("error", &l), 0);
	assert_int_equal(l, LOGL_ERROR);
	assert_int_equal(log_level_parse("warn", &l), 0);
	assert_int_equal(l, LOGL_WARN);
	assert_int_equal(log_level_parse("info", &l), 0);
	assert_int_equal(log_level_parse("debug", &l), 0);
	assert_int_equal(log_level_parse("trace", &l), 0);
	assert_int_equal(l, LOGL_TRACE);
	assert_int_equal(log_level_parse("warning", &l), -1);
	assert_non_null(strstr(err_msg(), "warning: invalid log level"));
	assert_int_equal(log_level_parse("", &l), -1);
	assert_string_equal(log_level_name(LOGL_DEBUG), "debug");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels_and_format),
		cmocka_unit_test(test_trace_evaluates),
		cmocka_unit_test(test_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
