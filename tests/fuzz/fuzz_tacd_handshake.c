/*
 * fuzz_tacd_handshake.c - libFuzzer target for tacd's side of a TLS
 * handshake: the input is what a client sends (TLS records: a
 * ClientHello, maybe a second one after a HelloRetryRequest, anything
 * after), fed through a socketpair to the same non-blocking
 * tacd_tls_conn_handshake() the accept loop drives, with the same server
 * context (the RFC 8737 certificate, the ClientHello callback that
 * refuses clients without ALPN acme-tls/1).
 *
 * The client's end is shut down after the input, so every handshake ends:
 * failed (the usual outcome: the client cannot finish a key exchange it
 * did not compute), or done.  Never a crash, a leak, a hang, or a failure
 * without a message.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crypto/alpn_cert.h"
#include "crypto/proof.h"
#include "tacd/tls.h"
#include "util/err.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* More than one ClientHello and a few records; the socketpair's buffer
 * holds it all, so the input is written before the handshake starts. */
#define MAX_INPUT	(64 * 1024)
/* Each step reads or writes something, or ends: this is ample. */
#define MAX_STEPS	1000

static struct crypto_alpn_cert	*cert;
static struct tacd_tls		*tls;

static void
cleanup(void)
{
	tacd_tls_free(tls);
	crypto_alpn_cert_free(cert);
}

static void
setup(void)
{
	static const unsigned char acme_id[CRYPTO_ACME_ID_LEN] = { 1, 2, 3 };
	struct crypto_alpn_req req = {
		.key_type = CRYPTO_KEY_ECDSA_P256,
		.digest = CRYPTO_DIGEST_SHA256,
		.ident = { CRYPTO_IDENT_DNS, "example.org" },
		.acme_id = acme_id,
	};

	if ((cert = crypto_alpn_cert_new(&req)) == NULL ||
	    (tls = tacd_tls_new(cert)) == NULL)
		abort();
	atexit(cleanup);
}

/* Reads (and drops) what the server sent; 0 at EOF or when empty. */
static void
drain(int fd)
{
	char b[16384];

	while (read(fd, b, sizeof(b)) > 0)
		continue;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tacd_tls_conn *c;
	enum tacd_tls_step st = TACD_TLS_WANT_READ;
	size_t off = 0;
	ssize_t n;
	int sv[2], steps;

	if (tls == NULL)
		setup();
	if (size > MAX_INPUT)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1)
		abort();
	while (off < size) {
		if ((n = write(sv[1], data + off, size - off)) <= 0)
			abort();	/* the buffer holds MAX_INPUT */
		off += (size_t)n;
	}
	if (shutdown(sv[1], SHUT_WR) == -1)
		abort();
	if ((c = tacd_tls_conn_new(tls, sv[0])) == NULL) {
		/* Out of memory (tests/unit/failalloc.sh): said so. */
		assert(err_msg()[0] != '\0');
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	for (steps = 0; steps < MAX_STEPS; steps++) {
		err_clear();
		st = tacd_tls_conn_handshake(c);
		if (st == TACD_TLS_DONE || st == TACD_TLS_FAILED)
			break;
		/* Want read: the input is all there and then EOF, so the
		 * next call cannot want it again without progress.  Want
		 * write: make room. */
		drain(sv[1]);
	}
	assert(steps < MAX_STEPS);
	if (st == TACD_TLS_FAILED)
		assert(err_msg()[0] != '\0');
	else {
		(void)tacd_tls_conn_sni(c);
		(void)tacd_tls_conn_version(c);
	}
	tacd_tls_conn_free(c);
	drain(sv[1]);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
