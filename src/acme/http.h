/*
 * http.h - the HTTPS transport of the ACME layer, over libcurl.
 *
 * One struct http_client (a curl easy handle) per worker thread; one
 * struct http_share and one struct http_trust per endpoint, shared by every
 * worker, so connections, TLS sessions and DNS answers are reused and the
 * trust store is loaded once.  Every response is read into capped buffers:
 * a server cannot make us allocate without bound, send endless headers or
 * stall forever.
 */
#ifndef ACMED_ACME_HTTP_H
#define ACMED_ACME_HTTP_H

#include <stddef.h>

#include "util/buf.h"

#define HTTP_MAX_BODY		(1024u * 1024)
#define HTTP_MAX_HEADERS	100
#define HTTP_MAX_ALTERNATES	8

struct http_trust;
struct http_share;
struct http_client;

/* The system trust store plus every certificate of every PEM file given.
 * NULL with err naming the file on error.  Free with http_trust_free. */
struct http_trust *http_trust_new(char *const *files, size_t nfiles);
void	 http_trust_free(struct http_trust *t);

/* A libcurl share handle with its locks.  NULL with err. */
struct http_share *http_share_new(void);
void	 http_share_free(struct http_share *s);

/* A libcurl easy handle.  NULL with err.  Not for concurrent use. */
struct http_client *http_client_new(void);
void	 http_client_free(struct http_client *c);

/* Where a request goes and with what limits; filled from the endpoint. */
struct http_target {
	struct http_trust	*trust;
	struct http_share	*share;		/* may be NULL; then keep
						 * the client for such
						 * targets (libcurl 7.88
						 * leaks connections of a
						 * handle used both ways) */
	int			 allow_http;	/* plain http:// to loopback */
	long			 connect_timeout_ms;
	long			 timeout_ms;	/* whole request */
	long			 low_speed_time_s; /* < 1 byte/s this long */
};

void	 http_target_defaults(struct http_target *t);

struct http_response {
	long		 status;
	struct buf	 body;
	char		*location;	/* Location, or NULL */
	char		*nonce;		/* a valid Replay-Nonce, or NULL */
	char		*content_type;	/* media type, lower case, or NULL */
	long long	 retry_after;	/* seconds from now, -1 when absent */
	char		*alternates[HTTP_MAX_ALTERNATES];
	size_t		 nalternates;	/* Link: rel="alternate" URLs */
	size_t		 nheaders;
	int		 permanent;	/* http_request failed in a way a
					 * retry will not mend: a limit
					 * broken, a URL refused, a TLS
					 * certificate that does not verify,
					 * a body encoded (compressed) though
					 * no encoding was asked for */
};

void	 http_response_init(struct http_response *r);
void	 http_response_free(struct http_response *r);

/* Sends one request.  method is "GET", "HEAD" or "POST" (with body).
 * Returns 0 when a response arrived, whatever its status; -1 with err
 * "<url>: <reason>" on transport errors (refused, TLS, timeout, too
 * large, a Content-Encoding other than identity on a body). */
int	 http_request(struct http_client *c, const struct http_target *t,
	    const char *method, const char *url, const char *accept,
	    const char *content_type, const void *body, size_t len,
	    struct http_response *r);

/* Header value parsers, exposed for tests and fuzzing. */
int	 http_nonce_valid(const char *s, size_t len);
long long http_parse_retry_after(const char *value, long long now);
/* Appends every rel="alternate" URL of a Link header value. */
void	 http_parse_link(const char *value, struct http_response *r);

/* 1 if the URL's host is 127.0.0.0/8, ::1 or localhost. */
int	 http_url_is_loopback(const char *url);

#endif
