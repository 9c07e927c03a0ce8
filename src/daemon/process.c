/*
 * process.c - daemonisation, PID file and folder locks (see process.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/process.h"
#include "util/err.h"

static int ready_fd = -1;
static int pid_fd = -1;
static char *pid_path;

/* The folders locked, kept open (and locked) until the process ends. */
static struct held_folder {
	dev_t	dev;
	ino_t	ino;
} *held;
static size_t nheld;

int
process_daemonize(int keep_stderr)
{
	char msg[ERR_MSG_MAX];
	int p[2], fd, status;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return err_sys("pipe");
	if ((pid = fork()) == -1)
		return err_sys("fork");
	if (pid > 0) {
		/* The launcher: wait for the daemon's word. */
		close(p[1]);
		waitpid(pid, &status, 0);
		n = read(p[0], msg, sizeof(msg) - 1);
		if (n <= 0)
			_exit(3);	/* died without a word */
		msg[n] = '\0';
		if (strcmp(msg, "ok") == 0)
			_exit(0);
		fprintf(stderr, "%s: %s\n", program_invocation_short_name,
		    msg);
		_exit(3);
	}
	close(p[0]);
	if (setsid() == -1)
		_exit(3);
	if ((pid = fork()) == -1)
		_exit(3);
	if (pid > 0)
		_exit(0);
	ready_fd = p[1];
	umask(027);
	if (chdir("/") == -1)
		_exit(3);
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1) {
		dup2(fd, 0);
		dup2(fd, 1);
		if (!keep_stderr)
			dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

void
process_ready(const char *msg)
{
	const char *word = msg ? msg : "ok";

	if (ready_fd == -1)
		return;
	if (write(ready_fd, word, strlen(word)) < 0) {
		/* The launcher is gone: nobody to tell. */
	}
	close(ready_fd);
	ready_fd = -1;
}

int
process_pidfile(const char *path)
{
	char line[32], other[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd == -1)
		return err_sys("PID file %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		n = read(fd, other, sizeof(other) - 1);
		other[n > 0 ? n : 0] = '\0';
		other[strcspn(other, "\n")] = '\0';
		close(fd);
		if (errno == EWOULDBLOCK || errno == EAGAIN || n >= 0)
			return err_set("PID file %s is locked: another %s is "
			    "running (pid %s)", path,
			    program_invocation_short_name,
			    other[0] ? other : "?");
		return err_sys("PID file %s", path);
	}
	snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, line, strlen(line), 0) != (ssize_t)strlen(line) ||
	    fsync(fd) == -1) {
		err_sys("PID file %s", path);
		close(fd);
		return -1;
	}
	if ((pid_path = strdup(path)) == NULL) {
		close(fd);
		return err_set("out of memory");
	}
	pid_fd = fd;
	return 0;
}

void
process_pidfile_remove(void)
{
	if (pid_path == NULL)
		return;
	unlink(pid_path);
	close(pid_fd);
	free(pid_path);
	pid_path = NULL;
	pid_fd = -1;
}

int
process_lock_folder(const char *path, const char *what)
{
	struct held_folder *nh;
	struct stat st;
	size_t i;
	int fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return err_sys("%s %s", what, path);
	if (fstat(fd, &st) == -1) {
		close(fd);
		return err_sys("%s %s", what, path);
	}
	/* A second lock of ours on the same folder would conflict with the
	 * first: flock() locks belong to the open file. */
	for (i = 0; i < nheld; i++)
		if (held[i].dev == st.st_dev && held[i].ino == st.st_ino) {
			close(fd);
			return 0;
		}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		if (errno == EWOULDBLOCK)
			return err_set("%s %s is in use by another %s", what,
			    path, program_invocation_short_name);
		return err_sys("%s %s: cannot lock", what, path);
	}
	if ((nh = reallocarray(held, nheld + 1, sizeof(*nh))) == NULL) {
		close(fd);
		return err_set("out of memory");
	}
	held = nh;
	held[nheld].dev = st.st_dev;
	held[nheld++].ino = st.st_ino;
	/* fd stays open: closing it would drop the lock. */
	return 0;
}
