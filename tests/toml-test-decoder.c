/*
 * toml-test-decoder.c - the decoder interface of toml-test: TOML on stdin,
 * toml-test's tagged JSON on stdout and exit 0, or the error on stderr and
 * exit 1.  A test tool, so the JSON is written by hand.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "toml/toml.h"
#include "util/buf.h"
#include "util/err.h"

static void	put_value(FILE *, const struct toml_value *);

static void
put_json_string(FILE *f, const char *s, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			/* The parser hands out valid UTF-8 only. */
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
			break;
		}
	}
	fputc('"', f);
}

static void
put_tagged(FILE *f, const char *type, const char *value)
{
	fprintf(f, "{\"type\":\"%s\",\"value\":", type);
	put_json_string(f, value, strlen(value));
	fputc('}', f);
}

static void
put_scalar(FILE *f, const struct toml_value *v)
{
	static const char *dt_types[] = {
		[TOML_DT_OFFSET] = "datetime",
		[TOML_DT_LOCAL] = "datetime-local",
		[TOML_DT_DATE] = "date-local",
		[TOML_DT_TIME] = "time-local",
	};
	const struct toml_datetime *dt;
	const char *s;
	char num[64];
	size_t len;
	double d;

	switch (toml_type(v)) {
	case TOML_STRING:
		s = toml_string(v, &len);
		fputs("{\"type\":\"string\",\"value\":", f);
		put_json_string(f, s, len);
		fputc('}', f);
		break;
	case TOML_INTEGER:
		snprintf(num, sizeof(num), "%" PRId64, toml_int(v));
		put_tagged(f, "integer", num);
		break;
	case TOML_FLOAT:
		d = toml_float(v);
		if (isnan(d))
			snprintf(num, sizeof(num), "nan");
		else if (isinf(d))
			snprintf(num, sizeof(num), "%sinf", d < 0 ? "-" : "");
		else
			snprintf(num, sizeof(num), "%.17g", d);
		put_tagged(f, "float", num);
		break;
	case TOML_BOOL:
		put_tagged(f, "bool", toml_bool(v) ? "true" : "false");
		break;
	case TOML_DATETIME:
		dt = toml_datetime(v);
		put_tagged(f, dt_types[dt->kind], dt->text);
		break;
	default:
		break;
	}
}

static void
put_value(FILE *f, const struct toml_value *v)
{
	const struct toml_entry *e;
	size_t i;

	switch (toml_type(v)) {
	case TOML_TABLE:
		fputc('{', f);
		for (i = 0; i < toml_table_len(v); i++) {
			e = toml_table_entry(v, i);
			if (i > 0)
				fputc(',', f);
			put_json_string(f, e->key, e->keylen);
			fputc(':', f);
			put_value(f, e->value);
		}
		fputc('}', f);
		break;
	case TOML_ARRAY:
		fputc('[', f);
		for (i = 0; i < toml_array_len(v); i++) {
			if (i > 0)
				fputc(',', f);
			put_value(f, toml_array_get(v, i));
		}
		fputc(']', f);
		break;
	default:
		put_scalar(f, v);
		break;
	}
}

int
main(void)
{
	struct toml_value *root = NULL;
	struct buf in;
	int rc = 1;

	buf_init(&in, BUF_MAX_LARGE);
	if (buf_read_fd(&in, STDIN_FILENO) == -1) {
		fprintf(stderr, "stdin: %s\n", err_msg());
		goto out;
	}
	if ((root = toml_parse(in.data, in.len)) == NULL) {
		fprintf(stderr, "%s\n", err_msg());
		goto out;
	}
	put_value(stdout, root);
	fputc('\n', stdout);
	if (fflush(stdout) != 0) {
		perror("stdout");
		goto out;
	}
	rc = 0;
out:
	toml_free(root);
	buf_free(&in);
	return rc;
}
