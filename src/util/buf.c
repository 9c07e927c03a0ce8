/*
 * buf.c - capped growable buffers (see buf.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/err.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

/* Makes room for len + extra bytes plus the NUL. */
static int
buf_reserve(struct buf *b, size_t extra)
{
	size_t need, nalloc;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return err_set("data larger than the limit of %zu bytes",
		    b->max);
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	nalloc = b->alloc ? b->alloc : 64;
	while (nalloc < need)
		nalloc = nalloc > SIZE_MAX / 2 ? need : nalloc * 2;
	if (nalloc > b->max + 1)
		nalloc = b->max + 1;
	/* Not realloc(): a block it moved would go back to the heap with
	 * what it held, and a buffer may hold a key (buf_free_secure() can
	 * only wipe the block it has). */
	if ((p = malloc(nalloc)) == NULL)
		return err_set("out of memory");
	if (b->data != NULL) {
		memcpy(p, b->data, b->len + 1);
		explicit_bzero(b->data, b->alloc);
		free(b->data);
	}
	b->data = p;
	b->alloc = nalloc;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return err_set("format error");
	if (buf_reserve(b, (size_t)n) == -1)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

void
buf_reset(struct buf *b)
{
	buf_truncate(b, 0);
}

void
buf_truncate(struct buf *b, size_t newlen)
{
	if (newlen < b->len) {
		b->len = newlen;
		b->data[newlen] = '\0';
	}
}

char *
buf_steal(struct buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = strdup("");
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	return p;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

void
buf_free_secure(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->alloc);
	buf_free(b);
}

int
buf_read_fd(struct buf *b, int fd)
{
	char chunk[8192];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || buf_append(b, chunk, (size_t)n) == -1)
			break;
	}
	/* The chunk may have held key material. */
	explicit_bzero(chunk, sizeof(chunk));
	if (n < 0)
		return err_sys("read");
	return n == 0 ? 0 : -1;
}

int
buf_read_file(struct buf *b, const char *path)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_sys("%s", path);
	rc = buf_read_fd(b, fd);
	close(fd);
	if (rc == -1)
		err_prefix("%s", path);
	return rc;
}

int
buf_read_regular(struct buf *b, const char *path)
{
	return buf_read_regular_stat(b, path, NULL);
}

int
buf_read_regular_stat(struct buf *b, const char *path, struct stat *out)
{
	struct stat st;
	int fd, rc, e;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		e = errno;
		if (e == ELOOP)
			err_set("%s: a symbolic link: refusing to read through "
			    "it", path);
		else
			err_sys("%s", path);
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		err_set("%s: not a regular file", path);
		errno = EINVAL;
		return -1;
	}
	if (out != NULL)
		*out = st;
	/* errno must not say ENOENT ("not there") for a file too big. */
	errno = 0;
	rc = buf_read_fd(b, fd);
	e = errno != 0 ? errno : EFBIG;
	close(fd);
	if (rc == -1)
		err_prefix("%s", path);
	errno = e;
	return rc;
}
