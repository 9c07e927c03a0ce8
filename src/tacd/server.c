/*
 * server.c - tacd's accept loop (see server.h).
 *
 * One thread and poll(), not a thread per connection: a handshake is a
 * few kilobytes each way and one signature, so a single thread keeps up
 * with any validator, while non-blocking sockets make it impossible for
 * one client (silent, slow, or sending garbage) to hold up the others or
 * the accept loop.  It also gives the two limits for free: a connection
 * lives in one of max_conns slots, and while they are all taken further
 * clients wait in the kernel's backlog, except that a connection that has
 * not sent its ClientHello within milliseconds, or has had a second, gives
 * its slot to a newcomer (see evict_at()); and each slot has a deadline
 * from accept(), checked on every turn of the loop, so a client cannot
 * keep its slot by trickling bytes.  Signals arrive
 * through a signalfd in the same poll(), so a stop is handled between two
 * steps of a handshake, never inside one.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tacd/server.h"
#include "util/err.h"
#include "util/period.h"
#include "util/log.h"

/* How long to stop accepting after running out of descriptors or memory,
 * instead of spinning on a listener that stays readable. */
#define ACCEPT_PAUSE_MS	100
/* How long a connection keeps its slot, when all are taken, before a new
 * client may take it (see evictable_from()): without its ClientHello, and
 * with it. */
#define SILENT_EVICT_MS	10
#define EVICT_AFTER_MS	1000

struct conn {
	int			 fd;	   /* -1: free slot */
	struct tacd_tls_conn	*tls;
	short			 events;   /* what the handshake waits for */
	long long		 deadline; /* monotonic ms */
	char			 peer[NI_MAXHOST + NI_MAXSERV + 4];
};

struct server {
	const struct tacd_server_opts	*o;
	struct conn			*conns;	/* max_conns slots */
	int				 nconns;
	long long			 pause_until;
};


static void
signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
}

void
tacd_server_block_signals(void)
{
	sigset_t set;

	signal_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static void
describe_peer(const struct sockaddr_storage *ss, socklen_t len, char *out,
    size_t n)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (ss->ss_family == AF_UNIX)
		snprintf(out, n, "unix client");
	else if (getnameinfo((const struct sockaddr *)ss, len, host,
	    sizeof(host), serv, sizeof(serv),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(out, n, "unknown client");
	else if (ss->ss_family == AF_INET6)
		snprintf(out, n, "[%s]:%s", host, serv);
	else
		snprintf(out, n, "%s:%s", host, serv);
}

static void
conn_close(struct server *s, struct conn *c)
{
	tacd_tls_conn_free(c->tls);
	c->tls = NULL;
	close(c->fd);
	c->fd = -1;
	c->events = 0;
	s->nconns--;
}

/* The client's server name, fit for a log line: anybody can send any
 * bytes there. */
static const char *
printable(const char *name, char *out, size_t n)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; name[i] != '\0' && i + 1 < n; i++)
		out[i] = name[i] > ' ' && name[i] < 0x7f ? name[i] : '?';
	out[i] = '\0';
	return out;
}

static void
log_success(const struct server *s, const struct conn *c)
{
	const char *raw = tacd_tls_conn_sni(c->tls), *sni;
	const char *want = s->o->sni;
	char buf[256];

	sni = printable(raw, buf, sizeof(buf));
	log_info("%s: tls-alpn-01 certificate sent (SNI %s, %s)", c->peer,
	    sni != NULL ? sni : "none", tacd_tls_conn_version(c->tls));
	/* The validator checks the certificate against the name it sent:
	 * a different one means this tacd is answering the wrong challenge
	 * (a stale process, or a wrong port). */
	if (want != NULL && (raw == NULL || strcasecmp(raw, want) != 0))
		log_warn("%s: the client asked for %s, but this certificate is "
		    "for %s", c->peer, sni != NULL ? sni : "no name", want);
}

/* Runs the handshake as far as it goes, and ends the connection when it
 * is over either way. */
