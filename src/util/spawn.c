/*
 * spawn.c - running programs without a shell (see spawn.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/period.h"
#include "util/spawn.h"
#include "util/stop.h"

/* After the timeout, SIGTERM; after this much more, SIGKILL. */
#define SPAWN_KILL_GRACE_MS	2000
/* While the child runs, how often to drop captured output past the max
 * (and, without a pidfd, to look at the child). */
#define SPAWN_TICK_MS		50
/* The same while the child floods its captured output: the memory it
 * fills between two trims. */
#define SPAWN_FLOOD_MS		1


static const char *
spawn_path_of(char *const *envp)
{
	size_t i;

	for (i = 0; envp != NULL && envp[i] != NULL; i++)
		if (strncmp(envp[i], "PATH=", 5) == 0)
			return envp[i] + 5;
	if (getenv("PATH") != NULL)
		return getenv("PATH");
	return "/usr/local/bin:/usr/bin:/bin";
}

char *
spawn_which(const char *file, char *const *envp)
{
	const char *path, *p, *end;
	struct stat sb;
	char *cand;

	if (*file == '\0') {
		err_set("empty command");
		return NULL;
	}
	if (strchr(file, '/') != NULL) {
		if ((cand = strdup(file)) == NULL)
			err_set("out of memory");
		return cand;
	}
	path = spawn_path_of(envp);
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		if (asprintf(&cand, "%.*s/%s", end == p ? 1 : (int)(end - p),
		    end == p ? "." : p, file) == -1) {
			err_set("out of memory");
			return NULL;
		}
		if (stat(cand, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(cand, X_OK) == 0)
			return cand;
		free(cand);
		if (*end == '\0')
			break;
	}
	err_set("%s: command not found in PATH (%s)", file, path);
	errno = ENOENT;
	return NULL;
}

static void
spawn_close(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL		0x0008U
#endif

/* A memfd, close-on-exec, never executable where the kernel can say so
 * (6.3 and later warn about a memfd made without saying, and refuse it
 * when vm.memfd_noexec is 2).  -1 with err. */
static int
spawn_memfd(const char *name, unsigned int flags)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_NOEXEC_SEAL | flags);

	if (fd == -1 && errno == EINVAL)	/* before 6.3 */
		fd = memfd_create(name, MFD_CLOEXEC | flags);
	if (fd == -1)
		err_sys("memfd_create");
	return fd;
}

/* The child's stdin for stdin_data: a sealed memfd that holds all of
 * it, at offset 0.  Nothing feeds a pipe, so nothing blocks or breaks:
 * the child, or a process it leaves behind, reads it whenever it
 * likes (ACMEd wrote it all before waiting).  -1 with err. */
static int
spawn_memfd_in(const struct spawn_cmd *cmd)
{
	size_t off = 0;
	ssize_t n;
	int fd;

	if ((fd = spawn_memfd("acmed-stdin", MFD_ALLOW_SEALING)) == -1)
		return -1;
	while (off < cmd->stdin_len) {
		n = pwrite(fd, cmd->stdin_data + off, cmd->stdin_len - off,
		    (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_sys("stdin");
			goto fail;
		}
		off += (size_t)n;
	}
	/* Read-only for the child, like a pipe's reading end. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_WRITE | F_SEAL_SEAL) == -1) {
		err_sys("stdin seals");
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * A captured stdout or stderr is a memfd, not a pipe: a write to it
 * never blocks and never fails, for as long as anyone holds it.  A hook
 * may leave a process behind (a web server for http-01) that logs to
 * what it inherited after the hook exited, after spawn_run() returned,
 * after acmed itself exited (--once): with a pipe, it got EPIPE or
 * SIGPIPE once our reading end was closed.  The child's output is read
 * when it exits, up to the buffer's max.
 *
 * Memory: while the child runs, what is past the max is dropped every
 * SPAWN_TICK_MS (spawn_trim), every SPAWN_FLOOD_MS while it floods, so
 * a flood holds the max and what it writes in a millisecond or two
 * (cat /dev/zero: 16 to 24 MB here; a hundred with a 50 ms tick); once
 * read, the file is emptied.  What a process
 * left behind writes afterwards stays in memory until it exits (ACMEd
 * gave hooks /dev/null); a hook that starts a long-lived process that
 * writes much should send its output to a file (see acmed.toml(5)).
 */
static int
spawn_memfd_out(const char *name)
{
	int fd = spawn_memfd(name, 0);

	/* MFD_NOEXEC_SEAL allows seals: the hook must not be able to stop
	 * the trims and the emptying with one (EPERM where they are not
	 * allowed anyway). */
	if (fd != -1)
		(void)fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL);
	return fd;
}

/* Opens the file for a redirection in the parent, so an error names it. */
static int
spawn_open_redirect(const char *what, const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0666);

	if (fd == -1)
		err_sys("%s file %s", what, path);
	return fd;
}

