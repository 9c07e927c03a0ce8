/*
 * endpoint.h - what every worker shares about one CA: its directory
 * (fetched once, refetched after an error), a pool of nonces taken from
 * responses, the configured rate limits, the libcurl share handle and the
 * trust store.  All of it is guarded by the endpoint's own mutex.
 */
#ifndef ACMED_ACME_ENDPOINT_H
#define ACMED_ACME_ENDPOINT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "acme/http.h"
#include "acme/ratelimit.h"
#include "util/err.h"

#define ACME_NONCE_POOL_MAX	16
#define ACME_MAX_PROFILES	16

/* A parsed directory.  Immutable once published; reference counted so a
 * refetch never frees one that a worker still reads. */
struct acme_directory {
	atomic_int	 refs;
	char		*new_nonce;
	char		*new_account;
	char		*new_order;
	char		*revoke_cert;		/* optional: never used */
	char		*key_change;		/* optional until a key changes */
	char		*new_authz;		/* optional */
	char		*renewal_info;		/* RFC 9773, optional */
	char		*terms_of_service;	/* meta, optional */
	int		 external_account_required;
	char		*profiles[ACME_MAX_PROFILES];	/* meta.profiles */
	size_t		 nprofiles;
	time_t		 fetched;	/* CLOCK_MONOTONIC seconds */
};

/* A cached directory is fetched again once it is this old: a CA may move
 * its URLs or change its terms (ACMEd fetched it for every renewal). */
#define ACME_DIRECTORY_MAX_AGE_S	3600

/* Parses a directory document.  NULL with err naming the member. */
struct acme_directory *acme_directory_parse(const char *body, size_t len);
void	 acme_directory_put(struct acme_directory *d);

struct acme_endpoint_opts {
	const char	 *name;
	const char	 *url;		/* the directory */
	char *const	 *roots;	/* extra trust anchors (PEM files) */
	size_t		  nroots;
	int		  allow_http;	/* plain http to loopback (tests) */
	long		  timeout_ms;	/* 0: default */
};

struct acme_endpoint {
	char			*name;
	char			*url;
	char			*origin;	/* of url; NULL: invalid */
	char			*prefix;	/* url's scheme://authority/ */
	struct http_target	 target;
	struct ratelimit	*rl;

	pthread_mutex_t		 mu;
	struct acme_directory	*dir;	/* NULL until fetched, or stale */
	long long		 dir_failed_ms;	/* when the last fetch failed;
						   0: it did not */
	int			 dir_fetching;	/* one fetch at a time ... */
	pthread_cond_t		 dir_cv;	/* ... the others wait for it */
	unsigned long		 dir_fetches;	/* fetches done */
	char			 dir_error[ERR_MSG_MAX];	/* the failed one's error */
	long long		 dir_retry_after;	/* and Retry-After */
	char			*nonces[ACME_NONCE_POOL_MAX];
	size_t			 nnonces;

	/* For tests and benchmarks. */
	atomic_long		 nrequests;
	atomic_long		 nnew_nonce;
};

/* NULL with err (an unreadable root certificate file, ENOMEM). */
struct acme_endpoint *acme_endpoint_new(const struct acme_endpoint_opts *o);
void	 acme_endpoint_free(struct acme_endpoint *ep);

/* "https://host:443" for a URL: scheme, host (lower case) and port (the
 * scheme's default made explicit).  Allocated; NULL when the URL does not
 * parse. */
char	*acme_url_origin(const char *url);

/* 1 when url starts with the directory URL's scheme://authority/ exactly as
 * written and goes on with plain URL characters: the same origin without
 * parsing.  0 means "parse it and compare acme_url_origin()s". */
int	 acme_endpoint_same_origin(const struct acme_endpoint *ep,
	    const char *url);

/* Adds a [[rate-limit]]. */
int	 acme_endpoint_add_limit(struct acme_endpoint *ep, uint64_t number,
	    uint64_t period_s);

/* 1 when the last directory fetch failed less than
 * ACME_DIRECTORY_DOWN_MS ago: background checks, made by the thousand,
 * then fail at once instead of each trying (and waiting) again. */
#define ACME_DIRECTORY_DOWN_MS	60000
int	 acme_endpoint_directory_down(struct acme_endpoint *ep);

/* Forgets the cached directory: the next request fetches it again. */
void	 acme_endpoint_forget_directory(struct acme_endpoint *ep);

/* Nonce pool.  take: an allocated nonce (caller frees), or NULL when the
 * pool is empty.  put: takes ownership; drops the oldest past the cap. */
char	*acme_endpoint_nonce_take(struct acme_endpoint *ep);
void	 acme_endpoint_nonce_put(struct acme_endpoint *ep, char *nonce);

#endif