static void
conn_step(struct server *s, struct conn *c)
{
	switch (tacd_tls_conn_handshake(c->tls)) {
	case TACD_TLS_WANT_READ:
		c->events = POLLIN;
		return;
	case TACD_TLS_WANT_WRITE:
		c->events = POLLOUT;
		return;
	case TACD_TLS_DONE:
		log_success(s, c);
		break;
	case TACD_TLS_FAILED:
		log_debug("%s: %s", c->peer, err_msg());
		break;
	}
	conn_close(s, c);
}

static struct conn *
free_slot(struct server *s)
{
	int i;

	for (i = 0; i < s->o->max_conns; i++)
		if (s->conns[i].fd == -1)
			return &s->conns[i];
	return NULL;
}

/* When c may give its slot to a new client.  A validator sends its
 * ClientHello in the same flight as the end of the TCP handshake, however
 * far away it is, so it is there when the connection is, or within a
 * millisecond: a connection still silent after SILENT_EVICT_MS is hardly
 * a validator (or one whose packet was lost), and holds a slot somebody
 * is waiting for.  Pushing those out at once keeps a flood of them from
 * piling up in the backlog in front of the validators: the oldest goes
 * first, so each lasts as long as the flood takes to bring 64 more, and
 * at least 64 are taken in every 10 ms (a full backlog of 4096 within a
 * second).  A connection past its ClientHello needs one more round trip,
 * so it keeps its slot for EVICT_AFTER_MS. */
static long long
evictable_from(const struct server *s, const struct conn *c)
{
	long long accepted = c->deadline - s->o->timeout_ms;

	return accepted + (tacd_tls_conn_hello(c->tls) ? EVICT_AFTER_MS :
	    SILENT_EVICT_MS);
}

/* With every slot taken: the first moment one of them may go to a new
 * client, and which (*first).  Clients that hold connections open then
 * only push each other out, while a burst of real clients, which talk at
 * once, waits its turn in the backlog.  A silent connection goes before
 * one in its handshake, even if that one's second is up first: the latter
 * may be a validator far away.  -1, *first NULL: a slot is free. */
static long long
evict_at(struct server *s, struct conn **first)
{
	long long at, min = -1;
	int i, silent, first_silent = 0;

	*first = NULL;
	if (s->nconns < s->o->max_conns)
		return -1;
	for (i = 0; i < s->o->max_conns; i++) {
		silent = !tacd_tls_conn_hello(s->conns[i].tls);
		at = evictable_from(s, &s->conns[i]);
		if (*first == NULL || silent > first_silent ||
		    (silent == first_silent && at < min)) {
			*first = &s->conns[i];
			first_silent = silent;
			min = at;
		}
	}
	return min;
}

/* The connection to close for a new client now, if any. */
static struct conn *
evictable(struct server *s, long long now)
{
	struct conn *first;
	long long at = evict_at(s, &first);

	return at != -1 && at <= now ? first : NULL;
}

/* Accepts what lfd has pending, each new client taking a free slot or
 * one that may be given up (the connections just taken in cannot be: they
 * have their turn first), and at most a slot's worth at a time, so that
 * the connections and the other listeners get theirs. */
static void
accept_all(struct server *s, int lfd, long long now)
{
	struct sockaddr_storage ss;
	struct conn *c;
	socklen_t len;
	int fd, n;

	for (n = 0; n < s->o->max_conns; n++) {
		if ((c = free_slot(s)) == NULL &&
		    (c = evictable(s, now)) == NULL)
			return;
		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			switch (errno) {
			case EAGAIN:
#if EWOULDBLOCK != EAGAIN
			case EWOULDBLOCK:
#endif
				return;
			case EINTR:
			case ECONNABORTED:
			case EPROTO:
				/* That client is gone; the next may not be. */
				continue;
			default:
				log_warn("accept: %s", strerror(errno));
				s->pause_until = now + ACCEPT_PAUSE_MS;
				return;
			}
		}
		/* Only now that a client is waiting for it. */
		if (c->fd != -1) {
			log_debug("%s: closed for a new client (%s, all %d "
			    "slots taken)", c->peer, tacd_tls_conn_hello(c->tls) ?
			    "handshake unfinished" : "no ClientHello",
			    s->o->max_conns);
			conn_close(s, c);
		}
		describe_peer(&ss, len, c->peer, sizeof(c->peer));
		if ((c->tls = tacd_tls_conn_new(s->o->tls, fd)) == NULL) {
			log_warn("%s: %s", c->peer, err_msg());
			close(fd);
			continue;
		}
		c->fd = fd;
		/* Now, not the turn's start: the 10 ms a silent connection
		 * has count from here. */
		c->deadline = period_now_ms() + s->o->timeout_ms;
		s->nconns++;
		log_debug("%s: connected", c->peer);
		/* The ClientHello usually came with the connection. */
		conn_step(s, c);
	}
}

