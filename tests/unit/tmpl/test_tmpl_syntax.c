/*
 * test_tmpl_syntax.c - the lexer and parser: text, tags, whitespace
 * control, comments, raw blocks, literals, and errors with positions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpl_test.h"

static void
test_text_and_trailing_newline(void **state)
{
	(void)state;
	assert_string_equal(render("", NULL), "");
	assert_string_equal(render("plain text", NULL), "plain text");
	/* One trailing newline goes, as in Jinja; a second one stays. */
	assert_string_equal(render("a\n", NULL), "a");
	assert_string_equal(render("a\r\n", NULL), "a");
	assert_string_equal(render("a\n\n", NULL), "a\n");
	assert_string_equal(render("{ { } %} #}", NULL), "{ { } %} #}");
}

static void
test_whitespace_control(void **state)
{
	(void)state;
	assert_string_equal(render("a  \n {{- 1 -}} \n  b", NULL), "a1b");
	assert_string_equal(render("a \n{%- if true -%}\n x \n"
	    "{%- endif -%}\n b", NULL), "axb");
	assert_string_equal(render("a {#- note -#} b", NULL), "ab");
	assert_string_equal(render("a {#+ note +#} b", NULL), "a  b");
	assert_string_equal(render("a {{+ 1 +}} b", NULL), "a 1 b");
	/* Not trim_blocks: the newline after a tag stays. */
	assert_string_equal(render("{% if true %}\nx\n{% endif %}\ny", NULL),
	    "\nx\n\ny");
}

static void
test_comments_and_raw(void **state)
{
	(void)state;
	assert_string_equal(render("a{# {{ x }} {% if %} #}b", NULL), "ab");
	assert_string_equal(render("{% raw %}{{ x }}{% endraw %}", NULL),
	    "{{ x }}");
	assert_string_equal(render("a {%- raw -%} {{ x }} {%- endraw -%} b",
	    NULL), "a{{ x }}b");
}

static void
test_literals(void **state)
{
	(void)state;
	assert_string_equal(render("{{ 'a\\'b' }}{{ \"c\\\"d\" }}", NULL),
	    "a'bc\"d");
	assert_string_equal(render("{{ '\\n\\t\\u00e9\\x41\\101\\q' }}", NULL),
	    "\n\té" "AA\\q");
	assert_string_equal(render("{{ 'a' 'b' }}", NULL), "ab");
	assert_string_equal(render("{{ 1_000 }} {{ 0x1f }} {{ 0b101 }} "
	    "{{ 0o17 }}", NULL), "1000 31 5 15");
	assert_string_equal(render("{{ 1.5 }} {{ 42. }} {{ 1e3 }} {{ 1.e-3 }}",
	    NULL), "1.5 42.0 1000.0 0.001");
	assert_string_equal(render("{{ true }} {{ False }} {{ none }} "
	    "{{ None }} [{{ null }}]", NULL), "True False None None []");
	assert_string_equal(render("{{ [1, 'a', (2,), (), {'k': [3]}] }}",
	    NULL), "[1, 'a', (2,), (), {'k': [3]}]");
	assert_string_equal(render("{{ [1, 2,] }}{{ {'a': 1,} }}", NULL),
	    "[1, 2]{'a': 1}");
	assert_string_equal(render("{{ 1701411834604692317316873037158841"
	    "05727 }}", NULL), "170141183460469231731687303715884105727");
}

struct bad {
	const char	*src;
	const char	*err;
};

