/*
 * control.h - the control socket: a Unix stream socket on which acmectl(8)
 * asks the running daemon for its state and for renewals.
 *
 * One request per connection: a line "<command>[ <argument>]\n"; the
 * answer is "ok\n" and the command's output, or "error: <message>\n",
 * then the daemon closes the connection.  Commands: status, metrics,
 * renew <certificate id>, revoke <reason> <certificate id> (a reason of
 * RFC 5280 by name, keyCompromise..., or "-" for none).  Only root and the daemon's own user are
 * answered (the socket is 0600, and the peer's credentials are checked
 * too); requests are served one at a time by one thread, with 5 s in all
 * to read a request and 5 s to write its answer, and none past a stop.
 */
#ifndef ACMED_DAEMON_CONTROL_H
#define ACMED_DAEMON_CONTROL_H

#include "daemon/scheduler.h"

#define CONTROL_LINE_MAX	4096		/* a request */
#define CONTROL_ANSWER_MAX	(256u * 1024 * 1024)

struct control;

/* Binds path (mode 0600).  A socket left behind by a daemon that is gone
 * is replaced; any other file, or a socket a daemon still answers on, is
 * an error.  Before detaching: no thread is started.  NULL with err. */
struct control *control_open(const char *path);

/* Starts answering, with s.  -1 with err. */
int	 control_start(struct control *c, struct sched *s);

/* Stops answering (once stop_set() has been called, or the thread has
 * not started) and removes the socket.  NULL is accepted. */
void	 control_close(struct control *c);

#endif
