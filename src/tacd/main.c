/*
 * main.c - tacd, the tls-alpn-01 responder: command line (tacd(8)),
 * start-up, shutdown.  The work is in input.c, listen.c, tls.c and
 * server.c.
 *
 * Unlike ACMEd's tacd, everything that depends on the caller (standard
 * input, relative paths, the listening socket) is done before detaching,
 * and the launcher's exit status says whether the daemon started.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "build_config.h"
#include "crypto/alpn_cert.h"
#include "crypto/keytype.h"
#include "daemon/process.h"
#include "tacd/input.h"
#include "tacd/listen.h"
#include "tacd/server.h"
#include "tacd/tls.h"
#include "util/err.h"
#include "util/log.h"
#include "util/opt.h"

#define DEFAULT_LISTEN	"127.0.0.1:5001"

/* Not in tacd(8): lets the tests see a slow client time out quickly. */
#define TIMEOUT_ENV	"TACD_HANDSHAKE_TIMEOUT_MS"

/* Exit statuses, as ACMEd's tacd. */
#define EXIT_START	1	/* any start-up error */
#define EXIT_USAGE	2	/* command line, logging */
#define EXIT_DAEMON	3	/* detaching, PID file */

struct options {
	const char		*acme_ext;
	const char		*acme_ext_file;
	const char		*domain;
	const char		*domain_file;
	const char		*listen;
	const char		*pid_file;
	int			 no_pid_file;
	int			 foreground;
	int			 log_stderr;
	int			 log_syslog;
	enum log_level		 level;
	enum crypto_key_type	 key_type;
	enum crypto_digest	 digest;
	int			 timeout_ms;
};

/* Where the help text's descriptions start. */
#define INDENT	"                           "

static void
usage(FILE *f)
{
	int t;

	fprintf(f,
	    "usage: tacd [-e|--acme-ext STRING] [--acme-ext-file FILE]\n"
	    "            [--crt-digest STRING] [--crt-signature-alg STRING]\n"
	    "            [-d|--domain STRING] [--domain-file FILE] "
	    "[-f|--foreground]\n"
	    "            [-l|--listen host:port | port | unix:path]\n"
	    "            [--log-stderr | --log-syslog] [--log-level LEVEL]\n"
	    "            [--no-pid-file | --pid-file FILE] [-h|--help] "
	    "[-V|--version]\n"
	    "\n"
	    "  -e, --acme-ext STRING    the acmeIdentifier extension "
	    "(OID=critical,DER:...)\n"
	    "  --acme-ext-file FILE     read it from FILE\n"
	    "  --crt-digest STRING      sha256 (default), sha384 or sha512\n"
	    "  --crt-signature-alg STRING\n"
	    "                           the certificate's key type "
	    "(default ecdsa-p256):");
	for (t = 0; t < CRYPTO_KEY_TYPE_COUNT; t++)
		fprintf(f, "%s%s", t % 4 == 0 ? "\n" INDENT : " ",
		    crypto_key_type_name((enum crypto_key_type)t));
	fprintf(f, "\n"
	    "  -d, --domain STRING      the identifier being validated (a DNS "
	    "name, an IP\n"
	    "                           address or its reverse-DNS name)\n"
	    "  --domain-file FILE       read it from FILE\n"
	    "  -f, --foreground         do not detach from the terminal\n"
	    "  -l, --listen ADDRESS     host:port, a port (every address) or "
	    "unix:path\n"
	    "                           (default %s)\n"
	    "  --log-stderr             log to the standard error output\n"
	    "  --log-syslog             log to syslog (the default)\n"
	    "  --log-level LEVEL        error, warn (default), info, debug or "
	    "trace\n"
	    "  --pid-file FILE          PID file (default %s)\n"
	    "  --no-pid-file            do not create a PID file\n"
	    "  -h, --help               print this help and exit\n"
	    "  -V, --version            print the version and exit\n"
	    "\n"
	    "The domain, then the extension, are read from standard input,\n"
	    "one line each, when no option gives them.\n",
	    DEFAULT_LISTEN, TACD_DEFAULT_PID_FILE);
}

static void
version(void)
{
	printf("tacd %s\n", ACMED_VERSION);
	printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tacd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(EXIT_USAGE);
}

