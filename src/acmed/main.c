/*
 * main.c - acmed, the ACME client daemon: command line, start-up, the
 * signal loop.  Everything else lives in the layers below.
 */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "acme/http.h"
#include "build_config.h"
#include "config/config.h"
#include "daemon/control.h"
#include "daemon/hook.h"
#include "daemon/notify.h"
#include "daemon/process.h"
#include "daemon/runtime.h"
#include "daemon/scheduler.h"
#include "daemon/storage.h"
#include "util/err.h"
#include "util/log.h"
#include "util/opt.h"
#include "util/stop.h"

extern char **environ;

#define MAX_ROOT_CERTS	64

struct options {
	const char	*config;
	const char	*pid_file;
	int		 no_pid_file;
	int		 foreground;
	int		 log_stderr;
	int		 log_syslog;
	enum log_level	 level;
	char		*roots[MAX_ROOT_CERTS];
	size_t		 nroots;
	int		 check_config;
	int		 once;
	int		 workers;
	char		 cwd[4096];	/* relative paths resolve against it,
					   also on reload after chdir("/") */
	char		 pid_path[4096];	/* pid_file made absolute */
	const char	*control;	/* control socket; NULL: none */
	char		 control_path[4096];	/* control made absolute */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acmed [-c|--config FILE] [-f|--foreground] [-h|--help]\n"
	    "             [--log-stderr | --log-syslog] [--log-level LEVEL]\n"
	    "             [--no-pid-file | --pid-file FILE] [--root-cert FILE]\n"
	    "             [--check-config] [--once] [--workers N] "
	    "[-V|--version]\n"
	    "             [--control-socket FILE]\n"
	    "\n"
	    "  -c, --config FILE    configuration file (default %s)\n"
	    "  -f, --foreground     do not detach from the terminal\n"
	    "  --log-stderr         log to the standard error output\n"
	    "  --log-syslog         log to syslog (the default)\n"
	    "  --log-level LEVEL    error, warn (default), info, debug or trace\n"
	    "  --pid-file FILE      PID file (default %s)\n"
	    "  --no-pid-file        do not create a PID file\n"
	    "  --root-cert FILE     add a root certificate to the trust store "
	    "(repeatable)\n"
	    "  --check-config       load and check the configuration, print "
	    "the\n"
	    "                       certificates and exit\n"
	    "  --once               renew what is due, then exit (0: all "
	    "succeeded)\n"
	    "  --workers N          renewals in parallel (default %d)\n"
	    "  --control-socket FILE\n"
	    "                       answer acmectl on this Unix socket\n"
	    "  -V, --version        print the version and exit\n",
	    ACMED_DEFAULT_CONFIG_FILE, ACMED_DEFAULT_PID_FILE,
	    SCHED_DEFAULT_WORKERS);
}

static void
version(void)
{
	printf("acmed %s\n", ACMED_VERSION);
	printf("%s, %s\n", OpenSSL_version(OPENSSL_VERSION),
	    curl_version());
}

/* path, or path made absolute in out (4096 bytes). */
static const char *
absolute(const struct options *o, const char *opt, const char *path,
    char *out)
{
	if (path[0] == '/')
		return path;
	if (snprintf(out, 4096, "%s/%s", o->cwd, path) >= 4096) {
		fprintf(stderr, "acmed: %s: path too long\n", opt);
		exit(2);
	}
	return out;
}

