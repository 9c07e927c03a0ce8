/*
 * acmectl - asks a running acmed, on its control socket (acmed
 * --control-socket), for its state, for renewals, revocations, an
 * account's deactivation or a reload.  See acmectl(8).
 *
 * Exit status: 0 done; 1 the daemon answered with an error; 2 usage, or
 * the daemon could not be reached.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "acme/revoke_reason.h"
#include "build_config.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/opt.h"
#include "util/usock.h"

#define CTL_ANSWER_MAX	(256u * 1024 * 1024)
/* The longest request, a revocation, is a few signed requests, each with
 * its retries and timeouts: well under this. */
#define CTL_TIMEOUT_S	900

/* The reasons the daemon accepts (acme/revoke_reason.h), separated by
 * commas; with indent > 0, on lines of 79 columns at most that start
 * with indent spaces. */
static void
print_reasons(FILE *f, int indent)
{
	const char *name;
	size_t i, col = (size_t)indent;
	int code;

	if (indent > 0)
		fprintf(f, "%*s", indent, "");
	for (i = 0; (name = acme_revoke_reason_at(i, &code)) != NULL; i++) {
		if (i > 0 && indent > 0 && col + 2 + strlen(name) > 79) {
			fprintf(f, ",\n%*s", indent, "");
			col = (size_t)indent;
		} else if (i > 0) {
			fputs(", ", f);
			col += 2;
		}
		fputs(name, f);
		col += strlen(name);
	}
}

/* The synopsis, and with full the options. */
static void
usage(FILE *f, int full)
{
	fprintf(f,
	    "usage: acmectl [-s FILE] [-t SECONDS] status | metrics | reload\n"
	    "       acmectl [-s FILE] [-t SECONDS] renew [--] ID...\n"
	    "       acmectl [-s FILE] [-t SECONDS] revoke [-r REASON] [--] "
	    "ID...\n"
	    "       acmectl [-s FILE] [-t SECONDS] deactivate ACCOUNT "
	    "ENDPOINT\n");
	if (!full) {
		fputs("Run acmectl --help for the options.\n", f);
		return;
	}
	fprintf(f,
	    "\n"
	    "  -s, --socket FILE    acmed's control socket (default %s)\n"
	    "  -t, --timeout SECONDS\n"
	    "                       wait this long for an answer (default "
	    "%d)\n"
	    "  -r, --reason REASON  revoke's reason, before or after "
	    "revoke (default: none):\n",
	    ACMED_DEFAULT_CONTROL_SOCKET, CTL_TIMEOUT_S);
	print_reasons(f, 23);
	fputs("\n"
	    "  -h, --help           print this help and exit\n"
	    "  -V, --version        print the version and exit\n", f);
}

/* A usage error: what is wrong on one line, then the synopsis.  2, the
 * exit status. */
static int __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("acmectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr, 0);
	return 2;
}

/* Takes value as revoke's reason.  0, or 2 (printed): a reason the
 * daemon does not know, or a second one, which would leave the reason
 * sent to the CA to the order of the words. */
static int
set_reason(const char **reason, const char *value)
{
	if (*reason != NULL)
		return usage_error("revoke: the reason is given twice");
	if (acme_revoke_reason(value) == -1) {
		fprintf(stderr, "acmectl: unknown revocation reason \"%s\" "
		    "(one of ", value);
		print_reasons(stderr, 0);
		fputs(")\n", stderr);
		return 2;
	}
	*reason = value;
	return 0;
}

