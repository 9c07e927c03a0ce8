/*
 * process.h - the daemon's process: detaching from the terminal, the PID
 * file and its lock, and the locks on the folders it writes.
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

/*
 * Locks a folder of acmed's state (accounts, certificates) for the life of
 * the process: two acmeds working on the same files would register twice
 * and order twice, whatever their PID files.  A folder already locked by
 * this process is fine.  what names it in the error ("accounts folder").
 * -1 with err when another process holds it.
 */
int	 process_lock_folder(const char *path, const char *what);

#endif
