/*
 * cert.h - certificates as the CA sends them: a PEM chain, leaf first.
 * What the daemon needs of the leaf (validity, names, the RFC 9773
 * identifier of ARI and "replaces") is copied into plain C types.
 */
#ifndef ACMED_CRYPTO_CERT_H
#define ACMED_CRYPTO_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "util/buf.h"

struct crypto_cert_info {
	int64_t		 not_before;	/* seconds since the epoch (UTC) */
	int64_t		 not_after;
	char		**dns;		/* dNSName SANs, in certificate order */
	size_t		 n_dns;
	char		**ips;		/* iPAddress SANs, canonical text */
	size_t		 n_ips;
	char		*serial;	/* upper-case hex, as "openssl x509
					   -serial" prints it */
	char		*issuer;	/* RFC 2253 text */
	char		*subject;	/* RFC 2253 text */
	struct buf	 aki;		/* authority key identifier's
					   keyIdentifier; empty when none */
	char		*ari_id;	/* RFC 9773 section 4.1: base64url(aki)
					   "." base64url(serial DER content);
					   NULL without an AKI */
	int		 key_matches;	/* crypto_cert_info_key_pem(): the
					   key given is this certificate's */
};

/* Parses the first certificate of PEM data into info (allocated members:
 * free with crypto_cert_info_free(), also after a failure).  -1 with err
 * ("no certificate found in the PEM data: ..."). */
int	 crypto_cert_info_pem(const void *pem, size_t len,
	    struct crypto_cert_info *info);

/* The same, and info->key_matches: whether key is the private key of that
 * certificate.  One parse for both (each costs OpenSSL 3.0 a decoder
 * search for the public key). */
int	 crypto_cert_info_key_pem(const void *pem, size_t len,
	    const struct crypto_key *key, struct crypto_cert_info *info);

void	 crypto_cert_info_free(struct crypto_cert_info *info);

/* Appends the DER of the first certificate of PEM data to der.  -1 with
 * err. */
int	 crypto_cert_der(const void *pem, size_t len, struct buf *der);

/* 0 when key is the private key of the first certificate of the PEM data,
 * -1 with "the private key does not match the certificate" or another
 * err. */
int	 crypto_cert_check_key(const void *pem, size_t len,
	    const struct crypto_key *key);

struct crypto_chain {
	char	**pem;	/* one PEM text per certificate, leaf first */
	size_t	  n;
};

#define CRYPTO_CHAIN_MAX	32	/* certificates in one chain */

/* Splits PEM data into its certificates, each re-encoded by OpenSSL
 * (text outside the blocks is dropped).  Every block must be a
 * "CERTIFICATE" that parses; at least one, at most CRYPTO_CHAIN_MAX.
 * Allocated members: free with crypto_chain_free(), also after a
 * failure.  -1 with err. */
int	 crypto_chain_split(const void *pem, size_t len,
	    struct crypto_chain *out);

void	 crypto_chain_free(struct crypto_chain *c);

/* Checks a chain as a CA sends it (RFC 8555 section 9.1: PEM
 * certificates, the end-entity one first, each next one the issuer of the
 * one before) and appends it to out as PEM certificates alone: what the
 * CA wrote between the blocks is dropped, and a block of anything else (a
 * private key...) is refused.  Names are compared, signatures are not:
 * TLS clients check those.  -1 with err: no certificate, more than
 * CRYPTO_CHAIN_MAX, one that does not parse, a broken link (naming both
 * names). */
int	 crypto_chain_clean(const void *pem, size_t len, struct buf *out);

/* The common name of the issuer of the chain's last (topmost)
 * certificate, as clients' "preferred chain" options match it: the root
 * the chain leads to.  Into cn (cn[0] = '\0' when it has none).  -1 with
 * err when the PEM data holds no certificate. */
int	 crypto_chain_top_issuer(const void *pem, size_t len, char *cn,
	    size_t n);

#endif
