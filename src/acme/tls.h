/*
 * tls.h - the trust store used by the HTTPS transport.  This file and
 * tls.c are the only place outside src/crypto/ that touches OpenSSL, and
 * only to configure TLS verification.
 */
#ifndef ACMED_ACME_TLS_H
#define ACMED_ACME_TLS_H

struct http_trust;

/* Installs the trust store on a fresh OpenSSL SSL_CTX (void * so this
 * header needs no OpenSSL include).  -1 on error. */
int	tls_trust_apply(struct http_trust *t, void *ssl_ctx);

/* 1 when one of the folders (a colon-separated list, as SSL_CERT_DIR)
 * holds a name of OpenSSL's hashed lookup ("5a2b3c4d.0"): a folder
 * without one would find no root certificate. */
int	tls_dir_hashed(const char *dirs);

#endif
