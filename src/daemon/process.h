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
 * another process holds the lock.  Taken before detaching (the lock goes
 * with the descriptor to the daemon), so that a second acmed is told at
 * once and touches nothing.  -1 with err. */
int	 process_pidfile(const char *path);

/* Writes the PID again: the daemon's, after process_daemonize().  -1 with
 * err; 0 without a PID file. */
int	 process_pidfile_rewrite(void);

/* Removes the PID file (if we created one). */
void	 process_pidfile_remove(void);

/*
 * Locks a folder of acmed's state (accounts, certificates) with flock():
 * two acmeds working on the same files would register twice and order
 * twice, whatever their PID files.  Counted: a runtime takes a reference
 * to each of its folders and gives it back when freed, so that a reload
 * keeps the folders both configurations use and lets go of the others.
 * what names the folder in messages ("accounts folder").  NULL with err
 * when another process holds the lock; a file system that cannot lock a
 * folder (NFS) only gets a warning.  Thread-safe.
 */
struct folder_lock *process_lock_folder(const char *path, const char *what);

/* Gives a reference back; the last one unlocks.  NULL is fine. */
void	 process_unlock_folder(struct folder_lock *l);

#endif
