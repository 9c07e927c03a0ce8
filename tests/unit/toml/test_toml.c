/*
 * test_toml.c - the TOML tree: values, positions of keys and values, order,
 * lookups, limits, and inputs that must not be slow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "toml/toml.h"
#include "util/buf.h"
#include "util/err.h"

static struct toml_value *
parse_ok(const char *s)
{
	struct toml_value *root;

	root = toml_parse(s, strlen(s));
	if (root == NULL)
		fail_msg("parse failed: %s", err_msg());
	return root;
}

static const struct toml_value *
get(const struct toml_value *t, const char *key)
{
	const struct toml_entry *e = toml_table_find(t, key);

	if (e == NULL)
		fail_msg("key %s not found", key);
	return e->value;
}

static void
assert_pos(unsigned line, unsigned col, unsigned eline, unsigned ecol)
{
	if (line != eline || col != ecol)
		fail_msg("position %u:%u, expected %u:%u", line, col, eline,
		    ecol);
}

static double
elapsed(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
test_scalars(void **state)
{
	struct toml_value *root;
	const struct toml_value *v;
	size_t len;

	(void)state;
	root = parse_ok(
	    "s = \"a\\tb\\u00e9\\U0001F600\"\n"
	    "lit = 'C:\\path'\n"
	    "ml = \"\"\"\nline1\\\n    line2\"\"\"\n"
	    "i = -9_223_372_036_854_775_808\n"
	    "imax = 9223372036854775807\n"
	    "h = 0xDEAD_beef\n"
	    "o = 0o755\n"
	    "b = 0b1010\n"
	    "f = 6.626e-34\n"
	    "ni = -inf\n"
	    "nn = nan\n"
	    "t = true\n"
	    "nul = \"a\\u0000b\"\n");
	assert_string_equal(toml_string(get(root, "s"), NULL),
	    "a\tb\xc3\xa9\xf0\x9f\x98\x80");
	assert_string_equal(toml_string(get(root, "lit"), NULL), "C:\\path");
	assert_string_equal(toml_string(get(root, "ml"), NULL), "line1line2");
	assert_true(toml_int(get(root, "i")) == INT64_MIN);
	assert_true(toml_int(get(root, "imax")) == INT64_MAX);
	assert_int_equal(toml_int(get(root, "h")), 0xdeadbeef);
	assert_int_equal(toml_int(get(root, "o")), 0755);
	assert_int_equal(toml_int(get(root, "b")), 10);
	assert_true(toml_float(get(root, "f")) == 6.626e-34);
	assert_true(isinf(toml_float(get(root, "ni"))) &&
	    toml_float(get(root, "ni")) < 0);
	assert_true(isnan(toml_float(get(root, "nn"))));
	assert_true(toml_bool(get(root, "t")));
	v = get(root, "nul");
	assert_memory_equal(toml_string(v, &len), "a\0b", 4);
	assert_int_equal(len, 3);

	/* The wrong accessor gives a neutral value, not a crash. */
	assert_null(toml_string(get(root, "i"), NULL));
	assert_int_equal(toml_int(get(root, "s")), 0);
	assert_null(toml_datetime(get(root, "s")));
	assert_int_equal(toml_table_len(get(root, "s")), 0);
	assert_null(toml_table_find(get(root, "s"), "x"));
	assert_int_equal(toml_array_len(root), 0);
	assert_null(toml_array_get(root, 0));
	assert_string_equal(toml_type_name(toml_type(get(root, "t"))),
	    "boolean");
	toml_free(root);
}

/* The corners of multi-line strings. */
static void
test_multiline_strings(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse_ok(
	    "q1 = \"\"\"\"\"\"\"\n"		/* 7 quotes: one in the string */
	    "q2 = \"\"\"a\"\"\"\"\"\n"	/* a"" */
	    "l1 = '''''''\n"
	    "l2 = '''\r\nx\\y'''\n"
	    "trim = \"\"\"\\\r\n  \t\r\n   z\"\"\"\n"
	    "keep = \"\"\"a\r\n\tb\"\"\"\n");
	assert_string_equal(toml_string(get(root, "q1"), NULL), "\"");
	assert_string_equal(toml_string(get(root, "q2"), NULL), "a\"\"");
	assert_string_equal(toml_string(get(root, "l1"), NULL), "'");
	assert_string_equal(toml_string(get(root, "l2"), NULL), "x\\y");
	assert_string_equal(toml_string(get(root, "trim"), NULL), "z");
	assert_string_equal(toml_string(get(root, "keep"), NULL), "a\n\tb");
	toml_free(root);
}

