/*
 * test_tmpl_value.c - the value API the daemon builds contexts with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpl_test.h"

static const char *
print(const struct tmpl_value *v)
{
	static char tmp[1024];
	struct buf b;

	buf_init(&b, sizeof(tmp) - 1);
	assert_int_equal(tmpl_value_print(v, &b), 0);
	snprintf(tmp, sizeof(tmp), "%s", buf_str(&b));
	buf_free(&b);
	return tmp;
}

static void
test_scalars(void **state)
{
	struct tmpl_value *v;

	(void)state;
	/* Outside a rendering, printed as ACMEd's MiniJinja prints them. */
	v = tmpl_value_none();
	assert_string_equal(print(v), "none");
	tmpl_value_free(v);
	v = tmpl_value_bool(1);
	assert_string_equal(print(v), "true");
	tmpl_value_free(v);
	v = tmpl_value_int(-42);
	assert_string_equal(print(v), "-42");
	tmpl_value_free(v);
	v = tmpl_value_int(INT64_MIN);
	assert_string_equal(print(v), "-9223372036854775808");
	tmpl_value_free(v);
	v = tmpl_value_float(2.5);
	assert_string_equal(print(v), "2.5");
	tmpl_value_free(v);
	v = tmpl_value_float(3);
	assert_string_equal(print(v), "3.0");
	tmpl_value_free(v);
	v = tmpl_value_strn("a\0b", 3);
	assert_non_null(v);
	tmpl_value_free(v);
	v = tmpl_value_str("héllo");
	assert_string_equal(print(v), "héllo");
	tmpl_value_free(v);
	tmpl_value_free(NULL);
}

static void
test_containers(void **state)
{
	struct tmpl_value *l, *m;

	(void)state;
	l = tmpl_value_list();
	assert_int_equal(tmpl_list_push(l, tmpl_value_int(1)), 0);
	assert_int_equal(tmpl_list_push(l, tmpl_value_str("two")), 0);
	assert_int_equal(tmpl_list_push(l, tmpl_value_none()), 0);
	assert_string_equal(print(l), "[1, \"two\", none]");

	m = tmpl_value_map();
	assert_int_equal(tmpl_map_set(m, "b", tmpl_value_int(1)), 0);
	assert_int_equal(tmpl_map_set(m, "a", l), 0);	/* takes l */
	/* Sorted by key, as MiniJinja's maps, whatever the order they
	 * were filled in. */
	assert_int_equal(tmpl_map_set(m, "b", tmpl_value_str("x")), 0);
	assert_string_equal(print(m),
	    "{\"a\": [1, \"two\", none], \"b\": \"x\"}");
	assert_string_equal(render("{{ a[1] }}{{ b }}{{ a|length }}", m),
	    "twox3");
	tmpl_value_free(m);
}

static void
test_null_items(void **state)
{
	struct tmpl_value *l, *m, *n;

	(void)state;
	l = tmpl_value_list();
	m = tmpl_value_map();
	/* A failed constructor passed straight in: -1, error kept. */
	err_set("constructor failed");
	assert_int_equal(tmpl_list_push(l, NULL), -1);
	assert_string_equal(err_msg(), "constructor failed");
	assert_int_equal(tmpl_map_set(m, "k", NULL), -1);
	assert_string_equal(err_msg(), "constructor failed");
	/* Wrong containers consume the item. */
	n = tmpl_value_int(1);
	assert_int_equal(tmpl_list_push(m, n), -1);
	assert_int_equal(tmpl_map_set(l, "k", tmpl_value_int(2)), -1);
	assert_int_equal(tmpl_map_set(NULL, "k", tmpl_value_int(2)), -1);
	tmpl_value_free(l);
	tmpl_value_free(m);
}

static void
test_refcounts(void **state)
{
	struct tmpl_value *shared, *a, *b;

	(void)state;
	shared = tmpl_value_str("shared");
	a = tmpl_value_map();
	b = tmpl_value_list();
	assert_int_equal(tmpl_map_set(a, "s", tmpl_value_ref(shared)), 0);
	assert_int_equal(tmpl_list_push(b, tmpl_value_ref(shared)), 0);
	tmpl_value_free(shared);
	tmpl_value_free(a);
	assert_string_equal(print(b), "[\"shared\"]");
	tmpl_value_free(b);
}

static void
test_nesting_limit(void **state)
{
	struct tmpl_value *v, *outer;
	int i, rc = 0;

	(void)state;
	/* Printing, comparing and freeing recurse; nesting is capped. */
	v = tmpl_value_list();
	for (i = 0; i < 1000 && rc == 0; i++) {
		outer = tmpl_value_list();
		rc = tmpl_list_push(outer, v);
		v = outer;
	}
	assert_int_equal(rc, -1);
	assert_string_equal(err_msg(), "value nested too deeply");
	tmpl_value_free(v);
}

static void
test_oneshot(void **state)
{
	struct tmpl_value *ctx = tmpl_value_map();

	(void)state;
	assert_int_equal(tmpl_map_set(ctx, "it",
	    tmpl_value_oneshot_range(4)), 0);
	assert_string_equal(render("{% for x in it %}{{ x }}{% if x == 1 %}"
	    "{% break %}{% endif %}{% endfor %}|{% for x in it %}{{ x }}"
	    "{% endfor %}|{% for x in it %}{{ x }}{% endfor %}", ctx),
	    "01|23|");
	tmpl_value_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_null_items),
		cmocka_unit_test(test_refcounts),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_oneshot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
