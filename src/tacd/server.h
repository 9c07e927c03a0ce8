/*
 * server.h - tacd's accept loop: accepts connections on the listening
 * sockets, runs their TLS handshakes, logs each validation, and returns
 * when SIGTERM, SIGINT or SIGHUP arrives.
 */
#ifndef ACMED_TACD_SERVER_H
#define ACMED_TACD_SERVER_H

#include <stddef.h>

#include "tacd/tls.h"

#define TACD_MAX_CONNECTIONS		64
#define TACD_HANDSHAKE_TIMEOUT_MS	10000

struct tacd_server_opts {
	const int	*fds;		/* listening, non-blocking */
	size_t		 nfds;
	struct tacd_tls	*tls;
	const char	*sni;		/* the name validators should send,
					   for the log; NULL: no check */
	int		 max_conns;	/* 1 .. TACD_MAX_CONNECTIONS */
	int		 timeout_ms;	/* per handshake, from accept() */
};

/* Blocks SIGTERM, SIGINT and SIGHUP (call it before any other thread
 * exists, and early, so a stop asked for during start-up is not lost but
 * waits for the loop). */
void	 tacd_server_block_signals(void);

/* Serves until one of those signals arrives: 0 then, -1 with err when
 * the loop itself cannot go on.  Open connections are closed on return;
 * the listening sockets are left to the caller. */
int	 tacd_server_run(const struct tacd_server_opts *o);

#endif
