/*
 * path.c - paths of the configuration made absolute at load time, against
 * the working directory of the process that loads it (acmed loads its
 * configuration before it daemonises and changes to /).
 */
#include <stdlib.h>
#include <string.h>

#include "config/intern.h"
#include "util/buf.h"

/* Appends path to out, dropping "." components and repeated slashes.
 * ".." is kept: with symbolic links it cannot be removed by text. */
static int
append_clean(struct buf *out, const char *path)
{
	const char *p = path, *end;
	size_t n;

	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, '/');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (!(n == 1 && p[0] == '.')) {
			if (out->len == 0 || out->data[out->len - 1] != '/')
				if (buf_putc(out, '/') == -1)
					return -1;
			if (buf_append(out, p, n) == -1)
				return -1;
		}
		p += n;
	}
	return 0;
}

char *
config_abspath(struct config_ctx *ctx, const char *path)
{
	struct buf b;
	char *s;

	/* Never too small: a path in a file is shorter than the file. */
	buf_init(&b, 2 * BUF_MAX_LARGE);
	if (path[0] != '/' && append_clean(&b, ctx->cwd) == -1)
		goto fail;
	if (append_clean(&b, path) == -1)
		goto fail;
	if (b.len == 0 && buf_putc(&b, '/') == -1)
		goto fail;
	if ((s = buf_steal(&b)) == NULL)
		config_oom(ctx);
	return s;
fail:
	buf_free(&b);
	config_oom(ctx);
	return NULL;
}
