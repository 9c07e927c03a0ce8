/*
 * notify.h - the systemd notification protocol (sd_notify(3)) without
 * libsystemd: a datagram to $NOTIFY_SOCKET saying the daemon is ready,
 * reloading or stopping, for a unit of Type=notify.
 */
#ifndef ACMED_DAEMON_NOTIFY_H
#define ACMED_DAEMON_NOTIFY_H

/* Takes NOTIFY_SOCKET out of the environment (hooks must not speak for
 * the daemon) and opens the socket it names.  Call before any thread
 * exists and before hook_init().  Without the variable, or with one that
 * is not a socket address, notify_send() does nothing. */
void	notify_init(void);

/* Sends one message of "KEY=value" lines, printf-style.  Failures are
 * logged at debug level: the service manager's state is advisory. */
void	notify_send(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* "RELOADING=1" with the monotonic time systemd asks for. */
void	notify_reloading(void);

#endif