static void
test_datetimes(void **state)
{
	struct toml_value *root;
	const struct toml_datetime *dt;

	(void)state;
	root = parse_ok(
	    "odt = 1979-05-27 07:32:00.999999999999-07:00\n"
	    "z = 1979-05-27t07:32:00z\n"
	    "ldt = 1979-05-27T00:32:00.5\n"
	    "ld = 2024-02-29\n"
	    "lt = 23:59:60\n");
	dt = toml_datetime(get(root, "odt"));
	assert_int_equal(dt->kind, TOML_DT_OFFSET);
	assert_string_equal(dt->text,
	    "1979-05-27T07:32:00.999999999999-07:00");
	assert_int_equal(dt->year, 1979);
	assert_int_equal(dt->month, 5);
	assert_int_equal(dt->day, 27);
	assert_int_equal(dt->hour, 7);
	assert_int_equal(dt->minute, 32);
	assert_int_equal(dt->second, 0);
	assert_int_equal(dt->nanosecond, 999999999);
	assert_int_equal(dt->offset_minutes, -420);
	dt = toml_datetime(get(root, "z"));
	assert_string_equal(dt->text, "1979-05-27T07:32:00Z");
	assert_int_equal(dt->offset_minutes, 0);
	dt = toml_datetime(get(root, "ldt"));
	assert_int_equal(dt->kind, TOML_DT_LOCAL);
	assert_int_equal(dt->nanosecond, 500000000);
	dt = toml_datetime(get(root, "ld"));
	assert_int_equal(dt->kind, TOML_DT_DATE);
	assert_string_equal(dt->text, "2024-02-29");
	dt = toml_datetime(get(root, "lt"));
	assert_int_equal(dt->kind, TOML_DT_TIME);
	assert_int_equal(dt->second, 60);
	assert_string_equal(dt->text, "23:59:60");
	toml_free(root);
}

/* Lines and columns of keys and values; columns count characters. */
static void
test_positions(void **state)
{
	struct toml_value *root;
	const struct toml_value *server, *cert, *arr;
	const struct toml_entry *e;

	(void)state;
	root = parse_ok(
	    "# comment\n"
	    "name = \"x\"\n"
	    "[server]\n"
	    "  port = 8080\n"
	    "  \"k\xc3\xa9 y\" = 1\n"
	    "[[cert]]\n"
	    "\tdomains = [\"a\",\n"
	    "     \"b\"]\n"
	    "  sub.key = {x = 1}\n");
	assert_pos(toml_line(root), toml_col(root), 1, 1);
	e = toml_table_find(root, "name");
	assert_pos(e->line, e->col, 2, 1);
	assert_pos(toml_line(e->value), toml_col(e->value), 2, 8);

	e = toml_table_find(root, "server");
	assert_pos(e->line, e->col, 3, 2);
	server = e->value;
	assert_pos(toml_line(server), toml_col(server), 3, 1);
	e = toml_table_find(server, "port");
	assert_pos(e->line, e->col, 4, 3);
	assert_pos(toml_line(e->value), toml_col(e->value), 4, 10);
	e = toml_table_find(server, "k\xc3\xa9 y");
	assert_non_null(e);
	assert_pos(e->line, e->col, 5, 3);
	assert_pos(toml_line(e->value), toml_col(e->value), 5, 12);

	arr = get(root, "cert");
	assert_int_equal(toml_type(arr), TOML_ARRAY);
	cert = toml_array_get(arr, 0);
	assert_pos(toml_line(cert), toml_col(cert), 6, 1);
	e = toml_table_find(cert, "domains");
	assert_pos(e->line, e->col, 7, 2);
	assert_pos(toml_line(e->value), toml_col(e->value), 7, 12);
	assert_pos(toml_line(toml_array_get(e->value, 1)),
	    toml_col(toml_array_get(e->value, 1)), 8, 6);
	e = toml_table_find(cert, "sub");
	assert_pos(e->line, e->col, 9, 3);
	e = toml_table_find(e->value, "key");
	assert_pos(e->line, e->col, 9, 7);
	assert_pos(toml_line(e->value), toml_col(e->value), 9, 13);
	e = toml_table_find(e->value, "x");
	assert_pos(e->line, e->col, 9, 14);
	toml_free(root);
}

