/*
 * buf.h - the project's one growable buffer / string builder.
 *
 * Every buffer has a hard maximum size, chosen by whoever creates it: data
 * read from the network, a hook or a file can never make it grow without
 * bound.  The contents are always NUL-terminated, so a buffer that holds
 * text can be used as a C string through buf_str().
 *
 * Ownership: the buffer owns b->data.  buf_steal() hands it to the caller,
 * who frees it with free().  buf_free_secure() wipes the memory first and is
 * used for anything that held key material; a buffer's contents are only
 * ever in the block it has (growing wipes the old one), so that is all.
 */
#ifndef ACMED_UTIL_BUF_H
#define ACMED_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;	/* NUL-terminated; NULL until the first append */
	size_t	 len;	/* bytes used, not counting the NUL */
	size_t	 alloc;	/* bytes allocated */
	size_t	 max;	/* largest len allowed */
};

/* Sizes used across the project. */
#define BUF_MAX_SMALL	(64u * 1024)		/* a header line, a name */
#define BUF_MAX_DEFAULT	(1024u * 1024)		/* a JSON document */
#define BUF_MAX_LARGE	(16u * 1024 * 1024)	/* a file read whole */

void	 buf_init(struct buf *b, size_t max);

/* Appends n bytes.  -1 (with err) when len would pass max or on ENOMEM;
 * the buffer is then unchanged. */
int	 buf_append(struct buf *b, const void *p, size_t n);
int	 buf_puts(struct buf *b, const char *s);
int	 buf_putc(struct buf *b, char c);
int	 buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	 buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

/* The contents as a string; "" when empty.  Borrowed. */
const char *buf_str(const struct buf *b);

/* Empties the buffer and keeps the allocation. */
void	 buf_reset(struct buf *b);

/* Drops the last n bytes (all if n > len). */
void	 buf_truncate(struct buf *b, size_t newlen);

/* Returns the contents (never NULL unless out of memory: an empty buffer
 * yields an allocated "") and leaves the buffer empty.  Caller frees. */
char	*buf_steal(struct buf *b);

void	 buf_free(struct buf *b);
void	 buf_free_secure(struct buf *b);

/* Reads a whole file into b (which must be empty), honouring b->max.
 * -1 with "path: message" on error. */
int	 buf_read_file(struct buf *b, const char *path);

/* Like buf_read_file(), for the files acmed keeps (keys, certificates,
 * accounts): a symbolic link there is refused (errno ELOOP), and so is
 * anything but a regular file (a FIFO would hang the reader).  errno is
 * kept: ENOENT says the file is not there. */
int	 buf_read_regular(struct buf *b, const char *path);

/* buf_read_regular(), which also gives the file's fstat() (of the file
 * read, not of whatever the path names a moment later) in *st when st is
 * not NULL: for a caller that checks its owner and mode. */
struct stat;
int	 buf_read_regular_stat(struct buf *b, const char *path,
	    struct stat *st);

/* Reads from fd until EOF, honouring b->max.  -1 with err on error. */
int	 buf_read_fd(struct buf *b, int fd);

#endif
