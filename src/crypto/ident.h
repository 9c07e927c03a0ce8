/*
 * ident.h - an ACME identifier as the crypto layer sees it: a DNS name
 * (already IDNA-normalised by the config layer) or an IP address in text
 * form.  Used by the CSR builder, the tls-alpn-01 certificate and the
 * reverse names of proof.h.
 */
#ifndef ACMED_CRYPTO_IDENT_H
#define ACMED_CRYPTO_IDENT_H

enum crypto_ident_type {
	CRYPTO_IDENT_DNS,
	CRYPTO_IDENT_IP,
};

struct crypto_ident {
	enum crypto_ident_type	 type;
	const char		*value;	/* borrowed */
};

/* Why s, a name in lower-case A-labels without its "*." (if any), is no
 * DNS name a certificate may hold (an empty label, "example.org." too; a
 * label or the name too long; a character other than letters, digits,
 * '-' and '_'; a label that starts or ends with '-'), or NULL when it
 * may. */
const char *crypto_dns_name_error(const char *s);

/* name (UTF-8) in lower-case A-labels, label by label as ACMEd makes
 * them, but for the check of a label that is not ASCII (libidn2, UTS
 * #46): what acmed orders and what tacd serves.  Allocated; NULL with
 * err. */
char	*crypto_dns_a_labels(const char *name);

#endif
