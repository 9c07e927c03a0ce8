/*
 * control.c - the control socket (see control.h).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "acme/revoke.h"
#include "daemon/control.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/period.h"
#include "util/stop.h"
#include "util/usock.h"

/* For reading a request, and for writing its answer. */
#define CONTROL_IO_TIMEOUT_MS	5000

struct control {
	int		 fd;
	char		*path;
	struct sched	*s;
	control_reload_fn *reload;
	void		*reload_arg;
	struct http_client *http;	/* for revocations; NULL until one */
	pthread_t	 thread;
	int		 started;
};

struct control *
control_open(const char *path)
{
	struct sockaddr_un sa;
	struct control *c;
	mode_t old;
	int rc;

	if (usock_addr(&sa, path) == -1 || usock_clear(path) == -1)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = strdup(path)) == NULL) {
		free(c);
		err_set("out of memory");
		return NULL;
	}
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1) {
		err_sys("socket");
		goto fail;
	}
	/* Single-threaded here: the umask is nobody else's for a moment. */
	old = umask(0177);
	rc = bind(c->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc == -1) {
		err_sys("%s: cannot bind the control socket", path);
		goto fail;
	}
	if (listen(c->fd, 16) == -1) {
		err_sys("%s: listen", path);
		unlink(path);
		goto fail;
	}
	return c;
fail:
	if (c->fd >= 0)
		close(c->fd);
	free(c->path);
	free(c);
	return NULL;
}

/* Waits until fd is ready for events.  -1 with err when the deadline
 * (period_now_ms()) passes first, or the daemon is stopping: a slow
 * client holds the control thread for a bounded time, never past a stop.
 */
static int
control_wait(int fd, short events, long long deadline)
{
	struct pollfd pfd[2] = { { fd, events, 0 }, { stop_fd(), POLLIN, 0 } };
	long long left;
	int n;

	for (;;) {
		if (stop_is_set())
			return err_set("shutting down");
		if ((left = deadline - period_now_ms()) <= 0)
			return err_set("timed out");
		/* Without the stop flag's descriptor, a second at most. */
		n = poll(pfd, pfd[1].fd >= 0 ? 2 : 1, pfd[1].fd >= 0 ||
		    left < 1000 ? (int)left : 1000);
		if (n == -1 && errno != EINTR)
			return err_sys("poll");
		if (n > 0 && pfd[0].revents != 0)
			return 0;
	}
}

