/*
 * listen.c - tacd's listening sockets (see listen.h).
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tacd/listen.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/usock.h"

#define UNIX_PREFIX	"unix:"

/* The kernel caps the backlog at net.core.somaxconn; ask for plenty so
 * that clients waiting for a free connection slot queue there instead of
 * being refused. */
#define BACKLOG		4096

/* Splits "host:port", "[v6]:port", ":port" or "port" into host (NULL for
 * every address) and port, in the caller's two buffers. */
static int
split_host_port(const char *spec, char *host, size_t hostsz, char *port,
    size_t portsz)
{
	const char *colon, *p, *h = spec;
	size_t hlen;
	long v;

	if (spec[strspn(spec, "0123456789")] == '\0') {
		/* A bare port: ACMEd's default tcp hook passes one. */
		host[0] = '\0';
		p = spec;
	} else if (spec[0] == '[') {
		if ((colon = strstr(spec, "]:")) == NULL)
			goto bad;
		h = spec + 1;
		hlen = (size_t)(colon - h);
		p = colon + 2;
		if (hlen == 0 || hlen >= hostsz)
			goto bad;
		memcpy(host, h, hlen);
		host[hlen] = '\0';
	} else {
		if ((colon = strrchr(spec, ':')) == NULL)
			goto bad;
		hlen = (size_t)(colon - spec);
		if (memchr(spec, ':', hlen) != NULL)
			return err_set("%s: write an IPv6 address in brackets: "
			    "[address]:port", spec);
		if (hlen >= hostsz)
			goto bad;
		memcpy(host, spec, hlen);
		host[hlen] = '\0';
		p = colon + 1;
	}
	if (*p == '\0' || p[strspn(p, "0123456789")] != '\0' ||
	    strlen(p) > 5 || (v = strtol(p, NULL, 10)) < 1 || v > 65535)
		return err_set("%s: invalid port (expected 1 to 65535)", spec);
	snprintf(port, portsz, "%ld", v);
	return 0;
bad:
	return err_set("%s: invalid listen address (expected host:port, "
	    "port or unix:path)", spec);
}

static void
describe(const struct sockaddr *sa, socklen_t len, char *out, size_t n)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(out, n, "?");
	else if (sa->sa_family == AF_INET6)
		snprintf(out, n, "[%s]:%s", host, serv);
	else
		snprintf(out, n, "%s:%s", host, serv);
}

/* One TCP listener; v6only: an IPv6 socket leaves IPv4 to another one.
 * Returns the socket, or -1 with err and errno kept from the failing
 * call. */
static int
tcp_listener(const struct addrinfo *ai, const char *name, int v6only)
{
	int fd, on = 1, saved;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return err_sys("%s: socket", name);
	/* Our own [::] must not take the IPv4 port that the 0.0.0.0 socket
	 * of the same --listen is about to bind.  A [::] alone keeps the
	 * system's default (dual-stack on Linux), as ACMEd's tacd did. */
	if ((ai->ai_family == AF_INET6 && v6only && setsockopt(fd,
	    IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1) {
		err_sys("%s: setsockopt", name);
		goto fail;
	}
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		err_sys("%s: bind", name);
		goto fail;
	}
	if (listen(fd, BACKLOG) == -1) {
		err_sys("%s: listen", name);
		goto fail;
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static int
open_tcp(struct tacd_listen *l, const char *spec)
{
	char host[NI_MAXHOST], port[8], name[NI_MAXHOST + NI_MAXSERV + 4];
	struct addrinfo hints, *res = NULL, *ai;
	int fd, rc, skipped = 0, has_v4 = 0;

	if (split_host_port(spec, host, sizeof(host), port, sizeof(port)) == -1)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] != '\0' ? host : NULL, port, &hints, &res);
	if (rc != 0)
		return err_set("%s: %s", spec, rc == EAI_SYSTEM ?
		    strerror(errno) : gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next)
		has_v4 |= ai->ai_family == AF_INET;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		describe(ai->ai_addr, ai->ai_addrlen, name, sizeof(name));
		if (l->nfds == TACD_MAX_LISTENERS) {
			log_warn("%s: more than %d addresses, %s skipped", spec,
			    TACD_MAX_LISTENERS, name);
			continue;
		}
		if ((fd = tcp_listener(ai, name, has_v4)) == -1) {
			/* A machine without IPv6 (or IPv4) still serves the
			 * other family; any other failure is fatal. */
			if (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL ||
			    errno == EPROTONOSUPPORT) {
				log_debug("%s", err_msg());
				skipped = 1;
				continue;
			}
			goto fail;
		}
		l->fds[l->nfds++] = fd;
		log_info("listening on %s", name);
	}
	if (l->nfds == 0) {
		if (!skipped)
			err_set("%s: no address to listen on", spec);
		goto fail;
	}
	freeaddrinfo(res);
	return 0;
fail:
	freeaddrinfo(res);
	tacd_listen_close(l);
	return -1;
}

