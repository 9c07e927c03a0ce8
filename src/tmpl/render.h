/*
 * render.h - the state of one rendering, shared by the statement
 * executor (render.c), the expression evaluator (eval.c) and the
 * built-in filters, tests and functions.
 */
#ifndef ACMED_TMPL_RENDER_H
#define ACMED_TMPL_RENDER_H

#include <stddef.h>

#include "tmpl/ast.h"
#include "tmpl/tmpl.h"
#include "tmpl/value.h"
#include "util/buf.h"

/* Deepest recursion of the evaluator (expressions, statements, loop()). */
#define RENDER_MAX_DEPTH	1500
/* Deepest recursion of recursive for loops. */
#define LOOP_MAX_RECURSION	100
/* Most macro calls and loop() calls in progress at once: each takes
 * more stack than a level of the evaluator, and their mixes could
 * otherwise go as deep as RENDER_MAX_DEPTH allows. */
#define CALL_MAX_DEPTH		100

struct rvar {
	const char		*name;	/* borrowed from the tree */
	struct tmpl_value	*v;
};

struct rframe {
	struct rvar	*vars;
	size_t		 n, cap;
	/* Names read after vars: the closure of the macro that runs in
	 * this frame (a reference, or NULL). */
	struct tmpl_value *base;
	/* The closure of the macros defined in this frame, which
	 * assignments here update (a reference, or NULL). */
	struct tmpl_value *closure;
};

struct rstate {
	const struct tmpl_value	*ctx;		/* map or NULL */
	const struct tmpl_opts	*opts;
	struct tlimits		 lim;
	struct buf		*out;		/* current output */
	struct rframe		*frames;
	size_t			 nframes, capframes;
	size_t			 first_frame;	/* first one in sight */
	int			 in_macro;	/* context out of sight */
	const char		*block;		/* running, or NULL */
	struct tmpl_value	*captured;	/* body of a filter block */
	struct tmpl_value	**nss;		/* namespaces, closures */
	size_t			 nns, capns;
	unsigned		 errline;	/* 0 until an error */
	unsigned		 depth;
	unsigned		 loop_depth;
	unsigned		 call_depth;	/* macros and loop() */
	int			 autoescape;
};

/* Arguments of a call, filter or test. */
struct rargs {
	struct tmpl_value	**pos;
	size_t			  npos, cap;
	struct tmpl_value	 *kw;		/* map or NULL */
	unsigned long long	  used;		/* kwargs looked at */
};

/*
 * Records the error line of node n unless a deeper node did; returns -1.
 * Use after a callee failed with err already set.
 */
int	 rfail(struct rstate *st, const struct tnode *n);
/* err_set() and rfail() in one. */
int	 rerr(struct rstate *st, const struct tnode *n, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* eval.c */
struct tmpl_value *teval(struct rstate *st, const struct tnode *n);
/* Truthiness, failing on undefined values in strict mode. */
int	 rtruthy(struct rstate *st, const struct tmpl_value *v, int *res);
int	 rargs_eval(struct rstate *st, const struct tnode *n,
	    struct rargs *a);
int	 rargs_add(struct rargs *a, struct tmpl_value *v);	/* takes v */
void	 rargs_free(struct rargs *a);
/* Keyword argument name (borrowed, marked as used) or NULL. */
struct tmpl_value *rargs_kw(struct rargs *a, const char *name);
/* Fails when there are more than max positional arguments or keyword
 * arguments nobody looked at. */
int	 rargs_check(const struct rargs *a, size_t max);
/* Positional argument i, or keyword name, or NULL.  Borrowed. */
struct tmpl_value *rargs_get(struct rargs *a, size_t i, const char *name);

/* render.c */
struct tmpl_value *rlookup(struct rstate *st, const char *name);
/* Also tells whether name is bound at all (to undefined maybe). */
struct tmpl_value *rlookup_found(struct rstate *st, const char *name,
	    int *found);
int	 rframe_push(struct rstate *st);
void	 rframe_pop(struct rstate *st);
/* Sets name (borrowed from the tree) in the innermost frame; takes
 * over v, which may be NULL after a failure. */
int	 rframe_set(struct rstate *st, const char *name,
	    struct tmpl_value *v);
/* Runs statements: 0, -1, or a break or continue. */
int	 rexec_body(struct rstate *st, struct tnode *const *body, size_t n);
/* Runs body into a new string value (marked safe under autoescaping);
 * *ctl gets what rexec_body() returned. */
struct tmpl_value *rcapture(struct rstate *st, struct tnode *const *body,
	    size_t n, int *ctl);
/* Renders v as {{ v }} does. */
int	 remit(struct rstate *st, const struct tmpl_value *v);
/* Calls fn (a function, macro or loop) with args; new reference or
 * NULL. */
struct tmpl_value *rcall(struct rstate *st, const struct tmpl_value *fn,
	    struct rargs *args, const struct tnode *at);
/* Adds a namespace to the ones emptied when the rendering ends. */
int	 rkeep_namespace(struct rstate *st, struct tmpl_value *ns);

/* macro.c */
/* A macro value for S_MACRO n, enclosing what it uses from here. */
struct tmpl_value *rmacro_new(struct rstate *st, const struct tnode *n);
struct tmpl_value *rmacro_call(struct rstate *st,
	    const struct tmpl_value *m, struct rargs *args,
	    const struct tnode *at);
/* The statements of several templates: include, import, extends, and
 * the block that stands alone. */
int	 rexec_template_stmt(struct rstate *st, const struct tnode *n);

/* filters.c, predicates.c, funcs.c */
typedef struct tmpl_value *(*tfilter_fn)(struct rstate *,
	    const struct tmpl_value *, struct rargs *);
typedef int (*ttest_fn)(struct rstate *, const struct tmpl_value *,
	    struct rargs *, int *);
typedef struct tmpl_value *(*tfunc_fn)(struct rstate *, struct rargs *);

tfilter_fn	 tfilter_find(const char *name);
ttest_fn	 ttest_find(const char *name);
/* A built-in function as a value (immortal), or NULL. */
struct tmpl_value *tfunc_find(const char *name);

struct tbuiltin {
	const char	*name;
	tfunc_fn	 fn;
};

/* Helpers the filters share. */
struct tmpl_value *rfilter_apply(struct rstate *st, const char *name,
	    const struct tmpl_value *v, struct rargs *args);
int	 rtest_apply(struct rstate *st, const char *name,
	    const struct tmpl_value *v, struct rargs *args, int *res);

#endif
