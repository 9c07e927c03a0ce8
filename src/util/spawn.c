/*
 * spawn.c - running programs without a shell (see spawn.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
/* After the child exits, how long to wait for descendants that still hold
 * its output pipes (a hook that starts a daemon must not hang us). */
#define SPAWN_DRAIN_GRACE_MS	500


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

/* A pipe whose parent end is non-blocking and close-on-exec. */
static int
spawn_pipe(int fds[2], int parent_end)
{
	if (pipe2(fds, O_CLOEXEC) == -1)
		return err_sys("pipe");
	if (fcntl(fds[parent_end], F_SETFL, O_NONBLOCK) == -1)
		return err_sys("fcntl");
	return 0;
}

static void
spawn_close(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

/* Reads what is available from fd into b (dropping what exceeds its
 * max).  Returns 1 at EOF or error, 0 otherwise. */
static int
spawn_drain(int fd, struct buf *b, int *truncated)
{
	char chunk[4096];
	ssize_t n;
	size_t room;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == 0)
			return 1;
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : 1;
		room = b->max - b->len;
		if ((size_t)n > room) {
			*truncated = 1;
			n = (ssize_t)room;
		}
		if (n > 0 && buf_append(b, chunk, (size_t)n) == -1)
			*truncated = 1;
	}
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

struct spawn_io {
	int	in_fd;		/* parent's write end of stdin, or -1 */
	int	out_fd;		/* parent's read end of stdout, or -1 */
	int	err_fd;
	size_t	in_off;
};

/* Feeds stdin without ever blocking; EPIPE means the child stopped reading,
 * which is its right. */
static void
spawn_feed(const struct spawn_cmd *cmd, struct spawn_io *io)
{
	sigset_t pipeset;
	struct timespec zero = { 0, 0 };
	ssize_t n;

	while (io->in_fd != -1 && io->in_off < cmd->stdin_len) {
		n = write(io->in_fd, cmd->stdin_data + io->in_off,
		    cmd->stdin_len - io->in_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			/* Consume the SIGPIPE we blocked (see spawn_run). */
			sigemptyset(&pipeset);
			sigaddset(&pipeset, SIGPIPE);
			sigtimedwait(&pipeset, NULL, &zero);
			break;
		}
		io->in_off += (size_t)n;
	}
	spawn_close(&io->in_fd);
}

/* Starts prog.  -1 with err; *not_found tells a program posix_spawn()
 * could not find (a script's interpreter, say). */
static int
spawn_start(const struct spawn_cmd *cmd, const char *prog, pid_t *pidp,
    struct spawn_io *io, int *not_found)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	int child_fd[3] = { -1, -1, -1 };
	sigset_t all, none;
	int rc = -1, e, i;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);

	/* stdin */
	if (cmd->stdin_data != NULL) {
		if (spawn_pipe(in, 1) == -1)
			goto out;
		child_fd[0] = in[0];
	} else if (cmd->stdin_path != NULL) {
		child_fd[0] = spawn_open_redirect("stdin", cmd->stdin_path,
		    O_RDONLY);
		if (child_fd[0] == -1)
			goto out;
	}
	/* stdout and stderr */
	if (cmd->stdout_path != NULL) {
		child_fd[1] = spawn_open_redirect("stdout", cmd->stdout_path,
		    O_WRONLY | O_CREAT | O_TRUNC);
		if (child_fd[1] == -1)
			goto out;
	} else if (cmd->stdout_buf != NULL) {
		if (spawn_pipe(out, 0) == -1)
			goto out;
		child_fd[1] = out[1];
	}
	if (cmd->stderr_path != NULL) {
		child_fd[2] = spawn_open_redirect("stderr", cmd->stderr_path,
		    O_WRONLY | O_CREAT | O_TRUNC);
		if (child_fd[2] == -1)
			goto out;
	} else if (cmd->stderr_buf != NULL) {
		if (spawn_pipe(errp, 0) == -1)
			goto out;
		child_fd[2] = errp[1];
	}
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

	e = posix_spawn(pidp, prog, &fa, &attr, cmd->argv, cmd->envp);
	if (e != 0) {
		*not_found = e == ENOENT;
		errno = e;
		err_sys("%s: cannot run", prog);
		goto out;
	}
	io->in_fd = in[1];
	in[1] = -1;
	io->out_fd = out[0];
	out[0] = -1;
	io->err_fd = errp[0];
	errp[0] = -1;
	rc = 0;
out:
	/* The child's ends (and files opened for it) belong to the child. */
	if (cmd->stdin_data == NULL)
		spawn_close(&child_fd[0]);
	if (cmd->stdout_buf == NULL || cmd->stdout_path != NULL)
		spawn_close(&child_fd[1]);
	if (cmd->stderr_buf == NULL || cmd->stderr_path != NULL)
		spawn_close(&child_fd[2]);
	spawn_close(&in[0]);
	spawn_close(&in[1]);
	spawn_close(&out[0]);
	spawn_close(&out[1]);
	spawn_close(&errp[0]);
	spawn_close(&errp[1]);
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

