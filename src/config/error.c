/*
 * error.c - the errors of one load: each kept with its place, then written
 * out sorted by file, line and column, one per line, as
 * "file:line:col: message".
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/intern.h"
#include "util/buf.h"

static int __attribute__((format(printf, 5, 0)))
error_add(struct config_ctx *ctx, const struct config_doc *doc, unsigned line,
    unsigned col, const char *fmt, va_list ap)
{
	struct config_error *e, *nerrs;
	char *msg;

	if (ctx->nerrs >= CONFIG_MAX_ERRORS) {
		ctx->ndropped++;
		return -1;
	}
	if (vasprintf(&msg, fmt, ap) == -1) {
		ctx->oom = 1;
		return -1;
	}
	nerrs = reallocarray(ctx->errs, ctx->nerrs + 1, sizeof(*ctx->errs));
	if (nerrs == NULL) {
		free(msg);
		ctx->oom = 1;
		return -1;
	}
	ctx->errs = nerrs;
	e = &ctx->errs[ctx->nerrs];
	e->doc = doc != NULL ? doc->idx : SIZE_MAX;
	e->line = line;
	e->col = col;
	e->seq = ctx->nerrs;
	e->msg = msg;
	ctx->nerrs++;
	return -1;
}

int
config_error(struct config_ctx *ctx, const struct config_item *it,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_add(ctx, it->doc, it->line, it->col, fmt, ap);
	va_end(ap);
	return -1;
}

int
config_error_key(struct config_ctx *ctx, const struct config_item *it,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_add(ctx, it->doc, it->kline, it->kcol, fmt, ap);
	va_end(ap);
	return -1;
}

int
config_error_at(struct config_ctx *ctx, const struct config_doc *doc,
    unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_add(ctx, doc, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

int
config_oom(struct config_ctx *ctx)
{
	ctx->oom = 1;
	return -1;
}

const char *
config_where(const struct config_doc *doc, unsigned line, unsigned col,
    char *out, size_t n)
{
	if (doc == NULL)
		snprintf(out, n, "?");
	else if (line == 0)
		snprintf(out, n, "%s", doc->path);
	else
		snprintf(out, n, "%s:%u:%u", doc->path, line, col);
	return out;
}

static int
error_cmp(const void *a, const void *b)
{
	const struct config_error *x = a, *y = b;

	if (x->doc != y->doc)
		return x->doc < y->doc ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

/* A message shows what the file holds, but never a raw control
 * character: a string with an escape sequence stays one line of text. */
static void
put_safe(struct buf *out, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\t')
			(void)buf_puts(out, "\\t");
		else if (*p == '\n')
			(void)buf_puts(out, "\\n");
		else if (*p < 0x20 || *p == 0x7f)
			(void)buf_printf(out, "\\x%02x", *p);
		else
			(void)buf_putc(out, (char)*p);
	}
}

void
config_errors_write(struct config_ctx *ctx, struct buf *out)
{
	const struct config_error *e;
	char where[4096];
	size_t i;

	if (ctx->nerrs > 1)
		qsort(ctx->errs, ctx->nerrs, sizeof(*ctx->errs), error_cmp);
	for (i = 0; i < ctx->nerrs; i++) {
		e = &ctx->errs[i];
		if (e->doc != SIZE_MAX) {
			put_safe(out, config_where(ctx->docs[e->doc], e->line,
			    e->col, where, sizeof(where)));
			(void)buf_puts(out, ": ");
		}
		put_safe(out, e->msg);
		(void)buf_putc(out, '\n');
	}
	if (ctx->ndropped > 0)
		(void)buf_printf(out, "(%zu more errors not shown)\n",
		    ctx->ndropped);
	if (ctx->oom)
		(void)buf_puts(out, "out of memory\n");
}

void
config_errors_free(struct config_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->nerrs; i++)
		free(ctx->errs[i].msg);
	free(ctx->errs);
	ctx->errs = NULL;
	ctx->nerrs = 0;
}
