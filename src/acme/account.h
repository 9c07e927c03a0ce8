/*
 * account.h - ACME accounts as ACMEd keeps them: one file per account,
 * one registration per endpoint (so nothing meant for one CA reaches
 * another), brought up to date before each order:
 *
 *   not registered, or EAB changed    -> newAccount (with EAB if configured)
 *   key type or algorithm changed     -> keyChange, signed by the old key
 *   contacts changed                  -> account update, signed by the key
 *                                        the server knows (after the
 *                                        rollover: ACMEd did it before and
 *                                        wedged the account)
 *   accountDoesNotExist on the way    -> one fresh registration
 *
 * Changes to one account are serialised by its mutex.
 */
#ifndef ACMED_ACME_ACCOUNT_H
#define ACMED_ACME_ACCOUNT_H

#include <pthread.h>
#include <stddef.h>

#include "acme/account_file.h"
#include "acme/request.h"
#include "crypto/key.h"
#include "crypto/keytype.h"
#include "crypto/signer.h"

/* What the configuration says about an account.  Borrowed: must outlive
 * the struct acme_account built from it. */
struct acme_account_config {
	const char		*name;
	enum crypto_key_type	 key_type;
	enum crypto_jws_alg	 alg;
	char *const		*contacts;	/* URIs: "mailto:a@example.org" */
	size_t			 ncontacts;
	int			 has_eab;
	const char		*eab_id;
	const unsigned char	*eab_key;
	size_t			 eab_keylen;
	enum crypto_jws_alg	 eab_alg;
};

/* Writes the account file (the daemon wraps it in the account's file
 * hooks).  NULL: an atomic write with mode 0600. */
typedef int (*acme_account_save_fn)(void *arg, const char *path,
	    const void *data, size_t len);

struct acme_account {
	pthread_mutex_t			 mu;
	const struct acme_account_config *cfg;
	char				*path;
	struct acme_account_file	 file;
	struct crypto_signer		*signer;	/* the current key */
	unsigned char			 signer_hash[32]; /* account_key_hash
							   of it, once */
	int				 has_signer_hash;
	int				 key_on_disk;	/* the file holds
							   the current key */
	acme_account_save_fn		 save;
	void				*save_arg;
};

/* Loads <dir>/<b64url(name)>.account.bin, or starts a new account in
 * memory when there is none.  A stored key whose type or algorithm
 * differs from the configuration is retired (kept in past_keys) and a new
 * one is created, and saved at once when save_rotation is set (a reload
 * checks the files first, and changes nothing before it takes over).
 * A key not saved here is saved before any CA is told about it (newAccount,
 * keyChange): when that write fails, nothing is sent.  NULL with err. */
struct acme_account *acme_account_load(const struct acme_account_config *cfg,
	    const char *dir, acme_account_save_fn save, void *save_arg,
	    int save_rotation);
void	 acme_account_free(struct acme_account *a);

/* Brings the registration on s's endpoint up to date (see above), then
 * sets s->signer and s->kid for the requests that follow.  force: register
 * again whatever the file says (after accountDoesNotExist).  -1 with err. */
int	 acme_account_sync(struct acme_account *a, struct acme_session *s,
	    int tos_agreed, int force);

/* Checks an account object from the server (the answer to newAccount or
 * to an update): its status must be "valid".  orders (may be NULL): the
 * allocated "orders" URL, or NULL when absent.  -1 with err naming url.
 * Exposed for the fuzz target. */
int	 acme_account_parse(const char *body, size_t len, const char *url,
	    char **orders);

/* 1 when the account is registered under the same account URL on the
 * endpoints named ep1 and ep2: one account for the CA, whatever the two
 * names (and however their URLs are written). */
int	 acme_account_same_registration(struct acme_account *a,
	    const char *ep1, const char *ep2);

/* Tells the CA to deactivate the account on s's endpoint and forgets the
 * registration.  -1 with err. */
int	 acme_account_deactivate(struct acme_account *a,
	    struct acme_session *s);

#endif