/* Waits for the child and its pipes; enforces the timeout. */
static void
spawn_wait(const struct spawn_cmd *cmd, pid_t pid, struct spawn_io *io,
    struct spawn_status *st)
{
	long long now, deadline = -1, kill_at = -1, drain_until = -1;
	struct pollfd pfd[5];
	int pidfd, status, reaped = 0, nfds, timeout, term_sent = 0;
	int sfd = cmd->stoppable ? stop_fd() : -1;

	pidfd = spawn_pidfd(pid);
	if (cmd->timeout_ms > 0)
		deadline = period_now_ms() + cmd->timeout_ms;
	spawn_feed(cmd, io);

	for (;;) {
		if (!reaped && waitpid(pid, &status, WNOHANG) == pid) {
			reaped = 1;
			drain_until = period_now_ms() + SPAWN_DRAIN_GRACE_MS;
			spawn_close(&io->in_fd);
		}
		if (reaped && io->out_fd == -1 && io->err_fd == -1)
			break;
		now = period_now_ms();
		if (reaped && now >= drain_until)
			break;
		if (!reaped && !term_sent && cmd->stoppable && stop_is_set()) {
			st->stopped = 1;
			deadline = now;
		}
		if (!reaped && deadline >= 0 && now >= deadline &&
		    !term_sent) {
			st->timed_out = !st->stopped;
			kill(-pid, SIGTERM);
			kill(pid, SIGTERM);
			term_sent = 1;
			kill_at = now + SPAWN_KILL_GRACE_MS;
		}
		if (!reaped && kill_at >= 0 && now >= kill_at) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			kill_at = -1;
		}

		nfds = 0;
		if (io->in_fd != -1)
			pfd[nfds++] = (struct pollfd){ io->in_fd, POLLOUT, 0 };
		if (io->out_fd != -1)
			pfd[nfds++] = (struct pollfd){ io->out_fd, POLLIN, 0 };
		if (io->err_fd != -1)
			pfd[nfds++] = (struct pollfd){ io->err_fd, POLLIN, 0 };
		if (!reaped && pidfd != -1)
			pfd[nfds++] = (struct pollfd){ pidfd, POLLIN, 0 };
		if (!reaped && !term_sent && sfd != -1)
			pfd[nfds++] = (struct pollfd){ sfd, POLLIN, 0 };
		/* Without a pidfd, look at the child every 50 ms. */
		timeout = (!reaped && pidfd == -1) ? 50 : -1;
		if (reaped)
			timeout = (int)(drain_until - now);
		else if (kill_at >= 0)
			timeout = (int)(kill_at - now);
		else if (deadline >= 0 && !term_sent &&
		    (timeout == -1 || deadline - now < timeout))
			timeout = (int)(deadline - now);
		if (poll(pfd, (nfds_t)nfds, timeout) == -1 && errno != EINTR)
			break;

		if (io->in_fd != -1)
			spawn_feed(cmd, io);
		if (io->out_fd != -1 &&
		    spawn_drain(io->out_fd, cmd->stdout_buf, &st->truncated))
			spawn_close(&io->out_fd);
		if (io->err_fd != -1 &&
		    spawn_drain(io->err_fd, cmd->stderr_buf, &st->truncated))
			spawn_close(&io->err_fd);
	}
	spawn_close(&io->in_fd);
	spawn_close(&io->out_fd);
	spawn_close(&io->err_fd);
	if (pidfd != -1)
		close(pidfd);
	if (!reaped) {
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	if (WIFEXITED(status)) {
		st->exited = 1;
		st->code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		st->signo = WTERMSIG(status);
	}
}

/* Best effort: a child that already exited, or a limit that cannot be
 * read, leaves things as they are. */
static void
spawn_limit_nofile(pid_t pid, unsigned long nofile)
{
	struct rlimit rl;

	if (prlimit(pid, RLIMIT_NOFILE, NULL, &rl) == -1 ||
	    (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= nofile))
		return;
	rl.rlim_cur = nofile;
	(void)prlimit(pid, RLIMIT_NOFILE, &rl, NULL);
}

int
spawn_run(const struct spawn_cmd *cmd, struct spawn_status *st)
{
	struct spawn_io io = { -1, -1, -1, 0 };
	sigset_t pipeset, oldset;
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
	/* A child that closes its stdin must not kill us with SIGPIPE:
	 * block it in this thread; spawn_feed() consumes it. */
	sigemptyset(&pipeset);
	sigaddset(&pipeset, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipeset, &oldset);
	rc = spawn_start(cmd, prog, &pid, &io, &st->not_found);
	if (rc == 0 && cmd->nofile > 0)
		spawn_limit_nofile(pid, cmd->nofile);
	if (rc == 0)
		spawn_wait(cmd, pid, &io, st);
	pthread_sigmask(SIG_SETMASK, &oldset, NULL);
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