/* Closes the connections whose time is up; returns the poll() timeout
 * until the next deadline (-1: none). */
static int
expire(struct server *s, long long now)
{
	long long next = -1, at;
	struct conn *c;
	int i;

	for (i = 0; i < s->o->max_conns; i++) {
		c = &s->conns[i];
		if (c->fd == -1)
			continue;
		if (c->deadline <= now) {
			log_debug("%s: handshake timed out after %d ms",
			    c->peer, s->o->timeout_ms);
			conn_close(s, c);
			continue;
		}
		if (next == -1 || c->deadline < next)
			next = c->deadline;
	}
	if (s->pause_until > now && (next == -1 || s->pause_until < next))
		next = s->pause_until;
	/* Full: the listeners are polled again once a slot can be taken. */
	at = evict_at(s, &c);
	if (at > now && (next == -1 || at < next))
		next = at;
	return next == -1 ? -1 : (int)(next - now);
}

int
tacd_server_run(const struct tacd_server_opts *o)
{
	struct server s = { .o = o };
	struct signalfd_siginfo si;
	struct pollfd *pfd = NULL;
	size_t npfd, i, first_conn = 1 + o->nfds;
	int sfd = -1, timeout, accepting, rc = -1;
	long long now;
	sigset_t set;

	npfd = first_conn + (size_t)o->max_conns;
	if ((s.conns = calloc((size_t)o->max_conns, sizeof(*s.conns))) ==
	    NULL || (pfd = calloc(npfd, sizeof(*pfd))) == NULL) {
		err_set("out of memory");
		goto out;
	}
	for (i = 0; i < (size_t)o->max_conns; i++)
		s.conns[i].fd = -1;
	signal_set(&set);
	if ((sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1) {
		err_sys("signalfd");
		goto out;
	}
	for (;;) {
		now = period_now_ms();
		timeout = expire(&s, now);
		accepting = now >= s.pause_until &&
		    (s.nconns < o->max_conns || evictable(&s, now) != NULL);
		pfd[0].fd = sfd;
		pfd[0].events = POLLIN;
		for (i = 0; i < o->nfds; i++) {
			/* A negative fd is skipped by poll(): while no slot
			 * can be had, new clients wait in the backlog. */
			pfd[1 + i].fd = accepting ? o->fds[i] : -1;
			pfd[1 + i].events = POLLIN;
		}
		for (i = 0; i < (size_t)o->max_conns; i++) {
			pfd[first_conn + i].fd = s.conns[i].fd;
			pfd[first_conn + i].events = s.conns[i].events;
		}
		if (poll(pfd, npfd, timeout) == -1) {
			if (errno == EINTR)
				continue;
			err_sys("poll");
			goto out;
		}
		if (pfd[0].revents != 0 &&
		    read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			log_info("%s: stopping", strsignal((int)si.ssi_signo));
			rc = 0;
			goto out;
		}
		now = period_now_ms();
		for (i = 0; i < (size_t)o->max_conns; i++) {
			if (pfd[first_conn + i].revents != 0 &&
			    s.conns[i].fd == pfd[first_conn + i].fd)
				conn_step(&s, &s.conns[i]);
		}
		for (i = 0; i < o->nfds; i++) {
			if (pfd[1 + i].fd != -1 && pfd[1 + i].revents != 0)
				accept_all(&s, o->fds[i], now);
		}
	}
out:
	for (i = 0; s.conns != NULL && i < (size_t)o->max_conns; i++)
		if (s.conns[i].fd != -1)
			conn_close(&s, &s.conns[i]);
	if (sfd != -1)
		close(sfd);
	free(pfd);
	free(s.conns);
	return rc;
}
