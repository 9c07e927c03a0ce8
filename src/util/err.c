/*
 * err.c - thread-local error messages (see err.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"

static _Thread_local char err_buf[ERR_MSG_MAX];

int
err_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	return -1;
}

int
err_sys(const char *fmt, ...)
{
	char errtext[256];
	va_list ap;
	size_t n;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	/* strerror_r (GNU flavour) returns the text, not always in errtext. */
	const char *s = strerror_r(saved, errtext, sizeof(errtext));
	n = strlen(err_buf);
	snprintf(err_buf + n, sizeof(err_buf) - n, ": %s", s);
	errno = saved;
	return -1;
}

int
err_prefix(const char *fmt, ...)
{
	char old[ERR_MSG_MAX];
	va_list ap;
	size_t n;

	memcpy(old, err_buf, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	n = strlen(err_buf);
	if (old[0] != '\0')
		snprintf(err_buf + n, sizeof(err_buf) - n, ": %s", old);
	return -1;
}

const char *
err_msg(void)
{
	return err_buf;
}

void
err_clear(void)
{
	err_buf[0] = '\0';
}
