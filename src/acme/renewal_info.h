/*
 * renewal_info.h - ACME Renewal Information (RFC 9773): the window in
 * which the CA suggests renewing one certificate, the moment a client
 * picks in it, and when to ask again.
 *
 * The CA may move the window at any time (earlier, when it must revoke);
 * acmed renews at the earlier of that moment and its own due date, so the
 * CA can only bring a renewal forward.
 */
#ifndef ACMED_ACME_RENEWAL_INFO_H
#define ACMED_ACME_RENEWAL_INFO_H

#include <stdint.h>

#include "acme/request.h"

/* Retry-After is clamped to this range (RFC 9773 section 4.3.2's
 * example); without one the next check is ACME_ARI_DEFAULT_S away. */
#define ACME_ARI_MIN_S		60
#define ACME_ARI_MAX_S		86400
#define ACME_ARI_DEFAULT_S	21600

struct acme_renewal_info {
	int64_t		 start;		/* suggestedWindow, s since the epoch */
	int64_t		 end;		/* > start */
	char		*explanation;	/* explanationURL, printable; NULL */
	long long	 retry_after;	/* s, -1 when absent */
};

/* Parses an answer's body.  -1 with err naming the member. */
int	 acme_renewal_info_parse(struct acme_renewal_info *ri,
	    const char *body, size_t len);

/* 1 when the directory lists renewalInfo, 0 when it does not, -1 with
 * err (at once while the directory is down: acme_endpoint_directory_down).
 */
int	 acme_renewal_info_offered(struct acme_session *s);

/* GET <renewalInfo>/<cert_id> (unsigned), from a directory that lists
 * renewalInfo (acme_renewal_info_offered()).  0 with *ri filled, -1 with
 * err naming the URL. */
int	 acme_renewal_info_get(struct acme_session *s, const char *cert_id,
	    struct acme_renewal_info *ri);

void	 acme_renewal_info_free(struct acme_renewal_info *ri);

/* The moment to renew: a point of the window drawn from cert_id, so that
 * certificates spread over the window and an unchanged window read again
 * (or after a restart) gives the same moment. */
int64_t	 acme_renewal_info_pick(const struct acme_renewal_info *ri,
	    const char *cert_id);

/* Seconds until the next check: Retry-After, clamped. */
long long acme_renewal_info_recheck(const struct acme_renewal_info *ri);

/* A Retry-After (s, >= 0) clamped to [ACME_ARI_MIN_S, ACME_ARI_MAX_S]:
 * for an answer, and for a failed check too (a 503's Retry-After of years
 * would leave the certificate unasked until it expired). */
long long acme_renewal_info_clamp(long long retry_after);

/*
 * An answer kept on disk (storage_save_ari), so that the next process
 * (--once from cron, a restart) does not ask again before the CA said to
 * (RFC 9773 section 4.3: Retry-After).  One line of JSON: the answer's
 * members, and "acmed": the directory URL of the CA that gave it, the
 * certificate's ID, and when to ask next (RFC 3339).
 *
 * acme_renewal_info_encode: appends that line to out.  -1 with err.
 * acme_renewal_info_decode: 1 with *ri (acme_renewal_info_free) and
 * *until when it is an answer about cert_id from endpoint; 0 when it is
 * about another certificate or from another CA (a certificate replaced
 * since, a configuration changed); -1 with err when it does not parse.
 */
int	 acme_renewal_info_encode(const struct acme_renewal_info *ri,
	    const char *endpoint, const char *cert_id, int64_t until,
	    struct buf *out);
int	 acme_renewal_info_decode(const char *text, size_t len,
	    const char *endpoint, const char *cert_id,
	    struct acme_renewal_info *ri, int64_t *until);

#endif
