/*
 * fuzz_tmpl.c - libFuzzer target: compiles the input as a template and
 * renders it over a small fixed context, with tight limits so that every
 * input finishes quickly.  Any crash, leak or sanitizer report is a bug;
 * errors are expected and fine.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tmpl/tmpl.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tmpl_value *
make_ctx(void)
{
	struct tmpl_value *ctx, *l, *m;

	ctx = tmpl_value_map();
	tmpl_map_set(ctx, "name", tmpl_value_str("World"));
	tmpl_map_set(ctx, "identifier", tmpl_value_str("mx1.example.org"));
	tmpl_map_set(ctx, "n", tmpl_value_int(42));
	tmpl_map_set(ctx, "f", tmpl_value_float(-2.5));
	tmpl_map_set(ctx, "yes", tmpl_value_bool(1));
	tmpl_map_set(ctx, "nothing", tmpl_value_none());
	l = tmpl_value_list();
	tmpl_list_push(l, tmpl_value_int(3));
	tmpl_list_push(l, tmpl_value_str("b"));
	tmpl_list_push(l, tmpl_value_str("A"));
	tmpl_map_set(ctx, "seq", l);
	m = tmpl_value_map();
	tmpl_map_set(m, "HTTP_ROOT", tmpl_value_str("/srv/http"));
	tmpl_map_set(m, "k", tmpl_value_str("<v>"));
	tmpl_map_set(ctx, "env", m);
	tmpl_map_set(ctx, "it", tmpl_value_oneshot_range(3));
	return ctx;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmpl_opts opts = { .max_steps = 20000 };
	struct tmpl_value *ctx;
	struct tmpl *t;
	struct buf out;

	if (size > 4096)
		return 0;
	if ((t = tmpl_compile((const char *)data, size)) == NULL)
		return 0;
	ctx = make_ctx();
	buf_init(&out, 16 * 1024);
	(void)tmpl_render_opts(t, ctx, &opts, &out);
	/* The same template again, strict and escaping, into the same
	 * buffer: renderings must not depend on each other. */
	opts.strict_undefined = 1;
	opts.autoescape_html = 1;
	(void)tmpl_render_opts(t, ctx, &opts, &out);
	/* And as newer MiniJinja prints (the conformance tests). */
	opts.strict_undefined = 0;
	opts.autoescape_html = 0;
	opts.jinja2_literals = 1;
	(void)tmpl_render_opts(t, ctx, &opts, &out);
	buf_free(&out);
	tmpl_value_free(ctx);
	tmpl_free(t);
	return 0;
}
