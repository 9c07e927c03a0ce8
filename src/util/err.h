/*
 * err.h - the project's one error convention.
 *
 * A function that fails returns -1 (or NULL) after recording a message with
 * err_set() or err_sys().  The message lives in thread-local storage until
 * the next err_set(), so a caller can read it with err_msg() or add context
 * in front of it with err_prefix():
 *
 *	if (toml_parse(...) == -1) {
 *		err_prefix("%s", path);      -> "acmed.toml: 3:7: expected '='"
 *		return -1;
 *	}
 *
 * Nothing below main() exits the process or prints on its own.
 */
#ifndef ACMED_UTIL_ERR_H
#define ACMED_UTIL_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX 2048

/* Records a message, replacing the previous one.  Always returns -1. */
int err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Like err_set(), then appends ": strerror(errno)".  Always returns -1. */
int err_sys(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Puts "<context>: " in front of the current message.  Returns -1. */
int err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The current message of this thread; "" when none.  Borrowed. */
const char *err_msg(void);

void err_clear(void);

#endif
