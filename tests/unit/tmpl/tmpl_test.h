/*
 * tmpl_test.h - helpers shared by the tmpl unit tests: render a template
 * source over a context and get the output, or "ERR: message".
 */
#ifndef ACMED_TESTS_TMPL_TEST_H
#define ACMED_TESTS_TMPL_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/tmpl.h"
#include "util/buf.h"
#include "util/err.h"

/* The result of the last render_opts(); valid until the next call.
 * NULL opts are tmpl_render()'s defaults, ACMEd's behaviour. */
static char render_result[1 << 16];

static const char *
render_opts(const char *src, const struct tmpl_value *ctx,
    const struct tmpl_opts *opts, size_t max)
    __attribute__((unused));

static const char *
render_opts(const char *src, const struct tmpl_value *ctx,
    const struct tmpl_opts *opts, size_t max)
{
	struct tmpl *t;
	struct buf out;

	buf_init(&out, max);
	if ((t = tmpl_compile(src, strlen(src))) == NULL) {
		snprintf(render_result, sizeof(render_result), "ERR: %s",
		    err_msg());
		return render_result;
	}
	if (tmpl_render_opts(t, ctx, opts, &out) == -1)
		snprintf(render_result, sizeof(render_result), "ERR: %s",
		    err_msg());
	else
		snprintf(render_result, sizeof(render_result), "%s",
		    buf_str(&out));
	buf_free(&out);
	tmpl_free(t);
	return render_result;
}

static const char *
render(const char *src, const struct tmpl_value *ctx) __attribute__((unused));

/* Like the conformance tests: True, False and None. */
static const char *
render(const char *src, const struct tmpl_value *ctx)
{
	static const struct tmpl_opts opts = { .jinja2_literals = 1 };

	return render_opts(src, ctx, &opts, BUF_MAX_DEFAULT);
}

static const char *
render_acmed(const char *src, const struct tmpl_value *ctx)
    __attribute__((unused));

/* As acmed's hooks render: like ACMEd's MiniJinja 2.11. */
static const char *
render_acmed(const char *src, const struct tmpl_value *ctx)
{
	return render_opts(src, ctx, NULL, BUF_MAX_DEFAULT);
}

/* A map of string variables from "k1", "v1", "k2", "v2", ..., NULL. */
static struct tmpl_value *
str_map(const char *k, ...) __attribute__((unused, sentinel));

static struct tmpl_value *
str_map(const char *k, ...)
{
	struct tmpl_value *m = tmpl_value_map();
	va_list ap;
	const char *v;

	va_start(ap, k);
	for (; k != NULL; k = va_arg(ap, const char *)) {
		v = va_arg(ap, const char *);
		if (tmpl_map_set(m, k, tmpl_value_str(v)) == -1)
			abort();
	}
	va_end(ap);
	return m;
}

#endif
