/*
 * process.h - the daemon's process: detaching from the terminal, the PID
 * file and its lock.
 */
#ifndef ACMED_DAEMON_PROCESS_H
#define ACMED_DAEMON_PROCESS_H

/*
 * Detaches (fork, setsid, fork, chdir /).  Call before any thread exists.
 * The original process waits until the daemon calls process_ready() and
 * exits with 0, or prints what the daemon reported and exits with 3.
 * keep_stderr: leave fd 2 open (--log-stderr).  -1 with err in the caller
 * when the first fork fails.
 */
int	 process_daemonize(int keep_stderr);

/* Tells the waiting parent (if any) that start-up succeeded (msg NULL) or
 * failed (msg says why). */
void	 process_ready(const char *msg);

/* Creates the PID file, locked for the life of the process; refuses when
 * another process holds the lock.  -1 with err. */
int	 process_pidfile(const char *path);

/* Removes the PID file (if we created one). */
void	 process_pidfile_remove(void);

#endif
