/*
 * tls.c - tacd's OpenSSL server context and non-blocking handshakes (see
 * tls.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>

#include "crypto/ossl.h"
#include "tacd/tls.h"
#include "util/err.h"

/* RFC 8737 section 6.2, as it appears in a ClientHello's protocol list. */
static const unsigned char acme_tls_1[] = "acme-tls/1";
#define ACME_TLS_1_LEN	(sizeof(acme_tls_1) - 1)

struct tacd_tls {
	SSL_CTX	*ctx;
};

struct tacd_tls_conn {
	SSL		*ssl;
	const char	*refused;	/* why our ClientHello check failed
					   the handshake; static string */
	int		 hello;		/* the ClientHello has arrived */
	int		 done;
};

/* Records "<msg>: <OpenSSL's first reason>" and empties the queue. */
static int	tls_err(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

static int
tls_err(const char *fmt, ...)
{
	const char *reason = NULL;
	unsigned long e;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	while ((e = ERR_get_error()) != 0)
		if (reason == NULL)
			reason = ERR_reason_error_string(e);
	if (reason == NULL)
		return err_set("%s", msg);
	return err_set("%s: %s", msg, reason);
}

/* 1 when the wire-format protocol list (length-prefixed names) holds
 * acme-tls/1.  A malformed list holds nothing. */
static int
offers_acme_tls_1(const unsigned char *p, size_t len)
{
	size_t n;

	while (len > 0) {
		n = p[0];
		if (n == 0 || n + 1 > len)
			return 0;
		if (n == ACME_TLS_1_LEN && memcmp(p + 1, acme_tls_1, n) == 0)
			return 1;
		p += n + 1;
		len -= n + 1;
	}
	return 0;
}

/*
 * Runs on the ClientHello, before any certificate is chosen.  The ALPN
 * select callback below only runs when the client sent an ALPN extension,
 * so a client without one would otherwise get the certificate: the check
 * has to be here.
 */
static int
client_hello_cb(SSL *ssl, int *alert, void *arg)
{
	struct tacd_tls_conn *c = SSL_get_app_data(ssl);
	const unsigned char *ext;
	size_t len;

	(void)arg;
	c->hello = 1;
	if (!SSL_client_hello_get0_ext(ssl,
	    TLSEXT_TYPE_application_layer_protocol_negotiation, &ext, &len)) {
		c->refused = "the client offered no ALPN protocol";
		goto refuse;
	}
	/* extension_data: a 2-byte length, then the protocol names. */
	if (len < 2 || (size_t)(ext[0] << 8 | ext[1]) != len - 2 ||
	    !offers_acme_tls_1(ext + 2, len - 2)) {
		c->refused = "the client did not offer ALPN acme-tls/1";
		goto refuse;
	}
	return SSL_CLIENT_HELLO_SUCCESS;
refuse:
	*alert = SSL_AD_NO_APPLICATION_PROTOCOL;
	return SSL_CLIENT_HELLO_ERROR;
}

/* Selects acme-tls/1; the server must echo it (RFC 8737 section 3). */
static int
alpn_select_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	(void)ssl;
	(void)arg;
	while (inlen > 0 && (unsigned int)in[0] + 1 <= inlen) {
		if (in[0] == ACME_TLS_1_LEN &&
		    memcmp(in + 1, acme_tls_1, ACME_TLS_1_LEN) == 0) {
			*out = in + 1;
			*outlen = (unsigned char)ACME_TLS_1_LEN;
			return SSL_TLSEXT_ERR_OK;
		}
		inlen -= (unsigned int)in[0] + 1;
		in += in[0] + 1;
	}
	return SSL_TLSEXT_ERR_ALERT_FATAL;
}

struct tacd_tls *
tacd_tls_new(const struct crypto_alpn_cert *cert)
{
	struct tacd_tls *t = NULL;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		err_set("out of memory");
		goto fail;
	}
	ERR_clear_error();
	if ((t->ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION) != 1) {
		tls_err("cannot create the TLS context");
		goto fail;
	}
	/* A validation is one handshake; resumption would skip the
	 * certificate, renegotiation only adds attack surface. */
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_TICKET |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_OFF);
	if (SSL_CTX_set_num_tickets(t->ctx, 0) != 1 ||
	    SSL_CTX_use_certificate(t->ctx, crypto_alpn_cert_x509(cert)) != 1 ||
	    SSL_CTX_use_PrivateKey(t->ctx, crypto_alpn_cert_pkey(cert)) != 1 ||
	    SSL_CTX_check_private_key(t->ctx) != 1) {
		tls_err("cannot load the certificate into the TLS context");
		goto fail;
	}
	SSL_CTX_set_client_hello_cb(t->ctx, client_hello_cb, NULL);
	SSL_CTX_set_alpn_select_cb(t->ctx, alpn_select_cb, NULL);
	return t;
fail:
	tacd_tls_free(t);
	return NULL;
}

void
tacd_tls_free(struct tacd_tls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

struct tacd_tls_conn *
tacd_tls_conn_new(struct tacd_tls *t, int fd)
{
	struct tacd_tls_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	ERR_clear_error();
	if ((c->ssl = SSL_new(t->ctx)) == NULL || SSL_set_fd(c->ssl, fd) != 1 ||
	    SSL_set_app_data(c->ssl, c) != 1) {
		tls_err("cannot start a TLS connection");
		tacd_tls_conn_free(c);
		return NULL;
	}
	SSL_set_accept_state(c->ssl);
	return c;
}

enum tacd_tls_step
tacd_tls_conn_handshake(struct tacd_tls_conn *c)
{
	int rc, e;

	ERR_clear_error();
	errno = 0;
	if ((rc = SSL_do_handshake(c->ssl)) == 1) {
		c->done = 1;
		return TACD_TLS_DONE;
	}
	switch ((e = SSL_get_error(c->ssl, rc))) {
	case SSL_ERROR_WANT_READ:
		return TACD_TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return TACD_TLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		err_set("the client closed the connection");
		break;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		if (errno == 0)
			err_set("the client closed the connection during the "
			    "handshake");
		else
			err_sys("the connection failed");
		break;
	default:
		if (c->refused != NULL) {
			ERR_clear_error();
			err_set("%s", c->refused);
		} else {
			tls_err("handshake failed");
		}
		break;
	}
	return TACD_TLS_FAILED;
}

int
tacd_tls_conn_hello(const struct tacd_tls_conn *c)
{
	return c->hello;
}

const char *
tacd_tls_conn_sni(const struct tacd_tls_conn *c)
{
	return SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name);
}

const char *
tacd_tls_conn_version(const struct tacd_tls_conn *c)
{
	return SSL_get_version(c->ssl);
}

void
tacd_tls_conn_free(struct tacd_tls_conn *c)
{
	if (c == NULL)
		return;
	if (c->done) {
		/* Best effort: the validator has what it came for, and a
		 * full bidirectional shutdown would keep a slot busy. */
		SSL_shutdown(c->ssl);
	}
	ERR_clear_error();
	SSL_free(c->ssl);
	free(c);
}
