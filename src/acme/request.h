/*
 * request.h - requests to a CA as one worker makes them: unsigned GETs for
 * the directory, and signed POSTs (JWS with the account's signer and a
 * nonce from the endpoint's pool) with the retry policy:
 *
 *   badNonce                 at once with a fresh nonce, up to 150 times
 *   rateLimited, 503         after Retry-After when it is short (<= max_wait_s),
 *                            otherwise fail and report retry_after (in
 *                            s->retry_after and in the message)
 *   serverInternal, 5xx,     exponential backoff with jitter, 3 times
 *   transport errors
 *   a redirect               fail at once: never followed
 *   anything else            fail at once with the server's detail
 *
 * Every URL must have the origin of the directory (acme_session_check_url).
 */
#ifndef ACMED_ACME_REQUEST_H
#define ACMED_ACME_REQUEST_H

#include "acme/endpoint.h"
#include "acme/http.h"
#include "acme/problem.h"
#include "crypto/signer.h"

#define ACME_CT_JOSE	"application/jose+json"
#define ACME_CT_JSON	"application/json"
#define ACME_CT_PEM	"application/pem-certificate-chain"

struct acme_session {
	struct acme_endpoint		*ep;
	struct http_client		*http;
	const struct crypto_signer	*signer;	/* account key */
	char				*kid;	/* account URL (owned); NULL: jwk */

	/* About the last failed request. */
	struct acme_problem		 problem;
	long long			 retry_after;	/* s, -1: none */

	int				 max_wait_s;	/* default 60 */
	int				 backoff_base_ms; /* default 1000 */
};

void	 acme_session_init(struct acme_session *s, struct acme_endpoint *ep,
	    struct http_client *http);
/* Forgets the last problem. */
void	 acme_session_clear(struct acme_session *s);
/* Frees what the session owns (kid, problem). */
void	 acme_session_free(struct acme_session *s);

/* 0 when url has the origin (scheme, host, port) of the endpoint's
 * directory; -1 with err otherwise.  Every request is checked: a server
 * must not make us send what the account key signed to another host, nor
 * downgrade us to plain HTTP. */
int	 acme_session_check_url(const struct acme_session *s, const char *url);

/* Appends to err when the server asks to be asked again (secs from now;
 * nothing when secs < 0): "(the server asks to retry after <date>, in N
 * s)", or "(... in more than 100 years)" past ACME_RETRY_AFTER_CENTURY_S. */
#define ACME_RETRY_AFTER_CENTURY_S	(100LL * 366 * 86400)
void	 acme_err_retry_after(long long secs);

/* The endpoint's directory, fetched when needed.  A reference: release
 * with acme_directory_put().  NULL with err. */
struct acme_directory *acme_session_directory(struct acme_session *s);

/* An unsigned GET (the directory, or a plain resource).  0 on a 2xx
 * response; -1 with err otherwise. */
int	 acme_get(struct acme_session *s, const char *url,
	    struct http_response *r);

/* A signed POST of payload (a JSON text), or POST-as-GET when payload is
 * NULL.  accept: NULL for JSON.  0 on a 2xx response; -1 with err ("<url>:
 * HTTP 403 unauthorized: ...") otherwise, s->problem and s->retry_after
 * describing it. */
int	 acme_post(struct acme_session *s, const char *url,
	    const char *payload, const char *accept, struct http_response *r);

/* The same with a body built for each attempt by build(arg, url, nonce,
 * out), for requests not signed by s->signer alone (key change). */
typedef int (*acme_body_fn)(void *arg, const char *url, const char *nonce,
	    struct buf *out);
int	 acme_post_body(struct acme_session *s, const char *url,
	    acme_body_fn build, void *arg, const char *accept,
	    struct http_response *r);

#endif
