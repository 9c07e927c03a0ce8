/*
 * log.c - stderr and syslog sinks (see log.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "util/err.h"
#include "util/log.h"
#include "util/period.h"

enum log_level log_threshold = LOGL_WARN;

static enum log_sink log_sink = LOG_SINK_STDERR;
static int log_echo;
static const char *log_ident = "acmed";

static const char *const log_names[] = {
	[LOGL_ERROR] = "error",
	[LOGL_WARN] = "warn",
	[LOGL_INFO] = "info",
	[LOGL_DEBUG] = "debug",
	[LOGL_TRACE] = "trace",
};

static const char *const log_labels[] = {
	[LOGL_ERROR] = "ERROR",
	[LOGL_WARN] = "WARN",
	[LOGL_INFO] = "INFO",
	[LOGL_DEBUG] = "DEBUG",
	[LOGL_TRACE] = "TRACE",
};

static const int log_syslog_prio[] = {
	[LOGL_ERROR] = LOG_ERR,
	[LOGL_WARN] = LOG_WARNING,
	[LOGL_INFO] = LOG_INFO,
	[LOGL_DEBUG] = LOG_DEBUG,
	[LOGL_TRACE] = LOG_DEBUG,
};

void
log_init(const char *ident, enum log_sink sink, enum log_level level)
{
	log_ident = ident;
	log_threshold = level;
	if (log_sink == LOG_SINK_SYSLOG)
		closelog();
	log_sink = sink;
	if (sink == LOG_SINK_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_echo_stderr(int on)
{
	log_echo = on;
}

int
log_level_parse(const char *s, enum log_level *level)
{
	size_t i;

	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcasecmp(s, log_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return err_set("%s: invalid log level (expected error, warn, info, "
	    "debug or trace)", s);
}

const char *
log_level_name(enum log_level level)
{
	return log_names[level];
}

void
log_write(enum log_level level, const char *fmt, ...)
{
	char msg[4096], stamp[PERIOD_UTC_LEN];
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One line per message, whatever the text contained. */
	for (p = msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';

	if (log_sink == LOG_SINK_SYSLOG) {
		syslog(log_syslog_prio[level], "%s", msg);
		if (log_echo && level <= LOGL_WARN)
			fprintf(stderr, "%s: %s\n", log_ident, msg);
		return;
	}
	period_utc(time(NULL), stamp);
	/* A single fprintf keeps lines from several threads whole. */
	fprintf(stderr, "[%s %-5s %s] %s\n", stamp, log_labels[level],
	    log_ident, msg);
}
