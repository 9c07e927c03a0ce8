/*
 * input.h - tacd's two inputs, the domain and the acmeIdentifier
 * extension: each comes from its option, its file, or the next line of
 * standard input (domain first), as tacd(8) says.
 */
#ifndef ACMED_TACD_INPUT_H
#define ACMED_TACD_INPUT_H

#include <stdio.h>

#include "crypto/ident.h"
#include "crypto/proof.h"
#include "util/buf.h"

/* Appends to out the value given on the command line (value), else the
 * contents of file, else one line read from in; trimmed of white space
 * either way.  what names the input in messages ("domain").  -1 with
 * err. */
int	 tacd_input_read(const char *value, const char *file, FILE *in,
	    const char *what, struct buf *out);

/*
 * Reads the domain as ACMEd's tacd does: lower case, and a non-ASCII name
 * in its IDNA (punycode) form.  A reverse-DNS name or an IP literal gives
 * an IP identifier (crypto_tls_alpn_name_parse()): the default hooks pass
 * the former, and RFC 8738 wants an iPAddress SAN.  value (appended to)
 * receives the identifier, sni (appended to) the name a validator sends
 * for it.  -1 with err.
 */
int	 tacd_input_domain(const char *raw, enum crypto_ident_type *type,
	    struct buf *value, struct buf *sni);

/* Reads the --acme-ext text into digest.  0 and *has = 1 for a valid
 * extension; 0 and *has = 0 for an empty text (ACMEd then leaves the
 * extension out); -1 with err otherwise. */
int	 tacd_input_ext(const char *text,
	    unsigned char digest[CRYPTO_ACME_ID_LEN], int *has);

#endif
