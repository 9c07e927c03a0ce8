/*
 * revoke.h - revoking a certificate (RFC 8555 section 7.6), signed by the
 * account that holds it.
 */
#ifndef ACMED_ACME_REVOKE_H
#define ACMED_ACME_REVOKE_H

#include <stddef.h>

#include "acme/request.h"
#include "acme/revoke_reason.h"

/* POSTs revokeCert with the certificate's DER and reason (or none), with
 * s->signer and s->kid set (acme_account_sync).  -1 with err, also when
 * the directory lists no revokeCert. */
int	 acme_revoke(struct acme_session *s, const void *der, size_t len,
	    int reason);

#endif
