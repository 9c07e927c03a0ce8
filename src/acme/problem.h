/*
 * problem.h - ACME errors: RFC 7807 problem documents with the error types
 * of RFC 8555 section 6.7 (and RFC 9773's alreadyReplaced), and what the
 * client does about each.
 */
#ifndef ACMED_ACME_PROBLEM_H
#define ACMED_ACME_PROBLEM_H

#include <stddef.h>

#include "util/buf.h"

/* name, retry policy */
#define ACME_ERROR_TYPES(X)						\
	X(accountDoesNotExist,		ACME_RETRY_NO)			\
	X(alreadyReplaced,		ACME_RETRY_NO)			\
	X(alreadyRevoked,		ACME_RETRY_NO)			\
	X(badCSR,			ACME_RETRY_NO)			\
	X(badNonce,			ACME_RETRY_NONCE)		\
	X(badPublicKey,			ACME_RETRY_NO)			\
	X(badRevocationReason,		ACME_RETRY_NO)			\
	X(badSignatureAlgorithm,	ACME_RETRY_NO)			\
	X(caa,				ACME_RETRY_NO)			\
	X(compound,			ACME_RETRY_NO)			\
	X(connection,			ACME_RETRY_NO)			\
	X(dns,				ACME_RETRY_NO)			\
	X(externalAccountRequired,	ACME_RETRY_NO)			\
	X(incorrectResponse,		ACME_RETRY_NO)			\
	X(invalidContact,		ACME_RETRY_NO)			\
	X(malformed,			ACME_RETRY_NO)			\
	X(orderNotReady,		ACME_RETRY_NO)			\
	X(rateLimited,			ACME_RETRY_LATER)		\
	X(rejectedIdentifier,		ACME_RETRY_NO)			\
	X(serverInternal,		ACME_RETRY_BACKOFF)		\
	X(tls,				ACME_RETRY_NO)			\
	X(unauthorized,			ACME_RETRY_NO)			\
	X(unsupportedContact,		ACME_RETRY_NO)			\
	X(unsupportedIdentifier,	ACME_RETRY_NO)			\
	X(userActionRequired,		ACME_RETRY_NO)

enum acme_retry {
	ACME_RETRY_NO,		/* fail at once with the server's detail */
	ACME_RETRY_NONCE,	/* at once, with a fresh nonce */
	ACME_RETRY_LATER,	/* after Retry-After */
	ACME_RETRY_BACKOFF,	/* exponential backoff with jitter */
};

enum acme_error {
	ACME_ERR_NONE = 0,	/* not an ACME error (or no type) */
	ACME_ERR_UNKNOWN,	/* an urn:ietf:params:acme:error we do not know */
#define X(name, retry) ACME_ERR_##name,
	ACME_ERROR_TYPES(X)
#undef X
	ACME_ERR__MAX
};

#define ACME_MAX_SUBPROBLEMS 16

struct acme_subproblem {
	enum acme_error	 type;
	char		*detail;	/* sanitised */
	char		*identifier;	/* "dns:example.org", or NULL */
};

struct acme_problem {
	enum acme_error		 type;
	char			*type_uri;	/* sanitised, or NULL */
	char			*detail;	/* sanitised, or NULL */
	long			 status;	/* HTTP status */
	struct acme_subproblem	 sub[ACME_MAX_SUBPROBLEMS];
	size_t			 nsub;
};

/* Parses a problem document (any body: a non-JSON body still gives a
 * problem with the HTTP status and no type).  Never fails. */
void	 acme_problem_parse(struct acme_problem *p, long status,
	    const char *body, size_t len);
void	 acme_problem_free(struct acme_problem *p);

/* "urn:ietf:params:acme:error:badNonce" -> ACME_ERR_badNonce. */
enum acme_error acme_error_from_uri(const char *uri);
const char *acme_error_name(enum acme_error e);
enum acme_retry acme_error_retry(enum acme_error e);

/* Appends the subproblems, if any: " (dns:a.example: caa: detail; ...)". */
void	 acme_problem_subs(const struct acme_problem *p, struct buf *b);

/* Records the problem as the thread's error message:
 * "<url>: HTTP 400 rateLimited: too many certificates (sub-problems: ...)" */
int	 acme_problem_err(const struct acme_problem *p, const char *url);

#endif