/* A capture: the memfd the child writes to, and how far it has been
 * emptied past the buffer's room. */
struct spawn_cap {
	int		 fd;	/* -1: no capture */
	struct buf	*b;	/* borrowed from the spawn_cmd */
	off_t		 trimmed;
};

/* Drops what the child wrote past the buffer's room (it would be
 * dropped when read anyway).  Best effort.  1 when there was some: the
 * child floods, look again soon. */
static int
spawn_trim(struct spawn_cap *cap, int *truncated)
{
	struct stat sb;
	off_t room;

	if (cap->fd == -1 || fstat(cap->fd, &sb) == -1 ||
	    (unsigned long long)sb.st_size <= cap->b->max - cap->b->len)
		return 0;
	*truncated = 1;
	room = (off_t)(cap->b->max - cap->b->len);	/* < st_size */
	if (cap->trimmed < room)
		cap->trimmed = room;
	if (sb.st_size <= cap->trimmed ||
	    fallocate(cap->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	    cap->trimmed, sb.st_size - cap->trimmed) == -1)
		return 0;
	cap->trimmed = sb.st_size;
	return 1;
}

/* Reads what the child wrote (up to the buffer's room), empties the
 * file and closes it.  What a process the child left behind writes
 * after this is neither read nor counted. */
static void
spawn_collect(struct spawn_cap *cap, int *truncated)
{
	char chunk[4096];
	struct stat sb;
	size_t room, want, got = 0;
	ssize_t n;

	if (cap->fd == -1)
		return;
	room = cap->b->max - cap->b->len;
	want = room;
	if (fstat(cap->fd, &sb) == 0) {
		if ((unsigned long long)sb.st_size > room)
			*truncated = 1;
		else
			want = (size_t)sb.st_size;
	}
	while (got < want) {
		n = pread(cap->fd, chunk, want - got < sizeof(chunk) ?
		    want - got : sizeof(chunk), (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (buf_append(cap->b, chunk, (size_t)n) == -1) {
			*truncated = 1;
			break;
		}
		got += (size_t)n;
	}
	/* A holder left behind keeps the file: free what the child
	 * wrote.  Its later writes land past the end, in a hole. */
	(void)ftruncate(cap->fd, 0);
	spawn_close(&cap->fd);
}

/* Spawns taking turns while acmed's own limit is lowered for a child. */
static pthread_mutex_t spawn_limit_mu = PTHREAD_MUTEX_INITIALIZER;

/*
 * posix_spawn() with the child's soft RLIMIT_NOFILE at most nofile (0:
 * ours) from its first instruction: posix_spawn() has no attribute for
 * limits, and prlimit() on the child once it returns came too late for
 * a program that reads its limit at once.  So the process's own soft
 * limit is lowered for the instant of the spawn, which the child
 * inherits; only a thread that opens a file meanwhile, while more than
 * nofile descriptors are open, could see EMFILE.  Returns 0 or an errno.
 */
static int
spawn_with_nofile(unsigned long nofile, pid_t *pidp, const char *prog,
    const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
    char *const *argv, char *const *envp)
{
	struct rlimit was, low;
	int e;

	if (nofile == 0 || getrlimit(RLIMIT_NOFILE, &was) == -1 ||
	    (was.rlim_cur != RLIM_INFINITY && was.rlim_cur <= nofile))
		return posix_spawn(pidp, prog, fa, attr, argv, envp);
	pthread_mutex_lock(&spawn_limit_mu);
	low = was;
	low.rlim_cur = nofile;
	if (setrlimit(RLIMIT_NOFILE, &low) == -1) {
		pthread_mutex_unlock(&spawn_limit_mu);
		return posix_spawn(pidp, prog, fa, attr, argv, envp);
	}
	e = posix_spawn(pidp, prog, fa, attr, argv, envp);
	(void)setrlimit(RLIMIT_NOFILE, &was);
	pthread_mutex_unlock(&spawn_limit_mu);
	return e;
}

/* Starts prog; hands the captures' memfds to out and err.  -1 with err;
 * *not_found tells a program posix_spawn() could not find (a script's
 * interpreter, say). */
static int
spawn_start(const struct spawn_cmd *cmd, const char *prog, pid_t *pidp,
    struct spawn_cap *out, struct spawn_cap *err, int *not_found)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int child_fd[3] = { -1, -1, -1 };
	sigset_t all, none;
	int rc = -1, e, i;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);

	/* stdin */
	if (cmd->stdin_data != NULL) {
		if ((child_fd[0] = spawn_memfd_in(cmd)) == -1)
			goto out;
	} else if (cmd->stdin_path != NULL) {
		child_fd[0] = spawn_open_redirect("stdin", cmd->stdin_path,
		    O_RDONLY);
		if (child_fd[0] == -1)
			goto out;
	}
	/* stdout and stderr */
	if (cmd->stdout_path != NULL)
		child_fd[1] = spawn_open_redirect("stdout", cmd->stdout_path,
		    O_WRONLY | O_CREAT | O_TRUNC);
	else if (cmd->stdout_buf != NULL)
		child_fd[1] = spawn_memfd_out("acmed-stdout");
	if (child_fd[1] == -1 &&
	    (cmd->stdout_path != NULL || cmd->stdout_buf != NULL))
		goto out;
	if (cmd->stderr_path != NULL)
		child_fd[2] = spawn_open_redirect("stderr", cmd->stderr_path,
		    O_WRONLY | O_CREAT | O_TRUNC);
	else if (cmd->stderr_buf != NULL)
		child_fd[2] = spawn_memfd_out("acmed-stderr");
	if (child_fd[2] == -1 &&
	    (cmd->stderr_path != NULL || cmd->stderr_buf != NULL))
		goto out;
	for (i = 0; i < 3; i++) {
		if (child_fd[i] != -1)
			posix_spawn_file_actions_adddup2(&fa, child_fd[i], i);
		else
			posix_spawn_file_actions_addopen(&fa, i, "/dev/null",
			    i == 0 ? O_RDONLY : O_WRONLY, 0);
	}
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID);

	e = spawn_with_nofile(cmd->nofile, pidp, prog, &fa, &attr, cmd->argv,
	    cmd->envp);
	if (e != 0) {
		*not_found = e == ENOENT;
		errno = e;
		err_sys("%s: cannot run", prog);
		goto out;
	}
	/* The captures are read once the child exits. */
	if (cmd->stdout_path == NULL && cmd->stdout_buf != NULL) {
		out->fd = child_fd[1];
		child_fd[1] = -1;
	}
	if (cmd->stderr_path == NULL && cmd->stderr_buf != NULL) {
		err->fd = child_fd[2];
		child_fd[2] = -1;
	}
	rc = 0;
