/*
 * hook.h - running the hooks of acmed.toml: for one event, every hook of a
 * list whose types include it, in order, each with its templates rendered
 * over the event's variables (ACMEd's names, acmed-behaviour.md 6.2) and an
 * environment layered process -> global -> certificate -> identifier.
 *
 * A hook runs without a shell (util/spawn.h), with its timeout.  Output
 * that is not redirected to a file is captured, logged at debug level, and
 * its last lines are quoted when the hook fails.
 */
#ifndef ACMED_DAEMON_HOOK_H
#define ACMED_DAEMON_HOOK_H

#include "config/config.h"
#include "tmpl/tmpl.h"

/* Captures the process environment once, at start-up (before threads),
 * and sets RLIMIT_CORE to 0 for acmed and every hook. */
void	 hook_init(char **environ_at_start);

/* What hooks start from: 0, the whole process environment (ACMEd); 1,
 * only PATH, HOME, LANG, LC_ALL and TZ of it ([global] hook_env =
 * "scrub"), so that nothing acmed was started with (a token, a proxy
 * password) reaches a hook unless acmed.toml passes it.  The env tables
 * apply on top either way.  Set when a configuration takes effect. */
void	 hook_set_env_scrub(int scrub);

/*
 * Runs the hooks of hooks whose types include type.  vars is a map of the
 * event's variables (hook_run adds "env"); layers are env tables applied
 * over the process environment, in order.  who prefixes messages
 * ("certificate \"example.org_rsa2048\"").  Returns 0, or -1 with err at
 * the first hook that fails without allow_failure (the rest do not run).
 */
int	 hook_run(const struct config_hook_list *hooks,
	    enum config_hook_type type, struct tmpl_value *vars,
	    const struct config_env *const *layers, size_t nlayers,
	    const char *who);

/* 1 if some hook of the list has this type. */
int	 hook_any(const struct config_hook_list *hooks,
	    enum config_hook_type type);

#endif
