/*
 * revoke.h - revoking a certificate (RFC 8555 section 7.6), signed by the
 * account that holds it.
 */
#ifndef ACMED_ACME_REVOKE_H
#define ACMED_ACME_REVOKE_H

#include <stddef.h>

#include "acme/request.h"

/* RFC 5280 section 5.3.1 reason codes a client may give (the others are
 * the CA's business). */
#define ACME_REVOKE_NO_REASON	(-1)	/* no "reason" member */
#define ACME_REVOKE_UNSPECIFIED	0
#define ACME_REVOKE_KEY_COMPROMISE 1
#define ACME_REVOKE_AFFILIATION_CHANGED 3
#define ACME_REVOKE_SUPERSEDED	4
#define ACME_REVOKE_CESSATION	5

/* "keyCompromise" -> 1 ...; -1 for a name not in the list above. */
int	 acme_revoke_reason(const char *name);

/* The other way: "none" for ACME_REVOKE_NO_REASON. */
const char *acme_revoke_reason_name(int reason);

/* POSTs revokeCert with the certificate's DER and reason (or none), with
 * s->signer and s->kid set (acme_account_sync).  -1 with err, also when
 * the directory lists no revokeCert. */
int	 acme_revoke(struct acme_session *s, const void *der, size_t len,
	    int reason);

#endif