static void
parse_args(int argc, char **argv, struct options *o)
{
	enum { O_LOG_STDERR = 256, O_LOG_SYSLOG, O_LOG_LEVEL, O_NO_PID,
	    O_PID, O_ROOT, O_CHECK, O_ONCE, O_WORKERS, O_CONTROL };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "log-stderr", no_argument, NULL, O_LOG_STDERR },
		{ "log-syslog", no_argument, NULL, O_LOG_SYSLOG },
		{ "log-level", required_argument, NULL, O_LOG_LEVEL },
		{ "no-pid-file", no_argument, NULL, O_NO_PID },
		{ "pid-file", required_argument, NULL, O_PID },
		{ "root-cert", required_argument, NULL, O_ROOT },
		{ "check-config", no_argument, NULL, O_CHECK },
		{ "once", no_argument, NULL, O_ONCE },
		{ "workers", required_argument, NULL, O_WORKERS },
		{ "control-socket", required_argument, NULL, O_CONTROL },
		{ NULL, 0, NULL, 0 },
	};
	char *end, *argv0 = argv[0];
	int c, pid_set = 0;

	/* getopt's messages name argv[0], which may be a whole path. */
	argv[0] = (char *)"acmed";
	memset(o, 0, sizeof(*o));
	o->config = ACMED_DEFAULT_CONFIG_FILE;
	o->pid_file = ACMED_DEFAULT_PID_FILE;
	o->level = LOGL_WARN;
	while ((c = getopt_long(argc, argv, "c:fhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = opt_value(argv, optind, optarg);
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			version();
			exit(0);
		case O_LOG_STDERR:
			o->log_stderr = 1;
			break;
		case O_LOG_SYSLOG:
			o->log_syslog = 1;
			break;
		case O_LOG_LEVEL:
			if (log_level_parse(optarg, &o->level) == -1) {
				fprintf(stderr, "acmed: %s\n", err_msg());
				exit(2);
			}
			break;
		case O_NO_PID:
			o->no_pid_file = 1;
			break;
		case O_PID:
			o->pid_file = optarg;
			pid_set = 1;
			break;
		case O_ROOT:
			if (o->nroots == MAX_ROOT_CERTS) {
				fprintf(stderr, "acmed: too many --root-cert\n");
				exit(2);
			}
			o->roots[o->nroots++] = optarg;
			break;
		case O_CHECK:
			o->check_config = 1;
			break;
		case O_ONCE:
			o->once = 1;
			break;
		case O_WORKERS:
			o->workers = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o->workers < 1 ||
			    o->workers > 256) {
				fprintf(stderr, "acmed: --workers: expected a "
				    "number from 1 to 256\n");
				exit(2);
			}
			break;
		case O_CONTROL:
			o->control = optarg;
			break;
		default:
			usage(stderr);
			exit(2);
		}
	}
	argv[0] = argv0;
	if (optind != argc) {
		fprintf(stderr, "acmed: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(stderr);
		exit(2);
	}
	if (getcwd(o->cwd, sizeof(o->cwd)) == NULL) {
		fprintf(stderr, "acmed: cannot read the working directory\n");
		exit(1);
	}
	/* The daemon changes to "/": relative paths mean here. */
	o->pid_file = absolute(o, "--pid-file", o->pid_file, o->pid_path);
	if (o->control != NULL)
		o->control = absolute(o, "--control-socket", o->control,
		    o->control_path);
	if (o->control != NULL && (o->once || o->check_config)) {
		fprintf(stderr, "acmed: --control-socket is for the daemon, "
		    "not for --once or --check-config\n");
		exit(2);
	}
	if (o->log_stderr && o->log_syslog) {
		fprintf(stderr, "acmed: --log-stderr and --log-syslog conflict\n");
		exit(2);
	}
	if (o->no_pid_file && pid_set) {
		fprintf(stderr, "acmed: --pid-file and --no-pid-file "
		    "conflict\n");
		exit(2);
	}
}

/* Loads the configuration; logs every error, and copies them to copy
 * (one per line) unless it is NULL. */