static int
open_unix(struct tacd_listen *l, const char *path)
{
	struct sockaddr_un sun;
	char cwd[PATH_MAX];
	struct buf abs;
	struct stat st;
	mode_t mask;
	int fd = -1, rc;

	buf_init(&abs, PATH_MAX);
	if (path[0] == '\0') {
		err_set("unix:: empty socket path");
		goto fail;
	}
	if (path[0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			err_sys("getcwd");
			goto fail;
		}
		if (buf_printf(&abs, "%s/", strcmp(cwd, "/") == 0 ? "" : cwd)
		    == -1)
			goto fail;
	}
	if (buf_puts(&abs, path) == -1)
		goto fail;
	if (usock_addr(&sun, buf_str(&abs)) == -1 ||
	    usock_clear(buf_str(&abs)) == -1)
		goto fail;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		err_sys("socket");
		goto fail;
	}
	/* Whoever may reach the folder may connect, whatever the umask (the
	 * shipped unit's 0077 left a proxy that is not root out): tacd serves
	 * nothing there that its TCP port would not serve to anybody.  The
	 * mode is set by bind() itself, from the umask (tacd has one thread
	 * here): a chmod() after it would follow a symbolic link put in the
	 * socket's place meanwhile. */
	mask = umask(0111);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(mask);
	if (rc == -1) {
		err_sys("%s: bind", buf_str(&abs));
		goto fail;
	}
	/* From here on the file is ours to remove. */
	if (lstat(sun.sun_path, &st) == -1) {
		err_sys("%s", sun.sun_path);
		unlink(sun.sun_path);
		goto fail;
	}
	if ((l->unix_path = buf_steal(&abs)) == NULL) {
		err_set("out of memory");
		unlink(sun.sun_path);
		goto fail;
	}
	l->unix_dev = st.st_dev;
	l->unix_ino = st.st_ino;
	l->fds[l->nfds++] = fd;
	fd = -1;
	if (listen(l->fds[0], BACKLOG) == -1) {
		err_sys("%s: listen", l->unix_path);
		goto fail;
	}
	log_info("listening on unix:%s", l->unix_path);
	return 0;
fail:
	if (fd != -1)
		close(fd);
	buf_free(&abs);
	tacd_listen_close(l);
	return -1;
}

int
tacd_listen_open(struct tacd_listen *l, const char *spec)
{
	memset(l, 0, sizeof(*l));
	if (strncmp(spec, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0)
		return open_unix(l, spec + strlen(UNIX_PREFIX));
	return open_tcp(l, spec);
}

void
tacd_listen_close(struct tacd_listen *l)
{
	struct stat st;
	size_t i;

	for (i = 0; i < l->nfds; i++)
		close(l->fds[i]);
	l->nfds = 0;
	if (l->unix_path == NULL)
		return;
	if (lstat(l->unix_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == l->unix_dev && st.st_ino == l->unix_ino &&
	    unlink(l->unix_path) == -1)
		log_warn("%s: cannot remove the socket: %s", l->unix_path,
		    strerror(errno));
	free(l->unix_path);
	l->unix_path = NULL;
}
