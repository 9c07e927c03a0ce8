/*
 * jws.h - ACME requests: JWS in flattened JSON serialization (RFC 7515
 * section 7.2.2, RFC 8555 section 6.2): the protected header built with
 * Jansson, the JWS around it written as text (its parts are base64url).
 *
 * Output members in order "protected", "payload", "signature"; protected
 * header members in order alg, jwk, kid, nonce, url (as ACMEd writes them;
 * the order carries no meaning).  alg is RS256, ES256/384/512, or "EdDSA"
 * for both Ed25519 and Ed448 (RFC 8037; ACMEd sends "Ed25519"/"Ed448",
 * which servers rightly reject).  A POST-as-GET has an empty payload:
 * pass len 0.
 */
#ifndef ACMED_CRYPTO_JWS_H
#define ACMED_CRYPTO_JWS_H

#include <stddef.h>

#include <jansson.h>

#include "crypto/signer.h"
#include "util/buf.h"

struct crypto_jws_hdr {
	const char	*url;	/* required */
	const char	*nonce;	/* NULL: none (inner JWS of a key change) */
	const char	*kid;	/* account URL; NULL: put the signer's JWK */
};

/* Appends the JWS as compact JSON text.  -1 with err (a string that is not
 * UTF-8, a signing failure). */
int	 crypto_jws_sign(const struct crypto_signer *s,
	    const struct crypto_jws_hdr *h, const void *payload, size_t len,
	    struct buf *out);

/*
 * The body of a keyChange request (RFC 8555 section 7.3.5): an outer JWS
 * signed by the old key with kid = account_url, nonce and url = the
 * keyChange URL, whose payload is the inner JWS, signed by the new key with
 * jwk = the new JWK, url = the keyChange URL, no nonce, and payload
 * {"account":<account_url>,"oldKey":<old JWK>}.  Appends compact JSON.
 * -1 with err.
 */
int	 crypto_jws_key_change(const struct crypto_signer *old_key,
	    const struct crypto_signer *new_key, const char *account_url,
	    const char *url, const char *nonce, struct buf *out);

#endif