static void
parse_args(int argc, char **argv, struct options *o)
{
	enum { O_EXT_FILE = 256, O_DIGEST, O_SIGALG, O_DOMAIN_FILE,
	    O_LOG_STDERR, O_LOG_SYSLOG, O_LOG_LEVEL, O_NO_PID, O_PID };
	static const struct option longopts[] = {
		{ "acme-ext", required_argument, NULL, 'e' },
		{ "acme-ext-file", required_argument, NULL, O_EXT_FILE },
		{ "crt-digest", required_argument, NULL, O_DIGEST },
		{ "crt-signature-alg", required_argument, NULL, O_SIGALG },
		{ "domain", required_argument, NULL, 'd' },
		{ "domain-file", required_argument, NULL, O_DOMAIN_FILE },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "listen", required_argument, NULL, 'l' },
		{ "log-stderr", no_argument, NULL, O_LOG_STDERR },
		{ "log-syslog", no_argument, NULL, O_LOG_SYSLOG },
		{ "log-level", required_argument, NULL, O_LOG_LEVEL },
		{ "no-pid-file", no_argument, NULL, O_NO_PID },
		{ "pid-file", required_argument, NULL, O_PID },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env;
	char *end, *argv0 = argv[0];
	long v;
	int c, pid_set = 0;

	memset(o, 0, sizeof(*o));
	o->listen = DEFAULT_LISTEN;
	o->pid_file = TACD_DEFAULT_PID_FILE;
	o->level = LOGL_WARN;
	o->key_type = CRYPTO_KEY_ECDSA_P256;
	o->digest = CRYPTO_DIGEST_SHA256;
	o->timeout_ms = TACD_HANDSHAKE_TIMEOUT_MS;
	/* getopt's messages name argv[0], which may be a whole path. */
	argv[0] = (char *)"tacd";
	/* -i: tacd(8) documents the short listen option under that name. */
	while ((c = getopt_long(argc, argv, "e:d:fhi:l:V", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'e':
			o->acme_ext = opt_value(argv, optind, optarg);
			break;
		case O_EXT_FILE:
			o->acme_ext_file = optarg;
			break;
		case O_DIGEST:
			if (crypto_digest_parse(optarg, &o->digest) == -1)
				usage_error("--crt-digest: %s", err_msg());
			break;
		case O_SIGALG:
			if (crypto_key_type_parse(optarg, &o->key_type) == -1)
				usage_error("--crt-signature-alg: %s",
				    err_msg());
			break;
		case 'd':
			o->domain = opt_value(argv, optind, optarg);
			break;
		case O_DOMAIN_FILE:
			o->domain_file = optarg;
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'i':
		case 'l':
			o->listen = opt_value(argv, optind, optarg);
			break;
		case O_LOG_STDERR:
			o->log_stderr = 1;
			break;
		case O_LOG_SYSLOG:
			o->log_syslog = 1;
			break;
		case O_LOG_LEVEL:
			if (log_level_parse(optarg, &o->level) == -1)
				usage_error("%s", err_msg());
			break;
		case O_NO_PID:
			o->no_pid_file = 1;
			break;
		case O_PID:
			o->pid_file = optarg;
			pid_set = 1;
			break;
		case 'V':
			version();
			exit(0);
		default:
			usage(stderr);
			exit(EXIT_USAGE);
		}
	}
	argv[0] = argv0;
	if (optind != argc)
		usage_error("unexpected argument: %s", argv[optind]);
	if (o->acme_ext != NULL && o->acme_ext_file != NULL)
		usage_error("%s", "--acme-ext and --acme-ext-file conflict");
	if (o->domain != NULL && o->domain_file != NULL)
		usage_error("%s", "--domain and --domain-file conflict");
	if (o->log_stderr && o->log_syslog)
		usage_error("%s", "--log-stderr and --log-syslog conflict");
	if (o->no_pid_file && pid_set)
		usage_error("%s", "--pid-file and --no-pid-file conflict");
	if ((env = getenv(TIMEOUT_ENV)) != NULL && *env != '\0') {
		v = strtol(env, &end, 10);
		if (*end != '\0' || v < 1 || v > 3600000)
			usage_error("%s: expected milliseconds, 1 to 3600000",
			    TIMEOUT_ENV);
		o->timeout_ms = (int)v;
	}
}

/* Logs a start-up error, and shows it on the terminal as well while there
 * is one and the log goes to syslog: whoever started tacd must see it. */
static void
report(const struct options *o, int attached, const char *msg)
{
	log_error("%s", msg);
	if (attached && !o->log_stderr)
		fprintf(stderr, "tacd: %s\n", msg);
}

/* The PID file path, absolute: the daemon writes and removes it after
 * moving to "/".  Allocated; NULL with err. */
static char *
absolute_path(const char *path)
{
	char cwd[PATH_MAX];
	struct buf b;

	buf_init(&b, PATH_MAX);
	if (path[0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			err_sys("getcwd");
			return NULL;
		}
		if (buf_printf(&b, "%s/", strcmp(cwd, "/") == 0 ? "" : cwd)
		    == -1)
			goto fail;
	}
	if (buf_puts(&b, path) == -1)
		goto fail;
	return buf_steal(&b);
fail:
	buf_free(&b);
	return NULL;
}

/* Builds the certificate from the domain and extension inputs.  NULL with
 * err. */
static struct crypto_alpn_cert *
make_cert(const struct options *o, struct buf *sni)
{
	unsigned char digest[CRYPTO_ACME_ID_LEN];
	struct crypto_alpn_cert *cert = NULL;
	struct crypto_alpn_req req;
	struct buf domain, ext, value;
	int has_ext;

	buf_init(&domain, BUF_MAX_SMALL);
	buf_init(&ext, BUF_MAX_SMALL);
	buf_init(&value, BUF_MAX_SMALL);
	memset(&req, 0, sizeof(req));
	/* The domain first, then the extension: the order of the stdin
	 * lines (tacd(8)). */
	if (tacd_input_read(o->domain, o->domain_file, stdin, "domain",
	    &domain) == -1 ||
	    tacd_input_domain(buf_str(&domain), &req.ident.type, &value,
	    sni) == -1 ||
	    tacd_input_read(o->acme_ext, o->acme_ext_file, stdin,
	    "acmeIdentifier extension", &ext) == -1 ||
	    tacd_input_ext(buf_str(&ext), digest, &has_ext) == -1)
		goto out;
	if (!has_ext)
		log_warn("no acmeIdentifier extension: no ACME server will "
		    "accept this certificate");
	req.key_type = o->key_type;
	req.digest = o->digest;
	req.ident.value = buf_str(&value);
	req.acme_id = has_ext ? digest : NULL;
	if ((cert = crypto_alpn_cert_new(&req)) != NULL)
		log_debug("certificate for %s %s (%s key)",
		    req.ident.type == CRYPTO_IDENT_IP ? "IP address" :
		    "DNS name", req.ident.value,
		    crypto_key_type_name(o->key_type));
out:
	buf_free(&domain);
	buf_free(&ext);
	buf_free(&value);
	return cert;
}

int
main(int argc, char **argv)
{
	struct tacd_server_opts so;
	struct crypto_alpn_cert *cert = NULL;
	struct tacd_listen l;
	struct tacd_tls *tls = NULL;
	struct options o;
	struct buf sni;
	char *pid_path = NULL;
	int status = EXIT_START, attached = 1;

	memset(&l, 0, sizeof(l));
	buf_init(&sni, BUF_MAX_SMALL);
	parse_args(argc, argv, &o);
	log_init("tacd", o.log_stderr ? LOG_SINK_STDERR : LOG_SINK_SYSLOG,
	    o.level);
	/* A client that resets the connection must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	tacd_server_block_signals();

	/* Everything that reads the caller's input or can fail on it runs
	 * here, before detaching: stdin and relative paths are still the
	 * caller's, and errors reach the caller. */
	if ((cert = make_cert(&o, &sni)) == NULL ||
	    (tls = tacd_tls_new(cert)) == NULL ||
	    (!o.no_pid_file && (pid_path = absolute_path(o.pid_file)) ==
	    NULL) ||
	    tacd_listen_open(&l, o.listen) == -1) {
		report(&o, attached, err_msg());
		goto out;
	}
	if (!o.foreground) {
		if (process_daemonize(o.log_stderr) == -1) {
			report(&o, attached, err_msg());
			status = EXIT_DAEMON;
			goto out;
		}
		attached = 0;
	}
	if (pid_path != NULL && process_pidfile(pid_path) == -1) {
		report(&o, attached, err_msg());
		process_ready(err_msg());
		status = EXIT_DAEMON;
		goto out;
	}
	process_ready(NULL);
	log_info("tacd %s: serving the tls-alpn-01 certificate for %s",
	    ACMED_VERSION, buf_str(&sni));

	memset(&so, 0, sizeof(so));
	so.fds = l.fds;
	so.nfds = l.nfds;
	so.tls = tls;
	so.sni = buf_str(&sni);
	so.max_conns = TACD_MAX_CONNECTIONS;
	so.timeout_ms = o.timeout_ms;
	if (tacd_server_run(&so) == -1) {
		log_error("%s", err_msg());
		goto out;
	}
	status = 0;
out:
	tacd_listen_close(&l);
	process_pidfile_remove();
	tacd_tls_free(tls);
	crypto_alpn_cert_free(cert);
	free(pid_path);
	buf_free(&sni);
	return status;
}
