/*
 * tls.h - tacd's TLS side: a server context holding the RFC 8737
 * certificate, and non-blocking handshakes the accept loop can drive.
 *
 * Only a client that offers ALPN "acme-tls/1" gets past the ClientHello
 * (RFC 8737 section 3); any other fails with a no_application_protocol
 * alert, including a client that sends no ALPN extension at all (OpenSSL
 * does not call the ALPN callback then, which is how ACMEd's tacd serves
 * its certificate to anybody).  TLS 1.2 and 1.3; no session tickets or
 * cache: every validation sees a fresh handshake.
 *
 * OpenSSL types stay in tls.c: the server loop sees only these handles.
 */
#ifndef ACMED_TACD_TLS_H
#define ACMED_TACD_TLS_H

#include "crypto/alpn_cert.h"

struct tacd_tls;
struct tacd_tls_conn;

enum tacd_tls_step {
	TACD_TLS_DONE,		/* handshake complete: the certificate went
				   to an acme-tls/1 client */
	TACD_TLS_WANT_READ,	/* call again when the socket is readable */
	TACD_TLS_WANT_WRITE,	/* ... or writable */
	TACD_TLS_FAILED,	/* the client failed the handshake; err says
				   why */
};

/* A server context for cert (which must outlive it).  Allocated, free with
 * tacd_tls_free(); NULL with err. */
struct tacd_tls *tacd_tls_new(const struct crypto_alpn_cert *cert);

void	 tacd_tls_free(struct tacd_tls *t);

/* A server-side handshake on the non-blocking socket fd (not owned: the
 * caller closes it after tacd_tls_conn_free()).  Allocated; NULL with
 * err. */
struct tacd_tls_conn *tacd_tls_conn_new(struct tacd_tls *t, int fd);

/* Advances the handshake as far as the socket allows.  Never blocks. */
enum tacd_tls_step tacd_tls_conn_handshake(struct tacd_tls_conn *c);

/* 1 once the client's ClientHello has arrived (whole), 0 before. */
int	 tacd_tls_conn_hello(const struct tacd_tls_conn *c);

/* The server name the client asked for; NULL when it sent none.
 * Borrowed, valid until tacd_tls_conn_free(). */
const char *tacd_tls_conn_sni(const struct tacd_tls_conn *c);

/* The negotiated protocol version ("TLSv1.3").  Static string. */
const char *tacd_tls_conn_version(const struct tacd_tls_conn *c);

/* Sends close_notify after a completed handshake (once, without waiting
 * for the answer) and frees.  NULL-safe. */
void	 tacd_tls_conn_free(struct tacd_tls_conn *c);

#endif
