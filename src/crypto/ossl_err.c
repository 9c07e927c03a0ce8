/*
 * ossl_err.c - turns OpenSSL's error queue into the project's error
 * message, so a caller sees why OpenSSL refused ("unsupported", "bad
 * decrypt"...) and the queue does not leak into the next operation.
 */
#include <stdarg.h>
#include <stdio.h>

#include <openssl/err.h>

#include "crypto/intern.h"
#include "util/err.h"

int
crypto_ossl_err(const char *fmt, ...)
{
	char msg[512], reason[256];
	unsigned long e, last = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The first error is usually the root cause; later ones are the
	 * callers' wrappers ("PEM lib", "ASN1 lib"). */
	while ((e = ERR_get_error()) != 0)
		if (last == 0)
			last = e;
	if (last == 0)
		return err_set("%s", msg);
	ERR_error_string_n(last, reason, sizeof(reason));
	return err_set("%s: %s", msg, ERR_reason_error_string(last) != NULL ?
	    ERR_reason_error_string(last) : reason);
}
