/*
 * test_buf.c - the capped buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/err.h"

static void
test_append_and_str(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_puts(&b, "hello"), 0);
	assert_int_equal(buf_putc(&b, ' '), 0);
	assert_int_equal(buf_printf(&b, "%s %d", "world", 42), 0);
	assert_string_equal(buf_str(&b), "hello world 42");
	assert_int_equal(b.len, 14);
	buf_truncate(&b, 5);
	assert_string_equal(buf_str(&b), "hello");
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	buf_free(&b);
}

static void
test_cap_is_enforced(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "12345678"), 0);
	/* One byte over the cap fails and leaves the contents alone. */
	assert_int_equal(buf_putc(&b, '9'), -1);
	assert_non_null(strstr(err_msg(), "limit of 8 bytes"));
	assert_string_equal(buf_str(&b), "12345678");
	assert_int_equal(buf_printf(&b, "%d", 1), -1);
	assert_int_equal(b.len, 8);
	buf_free(&b);

	buf_init(&b, 4);
	assert_int_equal(buf_append(&b, "abcdefgh", SIZE_MAX), -1);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
test_growth(void **state)
{
	struct buf b;
	int i;

	(void)state;
	buf_init(&b, 1 << 20);
	for (i = 0; i < 10000; i++)
		assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.data[9999], 'a' + 9999 % 26);
	assert_int_equal(b.data[10000], '\0');
	buf_free_secure(&b);
	assert_null(b.data);
}

static void
test_steal(void **state)
{
	struct buf b;
	char *s;

	(void)state;
	buf_init(&b, 10);
	s = buf_steal(&b);
	assert_string_equal(s, "");
	free(s);
	buf_puts(&b, "abc");
	s = buf_steal(&b);
	assert_string_equal(s, "abc");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(s);
}

static void
test_read_file(void **state)
{
	char path[] = "/tmp/test_buf_XXXXXX";
	struct buf b;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	close(fd);

	buf_init(&b, 10);
	assert_int_equal(buf_read_file(&b, path), 0);
	assert_string_equal(buf_str(&b), "0123456789");
	buf_free(&b);

	buf_init(&b, 9);
	assert_int_equal(buf_read_file(&b, path), -1);
	assert_non_null(strstr(err_msg(), path));
	buf_free(&b);
	unlink(path);

	buf_init(&b, 9);
	assert_int_equal(buf_read_file(&b, "/nonexistent/x"), -1);
	assert_string_equal(err_msg(),
	    "/nonexistent/x: No such file or directory");
	buf_free(&b);
}

/* The stat of the file read, for a caller that checks owner and mode;
 * a symbolic link is not followed. */
static void
test_read_regular_stat(void **state)
{
	char path[] = "/tmp/test_buf_XXXXXX", link[64];
	struct stat st, want;
	struct buf b;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	assert_int_equal(fchmod(fd, 0640), 0);
	assert_int_equal(fstat(fd, &want), 0);
	close(fd);

	buf_init(&b, 10);
	memset(&st, 0, sizeof(st));
	assert_int_equal(buf_read_regular_stat(&b, path, &st), 0);
	assert_string_equal(buf_str(&b), "abc");
	assert_int_equal(st.st_ino, want.st_ino);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_uid, geteuid());
	buf_free(&b);

	snprintf(link, sizeof(link), "%s.link", path);
	assert_int_equal(symlink(path, link), 0);
	buf_init(&b, 10);
	assert_int_equal(buf_read_regular_stat(&b, link, &st), -1);
	assert_non_null(strstr(err_msg(), "a symbolic link"));
	buf_free(&b);
	unlink(link);
	unlink(path);
}

/* Freed blocks are watched for a secret; realloc() always moves, as the
 * heap may make it (the old block then goes back with what it held). */
#define SECRET	"0123456789abcdef-secret"

void	*__real_realloc(void *, size_t);
void	*__wrap_realloc(void *, size_t);
void	 __real_free(void *);
void	 __wrap_free(void *);
static int watching, freed_secret;

void *
__wrap_realloc(void *old, size_t n)
{
	void *p;

	if (!watching || old == NULL)
		return __real_realloc(old, n);
	if ((p = malloc(n)) != NULL) {
		memcpy(p, old, malloc_usable_size(old) < n ?
		    malloc_usable_size(old) : n);
		free(old);
	}
	return p;
}

void
__wrap_free(void *p)
{
	if (watching && p != NULL &&
	    memmem(p, malloc_usable_size(p), SECRET, strlen(SECRET)) != NULL)
		freed_secret = 1;
	__real_free(p);
}

/* A buffer that grows leaves nothing of what it held behind: a key in it
 * is wiped by buf_free_secure() alone. */
static void
test_growth_leaves_no_copy(void **state)
{
	struct buf b;
	int i;

	(void)state;
	buf_init(&b, 1 << 20);
	watching = 1;
	freed_secret = 0;
	for (i = 0; i < 200; i++)
		assert_int_equal(buf_puts(&b, SECRET), 0);
	buf_free_secure(&b);
	watching = 0;
	assert_false(freed_secret);
}

static void
test_err_prefix(void **state)
{
	(void)state;
	err_clear();
	assert_string_equal(err_msg(), "");
	assert_int_equal(err_set("inner %d", 1), -1);
	assert_int_equal(err_prefix("outer"), -1);
	assert_string_equal(err_msg(), "outer: inner 1");
	err_clear();
	err_prefix("only");
	assert_string_equal(err_msg(), "only");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_str),
		cmocka_unit_test(test_cap_is_enforced),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_steal),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_read_regular_stat),
		cmocka_unit_test(test_growth_leaves_no_copy),
		cmocka_unit_test(test_err_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