/* Sends one request; prints the answer.  The exit status. */
static int
ctl_request(const char *path, const char *req, long timeout)
{
	struct timeval tv = { (time_t)timeout, 0 };
	struct sockaddr_un sa;
	struct buf answer;
	char chunk[65536];
	const char *body;
	size_t off = 0, len = strlen(req);
	ssize_t n;
	int fd, rc = 2;

	if (usock_addr(&sa, path) == -1) {
		fprintf(stderr, "acmectl: %s\n", err_msg());
		return 2;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		/* The hint fits the error: a socket acmed's mode keeps
		 * closed to this user is there, and acmed runs. */
		if (errno == EACCES || errno == EPERM)
			fprintf(stderr, "acmectl: %s: %s (only root and the "
			    "user acmed runs as may use it)\n", path,
			    strerror(errno));
		else if (errno == ENOENT || errno == ECONNREFUSED)
			fprintf(stderr, "acmectl: %s: %s (is acmed running "
			    "with --control-socket %s?)\n", path,
			    strerror(errno), path);
		else
			fprintf(stderr, "acmectl: %s: %s\n", path,
			    strerror(errno));
		if (fd != -1)
			close(fd);
		return 2;
	}
	buf_init(&answer, CTL_ANSWER_MAX);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (off < len) {
		if ((n = send(fd, req + off, len - off, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			/* The daemon may have answered already (an error). */
			if (errno == EPIPE)
				break;
			fprintf(stderr, "acmectl: %s: %s\n", path,
			    strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		if ((n = recv(fd, chunk, sizeof(chunk), 0)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				fprintf(stderr, "acmectl: %s: no answer within "
				    "%ld s\n", path, timeout);
			else
				fprintf(stderr, "acmectl: %s: %s\n", path,
				    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (buf_append(&answer, chunk, (size_t)n) == -1) {
			fprintf(stderr, "acmectl: %s: the answer is too "
			    "long\n", path);
			goto out;
		}
	}
	body = buf_str(&answer);
	if (strncmp(body, "ok\n", 3) == 0) {
		fputs(body + 3, stdout);
		rc = fflush(stdout) == 0 ? 0 : 2;
	} else if (strncmp(body, "error: ", 7) == 0) {
		fprintf(stderr, "acmectl: %s", body + 7);
		rc = 1;
	} else
		fprintf(stderr, "acmectl: %s: no answer\n", path);
out:
	buf_free(&answer);
	close(fd);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "reason", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = ACMED_DEFAULT_CONTROL_SOCKET, *reason = NULL, *cmd;
	long timeout = CTL_TIMEOUT_S;
	char req[4096], *end, *arg;
	int c, i, n, rc, revoke, opts, worst = 0;

	/* getopt's messages name argv[0], which may be a whole path. */
	argv[0] = (char *)"acmectl";
	while ((c = getopt_long(argc, argv, "+s:t:r:hV", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 's':
			path = opt_value(argv, optind, optarg);
			break;
		case 't':
			timeout = strtol(opt_value(argv, optind, optarg), &end,
			    10);
			if (*end != '\0' || timeout < 1 || timeout > 86400) {
				fprintf(stderr, "acmectl: --timeout: expected "
				    "seconds, from 1 to 86400\n");
				return 2;
			}
			break;
		case 'r':
			if (set_reason(&reason, opt_value(argv, optind,
			    optarg)) != 0)
				return 2;
			break;
		case 'h':
			usage(stdout, 1);
			return 0;
		case 'V':
			printf("acmectl %s\n", ACMED_VERSION);
			return 0;
		default:
			usage(stderr, 0);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return usage_error("no command");
	cmd = argv[0];
	if (strcmp(cmd, "status") != 0 && strcmp(cmd, "metrics") != 0 &&
	    strcmp(cmd, "reload") != 0 && strcmp(cmd, "deactivate") != 0 &&
	    strcmp(cmd, "renew") != 0 && strcmp(cmd, "revoke") != 0)
		return usage_error("unknown command \"%s\"", cmd);
	revoke = strcmp(cmd, "revoke") == 0;
	if (reason != NULL && !revoke)
		return usage_error("--reason is for revoke only");
	if (strcmp(cmd, "status") == 0 || strcmp(cmd, "metrics") == 0 ||
	    strcmp(cmd, "reload") == 0) {
		if (argc > 1)
			return usage_error("%s: unexpected argument \"%s\"",
			    cmd, argv[1]);
		snprintf(req, sizeof(req), "%s\n", cmd);
		return ctl_request(path, req, timeout);
	}
	if (strcmp(cmd, "deactivate") == 0) {
		if (argc < 3)
			return usage_error("deactivate needs an account and "
			    "an endpoint");
		if (argc > 3)
			return usage_error("deactivate: unexpected argument "
			    "\"%s\"", argv[3]);
		if (argv[1][0] == '\0' || argv[2][0] == '\0' ||
		    strpbrk(argv[1], "\t\n") != NULL ||
		    strpbrk(argv[2], "\t\n") != NULL ||
		    snprintf(req, sizeof(req), "deactivate %s\t%s\n", argv[1],
		    argv[2]) >= (int)sizeof(req)) {
			fprintf(stderr, "acmectl: not an account and an "
			    "endpoint name\n");
			return 2;
		}
		return ctl_request(path, req, timeout);
	}
	/*
	 * The whole command line is checked before the first request: a
	 * reason found after the first id would come too late for it (a key
	 * compromised, revoked as if it were not, and reused under
	 * kp_reuse).  revoke's options may come anywhere among its ids, up
	 * to "--"; whatever else starts with '-' is an option acmectl does
	 * not know, not an id.  The ids kept are moved to the front.
	 */
	for (i = 1, n = 0, opts = 1; i < argc; i++) {
		arg = argv[i];
		if (opts && strcmp(arg, "--") == 0) {
			opts = 0;
			continue;
		}
		if (opts && revoke && (strcmp(arg, "-r") == 0 ||
		    strcmp(arg, "--reason") == 0)) {
			if (++i == argc)
				return usage_error("revoke: %s needs a reason",
				    arg);
			if (set_reason(&reason, argv[i]) != 0)
				return 2;
			continue;
		}
		if (opts && revoke && (strncmp(arg, "--reason=", 9) == 0 ||
		    strncmp(arg, "-r", 2) == 0)) {
			if (set_reason(&reason, arg + (arg[1] == '-' ? 9 :
			    2)) != 0)
				return 2;
			continue;
		}
		if (opts && arg[0] == '-')
			return usage_error("%s: unknown option \"%s\"", cmd,
			    arg);
		if (arg[0] == '\0' || strchr(arg, '\n') != NULL ||
		    strlen(arg) > sizeof(req) - 64) {
			fprintf(stderr, "acmectl: \"%s\": not a certificate "
			    "id\n", arg);
			return 2;
		}
		argv[n++] = arg;
	}
	if (n == 0)
		return usage_error("%s needs a certificate id", cmd);
	for (i = 0; i < n; i++) {
		if (revoke)
			snprintf(req, sizeof(req), "revoke %s %s\n",
			    reason != NULL ? reason : "-", argv[i]);
		else
			snprintf(req, sizeof(req), "renew %s\n", argv[i]);
		rc = ctl_request(path, req, timeout);
		worst = rc > worst ? rc : worst;
	}
	return worst;
}