static struct config *
load(const struct options *o, struct buf *copy)
{
	struct config_opts co = { o->config, o->roots, o->nroots, o->cwd };
	struct config *cfg;
	struct buf errors;
	char *line, *save = NULL;

	buf_init(&errors, 1024 * 1024);
	if ((cfg = config_load(&co, &errors)) == NULL) {
		for (line = strtok_r(errors.data, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			log_error("%s", line);
			if (copy != NULL)
				buf_printf(copy, "%s\n", line);
		}
	} else
		config_lint(cfg);
	buf_free(&errors);
	return cfg;
}

/* Set before on_finish() signals: a SIGUSR1 from elsewhere still pending
 * would merge with ours (standard signals do not queue). */
static int once_done;

static void
on_finish(void *arg)
{
	(void)arg;
	__atomic_store_n(&once_done, 1, __ATOMIC_SEQ_CST);
	kill(getpid(), SIGUSR1);
}

/* Whether the j-th root certificate of endpoint i came before, in it or
 * in an endpoint before it. */
static int
root_seen(const struct config *cfg, size_t i, size_t j)
{
	const char *root = cfg->endpoints[i].root_certificates[j];
	size_t k, l;

	for (k = 0; k <= i; k++)
		for (l = 0; l < (k == i ? j : cfg->endpoints[k].
		    nroot_certificates); l++)
			if (strcmp(cfg->endpoints[k].root_certificates[l],
			    root) == 0)
				return 1;
	return 0;
}

/* Whether a root certificate is one of --root-cert's. */
static int
root_given(const struct options *o, const char *root)
{
	size_t i;

	for (i = 0; i < o->nroots; i++)
		if (strcmp(o->roots[i], root) == 0)
			return 1;
	return 0;
}

static int
check_config(const struct options *o)
{
	struct config_opts co = { o->config, o->roots, o->nroots, o->cwd };
	struct http_trust *trust;
	struct config *cfg;
	struct buf out;
	int failed = 0;
	size_t i, j;

	buf_init(&out, 64 * 1024 * 1024);
	if ((cfg = config_load(&co, &out)) == NULL) {
		fputs(buf_str(&out), stderr);
		buf_free(&out);
		return 1;
	}
	config_lint(cfg);
	if (storage_check_names(cfg) == -1) {
		fprintf(stderr, "%s\n", err_msg());
		failed = 1;
	}
	/* The folders the daemon would refuse (those that are there: the
	 * others it would create). */
	for (i = 0; i <= cfg->ncertificates; i++) {
		const char *dir = i == 0 ? cfg->global.accounts_directory :
		    cfg->certificates[i - 1].directory;

		if (i > 1 && strcmp(dir, cfg->certificates[i - 2].directory)
		    == 0)
			continue;
		if (access(dir, F_OK) == 0 && storage_check_dir(dir, i == 0 ?
		    "accounts folder" : "certificates folder", 1) == -1) {
			fprintf(stderr, "%s\n", err_msg());
			failed = 1;
		}
	}
	/* The daemon would refuse to start on a root certificate it cannot
	 * read: say so now (the files are only read), once for each file
	 * (the global ones and --root-cert's are every endpoint's). */
	for (i = 0; i < cfg->nendpoints; i++) {
		const struct config_endpoint *e = &cfg->endpoints[i];

		for (j = 0; j < e->nroot_certificates; j++) {
			const char *root = e->root_certificates[j];

			if (root_seen(cfg, i, j))
				continue;
			if ((trust = http_trust_new(&e->root_certificates[j],
			    1)) != NULL) {
				http_trust_free(trust);
				continue;
			}
			if (root_given(o, root))
				fprintf(stderr, "--root-cert: %s\n", err_msg());
			else
				fprintf(stderr, "%s:%u:%u: endpoint \"%s\": "
				    "%s\n", e->pos.file, e->pos.line,
				    e->pos.col, e->name, err_msg());
			failed = 1;
		}
	}
	if (!failed) {
		config_summary(cfg, &out);
		if (cfg->ncertificates == 0)
			buf_puts(&out, "no certificate\n");
		fputs(buf_str(&out), stdout);
	}
	buf_free(&out);
	config_free(cfg);
	return failed;
}

/* What a reload needs: SIGHUP's in the main thread, acmectl's in the
 * control thread, one at a time. */
struct reloader {
	const struct options	*o;
	struct sched		*s;
	pthread_mutex_t		 mu;
	atomic_int		 again;	/* a SIGHUP came during acmectl's */
};

/* One reload, under r->mu (see reload()). */
static int
reload_once(struct reloader *r, struct buf *out)
{
	struct runtime *rt;
	struct config *cfg;
	size_t n;
	int waiting;

	notify_reloading();
	if ((cfg = load(r->o, out)) == NULL) {
		log_error("reload failed: keeping the running configuration");
		goto fail;
	}
	if ((rt = runtime_new(cfg, 1)) == NULL) {
		log_error("reload failed: %s; keeping the running "
		    "configuration", err_msg());
		if (out != NULL)
			buf_printf(out, "%s\n", err_msg());
		goto fail;
	}
	n = rt->cfg->ncertificates;
	if ((waiting = sched_reload(r->s, rt)) == -1) {
		/* Stopping: systemd was told so, not to wait for READY. */
		if (out != NULL)
			buf_puts(out, "acmed is stopping\n");
		return -1;
	}
	malloc_trim(0);
	if (out != NULL)
		buf_printf(out, "configuration loaded: %zu certificate%s%s\n",
		    n, n == 1 ? "" : "s", waiting == 0 ? "" : "; it applies "
		    "once the renewals in progress end");
	return 0;
fail:
	/* A reload still waiting for renewals tells READY when it is
	 * swapped in. */
	if (!sched_reload_waiting(r->s))
		notify_send("READY=1\nSTATUS=reload failed: see the log");
	return -1;
}

/*
 * The configuration is loaded again and handed to the scheduler, which
 * swaps it in (and tells systemd it is ready) once no renewal runs.  0
 * with what was done in out; -1 when it cannot be loaded, with its errors
 * in out: the running one stays.  out is NULL for SIGHUP (the log says
 * it all), which never waits for acmectl's reload: the main thread must
 * hear SIGTERM, so the reload running takes SIGHUP's up after its own.
 * A control_reload_fn.
 */
static int
reload(void *arg, struct buf *out)
{
	struct reloader *r = arg;
	int rc;

	if (out == NULL) {
		/* Asked for first, then the lock tried: whoever holds it
		 * looks at "again" before and after letting go. */
		atomic_store(&r->again, 1);
		if (pthread_mutex_trylock(&r->mu) != 0) {
			log_info("SIGHUP: the reload asked for on the control "
			    "socket runs; this one follows it");
			return 0;
		}
		rc = 0;		/* the loop below runs it */
	} else {
		pthread_mutex_lock(&r->mu);
		rc = reload_once(r, out);
	}
	for (;;) {
		while (atomic_exchange(&r->again, 0) && !stop_is_set())
			(void)reload_once(r, NULL);
		pthread_mutex_unlock(&r->mu);
		/* A SIGHUP between the last look and the unlock found the
		 * lock taken: it is ours to take up, unless another holds
		 * the lock now (it looks before it lets go). */
		if (!atomic_load(&r->again) ||
		    pthread_mutex_trylock(&r->mu) != 0)
			break;
	}
	return rc;
}

/* The signal loop: TERM/INT stop, HUP reloads.  on_finish() ends --once
 * with a SIGUSR1; any other is only logged.  Returns 1 when --once
 * finished, 0 when stopped on request. */
static int
serve(const struct options *o, struct reloader *r, const sigset_t *set)
{
	siginfo_t si;
	int sig;

	for (;;) {
		if ((sig = sigwaitinfo(set, &si)) == -1)
			continue;
		if (sig == SIGUSR1) {
			if (__atomic_load_n(&once_done, __ATOMIC_SEQ_CST))
				return 1;
			log_info("SIGUSR1 from process %ld: ignored",
			    (long)si.si_pid);
			continue;
		}
		if (sig == SIGHUP && o->once) {
			/* It would renew again what has just failed. */
			log_info("SIGHUP: ignored with --once");
			continue;
		}
		if (sig == SIGHUP) {
			log_info("SIGHUP: reloading %s", o->config);
			(void)reload(r, NULL);
			continue;
		}
		log_info("%s: stopping", strsignal(sig));
		return 0;
	}
}

/*
 * Debian's libcurl links librtmp and libldap, which load GnuTLS, whose
 * library constructor initialises it (PKCS#11 modules, ASN.1 tables):
 * 0.7 MB of memory in a daemon that never uses GnuTLS.  GnuTLS skips that
 * when GNUTLS_NO_IMPLICIT_INIT=1 is in the environment at load time, so
 * acmed sets it and executes itself again, once.  The marker variable
 * tells the second run to take both away again, so hooks see the
 * environment acmed was started with.  It also carries the process's name:
 * run through /proc/self/exe, the kernel would call the second run "exe",
 * and pgrep, pkill, killall and top would no longer find acmed.  Under
 * valgrind (whose preloaded library is in LD_PRELOAD) acmed runs as it
 * is: a second run would not be traced.
 */
#define REEXEC_MARKER	"ACMED_REEXEC_NO_GNUTLS_INIT"

static void
reexec_without_gnutls_init(char **argv)
{
	char name[16] = "";	/* TASK_COMM_LEN */
	const char *preload, *marker;

	if ((marker = getenv(REEXEC_MARKER)) != NULL) {
		snprintf(name, sizeof(name), "%s", marker);
		if (name[0] != '\0')
			prctl(PR_SET_NAME, name);
		unsetenv(REEXEC_MARKER);
		unsetenv("GNUTLS_NO_IMPLICIT_INIT");
		return;
	}
	if (getenv("GNUTLS_NO_IMPLICIT_INIT") != NULL)
		return;
	preload = getenv("LD_PRELOAD");
	if (preload != NULL && strstr(preload, "vgpreload") != NULL)
		return;
	if (prctl(PR_GET_NAME, name) == -1)
		name[0] = '\0';
	if (setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 1) == -1 ||
	    setenv(REEXEC_MARKER, name, 1) == -1)
		return;
	execv("/proc/self/exe", argv);
	/* No /proc: run as we are. */
	unsetenv(REEXEC_MARKER);
	unsetenv("GNUTLS_NO_IMPLICIT_INIT");
}

