/*
 * control.h - the control socket: a Unix stream socket on which acmectl(8)
 * asks the running daemon for its state and for renewals.
 *
 * One request per connection: a line "<command>[ <argument>]\n"; the
 * answer is "ok\n" and the command's output, or "error: <message>\n",
 * then the daemon closes the connection.  Commands: status, metrics,
 * renew <certificate id>, revoke <reason> <certificate id> (a reason of
 * RFC 5280 by name, keyCompromise..., or "-" for none), deactivate
 * <account><tab><endpoint>, reload (its error answer has one line per
 * configuration error).  Only root and the daemon's own user are
 * answered (the socket is 0600, and the peer's credentials are checked
 * too); requests are served one at a time by one thread, with 5 s in all
 * to read a request and 5 s to write its answer, and none past a stop.
 */
#ifndef ACMED_DAEMON_CONTROL_H
#define ACMED_DAEMON_CONTROL_H

#include "daemon/scheduler.h"
#include "util/buf.h"

#define CONTROL_LINE_MAX	4096		/* a request */
#define CONTROL_ANSWER_MAX	(256u * 1024 * 1024)

struct control;

/* Binds path (mode 0600).  A socket left behind by a daemon that is gone
 * is replaced; any other file, or a socket a daemon still answers on, is
 * an error.  Before detaching: no thread is started.  NULL with err. */
struct control *control_open(const char *path);

/* Loads the configuration again and hands it to the scheduler.  0 with
 * what was done in out; -1 with the configuration's errors, one per line,
 * in out. */
typedef int control_reload_fn(void *arg, struct buf *out);

/* Starts answering, with s; reload(arg, ...) serves "reload".  -1 with
 * err. */
int	 control_start(struct control *c, struct sched *s,
	    control_reload_fn *reload, void *arg);

/* Stops answering (once stop_set() has been called, or the thread has
 * not started) and removes the socket.  NULL is accepted. */
void	 control_close(struct control *c);

#endif
