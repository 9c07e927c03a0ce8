/*
 * test_pathglob.c - include patterns expanded as ACMEd's glob crate does:
 * "**" over any depth, folder-by-folder order, folders only after a final
 * "/", the crate's pattern errors, and no endless walk through a link loop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/err.h"
#include "util/pathglob.h"

static char root[64];

/* The tree every test reads; a name ending in "/" is a folder. */
static const char *const tree[] = {
	"conf/", "conf/x.toml", "conf/.hidden.toml", "conf/a-c.toml",
	"conf/a/", "conf/a/y.toml", "conf/a/b/", "conf/a/b/z.toml",
	"conf/a.b/", "conf/a.b/q.toml", "conf/c/", "conf/c/w.toml",
	"conf/c/notes.txt", "loop/", "loop/d/", "loop/d/f.toml",
	"chars/", "chars/a.toml", "chars/b.toml", "chars/\xc3\xa9.toml",
	"chars/^.toml", "chars/]x.toml", "chars/a\\b.toml", "empty/",
	"latin1/", "latin1/\xe9.toml", "latin1/\xe9/", "latin1/\xe9/f.toml",
};

static int
setup(void **state)
{
	char path[256];
	size_t i, n;
	int fd;

	(void)state;
	strcpy(root, "/tmp/test_pathglob_XXXXXX");
	if (mkdtemp(root) == NULL)
		return -1;
	for (i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, tree[i]);
		n = strlen(path);
		if (path[n - 1] == '/') {
			path[n - 1] = '\0';
			if (mkdir(path, 0755) == -1)
				return -1;
		} else if ((fd = open(path, O_WRONLY | O_CREAT, 0644)) == -1)
			return -1;
		else
			close(fd);
	}
	/* loop/d/up is loop itself. */
	snprintf(path, sizeof(path), "%s/loop/d/up", root);
	return symlink("..", path);
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
	return nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Expands pattern from root and checks the matches, relative to root. */
static void
expect(const char *pattern, const char *const *want, size_t nwant)
{
	struct pathglob g;
	size_t i, rl = strlen(root);

	assert_int_equal(pathglob(root, pattern, &g), 0);
	for (i = 0; i < g.n && i < nwant; i++) {
		assert_true(strncmp(g.paths[i], root, rl) == 0);
		assert_int_equal(g.paths[i][rl], '/');
		assert_string_equal(g.paths[i] + rl + 1, want[i]);
	}
	assert_int_equal(g.n, nwant);
	pathglob_free(&g);
}

#define EXPECT(pattern, ...) do {					\
	static const char *const want_[] = { __VA_ARGS__ };		\
	expect(pattern, want_, sizeof(want_) / sizeof(want_[0]));	\
} while (0)

static void
test_recursive(void **state)
{
	(void)state;
	/* Each folder's entries in byte order, a folder's matches where its
	 * name sorts: "a" < "a-c.toml" < "a.b", so a/... comes before
	 * a-c.toml although "a/" sorts after "a-" and "a." byte by byte. */
	EXPECT("conf/**/*.toml", "conf/.hidden.toml", "conf/a/b/z.toml",
	    "conf/a/y.toml", "conf/a-c.toml", "conf/a.b/q.toml",
	    "conf/c/w.toml", "conf/x.toml");
	EXPECT("conf/**/z.toml", "conf/a/b/z.toml");
	EXPECT("**/w.toml", "conf/c/w.toml");
	EXPECT("conf/a/**/*.toml", "conf/a/b/z.toml", "conf/a/y.toml");
	EXPECT("conf/**/**/y.toml", "conf/a/y.toml");
	/* "**" at the end: the folders below, each before its own. */
	EXPECT("conf/**", "conf/a", "conf/a/b", "conf/a.b", "conf/c");
}

static void
test_one_level(void **state)
{
	(void)state;
	EXPECT("conf/*.toml", "conf/.hidden.toml", "conf/a-c.toml",
	    "conf/x.toml");
	EXPECT("conf/*/*.toml", "conf/a/y.toml", "conf/a.b/q.toml",
	    "conf/c/w.toml");
	EXPECT("conf/[!x]*.toml", "conf/.hidden.toml", "conf/a-c.toml");
	EXPECT("conf/?/", "conf/a", "conf/c");
	EXPECT("conf//c/w.toml", "conf/c/w.toml");
	EXPECT("conf/x.toml", "conf/x.toml");
}

