/*
 * pending.h - an order kept between attempts: its CSR the CA took, or may
 * have taken, but its certificate did not come (lifecycle.c).  The
 * scheduler's item keeps it in memory; a copy on disk, written when it is
 * kept and removed when it is used up or given up, lets the next process
 * (acmed --once from cron, a restart) read it again instead of ordering
 * anew, which would have the CA issue twice.
 *
 * The copy (storage.h: storage_save_pending) is a text file of two parts:
 *
 *	{"version":1,"for":{...},"order":{...},"csr":"...",...}\n
 *	-----BEGIN PRIVATE KEY-----
 *	...
 *
 * The first line is a JSON object: the format's version; "for", what the
 * order was made for and where its certificate goes (endpoint URL,
 * account, identifiers, key type, CSR digest, profile, subject, kp_reuse,
 * key and certificate files), which the configuration of the attempt that
 * reads it must still say; "order", what acme_order_resume() needs (its
 * URL, finalize URL, authorizations, certificate URL once known); "csr"
 * (base64url DER, as sent); "is_new", "tries" and "kept_at" (when it
 * was first kept, in seconds since the epoch).  The rest of the file
 * is the CSR's private key in PEM: kept out of Jansson, whose memory is
 * not wiped when freed.
 */
#ifndef ACMED_DAEMON_PENDING_H
#define ACMED_DAEMON_PENDING_H

#include <stddef.h>

#include "acme/order.h"
#include "config/config.h"
#include "crypto/key.h"
#include "daemon/storage.h"
#include "util/buf.h"

#define PENDING_VERSION		1

/* Attempts that read a kept order again before it is given up. */
#define LIFECYCLE_RESUMES	5

/* How long an order is kept at most: Let's Encrypt's orders expire a
 * week after they are made, and a file left longer (its certificate
 * taken out of the configuration, then put back) must not bring an old
 * certificate back over a newer one. */
#define LIFECYCLE_KEPT_MAX	(7 * 86400)

struct lifecycle_pending {
	struct acme_order	 o;	/* finalized, or about to be: its
					   file is written before the CSR
					   is sent */
	struct crypto_key	*key;	/* the CSR's */
	struct buf		 csr;	/* DER, as sent */
	int			 is_new;
	int			 tries;	/* attempts that read it again, the
					   one under way counted */
	long long		 kept_at; /* when it was first kept */
};

/* Frees p (NULL is fine). */
void	 pending_free(struct lifecycle_pending *p);

/* p, kept for certificate c whose files are f, as the file's text, into
 * out (empty; it will hold a key: free it with buf_free_secure()).  -1
 * with err. */
int	 pending_encode(const struct lifecycle_pending *p,
	    const struct config_certificate *c, const struct cert_files *f,
	    struct buf *out);

/* Reads text (len bytes) that pending_encode() wrote.  1: *pp is the
 * order (allocated, pending_free()); 0: it was made for another
 * configuration than c and f, or kept longer than LIFECYCLE_KEPT_MAX
 * before now, why (size n) says which; -1 with err: it is malformed (the
 * message never quotes the key). */
int	 pending_decode(const void *text, size_t len,
	    const struct config_certificate *c, const struct cert_files *f,
	    long long now, struct lifecycle_pending **pp, char *why, size_t n);

/* The order that an earlier process kept on disk for c (files f), or
 * NULL: none, or one that cannot be used, which is logged (naming the
 * file) and removed when it is acmed's own (malformed, truncated, made
 * for another configuration) or left as it is when it may not be
 * (refused by storage_read_pending()).  Never fails: the caller orders
 * anew.  who prefixes messages. */
struct lifecycle_pending *pending_load(const struct config *cfg,
	    const struct config_certificate *c, const struct cert_files *f,
	    const char *who);

/* 1 when pending_load() would read an order (nothing is logged, nor
 * removed): the certificate is due at once, whatever its dates say, for
 * its certificate may have been issued already. */
int	 pending_waiting(const struct config *cfg,
	    const struct config_certificate *c, const struct cert_files *f);

/* Writes p to disk for the next process.  A failure is logged: the order
 * is still kept in memory. */
void	 pending_save(const struct config *cfg,
	    const struct config_certificate *c, const struct cert_files *f,
	    const struct lifecycle_pending *p, const char *who);

/* Removes the copy on disk, if any (a failure is logged). */
void	 pending_forget(const struct cert_files *f, const char *who);

#endif
