/*
 * storage.h - certificate, key and account files, as ACMEd names and
 * writes them (so an ACMEd installation finds its files), but safely: every
 * write is atomic with its final mode and owner, wrapped in the file-pre-*
 * and file-post-* hooks, and a new key is kept aside until its certificate
 * has arrived, then both replace the old ones together.
 */
#ifndef ACMED_DAEMON_STORAGE_H
#define ACMED_DAEMON_STORAGE_H

#include <stddef.h>

#include "config/config.h"
#include "crypto/key.h"
#include "util/buf.h"

#define STORAGE_FILE_MAX	(1024u * 1024)

struct cert_files {
	char	*key_name;	/* rendered file_name_format, file_type pk */
	char	*crt_name;
	char	*key_path;	/* directory + "/" + name */
	char	*crt_path;
};

/* Renders the file names of a certificate.  -1 with err. */
int	 storage_paths(const struct config *cfg,
	    const struct config_certificate *c, struct cert_files *out);
void	 storage_paths_free(struct cert_files *f);

/* Checks that no two files of the configuration have the same path (the
 * key and certificate of one certificate, or of two): a file_name_format
 * that does not tell them apart would overwrite a key.  -1 with err
 * naming both certificates and their positions. */
int	 storage_check_names(const struct config *cfg);

/* Checks, before anything is ordered, that the folders of the two files
 * exist, pass storage_check_dir() and can be written: a certificate the
 * CA issued but acmed cannot store still counts against its rate limits.
 * -1 with err. */
int	 storage_check_writable(const struct cert_files *f);

/* Reads a key file (refusing symlinks).  NULL with err naming the file. */
struct crypto_key *storage_read_key(const char *path);

/*
 * Replaces the certificate file with chain and, when new_key is not NULL,
 * the key file with new_key, both or neither: the pre hooks of both run,
 * then both files are renamed into place, then the post hooks run.
 * who prefixes messages.  -1 with err naming the file; on error before the
 * renames nothing on disk has changed.
 */
int	 storage_store(const struct config *cfg,
	    const struct config_certificate *c, const struct cert_files *f,
	    const struct crypto_key *new_key, const void *chain, size_t len,
	    const char *who);

/*
 * A revoked certificate stays in place (the services using it keep
 * starting) until its replacement comes; a marker next to it,
 * "<certificate file>.revoked" (0600), holding "<reason> <serial>\n",
 * makes it due until then, also after a restart, and tells whether its
 * key may be reused.  The serial ties the marker to one certificate.
 * storage_revoked: 1 with the marker's two words in reason (size rn) and
 * serial (size sn), 0 when there is none, -1 with err (unreadable, or not
 * of that form).  storage_unmark_revoked: once it no longer applies (a
 * failure is logged).
 */
int	 storage_mark_revoked(const struct cert_files *f, const char *reason,
	    const char *serial);
int	 storage_revoked(const struct cert_files *f, char *reason, size_t rn,
	    char *serial, size_t sn);
void	 storage_unmark_revoked(const struct cert_files *f);

/* What an account file save needs (acme_account_save_fn's argument). */
struct storage_account {
	const struct config_account	*account;
};

/* Writes an account file with the account's file hooks; mode 0600.
 * Matches acme_account_save_fn. */
int	 storage_save_account(void *arg, const char *path, const void *data,
	    size_t len);

/* mkdir -p with mode for the last component.  -1 with err. */
int	 storage_mkdirs(const char *path, mode_t mode);

/* Refuses a folder of keys that others could swap files in: writable by
 * all, or owned by a user other than acmed's or root.  what names it in
 * the message ("accounts folder").  -1 with err naming the folder. */
int	 storage_check_dir(const char *path, const char *what);

#endif
