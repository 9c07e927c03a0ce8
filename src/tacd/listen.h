/*
 * listen.h - tacd's listening sockets, from the --listen argument:
 *
 *   host:port     every address the host resolves to ("[::1]:5001" for an
 *                 IPv6 literal)
 *   port, :port   every address of this machine, IPv6 and IPv4 (ACMEd's
 *                 tacd rejects this form, which its own default hook uses)
 *   unix:path     a Unix stream socket, removed again by
 *                 tacd_listen_close()
 *
 * The sockets are non-blocking and close-on-exec.
 */
#ifndef ACMED_TACD_LISTEN_H
#define ACMED_TACD_LISTEN_H

#include <stddef.h>
#include <sys/types.h>

#define TACD_MAX_LISTENERS	16

struct tacd_listen {
	int	 fds[TACD_MAX_LISTENERS];
	size_t	 nfds;
	/* Allocated, absolute: the socket file we created; NULL for TCP.
	 * Its device and inode tell us it is still ours when we remove it. */
	char	*unix_path;
	dev_t	 unix_dev;
	ino_t	 unix_ino;
};

/* Opens the sockets of spec (see above) into l.  A Unix socket path that
 * exists is refused unless it is a socket nobody listens on (left by a
 * tacd that was killed), which is replaced.  A relative path is made
 * absolute first, so the socket can still be removed after the daemon
 * moved to "/".  -1 with err, nothing left open. */
int	 tacd_listen_open(struct tacd_listen *l, const char *spec);

/* Closes the sockets and removes the Unix socket file, if we made it and
 * it is still ours.  Safe on a zeroed or already closed struct. */
void	 tacd_listen_close(struct tacd_listen *l);

#endif
