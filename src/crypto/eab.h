/*
 * eab.h - external account binding (RFC 8555 section 7.3.4): the JWS that
 * ties a new ACME account to an account the CA already knows, MACed with
 * the key the CA gave out (acmed.toml external_account.key, base64url
 * decoded by the config layer).
 */
#ifndef ACMED_CRYPTO_EAB_H
#define ACMED_CRYPTO_EAB_H

#include <stddef.h>

#include <jansson.h>

#include "crypto/keytype.h"
#include "crypto/signer.h"
#include "util/buf.h"

/*
 * The "externalAccountBinding" member of a newAccount payload: a flattened
 * JWS with protected header {"alg":<HS256|HS384|HS512>,"kid":<kid>,
 * "url":<newAccount URL>} (no nonce, no jwk), payload the account's JWK as
 * in the outer header, and the HMAC of the signing input under key.
 * New object (caller json_decref()s); NULL with err, also for an alg that
 * is not an HMAC.
 */
json_t	*crypto_eab_json(enum crypto_jws_alg alg, const void *key,
	    size_t keylen, const char *kid, const char *url,
	    const struct crypto_signer *account);

/* The same, appended as compact JSON text.  -1 with err. */
int	 crypto_eab(enum crypto_jws_alg alg, const void *key, size_t keylen,
	    const char *kid, const char *url,
	    const struct crypto_signer *account, struct buf *out);

#endif
