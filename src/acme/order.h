/*
 * order.h - one certificate order (RFC 8555 section 7.4), in the steps the
 * daemon composes: new order, authorize (every authorization at once:
 * hooks for all, then all challenges answered, then all polled), finalize
 * with a CSR, download the chain.  Server values are checked before use:
 * statuses map to an enum, tokens must be base64url, URLs must be http(s).
 */
#ifndef ACMED_ACME_ORDER_H
#define ACMED_ACME_ORDER_H

#include <stddef.h>

#include "acme/problem.h"
#include "acme/request.h"
#include "crypto/ident.h"
#include "util/buf.h"

#define ACME_MAX_AUTHZ		100
#define ACME_MAX_CHALLENGES	16
#define ACME_TOKEN_MAX		256

enum acme_status {
	ACME_ST_UNKNOWN,	/* anything we do not know: treated as invalid */
	ACME_ST_PENDING,
	ACME_ST_READY,
	ACME_ST_PROCESSING,
	ACME_ST_VALID,
	ACME_ST_INVALID,
	ACME_ST_DEACTIVATED,
	ACME_ST_EXPIRED,
	ACME_ST_REVOKED,
};

enum acme_status acme_status_parse(const char *s);
const char *acme_status_name(enum acme_status st);

/* An identifier of the certificate as configured. */
struct acme_order_ident {
	enum crypto_ident_type	 type;
	const char		*value;		/* normalised; "*.x" kept */
	const char		*challenge;	/* "http-01", "dns-01"... */
	void			*user;		/* for the solver */
};

/* One challenge to publish, as the hooks see it (ACMEd's variables). */
struct acme_challenge_task {
	const struct acme_order_ident	*ident;
	const char			*challenge;	/* ident->challenge */
	char				*url;
	char				*token;
	char				*key_authorization;
	char				*proof;
	char				*raw_proof;	/* "" unless tls-alpn-01 */
	char				*file_name;	/* token for http-01, else "" */
	char				*identifier_tls_alpn;
};

/* The daemon's side of a challenge: publish it (challenge hooks), then
 * withdraw it (clean-up hooks).  cleanup runs for every setup that was
 * called, once its round of validations is over, also when the order
 * fails.  Two dns-01 proofs are never up together, as with ACMEd: a
 * setup may replace the record, and two names may share it (a name and
 * the wildcard under it, or records CNAMEd to one).  http-01 proofs are
 * published together, beside the first dns-01 one. */
struct acme_solver {
	int	(*setup)(void *arg, const struct acme_challenge_task *t);
	void	(*cleanup)(void *arg, const struct acme_challenge_task *t);
	/* tls-alpn-01 proofs are served by one responder per port: they are
	 * published and validated one at a time, between exclusive(arg, 1)
	 * and exclusive(arg, 0) (the daemon holds a lock there, so that
	 * other certificates wait too).  May be NULL. */
	void	(*exclusive)(void *arg, int enter);
	void	 *arg;
};

/* A parsed authorization or challenge (exposed for the fuzz target). */
struct acme_challenge {
	char			*type;
	char			*url;
	char			*token;		/* NULL when absent */
	enum acme_status	 status;
	struct acme_problem	 error;
};

struct acme_authz {
	enum crypto_ident_type	 type;
	char			*value;
	int			 wildcard;
	enum acme_status	 status;
	struct acme_challenge	 chall[ACME_MAX_CHALLENGES];
	size_t			 nchall;
};

int	 acme_authz_parse(struct acme_authz *a, const char *body, size_t len);
void	 acme_authz_free(struct acme_authz *a);

struct acme_order {
	char			*url;
	enum acme_status	 status;
	char			*finalize;
	char			*certificate;	/* once valid */
	char			*authz[ACME_MAX_AUTHZ];
	size_t			 nauthz;
	struct acme_problem	 error;
	int			 finalized;	/* the CA took our CSR */
};

/* Replaces o's fields (not its url, nor finalized) with the parsed body.
 * -1 with err. */
int	 acme_order_parse(struct acme_order *o, const char *body, size_t len);
void	 acme_order_free(struct acme_order *o);

/* How long polls may take, and how they start. */
struct acme_poll_opts {
	long long	 deadline_ms;	/* per poll; default 5 min */
	long long	 first_ms;	/* first wait; default 100 ms */
	long long	 max_ms;	/* longest wait; default 5 s */
};

/* newOrder.  profile (draft-ietf-acme-profiles) and replaces (RFC 9773;
 * dropped when the directory has no renewalInfo) may be NULL.  -1 with
 * err. */
int	 acme_order_new(struct acme_session *s,
	    const struct acme_order_ident *ids, size_t n, const char *profile,
	    const char *replaces, struct acme_order *o);

/* Authorizes every identifier of the order with solver.  -1 with err
 * naming the identifier and the server's detail. */
int	 acme_order_authorize(struct acme_session *s, struct acme_order *o,
	    const struct acme_order_ident *ids, size_t n,
	    const struct acme_solver *solver,
	    const struct acme_poll_opts *poll);

/* Finalizes with a DER CSR and waits until the order is valid.  On
 * failure o->finalized tells whether the CA took the CSR (it may issue
 * still: see acme_order_resume()). */
int	 acme_order_finalize(struct acme_session *s, struct acme_order *o,
	    const void *csr, size_t csrlen, const struct acme_poll_opts *poll);

/* Reads a finalized order again (from another session, say) and waits
 * until it is valid: what a failed acme_order_finalize() or download
 * leaves is taken up instead of ordering anew.  An order still ready (the
 * finalize request whose answer was lost never reached the CA) is
 * finalized with csr, which must be the one sent before.  -1 with err. */
int	 acme_order_resume(struct acme_session *s, struct acme_order *o,
	    const void *csr, size_t csrlen, const struct acme_poll_opts *poll);

/* Downloads the PEM chain, and each alternate chain the CA links to
 * (alts[0..*nalts), at most HTTP_MAX_ALTERNATES; may be NULL). */
int	 acme_order_download(struct acme_session *s, const struct acme_order *o,
	    struct buf *chain, struct buf *alts, size_t *nalts);

/* Deactivates the order's authorizations that are still pending, so an
 * abandoned order leaves nothing open.  Errors are only logged: the
 * caller's err message and s->problem are left as they were. */
void	 acme_order_abandon(struct acme_session *s, const struct acme_order *o);

/* 1 when s is a plausible server token: base64url, 1..256 characters. */
int	 acme_token_valid(const char *s);

#endif
