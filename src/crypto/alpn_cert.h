/*
 * alpn_cert.h - the self-signed certificate a tls-alpn-01 responder shows
 * (RFC 8737 section 3), with its own fresh key.  tacd builds one, then
 * hands its key and certificate to OpenSSL's TLS server through ossl.h.
 *
 * The certificate: X.509 v3; subject = issuer = "O=ACMEd, CN=ACMEd
 * TLS-ALPN-01 Authority" (as ACMEd's tacd); a random serial in [1, 2^31);
 * valid from now for 7 days; basicConstraints CA:FALSE (non-critical); a
 * subjectAltName with the one identifier, as a dNSName or, for an IP
 * address, an iPAddress (RFC 8738 section 6; ACMEd's tacd writes a
 * dNSName); and the critical acmeIdentifier extension (OID
 * 1.3.6.1.5.5.7.1.31) holding the DER OCTET STRING of SHA-256(key
 * authorization).
 */
#ifndef ACMED_CRYPTO_ALPN_CERT_H
#define ACMED_CRYPTO_ALPN_CERT_H

#include "crypto/ident.h"
#include "crypto/key.h"
#include "crypto/keytype.h"
#include "util/buf.h"

struct crypto_alpn_cert;

struct crypto_alpn_req {
	enum crypto_key_type	 key_type;	/* tacd: ecdsa_p256 */
	enum crypto_digest	 digest;	/* tacd: sha256; unused for
						   EdDSA keys */
	struct crypto_ident	 ident;		/* the SAN; see
						   crypto_tls_alpn_name_parse() */
	const unsigned char	*acme_id;	/* CRYPTO_ACME_ID_LEN bytes
						   (proof.h); NULL: no
						   acmeIdentifier extension */
};

/* Generates the key and the certificate.  Allocated, free with
 * crypto_alpn_cert_free(); NULL with err. */
struct crypto_alpn_cert *crypto_alpn_cert_new(const struct crypto_alpn_req *r);

void	 crypto_alpn_cert_free(struct crypto_alpn_cert *c);

/* Appends the certificate in PEM.  -1 with err. */
int	 crypto_alpn_cert_pem(const struct crypto_alpn_cert *c,
	    struct buf *out);

/* The certificate's key.  Borrowed, valid until crypto_alpn_cert_free(). */
const struct crypto_key *crypto_alpn_cert_key(const struct crypto_alpn_cert *c);

#endif