int
main(int argc, char **argv)
{
	struct sched_opts so;
	struct options o;
	struct runtime *rt;
	struct config *cfg;
	struct control *ctl = NULL;
	struct reloader r = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct sched *s;
	sigset_t set;
	int failed, finished;

	parse_args(argc, argv, &o);
	if (!o.check_config)
		reexec_without_gnutls_init(argv);
	log_init("acmed", o.log_stderr || o.check_config ? LOG_SINK_STDERR :
	    LOG_SINK_SYSLOG, o.level);
	if (o.check_config)
		return check_config(&o);

	/* The workers spend their time in TLS and signatures, not in malloc:
	 * two arenas are plenty, and one per thread would keep megabytes of
	 * freed memory each. */
	mallopt(M_ARENA_MAX, 2);
	signal(SIGPIPE, SIG_IGN);
	notify_init();
	hook_init(environ);
	log_echo_stderr(1);
	/* Everything that can fail on the user's input happens before
	 * detaching, so it is seen; no thread exists yet. */
	if ((cfg = load(&o, NULL)) == NULL)
		return 1;
	if (cfg->ncertificates == 0) {
		log_error("No certificate found.");
		/* Type=notify: an exit before READY=1 is a failure. */
		notify_send("READY=1\nSTATUS=No certificate found.");
		notify_send("STOPPING=1");
		config_free(cfg);
		return 0;
	}
	/* The TOML trees of the files are gone: their pages go back before
	 * anything long-lived is allocated among them. */
	malloc_trim(0);
	if (!o.no_pid_file && process_pidfile(o.pid_file) == -1) {
		log_error("%s", err_msg());
		config_free(cfg);
		return 3;
	}
	if ((rt = runtime_new(cfg, 0)) == NULL) {
		log_error("%s", err_msg());
		process_pidfile_remove();
		return 1;
	}
	runtime_take_over(rt);
	if (o.control != NULL && (ctl = control_open(o.control)) == NULL) {
		log_error("%s", err_msg());
		runtime_free(rt);
		process_pidfile_remove();
		return 1;
	}
	if (!o.foreground && !o.once) {
		if (process_daemonize(o.log_stderr) == -1) {
			log_error("%s", err_msg());
			control_close(ctl);
			runtime_free(rt);
			process_pidfile_remove();
			return 3;
		}
		if (process_pidfile_rewrite() == -1) {
			log_error("%s", err_msg());
			process_ready(err_msg());
			control_close(ctl);
			runtime_free(rt);
			process_pidfile_remove();
			return 3;
		}
	}

	/* Signals go to this thread's sigwait(), whichever thread gets them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	memset(&so, 0, sizeof(so));
	so.workers = o.workers;
	so.once = o.once;
	so.on_finish = on_finish;
	if ((s = sched_new(rt, &so)) == NULL) {
		log_error("%s", err_msg());
		process_ready(err_msg());
		control_close(ctl);
		process_pidfile_remove();
		return 1;
	}
	/* Reading every certificate and key file to schedule them left
	 * garbage too. */
	malloc_trim(0);
	r.o = &o;
	r.s = s;
	if (sched_start(s) == -1 ||
	    (ctl != NULL && control_start(ctl, s, reload, &r) == -1)) {
		log_error("%s", err_msg());
		process_ready(err_msg());
		stop_set();
		control_close(ctl);
		sched_free(s);
		process_pidfile_remove();
		return 1;
	}
	process_ready(NULL);
	log_echo_stderr(0);
	log_info("acmed %s started: %zu certificate%s", ACMED_VERSION,
	    rt->cfg->ncertificates, rt->cfg->ncertificates == 1 ? "" : "s");
	notify_send("READY=1\nSTATUS=%zu certificate%s",
	    rt->cfg->ncertificates, rt->cfg->ncertificates == 1 ? "" : "s");
	finished = serve(&o, &r, &set);
	notify_send("STOPPING=1");
	stop_set();
	control_close(ctl);
	failed = sched_stop(s);
	sched_free(s);
	process_pidfile_remove();
	if (!o.once)
		return 0;
	if (!finished)
		log_error("stopped before every renewal due was done");
	return failed > 0 || !finished ? 1 : 0;
}
