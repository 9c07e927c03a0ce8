/*
 * test_toml_errors.c - the exact "line:col: message" of parse errors, as an
 * admin editing acmed.toml will read them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "toml/toml.h"
#include "util/err.h"

struct error_case {
	const char	*in;
	size_t		 len;	/* 0: strlen(in) */
	const char	*msg;
};

static const struct error_case cases[] = {
	/* Keys and tables. */
	{ "name = \"a\"\nname = \"b\"\n", 0,
	    "2:1: duplicate key \"name\" (first defined at 1:1)" },
	{ "[server]\nport = 1\n  port = 2\n", 0,
	    "3:3: duplicate key \"port\" (first defined at 2:1)" },
	{ "a.b = 1\na.b = 2\n", 0,
	    "2:3: duplicate key \"a.b\" (first defined at 1:3)" },
	{ "\"my key\" = 1\n'my key' = 2\n", 0,
	    "2:1: duplicate key \"my key\" (first defined at 1:1)" },
	{ "t = {a = 1, a = 2}\n", 0,
	    "1:13: duplicate key \"a\" (first defined at 1:6)" },
	{ "[a]\nx = 1\n\n[a]\n", 0,
	    "4:1: table [a] is already defined at 1:1" },
	{ "[[a]]\n[a]\n", 0,
	    "2:2: cannot define table [a]: \"a\" is already defined at 1:3 "
	    "as an array of tables" },
	{ "[a]\n[[a]]\n", 0,
	    "2:3: cannot define array of tables [[a]]: \"a\" is already "
	    "defined at 1:1 as a table" },
	{ "a = 1\n[a.b]\n", 0,
	    "2:2: cannot define table [a.b]: \"a\" is already defined at 1:1 "
	    "as an integer" },
	{ "a.b = 1\n[a]\n", 0,
	    "2:2: cannot define table [a]: \"a\" is already defined at 1:1 "
	    "as a table (by dotted keys)" },
	{ "a = {}\n[a.b]\n", 0,
	    "2:2: cannot define table [a.b]: \"a\" is already defined at 1:1 "
	    "as an inline table, which cannot be extended" },
	{ "a = [1]\n[[a]]\n", 0,
	    "2:3: cannot define array of tables [[a]]: \"a\" is already "
	    "defined at 1:1 as an array, which cannot be extended" },
	{ "a = {b = 1}\na.c = 2\n", 0,
	    "2:1: cannot set key \"a.c\": \"a\" is already defined at 1:1 as "
	    "an inline table, which cannot be extended" },
	{ "[x.y]\n[x]\ny.z = 1\n", 0,
	    "3:1: cannot set key \"y.z\": \"y\" is a table defined by a "
	    "header at 1:1; set the key under that header" },
	{ "[[x.y]]\n[x]\ny.z = 1\n", 0,
	    "3:1: cannot set key \"y.z\": \"y\" is already defined at 1:5 as "
	    "an array of tables" },
	{ "\"a.b\".c = 1\n\"a.b\".c.d = 2\n", 0,
	    "2:7: cannot set key \"a.b\".c.d: \"a.b\".c is already defined at "
	    "1:7 as an integer" },

	/* Lines. */
	{ "a = 1 b = 2\n", 0,
	    "1:7: expected the end of the line after the value, found 'b'" },
	{ "[a] x = 1\n", 0,
	    "1:5: expected the end of the line after the header, found 'x'" },
	{ "a b = 1\n", 0,
	    "1:3: expected '=' after key \"a\", found 'b'" },
	{ "key\n", 0,
	    "1:4: expected '=' after key \"key\", found end of line" },
	{ " = 1\n", 0,
	    "1:2: expected a key, found '=' (the key is missing)" },
	{ "a =\n", 0,
	    "1:4: expected a value, found end of line" },
	{ "a = # nothing\n", 0,
	    "1:5: expected a value, found a comment" },
	{ "[a\n", 0,
	    "1:3: expected ']' to close the [table] header, found end of "
	    "line" },
	{ "[[a]\n", 0,
	    "1:5: expected ']]' to close the [[array of tables]] header, "
	    "found end of line" },
	{ "a = \"\"\"x\"\"\" = 1\n", 0,
	    "1:13: expected the end of the line after the value, found '='" },
	{ "\"\"\"k\"\"\" = 1\n", 0,
	    "1:1: a key cannot be a multi-line string" },
	{ "k\xc3\xa9y = 1\n", 0,
	    "1:2: expected '=' after key \"k\", found U+00E9" },

	/* Values. */
	{ "name = example.org\n", 0,
	    "1:8: invalid value (strings must be quoted; "
	    "booleans are true or false)" },
	{ "a = True\n", 0,
	    "1:5: invalid value (strings must be quoted; booleans "
	    "are true or false)" },
	{ "a = 9223372036854775808\n", 0,
	    "1:5: invalid integer: integer out of "
	    "range (the limits are -9223372036854775808 and "
	    "9223372036854775807)" },
	{ "a = -9223372036854775809\n", 0,
	    "1:5: invalid integer: integer out of "
	    "range (the limits are -9223372036854775808 and "
	    "9223372036854775807)" },
	{ "a = 0x1_0000_0000_0000_0000\n", 0,
	    "1:5: invalid integer: integer out of "
	    "range (the limits are -9223372036854775808 and "
	    "9223372036854775807)" },
	{ "a = 0777\n", 0,
	    "1:5: invalid integer: leading zeros are not allowed" },
	{ "a = 1__000\n", 0,
	    "1:5: invalid integer: an underscore must sit between "
	    "two digits" },
	{ "a = -0x10\n", 0,
	    "1:5: invalid integer: a hexadecimal, octal or binary "
	    "integer cannot have a sign" },
	{ "a = 1e400\n", 0,
	    "1:5: float out of range" },
	{ "a = 1.\n", 0,
	    "1:5: invalid float: a digit must follow the '.'" },
	/* Not quoted: a secret written without quotes stays out of the
	 * logs. */
	{ "key = McJTA0nhx1u7zo4ugXoLMxDhnHaSyS0a\n", 0,
	    "1:7: invalid value (strings must be quoted; booleans are true "
	    "or false)" },
	{ "token = 4f9c2b7e1d8a6f3c5b0e9d2a7c4f1b8e\n", 0,
	    "1:9: invalid float: invalid character 'f' in a number" },
	{ "a = .5\n", 0,
	    "1:5: invalid value (strings must be quoted; booleans are "
	    "true or false)" },
	{ "token = 12:SECRETSECRET\n", 0,
	    "1:9: invalid date/time: the minutes must have 2 digits" },
	{ "a = 2021-02-29\n", 0,
	    "1:5: invalid date/time: day 29 does not exist in "
	    "month 02 of 2021" },
	{ "a = 2021-01-01 25:00:00\n", 0,
	    "1:5: invalid date/time: the hour must be "
	    "00 to 23" },
	{ "a = 07:32\n", 0,
	    "1:5: invalid date/time: the seconds must have 2 digits "
	    "(HH:MM:SS)" },
	{ "a = 07:32:00Z\n", 0,
	    "1:5: invalid date/time: unexpected 'Z' after a "
	    "local time (an offset needs a date)" },

	/* Strings. */
	{ "a = \"abc\n", 0,
	    "1:5: string is not closed (missing '\"' before the end of the "
	    "line)" },
	{ "a = 'abc\n", 0,
	    "1:5: string is not closed (missing \"'\" before the end of the "
	    "line)" },
	{ "a = \"\"\"abc\n\n", 0,
	    "1:5: multi-line string is not closed (missing \"\"\")" },
	{ "a = \"C:\\dir\"\n", 0,
	    "1:8: invalid escape sequence \"\\d\" (write \\\\ for a "
	    "backslash)" },
	{ "a = \"\\uD800\"\n", 0,
	    "1:6: escape \\uD800 is not a Unicode scalar value" },
	{ "a = \"\\U00110000\"\n", 0,
	    "1:6: escape \\U00110000 is not a Unicode scalar value" },
	{ "a = \"\\u12\"\n", 0,
	    "1:6: \\u escape needs 4 hex digits" },
	{ "a = \"\"\"x\\  y\"\"\"\n", 0,
	    "1:9: a backslash followed by blanks must end the line "
	    "(line-ending backslash)" },

	/* Arrays and inline tables. */
	{ "a = [1, 2\n", 0,
	    "1:5: array is not closed (missing ']')" },
	{ "a = [1 2]\n", 0,
	    "1:8: expected ',' or ']' after an array item, found '2'" },
	{ "a = [1,,2]\n", 0,
	    "1:8: expected a value, found ','" },
	{ "a = {b = 1\n", 0,
	    "1:11: inline table is not closed before the end of the line "
	    "(missing '}'; TOML 1.0 inline tables are on one line)" },
	{ "a = {b = 1,}\n", 0,
	    "1:12: trailing comma in inline table (not allowed in TOML 1.0)" },
	{ "a = {b = 1 c = 2}\n", 0,
	    "1:12: expected ',' or '}' in inline table, found 'c'" },

	/* Bytes. */
	{ "a = \"x\x01\"\n", 0,
	    "1:7: control character U+0001 is not allowed" },
	{ "# a\x7f\n", 0,
	    "1:4: control character U+007F is not allowed" },
	{ "a = 1\rb = 2\n", 0,
	    "1:6: carriage return not followed by a newline" },
	{ "a = 1\n\n\"b\0\" = 2\n", 14,
	    "3:3: NUL byte in the document (TOML files are UTF-8 text)" },
	{ "a = \"\xc3\"\n", 0,
	    "1:6: invalid UTF-8 (byte 0xC3)" },
	{ "a = \"\xed\xa0\x80\"\n", 0,
	    "1:6: invalid UTF-8 (byte 0xED)" },
	{ "a = \"\xc0\xaf\"\n", 0,
	    "1:6: invalid UTF-8 (byte 0xC0)" },
	{ "\xe2\x80\x83\xc3\xa9 = 1\n", 0,
	    "1:1: expected a key, found U+2003" },
	{ "a = 1\n\xef\xbb\xbf" "b = 2\n", 0,
	    "2:1: expected a key, found U+FEFF" },
	/* Columns count characters, not bytes. */
	{ "\"\xc3\xa9\xc3\xa9\" = 1 x\n", 0,
	    "1:10: expected the end of the line after the value, found 'x'" },
	/* CRLF counts as one line end. */
	{ "a = 1\r\n\r\nb = \r\n", 0,
	    "3:5: expected a value, found end of line" },
};

