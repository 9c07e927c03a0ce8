/*
 * spawn.h - the project's one way to run a program: posix_spawn with an
 * argv and an explicit environment, never a shell.
 *
 * The child runs in its own session (so a timeout can kill everything it
 * started), with default signal dispositions, an empty signal mask and no
 * descriptor other than 0, 1 and 2.  Its stdin data and captured output
 * are memory files (memfd), not pipes: nothing is fed or drained while it
 * runs, so a child that never reads its stdin or floods its stdout cannot
 * block the caller, and a process it leaves behind can still read that
 * stdin and write to that stdout when the caller has long returned (or
 * exited).  The parent waits for the child alone, with a timeout.
 */
#ifndef ACMED_UTIL_SPAWN_H
#define ACMED_UTIL_SPAWN_H

#include <stddef.h>

#include "util/buf.h"

struct spawn_cmd {
	const char	 *file;		/* program; searched in the PATH of envp
					   (or of this process) if it has no '/' */
	char *const	 *argv;		/* NULL-terminated, argv[0] included */
	char *const	 *envp;		/* NULL-terminated: the whole environment */

	/* stdin: bytes (in a sealed memfd, at once), or a file, or neither
	 * (/dev/null). */
	const char	 *stdin_data;
	size_t		  stdin_len;
	const char	 *stdin_path;

	/* stdout and stderr: a file (created or truncated, mode 0666 minus
	 * the umask), or a capture buffer, or neither (/dev/null).  A
	 * capture is what the child wrote by the time it exited, up to the
	 * buffer's max; the rest is dropped (while it runs too). */
	const char	 *stdout_path;
	const char	 *stderr_path;
	struct buf	 *stdout_buf;
	struct buf	 *stderr_buf;

	int		  timeout_ms;	/* 0: none */
	int		  stoppable;	/* killed like a timeout when the daemon
					   stops (util/stop.h) */
	unsigned long	  nofile;	/* the child's soft RLIMIT_NOFILE when
					   lower than ours, from its first
					   instruction; 0: ours */
};

struct spawn_status {
	int	exited;		/* 1: exited normally, code is valid */
	int	code;		/* exit status */
	int	signo;		/* the signal that ended it, when !exited */
	int	timed_out;	/* 1: killed because of the timeout */
	int	stopped;	/* 1: killed because the daemon stops */
	int	truncated;	/* 1: some output went past a buffer's max,
				   or could not be kept */
	int	not_found;	/* 1: spawn_run() failed: no such program */
};

/* Runs cmd to completion.  Returns 0 when the program ran (whatever its
 * exit status: see st), -1 with err when it could not be started (not
 * found, not executable, a redirection file that cannot be opened). */
int	spawn_run(const struct spawn_cmd *cmd, struct spawn_status *st);

/* 1 when the program exited with status 0. */
int	spawn_ok(const struct spawn_status *st);

/* Describes the outcome: "exit code 3", "killed by signal 9 (Killed)",
 * "timed out after 5000 ms".  Writes into out (size n), returns out. */
const char *spawn_describe(const struct spawn_status *st,
	    const struct spawn_cmd *cmd, char *out, size_t n);

/* Resolves a program name as spawn_run() would.  Allocated, caller frees;
 * NULL with err when not found. */
char	*spawn_which(const char *file, char *const *envp);

#endif