/* "?" and sets take one character, not one byte, as the crate does. */
static void
test_characters(void **state)
{
	(void)state;
	EXPECT("chars/?.toml", "chars/^.toml", "chars/a.toml",
	    "chars/b.toml", "chars/\xc3\xa9.toml");
	EXPECT("chars/[!a].toml", "chars/^.toml", "chars/b.toml",
	    "chars/\xc3\xa9.toml");
	EXPECT("chars/[^a].toml", "chars/^.toml", "chars/a.toml");
	EXPECT("chars/[]]x.toml", "chars/]x.toml");
	EXPECT("chars/[a-c].toml", "chars/a.toml", "chars/b.toml");
	EXPECT("chars/[\xc3\xa0-\xc3\xaa].toml", "chars/\xc3\xa9.toml");
	EXPECT("chars/[b-].toml", "chars/b.toml");
	EXPECT("chars/a\\b.toml", "chars/a\\b.toml");
	EXPECT("chars/*\xc3\xa9*", "chars/\xc3\xa9.toml");
	EXPECT("chars/*.t*l", "chars/]x.toml", "chars/^.toml",
	    "chars/a.toml", "chars/a\\b.toml", "chars/b.toml",
	    "chars/\xc3\xa9.toml");
}

/* A name that is not UTF-8 never matches a component with wildcards:
 * the crate skips it (it matches &str).  "**" still walks through such a
 * folder, and a component without wildcards is looked up as it is. */
static void
test_not_utf8(void **state)
{
	(void)state;
	expect("latin1/*", NULL, 0);
	expect("latin1/?.toml", NULL, 0);
	EXPECT("latin1/**", "latin1/\xe9");
	EXPECT("latin1/**/*.toml", "latin1/\xe9/f.toml");
	EXPECT("latin1/**/f.toml", "latin1/\xe9/f.toml");
	EXPECT("latin1/\xe9/f.toml", "latin1/\xe9/f.toml");
}

static void
test_no_match(void **state)
{
	struct pathglob g;

	(void)state;
	assert_int_equal(pathglob(root, "conf/none.toml", &g), 0);
	assert_int_equal(g.n, 0);
	/* An empty folder (UBSan: no qsort() of a NULL array). */
	assert_int_equal(pathglob(root, "empty/*.toml", &g), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(pathglob(root, "conf/**/*.conf", &g), 0);
	assert_int_equal(g.n, 0);
	/* A file is not a folder to look into. */
	assert_int_equal(pathglob(root, "conf/x.toml/*", &g), 0);
	assert_int_equal(g.n, 0);
	pathglob_free(&g);
}

static void
test_absolute(void **state)
{
	char pattern[128];
	struct pathglob g;

	(void)state;
	snprintf(pattern, sizeof(pattern), "%s/conf/c/*.toml", root);
	assert_int_equal(pathglob("/nonexistent", pattern, &g), 0);
	assert_int_equal(g.n, 1);
	assert_true(strncmp(g.paths[0], root, strlen(root)) == 0);
	assert_string_equal(g.paths[0] + strlen(root), "/conf/c/w.toml");
	pathglob_free(&g);
}

static void
test_link_loop(void **state)
{
	(void)state;
	/* loop/d/up leads back to loop, which is walked through it (it is
	 * not a folder being walked), but not to d again, which is. */
	EXPECT("loop/**/*.toml", "loop/d/f.toml");
	EXPECT("loop/d/up/d/*.toml", "loop/d/up/d/f.toml");
}

static void
test_invalid(void **state)
{
	static const struct {
		const char *pattern, *msg;
	} bad[] = {
		{ "conf/a**", "recursive wildcards must form a single path "
		    "component" },
		{ "**b/x", "recursive wildcards must form a single path "
		    "component" },
		{ "conf/***", "wildcards are either regular `*` or recursive "
		    "`**`" },
		{ "conf/[ab", "invalid range pattern" },
		{ "conf/[]", "invalid range pattern" },
		{ "conf/[!]", "invalid range pattern" },
	};
	struct pathglob g;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pathglob_check(bad[i].pattern), -1);
		assert_string_equal(err_msg(), bad[i].msg);
		assert_int_equal(pathglob(root, bad[i].pattern, &g), -1);
		assert_int_equal(g.n, 0);
		assert_null(g.paths);
	}
	assert_int_equal(pathglob_check("conf/[]]/[!]]/**/*"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recursive),
		cmocka_unit_test(test_one_level),
		cmocka_unit_test(test_characters),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_no_match),
		cmocka_unit_test(test_absolute),
		cmocka_unit_test(test_link_loop),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
