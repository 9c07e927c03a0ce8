/*
 * proof.h - what a challenge asks the client to publish (RFC 8555 section
 * 8, RFC 8737, RFC 8738), and the names tls-alpn-01 is validated under.
 *
 * ACMEd's hook variables, for reference (acmed-behaviour section 4.7):
 *   http-01      proof = key authorization
 *   dns-01       proof = crypto_dns01_value()
 *   tls-alpn-01  proof = crypto_tls_alpn01_ext_text(),
 *                raw_proof = crypto_dns01_value() (the same digest)
 *   identifier_tls_alpn = crypto_tls_alpn_name()
 */
#ifndef ACMED_CRYPTO_PROOF_H
#define ACMED_CRYPTO_PROOF_H

#include "crypto/ident.h"
#include "crypto/signer.h"
#include "util/buf.h"

#define CRYPTO_ACME_ID_LEN	32	/* SHA-256 in acmeIdentifier */

/* Appends "<token>.<thumbprint of the account key>".  The token comes from
 * the server and ends up in file names: anything outside the base64url
 * alphabet (RFC 8555 section 8.1) is refused.  -1 with err. */
int	 crypto_key_authorization(const struct crypto_signer *s,
	    const char *token, struct buf *out);

/* Appends base64url(SHA-256(key authorization)): the dns-01 TXT record,
 * and ACMEd's tls-alpn-01 raw_proof.  -1 with err. */
int	 crypto_dns01_value(const char *key_authorization, struct buf *out);

/* SHA-256(key authorization), the value of the acmeIdentifier extension
 * of the tls-alpn-01 certificate.  -1 with err. */
int	 crypto_tls_alpn01_digest(const char *key_authorization,
	    unsigned char out[CRYPTO_ACME_ID_LEN]);

/* Appends ACMEd's tls-alpn-01 proof, an OpenSSL extension-config line:
 * "1.3.6.1.5.5.7.1.31=critical,DER:04:20:" then the 32 digest bytes as
 * colon-separated lower-case hex.  This is what the default hooks hand to
 * tacd with --acme-ext.  -1 with err. */
int	 crypto_tls_alpn01_ext_text(const char *key_authorization,
	    struct buf *out);

/* Reads such a line back into the digest (tacd's --acme-ext): the OID,
 * optionally "critical,", "DER:" and the DER OCTET STRING of 32 bytes, hex
 * in either case, colons optional.  -1 with "invalid acmeIdentifier
 * extension". */
int	 crypto_tls_alpn01_ext_parse(const char *text,
	    unsigned char digest[CRYPTO_ACME_ID_LEN]);

/* Appends the name tls-alpn-01 validates an identifier under (its SNI,
 * RFC 8738 section 6): a DNS identifier itself; for an IP address the
 * reverse-DNS name, 203.0.113.1 -> "1.113.0.203.in-addr.arpa", IPv6 -> 32
 * reversed nibbles + ".ip6.arpa".  -1 with err for a malformed address. */
int	 crypto_tls_alpn_name(const struct crypto_ident *id, struct buf *out);

/* The other way, for tacd, which ACMEd's default hooks give that name:
 * a reverse-DNS name of a whole address, or an IP address literal, gives
 * CRYPTO_IDENT_IP and the address in canonical text; anything else is a
 * DNS name, copied unchanged.  (A DNS identifier that is itself a full
 * in-addr.arpa or ip6.arpa name is thus read as the address.)  value is
 * appended to.  -1 with err. */
int	 crypto_tls_alpn_name_parse(const char *name,
	    enum crypto_ident_type *type, struct buf *value);

#endif