/* CRLF ends a line like LF; a leading BOM takes no column. */
static void
test_crlf_and_bom(void **state)
{
	struct toml_value *root;
	const struct toml_entry *e;

	(void)state;
	root = parse_ok("\xef\xbb\xbf" "a = 1\r\nb = \"\"\"x\r\ny\"\"\"\r\n"
	    "c = 2");
	e = toml_table_find(root, "a");
	assert_pos(e->line, e->col, 1, 1);
	assert_string_equal(toml_string(get(root, "b"), NULL), "x\ny");
	e = toml_table_find(root, "c");
	assert_pos(e->line, e->col, 4, 1);
	toml_free(root);
}

/* Entries come back in the order of the document, not sorted. */
static void
test_order(void **state)
{
	struct toml_value *root;
	const char *want[] = { "zeta", "alpha", "mid", "b", "a" };
	size_t i;

	(void)state;
	root = parse_ok("zeta = 1\nalpha = 2\nmid.x = 3\n[b]\n[a]\n");
	assert_int_equal(toml_table_len(root), 5);
	for (i = 0; i < 5; i++)
		assert_string_equal(toml_table_entry(root, i)->key, want[i]);
	assert_null(toml_table_entry(root, 5));
	toml_free(root);
}

/* The table rules that TOML 1.0 allows. */
static void
test_table_rules(void **state)
{
	struct toml_value *root;
	const struct toml_value *t;

	(void)state;
	/* A super-table may be defined after its sub-table, once. */
	root = parse_ok("[a.b.c]\nx = 1\n[a]\ny = 2\n");
	t = get(root, "a");
	assert_int_equal(toml_int(get(t, "y")), 2);
	assert_pos(toml_line(t), toml_col(t), 3, 1);
	toml_free(root);

	/* Sub-tables under a table made by dotted keys. */
	root = parse_ok("[fruit]\napple.color = 'red'\n"
	    "[fruit.apple.texture]\nsmooth = true\n"
	    "[[fruit.apple.seeds]]\nsize = 2\n");
	t = get(get(root, "fruit"), "apple");
	assert_true(toml_bool(get(get(t, "texture"), "smooth")));
	assert_int_equal(toml_array_len(get(t, "seeds")), 1);
	toml_free(root);

	/* A header continues the last element of an array of tables. */
	root = parse_ok("[[a]]\nx = 1\n[[a]]\nx = 2\n[a.sub]\ny = 3\n");
	t = get(root, "a");
	assert_int_equal(toml_array_len(t), 2);
	assert_null(toml_table_find(toml_array_get(t, 0), "sub"));
	assert_int_equal(toml_int(get(get(toml_array_get(t, 1), "sub"),
	    "y")), 3);
	toml_free(root);

	/* Dotted keys into a table that a header only named in passing. */
	root = parse_ok("[a.b.c]\n[a]\nb.d = 1\n[a.b.e]\n");
	t = get(get(root, "a"), "b");
	assert_int_equal(toml_table_len(t), 3);
	toml_free(root);
}

static void
test_key_quote(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(toml_key_quote(&b, "server_name-1", 13), 0);
	assert_string_equal(buf_str(&b), "server_name-1");
	buf_reset(&b);
	assert_int_equal(toml_key_quote(&b, "a.b \"c\"\\\t\x01", 10), 0);
	assert_string_equal(buf_str(&b), "\"a.b \\\"c\\\"\\\\\\t\\u0001\"");
	buf_reset(&b);
	assert_int_equal(toml_key_quote(&b, "", 0), 0);
	assert_string_equal(buf_str(&b), "\"\"");
	buf_free(&b);
}

