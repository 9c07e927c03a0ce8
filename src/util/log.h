/*
 * log.h - logging to stderr or syslog, with ACMEd's levels.
 *
 * The log_* macros test the level before evaluating their arguments, so a
 * trace message costs nothing when the level is lower.  Messages are one
 * line each; a message must never contain a secret (private key, EAB key,
 * JWS body).
 *
 * stderr format:  [2026-11-28T18:38:51Z INFO  acmed] message
 * syslog:         ident = program name, facility daemon, PID included.
 */
#ifndef ACMED_UTIL_LOG_H
#define ACMED_UTIL_LOG_H

enum log_level {
	LOGL_ERROR,
	LOGL_WARN,
	LOGL_INFO,
	LOGL_DEBUG,
	LOGL_TRACE,
};

enum log_sink {
	LOG_SINK_STDERR,
	LOG_SINK_SYSLOG,
};

/* The current threshold: messages above it are not evaluated. */
extern enum log_level log_threshold;

/* Sets ident, sink and level.  May be called again (after a fork, or to
 * switch sinks). */
void	log_init(const char *ident, enum log_sink sink, enum log_level level);

/* While on, messages at warn level and above that go to syslog are also
 * printed on stderr ("acmed: message"): for start-up, while someone
 * still watches the terminal. */
void	log_echo_stderr(int on);

/* Parses "error", "warn", "info", "debug" or "trace".  -1 with err. */
int	log_level_parse(const char *s, enum log_level *level);

const char *log_level_name(enum log_level level);

void	log_write(enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_at(lvl, ...) do {						\
	if ((lvl) <= log_threshold)					\
		log_write((lvl), __VA_ARGS__);				\
} while (0)
#define log_error(...)	log_at(LOGL_ERROR, __VA_ARGS__)
#define log_warn(...)	log_at(LOGL_WARN, __VA_ARGS__)
#define log_info(...)	log_at(LOGL_INFO, __VA_ARGS__)
#define log_debug(...)	log_at(LOGL_DEBUG, __VA_ARGS__)
#define log_trace(...)	log_at(LOGL_TRACE, __VA_ARGS__)

#endif