out:
	/* The rest is the child's own now (or nobody's). */
	for (i = 0; i < 3; i++)
		spawn_close(&child_fd[i]);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

static int
spawn_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
#else
	(void)pid;
	return -1;
#endif
}

/* The sooner of a poll() timeout (-1: none) and ms from now. */
static int
spawn_sooner(int timeout, long long ms)
{
	if (ms < 0)
		ms = 0;
	if (timeout == -1 || ms < timeout)
		return ms > INT_MAX ? INT_MAX : (int)ms;
	return timeout;
}

/* Waits for the child, and only for it: what it leaves behind holding
 * its stdout or stderr does not keep us.  Enforces the timeout. */
static void
spawn_wait(const struct spawn_cmd *cmd, pid_t pid, struct spawn_cap *out,
    struct spawn_cap *err, struct spawn_status *st)
{
	long long now, deadline = -1, kill_at = -1;
	struct pollfd pfd[2];
	int pidfd, status = 0, reaped = 0, nfds, timeout, term_sent = 0;
	int sfd = cmd->stoppable ? stop_fd() : -1, flooding = 0;
	int tick = SPAWN_FLOOD_MS;	/* from 1 ms, doubled up to the tick */

	pidfd = spawn_pidfd(pid);
	if (cmd->timeout_ms > 0)
		deadline = period_now_ms() + cmd->timeout_ms;

	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			reaped = 1;
			break;
		}
		now = period_now_ms();
		if (!term_sent && cmd->stoppable && stop_is_set()) {
			st->stopped = 1;
			deadline = now;
		}
		if (deadline >= 0 && now >= deadline && !term_sent) {
			st->timed_out = !st->stopped;
			kill(-pid, SIGTERM);
			kill(pid, SIGTERM);
			term_sent = 1;
			kill_at = now + SPAWN_KILL_GRACE_MS;
		}
		if (kill_at >= 0 && now >= kill_at) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			kill_at = -1;
		}

		nfds = 0;
		if (pidfd != -1)
			pfd[nfds++] = (struct pollfd){ pidfd, POLLIN, 0 };
		if (!term_sent && sfd != -1)
			pfd[nfds++] = (struct pollfd){ sfd, POLLIN, 0 };
		/* Without a pidfd, look at the child every tick; with a
		 * capture, at what it wrote: every millisecond while it
		 * floods (it writes a hundred megabytes in a tick), from a
		 * millisecond at first. */
		timeout = (pidfd == -1 || out->fd != -1 || err->fd != -1) ?
		    tick : -1;
		if (kill_at >= 0)
			timeout = spawn_sooner(timeout, kill_at - now);
		if (deadline >= 0 && !term_sent)
			timeout = spawn_sooner(timeout, deadline - now);
		if (poll(pfd, (nfds_t)nfds, timeout) == -1 && errno != EINTR)
			break;
		flooding = spawn_trim(out, &st->truncated) |
		    spawn_trim(err, &st->truncated);
		tick = flooding ? SPAWN_FLOOD_MS : tick * 2 > SPAWN_TICK_MS ?
		    SPAWN_TICK_MS : tick * 2;
	}
	if (pidfd != -1)
		close(pidfd);
	if (!reaped) {
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	spawn_collect(out, &st->truncated);
	spawn_collect(err, &st->truncated);
	if (WIFEXITED(status)) {
		st->exited = 1;
		st->code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		st->signo = WTERMSIG(status);
	}
}