static void
test_messages(void **state)
{
	struct toml_value *root;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		err_clear();
		root = toml_parse(cases[i].in, len);
		if (root != NULL) {
			toml_free(root);
			fail_msg("case %zu accepted: %s", i, cases[i].in);
		}
		if (strcmp(err_msg(), cases[i].msg) != 0)
			fail_msg("case %zu:\n got  %s\n want %s", i, err_msg(),
			    cases[i].msg);
	}
}

/* A caller adds the file name in front, as the config loader will. */
static void
test_prefix(void **state)
{
	(void)state;
	assert_null(toml_parse("x = \n", 5));
	err_prefix("%s", "acmed.toml");
	assert_string_equal(err_msg(),
	    "acmed.toml: 1:5: expected a value, found end of line");
}

/* Huge keys are cut in messages instead of crowding them out. */
static void
test_long_key(void **state)
{
	char in[2010];
	const char *m;

	(void)state;
	memset(in, 'k', 1000);
	memcpy(in + 1000, " = 1\n", 5);
	memcpy(in + 1005, in, 1005);
	assert_null(toml_parse(in, 2010));
	m = err_msg();
	assert_non_null(strstr(m, "2:1: duplicate key \"kkkk"));
	assert_non_null(strstr(m, "k...\" (first defined at 1:1)"));
	assert_true(strlen(m) < 300);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_long_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
