/*
 * process.c - daemonisation, PID file and folder locks (see process.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/process.h"
#include "util/err.h"
#include "util/log.h"

static int ready_fd = -1;
static int pid_fd = -1;
static char *pid_path;

/* The folders locked by this process, each with its open descriptor (the
 * lock lives as long as it); fd -1: could not be locked, warned. */
struct folder_lock {
	dev_t			 dev;
	ino_t			 ino;
	int			 fd;
	unsigned		 refs;
	struct folder_lock	*next;
};
static struct folder_lock *folders;
static pthread_mutex_t folders_mu = PTHREAD_MUTEX_INITIALIZER;

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

static int
pidfile_write(int fd, const char *path)
{
	char line[32];

	snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, line, strlen(line), 0) != (ssize_t)strlen(line) ||
	    fsync(fd) == -1)
		return err_sys("PID file %s", path);
	return 0;
}

int
process_pidfile(const char *path)
{
	char other[32];
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
	if (pidfile_write(fd, path) == -1) {
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

int
process_pidfile_rewrite(void)
{
	if (pid_path == NULL)
		return 0;
	return pidfile_write(pid_fd, pid_path);
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

struct folder_lock *
process_lock_folder(const char *path, const char *what)
{
	struct folder_lock *l = NULL;
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		err_sys("%s %s", what, path);
		goto fail;
	}
	pthread_mutex_lock(&folders_mu);
	/* Ours already: a second flock() of ours would conflict with the
	 * first (the lock belongs to the open file, not the process). */
	for (l = folders; l != NULL; l = l->next)
		if (l->dev == st.st_dev && l->ino == st.st_ino)
			break;
	if (l != NULL) {
		l->refs++;
		pthread_mutex_unlock(&folders_mu);
		close(fd);
		return l;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			pthread_mutex_unlock(&folders_mu);
			err_set("%s %s is in use by another %s", what, path,
			    program_invocation_short_name);
			goto fail;
		}
		log_warn("%s %s: cannot be locked (%s): nothing keeps a "
		    "second acmed from working in it", what, path,
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		pthread_mutex_unlock(&folders_mu);
		err_set("out of memory");
		goto fail;
	}
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	l->fd = fd;
	l->refs = 1;
	l->next = folders;
	folders = l;
	pthread_mutex_unlock(&folders_mu);
	return l;
fail:
	if (fd != -1)
		close(fd);
	return NULL;
}

void
process_unlock_folder(struct folder_lock *l)
{
	struct folder_lock **pp;

	if (l == NULL)
		return;
	pthread_mutex_lock(&folders_mu);
	if (--l->refs == 0) {
		for (pp = &folders; *pp != l; pp = &(*pp)->next)
			;
		*pp = l->next;
		if (l->fd != -1)
			close(l->fd);
		free(l);
	}
	pthread_mutex_unlock(&folders_mu);
}