int
spawn_run(const struct spawn_cmd *cmd, struct spawn_status *st)
{
	struct spawn_cap out = { -1, cmd->stdout_buf, 0 };
	struct spawn_cap err = { -1, cmd->stderr_buf, 0 };
	char *prog;
	pid_t pid;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((prog = spawn_which(cmd->file, cmd->envp)) == NULL) {
		st->not_found = errno == ENOENT;
		return -1;
	}
	/* A path is not looked up: tell a missing program here too. */
	if (strchr(cmd->file, '/') != NULL && access(prog, X_OK) == -1) {
		st->not_found = errno == ENOENT;
		err_sys("%s", prog);
		free(prog);
		return -1;
	}
	rc = spawn_start(cmd, prog, &pid, &out, &err, &st->not_found);
	if (rc == 0)
		spawn_wait(cmd, pid, &out, &err, st);
	free(prog);
	return rc;
}

int
spawn_ok(const struct spawn_status *st)
{
	return st->exited && st->code == 0;
}

const char *
spawn_describe(const struct spawn_status *st, const struct spawn_cmd *cmd,
    char *out, size_t n)
{
	if (st->timed_out)
		snprintf(out, n, "timed out after %d ms and was killed",
		    cmd->timeout_ms);
	else if (st->stopped)
		snprintf(out, n, "killed because acmed is stopping");
	else if (st->exited)
		snprintf(out, n, "exit code %d", st->code);
	else
		snprintf(out, n, "killed by signal %d (%s)", st->signo,
		    strsignal(st->signo));
	return out;
}
