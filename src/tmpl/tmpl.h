/*
 * tmpl.h - hook templates: the MiniJinja (Jinja2) subset ACMEd uses.
 *
 * A template is compiled once, when the configuration is loaded, into an
 * immutable tree; it is then rendered any number of times, possibly from
 * several threads at once, each time over a map of variables:
 *
 *	struct tmpl *t = tmpl_compile(src, len);      NULL: "line 3:col 7: ..."
 *	struct tmpl_value *ctx = tmpl_value_map();
 *	tmpl_map_set(ctx, "identifier", tmpl_value_str("example.org"));
 *	if (tmpl_render(t, ctx, &out) == -1)        "line 1: undefined value"
 *		...
 *	tmpl_value_free(ctx);
 *	tmpl_free(t);
 *
 * Behaviour follows MiniJinja as ACMEd configures it: no auto-escaping
 * (|escape escapes explicitly), lenient undefined values (an undefined
 * variable prints as "", an attribute of one is an error), one trailing
 * newline of the template removed, and booleans and none printed as
 * "true", "false" and "none" (see struct tmpl_opts for newer MiniJinja's
 * "True").  Rendering is bounded: nesting depth, string sizes (by the
 * output buffer's maximum) and a step budget, so that a template such as
 * "{% for x in range(99999) %}{% for y in range(99999) %}" fails with an
 * error instead of hanging the daemon.
 *
 * Maps are sorted by key, as MiniJinja's are: they iterate and print in
 * key order, whatever the order they were filled in.
 */
#ifndef ACMED_TMPL_TMPL_H
#define ACMED_TMPL_TMPL_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct tmpl;
struct tmpl_value;

/*
 * Compiles len bytes of template source (need not be NUL-terminated).
 * Returns an allocated template (free with tmpl_free), or NULL with an
 * error "line N:col M: message" (1-based; columns count bytes).
 */
struct tmpl	*tmpl_compile(const char *src, size_t len);
void		 tmpl_free(struct tmpl *t);

/*
 * A function callable from templates, added for one rendering through
 * struct tmpl_opts.  args are the positional arguments and kwargs the
 * keyword arguments (a map, or NULL when there are none); all borrowed for
 * the call.  Arguments may be constants owned by the template, so a
 * function must not keep references to them after it returns (copy
 * instead).  Returns an allocated value, or NULL after err_set().
 */
struct tmpl_func {
	const char	 *name;
	struct tmpl_value *(*fn)(struct tmpl_value *const *args, size_t nargs,
			    const struct tmpl_value *kwargs, void *arg);
	void		 *arg;
};

struct tmpl_opts {
	/* Printing, iterating or testing an undefined value is an error. */
	int		 strict_undefined;
	/* Output is HTML-escaped, as MiniJinja does for *.html. */
	int		 autoescape_html;
	/* The step budget; 0 means TMPL_DEFAULT_STEPS. */
	unsigned long	 max_steps;
	/*
	 * Print booleans and none as True, False and None, strings inside
	 * lists and maps as Python's repr() does ('a') and tuples as
	 * tuples, like Jinja2 and MiniJinja after 2.21 (its test
	 * snapshots).  Off, they print as true, false and none, strings as
	 * Rust's Debug ("a") and tuples as lists, like the MiniJinja 2.11
	 * ACMEd uses.
	 */
	int		 jinja2_literals;
	const struct tmpl_func *funcs;		/* extra global functions */
	size_t		 nfuncs;
};

#define TMPL_DEFAULT_STEPS	2000000ul

/*
 * Renders t over ctx (a map, or NULL for no variables), appending to out;
 * out->max also bounds every string built while rendering.  Returns 0, or
 * -1 with an error "line N: message"; out is then left as it was.  The
 * template, ctx and everything reachable from it are only read (except
 * one-shot iterators, which are consumed), so they may be shared by
 * concurrent renderings.
 */
int	 tmpl_render(const struct tmpl *t, const struct tmpl_value *ctx,
	    struct buf *out);
int	 tmpl_render_opts(const struct tmpl *t, const struct tmpl_value *ctx,
	    const struct tmpl_opts *opts, struct buf *out);

/*
 * Values.  Every constructor returns an allocated value (one reference) or
 * NULL with err set.  tmpl_value_free() drops one reference and accepts
 * NULL; tmpl_value_ref() adds one and returns its argument.  Reference
 * counts are atomic, so a value tree may be shared between threads as long
 * as nobody modifies it any more.
 */
struct tmpl_value *tmpl_value_none(void);
struct tmpl_value *tmpl_value_bool(int b);
struct tmpl_value *tmpl_value_int(int64_t i);
struct tmpl_value *tmpl_value_float(double d);
struct tmpl_value *tmpl_value_str(const char *s);		/* copies s */
struct tmpl_value *tmpl_value_strn(const char *s, size_t len);	/* copies */
struct tmpl_value *tmpl_value_list(void);
struct tmpl_value *tmpl_value_map(void);
/* Iterable once, yielding 0 .. n-1 (MiniJinja's one-shot iterator; the
 * conformance tests use it).  Iterating consumes it: never share one
 * between threads. */
struct tmpl_value *tmpl_value_oneshot_range(int64_t n);

struct tmpl_value *tmpl_value_ref(struct tmpl_value *v);
void	 tmpl_value_free(struct tmpl_value *v);

/*
 * Appends item to list.  Takes over the caller's reference to item, also on
 * failure; item may be NULL (a failed constructor), which returns -1 and
 * keeps the constructor's error, so calls can be nested:
 *	tmpl_list_push(l, tmpl_value_str(name))
 */
int	 tmpl_list_push(struct tmpl_value *list, struct tmpl_value *item);

/*
 * Sets key (copied) in map to val, replacing an existing value.  Takes
 * over val like tmpl_list_push().
 */
int	 tmpl_map_set(struct tmpl_value *map, const char *key,
	    struct tmpl_value *val);

/* Renders a value as {{ v }} would; for tests and logs.  -1 with err. */
int	 tmpl_value_print(const struct tmpl_value *v, struct buf *out);

#endif
