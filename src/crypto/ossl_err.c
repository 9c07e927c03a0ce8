/*
 * ossl_err.c - turns OpenSSL's error queue into the project's error
 * message, so a caller sees why OpenSSL refused ("unsupported", "bad
 * decrypt"...) and the queue does not leak into the next operation.
 * The functions that parse outside data empty the queue first, so that a
 * reason left over from an earlier call is never reported.
 */
#include <stdarg.h>
#include <stdio.h>

#include <openssl/err.h>

#include "crypto/intern.h"
#include "util/err.h"

/* The decoders report "unsupported" for every format they tried and
 * rejected, which says nothing about the input. */
static int
uninformative(unsigned long e)
{
	return ERR_GET_LIB(e) == ERR_LIB_OSSL_DECODER &&
	    ERR_GET_REASON(e) == ERR_R_UNSUPPORTED;
}

int
crypto_ossl_err(const char *fmt, ...)
{
	char msg[512];
	const char *reason = NULL;
	unsigned long e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The oldest error is usually the root cause; later ones are the
	 * callers' wrappers ("PEM lib", "nested asn1 error"). */
	while ((e = ERR_get_error()) != 0)
		if (reason == NULL && !uninformative(e))
			reason = ERR_reason_error_string(e);
	if (reason == NULL)
		return err_set("%s", msg);
	return err_set("%s: %s", msg, reason);
}