static const struct bad bad[] = {
	{ "{{ 'abc", "line 1:col 4: unexpected end of string" },
	{ "{{ foo @ }}", "line 1:col 8: unexpected character" },
	{ "a\nb {{ x", "line 2:col 7: unexpected end of input, expected end "
	    "of variable block" },
	{ "{% if x %}", "line 1:col 11: unexpected end of input, expected "
	    "end of block (endif)" },
	{ "{% if x %}\n{% endfor %}", "line 2:col 4: unexpected `endfor`, "
	    "expected `endif`" },
	{ "{% break %}", "line 1:col 4: 'break' must be placed inside a loop" },
	{ "{% for x in y %}{% else %}{% continue %}{% endfor %}",
	    "line 1:col 30: 'continue' must be placed inside a loop" },
	{ "{% macro f(a=1, b) %}{% endmacro %}",
	    "line 1:col 18: unexpected `)`, expected `=`" },
	{ "{% macro f %}{% endmacro %}",
	    "line 1:col 12: unexpected `%}`, expected `(`" },
	{ "{% macro f() %}{% endcall %}",
	    "line 1:col 19: unexpected `endcall`, expected `endmacro`" },
	{ "{% call f %}{% endcall %}",
	    "line 1:col 4: expected call expression in call block" },
	{ "{% block q %}{% endblock r %}",
	    "line 1:col 26: mismatching name on block. Got `r`, expected `q`" },
	{ "{% macro m() %}\n{% block q %}{% endblock %}{% endmacro %}",
	    "line 2:col 4: block tags in macros are not allowed" },
	{ "{% block a %}{% endblock %}\n{% block a %}{% endblock %}",
	    "line 2:col 10: block 'a' defined twice" },
	{ "{% from 'x' import loop %}",
	    "line 1:col 20: cannot assign to reserved variable name loop" },
	{ "{% include 'x' ignore %}",
	    "line 1:col 23: unexpected `%}`, expected missing" },
	{ "{% for a.b in c %}{% endfor %}",
	    "line 1:col 9: unexpected `.`, expected in" },
	{ "{% with a.b = 1 %}{% endwith %}",
	    "line 1:col 10: unexpected `.`, expected assignment operator" },
	{ "{{ 10_ }}", "line 1:col 6: '_' may not occur at end of number" },
	{ "{{ 1e+ }}", "line 1:col 7: invalid float" },
	{ "{{ 999999999999999999999999999999999999999999 }}",
	    "line 1:col 46: invalid integer (too large)" },
	{ "{% raw %}abc", "line 1:col 13: unexpected end of raw block" },
	{ "{# abc", "line 1:col 1: unexpected end of comment" },
	{ "{{ '\\u12' }}", "line 1:col 4: bad string escape" },
	{ "{{ }}", "line 1:col 4: unexpected `}}`" },
	{ "{{ a b }}", "line 1:col 6: unexpected `b`, expected end of "
	    "variable block" },
	{ "{{ (1, 2 }}", "line 1:col 10: unexpected `}}`, expected `,`" },
	{ "{% set %}", "line 1:col 8: unexpected `%}`, expected identifier" },
	{ "{% endif %}", "line 1:col 4: unknown statement `endif`" },
};

static void
test_errors(void **state)
{
	char want[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "ERR: %s", bad[i].err);
		if (strcmp(render(bad[i].src, NULL), want) != 0)
			fail_msg("%s\n  want %s\n  got  %s", bad[i].src, want,
			    render_result);
	}
}

static void
test_nesting_limits(void **state)
{
	struct buf src;
	size_t i, n = 5000;

	(void)state;
	/* Deep nesting is a compile error, not a stack overflow. */
	buf_init(&src, BUF_MAX_DEFAULT);
	buf_puts(&src, "{{ ");
	for (i = 0; i < n; i++)
		buf_putc(&src, '(');
	buf_putc(&src, '1');
	for (i = 0; i < n; i++)
		buf_putc(&src, ')');
	buf_puts(&src, " }}");
	assert_non_null(strstr(render(buf_str(&src), NULL),
	    "template nested too deeply"));
	buf_reset(&src);
	buf_puts(&src, "{{ ");
	for (i = 0; i < n; i++)
		buf_puts(&src, "- ");
	buf_puts(&src, "1 }}");
	assert_non_null(strstr(render(buf_str(&src), NULL),
	    "template nested too deeply"));
	buf_reset(&src);
	for (i = 0; i < n; i++)
		buf_puts(&src, "{% if 1 %}");
	assert_non_null(strstr(render(buf_str(&src), NULL),
	    "template nested too deeply"));
	buf_reset(&src);
	buf_puts(&src, "{{ 1");
	for (i = 0; i < n; i++)
		buf_puts(&src, " ~ 1");
	buf_puts(&src, " }}");
	assert_non_null(strstr(render(buf_str(&src), NULL),
	    "template nested too deeply"));
	buf_free(&src);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_trailing_newline),
		cmocka_unit_test(test_whitespace_control),
		cmocka_unit_test(test_comments_and_raw),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nesting_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
