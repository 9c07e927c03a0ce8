/*
 * storage.h - certificate, key and account files, as ACMEd names and
 * writes them (so an ACMEd installation finds its files), but safely: every
 * write is atomic with its final mode and owner (the configuration's, or
 * for what it does not set, those of the file replaced, as ACMEd's
 * in-place write kept them; a key drops bits for others), wrapped in the
 * file-pre-* and file-post-* hooks, and a new key is kept aside until its certificate
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
 * exist, pass storage_check_dir() and can be written, and that acmed may
 * give the files the owners the configuration names: a certificate the
 * CA issued but acmed cannot store still counts against its rate limits.
 * -1 with err. */
int	 storage_check_writable(const struct config *cfg,
	    const struct cert_files *f);

/* Reads a key file (refusing symlinks).  NULL with err naming the file. */
struct crypto_key *storage_read_key(const char *path);

/*
 * Replaces the certificate file with chain and, when new_key is not NULL,
 * the key file with new_key, both or neither: the pre hooks of both run,
 * then both files are renamed into place, then the post hooks run.
 * who prefixes messages.  -1 with err naming the file; *stored says
 * whether the files were renamed into place (a post hook failed), else
 * nothing on disk has changed.
 */
int	 storage_store(const struct config *cfg,
	    const struct config_certificate *c, const struct cert_files *f,
	    const struct crypto_key *new_key, const void *chain, size_t len,
	    const char *who, int *stored);

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

/*
 * An order kept between attempts (daemon/pending.h) is also kept on disk,
 * for the next process (acmed --once from cron, a restart): in the key
 * file's folder, so with the same owner, checks and lock as the key it
 * holds, named from the key file's name: "<folder>/.<key file name>.order".
 * Hidden, and not ending in .pem, so that whatever reads or globs the
 * certificates' files (*.pem, a backup of *.key) passes it by; not a
 * certificate file, so no file hook runs for it; not a temporary file's
 * name, so the folder's sweep keeps it.
 *
 * storage_pending_path: its path in path (initialised here; buf_free).
 * storage_save_pending: written like a key, atomically, mode 0600 from
 * its creation, owned like the key file (pk_file_user, pk_file_group).
 * storage_read_pending: 1 with its text in out (a buffer of the caller,
 * wiped by it: it holds a key), 0 when there is none, -1 with err
 * naming the file when it is there but may not be read (a symbolic link,
 * not a regular file, owned by another user than acmed's and the key
 * file's, readable or writable by others, unreadable, too big).
 * storage_remove_pending: 0 (also when there is none), -1 with err.
 */
int	 storage_pending_path(const struct cert_files *f, struct buf *path);
int	 storage_save_pending(const struct config *cfg,
	    const struct cert_files *f, const void *data, size_t len);
int	 storage_read_pending(const struct config *cfg,
	    const struct cert_files *f, struct buf *out);
int	 storage_remove_pending(const struct cert_files *f);

/*
 * The CA's last renewal information about a certificate
 * (acme_renewal_info_encode), kept for the next process until the CA's
 * Retry-After: "<folder>/.<certificate file name>.ari", beside the
 * certificate file, 0600, acmed's.  Hidden and not .pem, like a kept
 * order's file; no file hook runs for it.
 *
 * storage_save_ari: written atomically.  -1 with err.
 * storage_read_ari: 1 with its text in out (initialised here: buf_free),
 * 0 when there is none, -1 with err naming the file.
 */
int	 storage_save_ari(const struct cert_files *f, const void *data,
	    size_t len);
int	 storage_read_ari(const struct cert_files *f, struct buf *out);

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
 * the message ("accounts folder").  With warn, also logs a warning for a
 * folder writable by a group other than acmed's or root's (at start-up
 * and --check-config, not before each order).  -1 with err naming the
 * folder. */
int	 storage_check_dir(const char *path, const char *what, int warn);

#endif