/* Nesting stops at TOML_MAX_DEPTH with an error, at every way in. */
static void
test_depth_limit(void **state)
{
	struct buf b;
	struct toml_value *root;
	int i;

	(void)state;
	buf_init(&b, BUF_MAX_DEFAULT);
	buf_puts(&b, "a = ");
	for (i = 0; i < TOML_MAX_DEPTH; i++)
		buf_putc(&b, '[');
	for (i = 0; i < TOML_MAX_DEPTH; i++)
		buf_putc(&b, ']');
	root = toml_parse(b.data, b.len);
	assert_non_null(root);
	toml_free(root);

	buf_reset(&b);
	buf_puts(&b, "a = ");
	for (i = 0; i < 100000; i++)
		buf_putc(&b, '[');
	assert_null(toml_parse(b.data, b.len));
	assert_string_equal(err_msg(), "1:133: tables and arrays nested "
	    "more than 128 levels deep");

	buf_reset(&b);
	buf_puts(&b, "a = ");
	for (i = 0; i < 100000; i++)
		buf_puts(&b, "{a=");
	assert_null(toml_parse(b.data, b.len));
	assert_non_null(strstr(err_msg(), "nested more than 128 levels"));

	buf_reset(&b);
	for (i = 0; i < 100000; i++)
		buf_puts(&b, "a.");
	buf_puts(&b, "a = 1");
	assert_null(toml_parse(b.data, b.len));
	assert_string_equal(err_msg(), "1:257: key has more than 128 dotted "
	    "parts");

	/* 64 levels of headers plus 64 of dotted keys plus one array. */
	buf_reset(&b);
	buf_putc(&b, '[');
	for (i = 0; i < 64; i++)
		buf_puts(&b, i ? ".t" : "t");
	buf_puts(&b, "]\n");
	for (i = 0; i < 64; i++)
		buf_puts(&b, "d.");
	buf_puts(&b, "x = [1]\n");
	assert_null(toml_parse(b.data, b.len));
	assert_non_null(strstr(err_msg(), "nested more than 128 levels"));
	buf_free(&b);
}

/* Inputs that a quadratic algorithm would take minutes over. */
static void
test_large_inputs(void **state)
{
	struct toml_value *root;
	struct timespec t0;
	struct buf b;
	int i;

	(void)state;
	buf_init(&b, BUF_MAX_LARGE);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 10000; i++)
		buf_printf(&b, "[[certificate]]\nname = \"c%d\"\n"
		    "identifiers = [{ dns = \"c%d.example.org\" }]\n"
		    "[certificate.env]\nX = \"%d\"\n", i, i, i);
	root = toml_parse(b.data, b.len);
	assert_non_null(root);
	assert_int_equal(toml_array_len(get(root, "certificate")), 10000);
	toml_free(root);

	/* Many keys in one table, many tables, one long line. */
	buf_reset(&b);
	for (i = 0; i < 50000; i++)
		buf_printf(&b, "key%d = %d\n", i, i);
	for (i = 0; i < 20000; i++)
		buf_printf(&b, "[t%d]\n", i);
	buf_puts(&b, "[long]\na = [");
	for (i = 0; i < 100000; i++)
		buf_puts(&b, "1,");
	buf_puts(&b, "]\n");
	root = toml_parse(b.data, b.len);
	assert_non_null(root);
	assert_int_equal(toml_table_len(root), 50000 + 20000 + 1);
	assert_int_equal(toml_int(get(root, "key49999")), 49999);
	toml_free(root);
	/* Generous for sanitizer builds; a quadratic parser takes minutes. */
	assert_true(elapsed(&t0) < 10.0);

	/* A duplicate among many keys is still found. */
	buf_reset(&b);
	for (i = 0; i < 5000; i++)
		buf_printf(&b, "k%d = 1\n", i);
	buf_puts(&b, "k4321 = 2\n");
	assert_null(toml_parse(b.data, b.len));
	assert_string_equal(err_msg(), "5001:1: duplicate key \"k4321\" "
	    "(first defined at 4322:1)");
	buf_free(&b);
}

/* The input is pointer + length: nothing past it is read. */
static void
test_length_bound(void **state)
{
	struct toml_value *root;
	char *p;

	(void)state;
	/* Exactly sized allocations, so ASan sees any overread. */
	p = malloc(5);
	memcpy(p, "a = 1", 5);
	root = toml_parse(p, 5);
	assert_non_null(root);
	assert_int_equal(toml_int(get(root, "a")), 1);
	toml_free(root);
	memcpy(p, "a = \"", 5);
	assert_null(toml_parse(p, 5));
	memcpy(p, "a=\"\\u", 5);
	assert_null(toml_parse(p, 5));
	memcpy(p, "a=\"\"\"", 5);
	assert_null(toml_parse(p, 5));
	memcpy(p, "a=199", 5);
	root = toml_parse(p, 4);
	assert_non_null(root);
	assert_int_equal(toml_int(get(root, "a")), 19);
	toml_free(root);
	free(p);

	root = toml_parse("", 0);
	assert_non_null(root);
	assert_int_equal(toml_table_len(root), 0);
	toml_free(root);
	root = toml_parse(NULL, 0);
	assert_non_null(root);
	toml_free(root);
	toml_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_multiline_strings),
		cmocka_unit_test(test_datetimes),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_crlf_and_bom),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_table_rules),
		cmocka_unit_test(test_key_quote),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_large_inputs),
		cmocka_unit_test(test_length_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
