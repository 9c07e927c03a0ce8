/*
 * runtime.h - what one loaded configuration needs at run time: an ACME
 * endpoint object per [[endpoint]] (directory, nonces, rate limits,
 * connections) and an account object per [[account]] (its file, keys and
 * registrations).  A reload builds a new runtime beside the old one.
 */
#ifndef ACMED_DAEMON_RUNTIME_H
#define ACMED_DAEMON_RUNTIME_H

#include "acme/account.h"
#include "acme/endpoint.h"
#include "acme/order.h"
#include "config/config.h"
#include "daemon/storage.h"

struct runtime {
	struct config		 *cfg;		/* owned */
	struct acme_endpoint	**endpoints;	/* parallel to cfg->endpoints */
	struct acme_account	**accounts;	/* parallel to cfg->accounts */
	struct acme_account_config *account_cfgs;
	struct storage_account	 *account_saves;
	struct acme_poll_opts	 *poll;		/* NULL: defaults; owned */
	struct folder_lock	**locks;	/* its folders, locked */
	size_t			  nlocks;
	long long		  ari_min_age_s;	/* see lifecycle_check() */
	int			  reload;	/* built while another ran */
};

/*
 * Test knobs, read from the environment by runtime_new() and undocumented
 * for users (the defaults are what a daemon wants):
 *
 *   ACMED_POLL_DEADLINE_MS   how long one poll of an order or an
 *                            authorization may last (default 5 min)
 *   ACMED_HTTP_TIMEOUT_MS    the whole of one HTTP request (default 60 s)
 *   ACMED_HTTP_LOW_SPEED_S   how long a response may stall below 1 byte/s
 *                            (default 30 s)
 *   ACMED_ARI_MIN_AGE_S      the age under which a certificate is not
 *                            renewed at once when the CA's window says
 *                            "now" (default a day; 0 allowed)
 */

/*
 * Builds the runtime of cfg (taking it over, also on failure): creates
 * the accounts and certificates folders and locks them (see
 * process_lock_folder(); before anything in them is read or written),
 * loads every account file, prepares every endpoint.  reload: another
 * runtime still runs, and nothing is written before runtime_take_over()
 * (a key whose type the configuration changed is replaced and saved
 * there).  NULL with err.
 */
struct runtime *runtime_new(struct config *cfg, int reload);
void	 runtime_free(struct runtime *rt);

/*
 * Makes rt the running runtime, at start-up and when a reload swaps it in
 * (with no renewal running): sets what is process-wide (the hooks'
 * environment scrub) and, for a reload, reads again each account file that
 * is there, since the configuration running until then may have written
 * it after runtime_new() read it (a first registration: the key made in
 * memory for a missing file would have registered a second account).
 */
void	 runtime_take_over(struct runtime *rt);

/* Deactivates account a on endpoint e (RFC 8555 section 7.3.6): the CA
 * refuses it from then on, for good, and its file forgets the
 * registration.  -1 with err. */
int	 runtime_deactivate(struct runtime *rt, const struct config_account *a,
	    const struct config_endpoint *e, struct http_client *http);

struct acme_endpoint *runtime_endpoint(const struct runtime *rt,
	    const struct config_endpoint *e);
struct acme_account *runtime_account(const struct runtime *rt,
	    const struct config_account *a);

#endif
