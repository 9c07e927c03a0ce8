/*
 * account_file.h - ACMEd's account file, byte for byte, so that an ACMEd
 * installation keeps its accounts when it switches binaries.
 *
 * <accounts_directory>/<base64url(account name)>.account.bin holds one
 * record in bincode's legacy layout: little-endian fixed-width integers,
 * every length as u64, Option as a 0/1 tag byte then the value, a
 * timestamp as u64 seconds + u32 nanoseconds:
 *
 *   name                string
 *   endpoints           map name -> { creation_date, account_url,
 *                        orders_url, key_hash, contacts_hash,
 *                        external_account_hash }
 *   contacts            seq of (type, value)
 *   current_key         { creation_date, key (private key DER),
 *                        signature_algorithm }
 *   past_keys           seq of key records
 *   external_account    Option { identifier, key bytes, signature_algorithm }
 *
 * Bytes after the record are ignored on read (ACMEd did not truncate).
 */
#ifndef ACMED_ACME_ACCOUNT_FILE_H
#define ACMED_ACME_ACCOUNT_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct acme_timestamp {
	uint64_t	secs;
	uint32_t	nanos;
};

struct acme_key_record {
	struct acme_timestamp	 created;
	struct buf		 der;	/* private key; wiped when freed */
	char			*alg;	/* "ES256", "Ed25519"... */
};

struct acme_ep_record {
	char			*name;
	struct acme_timestamp	 created;
	char			*account_url;	/* "" when not registered */
	char			*orders_url;
	struct buf		 key_hash;
	struct buf		 contacts_hash;
	struct buf		 eab_hash;
};

struct acme_contact {
	char	*type;		/* "mailto" */
	char	*value;
};

struct acme_account_file {
	char			*name;
	struct acme_ep_record	*eps;
	size_t			 neps;
	struct acme_contact	*contacts;
	size_t			 ncontacts;
	struct acme_key_record	 current;
	struct acme_key_record	*past;
	size_t			 npast;
	int			 has_eab;
	char			*eab_id;
	struct buf		 eab_key;	/* wiped when freed */
	char			*eab_alg;
};

/* Zeroes a record so it can be filled and freed. */
void	 acme_account_file_init(struct acme_account_file *a);

/* Decodes a file.  -1 with "unable to load account file: file may be
 * corrupted (<reason>)"; a is then empty. */
int	 acme_account_file_decode(struct acme_account_file *a,
	    const void *data, size_t len);

/* Appends the encoding of a to out (use a buffer freed securely). */
int	 acme_account_file_encode(const struct acme_account_file *a,
	    struct buf *out);

void	 acme_account_file_free(struct acme_account_file *a);

/* "<base64url(name)>.account.bin".  Allocated; NULL on ENOMEM. */
char	*acme_account_file_name(const char *account_name);

/* The registration record of an endpoint, added (empty) if missing.
 * NULL on ENOMEM. */
struct acme_ep_record *acme_account_file_endpoint(struct acme_account_file *a,
	    const char *endpoint_name);

void	 acme_key_record_free(struct acme_key_record *k);

#endif