static int
control_write_all(int fd, const char *p, size_t n, long long deadline)
{
	ssize_t w;

	while (n > 0) {
		if (control_wait(fd, POLLOUT, deadline) == -1)
			return -1;
		if ((w = send(fd, p, n, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return err_sys("sending the answer");
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The request line, without its newline, into line (size CONTROL_LINE_MAX).
 * -1 with err. */
static int
control_read_line(int fd, char *line, long long deadline)
{
	size_t len = 0;
	ssize_t r;
	char *nl;

	for (;;) {
		if (control_wait(fd, POLLIN, deadline) == -1)
			return err_prefix("reading the request");
		r = recv(fd, line + len, CONTROL_LINE_MAX - 1 - len, 0);
		if (r == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r == -1)
			return err_sys("reading the request");
		len += (size_t)r;
		line[len] = '\0';
		if ((nl = memchr(line, '\n', len)) != NULL) {
			*nl = '\0';
			return 0;
		}
		if (r == 0)
			return err_set("the request has no newline");
		if (len == CONTROL_LINE_MAX - 1)
			return err_set("the request is longer than %d bytes",
			    CONTROL_LINE_MAX - 1);
	}
}

/* Closing with a request unread would reset the connection before the
 * client has read the answer: what it has sent is read first (a little,
 * without waiting for more). */
static void
control_drain(int fd)
{
	char chunk[4096];
	size_t total = 0;
	ssize_t r;

	shutdown(fd, SHUT_WR);
	while (total < 64 * 1024) {
		r = recv(fd, chunk, sizeof(chunk), MSG_DONTWAIT);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		total += (size_t)r;
	}
}

/* The answer is written here, error or not: a failed reload has one
 * line per error of the configuration, not only the last. */
static int
control_reload(struct control *c, struct buf *out)
{
	struct buf text;
	int rc;

	buf_init(&text, CONTROL_ANSWER_MAX / 2);
	rc = c->reload(c->reload_arg, &text);
	buf_reset(out);
	rc = buf_puts(out, rc == 0 ? "ok\n" : "error: reload failed, the "
	    "running configuration is kept:\n") == -1 ||
	    buf_append(out, text.data, text.len) == -1 ? -1 : 0;
	buf_free(&text);
	return rc;
}

/* Runs one request.  0 with the command's output in out, -1 with err. */
static int
control_run(struct control *c, char *line, struct buf *out, uid_t uid)
{
	char *arg = strchr(line, ' '), *id;
	int reason;

	if (arg != NULL)
		*arg++ = '\0';
	if (strcmp(line, "status") == 0 && arg == NULL)
		return sched_status(c->s, out);
	if (strcmp(line, "metrics") == 0 && arg == NULL)
		return sched_metrics(c->s, out);
	if (strcmp(line, "revoke") == 0 && arg != NULL &&
	    (id = strchr(arg, ' ')) != NULL && id[1] != '\0') {
		*id++ = '\0';
		if (strcmp(arg, "-") == 0)
			reason = ACME_REVOKE_NO_REASON;
		else if ((reason = acme_revoke_reason(arg)) == -1)
			return err_set("unknown revocation reason \"%s\"", arg);
		if (c->http == NULL && (c->http = http_client_new()) == NULL)
			return -1;
		log_info("certificate \"%s\": revocation asked for on the "
		    "control socket (uid %u)", id, (unsigned)uid);
		if (sched_revoke(c->s, id, reason, c->http) == -1)
			return -1;
		return buf_printf(out, "certificate \"%s\": revoked; a new "
		    "one is requested\n", id);
	}
	if (strcmp(line, "renew") == 0 && arg != NULL && *arg != '\0') {
		if (sched_renew_now(c->s, arg) == -1)
			return -1;
		log_info("certificate \"%s\": renewal asked for on the "
		    "control socket (uid %u)", arg, (unsigned)uid);
		return buf_printf(out, "certificate \"%s\": renewal "
		    "requested\n", arg);
	}
	/* Names may hold spaces: a tab between the two. */
	if (strcmp(line, "deactivate") == 0 && arg != NULL &&
	    (id = strchr(arg, '\t')) != NULL && arg != id && id[1] != '\0') {
		*id++ = '\0';
		if (c->http == NULL && (c->http = http_client_new()) == NULL)
			return -1;
		log_info("account \"%s\": deactivation on endpoint \"%s\" "
		    "asked for on the control socket (uid %u)", arg, id,
		    (unsigned)uid);
		if (sched_deactivate(c->s, arg, id, c->http) == -1)
			return -1;
		return buf_printf(out, "account \"%s\": deactivated on "
		    "endpoint \"%s\"\n", arg, id);
	}
	if (strcmp(line, "reload") == 0 && arg == NULL) {
		log_info("reload asked for on the control socket (uid %u)",
		    (unsigned)uid);
		return control_reload(c, out);
	}
	return err_set("unknown request \"%s\" (status, metrics, renew ID, "
	    "revoke REASON ID, deactivate ACCOUNT<tab>ENDPOINT, reload)",
	    line);
}

static void
control_serve(struct control *c, int fd)
{
	long long deadline = period_now_ms() + CONTROL_IO_TIMEOUT_MS;
	char line[CONTROL_LINE_MAX];
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct buf out;
	int rc;

	buf_init(&out, CONTROL_ANSWER_MAX);
	/* The request is read first, whoever sends it, so that the answer
	 * is not lost to a connection reset. */
	rc = control_read_line(fd, line, deadline);
	if (rc == 0 && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred,
	    &len) == -1)
		rc = err_sys("control socket: peer credentials");
	else if (rc == 0 && cred.uid != 0 && cred.uid != geteuid()) {
		/* The socket's mode keeps them out; this is the second lock. */
		log_warn("control socket: request from uid %u refused",
		    (unsigned)cred.uid);
		rc = err_set("permission denied");
	}
	if (rc == 0 && buf_puts(&out, "ok\n") == 0)
		rc = control_run(c, line, &out, cred.uid);
	if (rc == -1) {
		log_debug("control socket: %s", err_msg());
		buf_reset(&out);
		buf_printf(&out, "error: %s\n", err_msg());
	}
	/* A revocation takes its time: the answer gets a deadline of its
	 * own. */
	deadline = period_now_ms() + CONTROL_IO_TIMEOUT_MS;
	if (control_write_all(fd, out.data ? out.data : "", out.len,
	    deadline) == -1)
		log_debug("control socket: the answer could not be sent: %s",
		    err_msg());
	buf_free(&out);
	control_drain(fd);
}

static void *
control_thread(void *arg)
{
	struct control *c = arg;
	struct pollfd pfd[2];
	int fd;

	pfd[0].fd = c->fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = stop_fd();
	pfd[1].events = POLLIN;
	while (!stop_is_set()) {
		/* An idle daemon does not wake up, unless the stop flag has
		 * no descriptor to wait on. */
		if (poll(pfd, pfd[1].fd >= 0 ? 2 : 1, pfd[1].fd >= 0 ? -1 :
		    1000) <= 0)
			continue;
		if ((pfd[0].revents & POLLIN) == 0)
			continue;
		if ((fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC |
		    SOCK_NONBLOCK)) == -1)
			continue;
		control_serve(c, fd);
		close(fd);
	}
	return NULL;
}

int
control_start(struct control *c, struct sched *s,
    control_reload_fn *reload, void *arg)
{
	c->s = s;
	c->reload = reload;
	c->reload_arg = arg;
	if (pthread_create(&c->thread, NULL, control_thread, c) != 0)
		return err_set("cannot start the control thread");
	c->started = 1;
	return 0;
}

void
control_close(struct control *c)
{
	if (c == NULL)
		return;
	if (c->started)
		pthread_join(c->thread, NULL);
	close(c->fd);
	unlink(c->path);
	http_client_free(c->http);
	free(c->path);
	free(c);
}
