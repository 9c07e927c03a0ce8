/*
 * macro.c - macros and call blocks at run time, and the statements of
 * several templates (see render.h).
 *
 * As in MiniJinja, a macro is a value that remembers the frame it was
 * defined in through a closure: a map, shared by the macros of that
 * frame, that holds what their bodies use as it was when each was
 * defined, and that later assignments in the frame keep up to date (so
 * a macro sees the variables and macros set after it at the same
 * level).  A call runs the body in a frame of its own over the closure;
 * the caller's variables and the context are out of its sight.
 * Closures and macros refer to each other: the closures are emptied
 * when the rendering ends, as namespaces are.
 */
#include <stdlib.h>
#include <string.h>

#include "tmpl/ops.h"
#include "tmpl/render.h"
#include "util/err.h"

struct tmpl_value *
rmacro_new(struct rstate *st, const struct tnode *n)
{
	struct rframe *f = &st->frames[st->nframes - 1];
	struct tmpl_value *m, *name, *v;
	const struct tmpl_value *names = n->val;
	size_t i;

	if (f->closure == NULL) {
		if ((f->closure = tv_map(0)) == NULL)
			return NULL;
		if (rkeep_namespace(st, f->closure) == -1)
			return NULL;
	}
	for (i = 0; names != NULL && i < names->u.l.n; i++) {
		name = names->u.l.v[i];
		if (tv_map_get(f->closure, name) != NULL)
			continue;
		if ((v = rlookup(st, name->u.s.p)) == NULL ||
		    tv_map_set(f->closure, tv_ref(name), v) == -1)
			return NULL;
	}
	if ((m = tv_new(TK_MACRO)) == NULL)
		return NULL;
	m->u.mac.node = n;
	m->u.mac.closure = tv_ref(f->closure);
	return m;
}

/*
 * Sorts args out into the values of the macro's arguments (new
 * references, undefined for those not given) and its caller.
 */
static int
macro_args(const struct tnode *mac, struct rargs *args,
    struct tmpl_value **vals, struct tmpl_value **caller)
{
	struct tmpl_value *kw;
	size_t i, k;
	int used;

	if (args->npos > mac->n2)
		return err_set("too many arguments");
	for (i = 0; i < mac->n2; i++) {
		kw = rargs_kw(args, mac->list2[i]->name);
		if (i < args->npos && kw != NULL)
			return err_set("duplicate argument `%s`",
			    mac->list2[i]->name);
		vals[i] = tv_ref(i < args->npos ? args->pos[i] :
		    kw != NULL ? kw : tv_undef());
	}
	if (mac->flags & NF_CALLER) {
		kw = rargs_kw(args, "caller");
		*caller = tv_ref(kw != NULL ? kw : tv_undef());
	}
	if (args->kw == NULL)
		return 0;
	/* rargs_kw() marks what it found; the rest is refused (keyword
	 * arguments are sorted, as MiniJinja reports the first). */
	for (k = 0; k < args->kw->u.m.n; k++) {
		used = 0;
		for (i = 0; i < mac->n2 && !used; i++)
			used = args->kw->u.m.k[k]->kind == TK_STR &&
			    strcmp(args->kw->u.m.k[k]->u.s.p,
			    mac->list2[i]->name) == 0;
		if (!used && (mac->flags & NF_CALLER) &&
		    args->kw->u.m.k[k]->kind == TK_STR &&
		    strcmp(args->kw->u.m.k[k]->u.s.p, "caller") == 0)
			used = 1;
		if (!used) {
			if (args->kw->u.m.k[k]->kind == TK_STR)
				return err_set("unknown keyword argument `%s`",
				    args->kw->u.m.k[k]->u.s.p);
			return err_set("unknown keyword argument");
		}
	}
	return 0;
}

struct tmpl_value *
rmacro_call(struct rstate *st, const struct tmpl_value *m, struct rargs *args,
    const struct tnode *at)
{
	const struct tnode *mac = m->u.mac.node;
	struct tmpl_value **vals = NULL, *caller = NULL, *v, *r = NULL;
	size_t saved_first = st->first_frame, i;
	int saved_in_macro = st->in_macro, ctl = 0, pushed = 0;

	if (st->call_depth >= CALL_MAX_DEPTH) {
		err_set("recursion limit exceeded");
		goto out;
	}
	if ((vals = calloc(mac->n2 + 1, sizeof(*vals))) == NULL) {
		err_set("out of memory");
		goto out;
	}
	if (macro_args(mac, args, vals, &caller) == -1)
		goto out;
	if (rframe_push(st) == -1)
		goto out;
	pushed = 1;
	st->frames[st->nframes - 1].base = tv_ref(m->u.mac.closure);
	st->first_frame = st->nframes - 1;
	st->in_macro = 1;
	st->call_depth++;
	if (caller != NULL && rframe_set(st, "caller", tv_ref(caller)) == -1)
		goto out;
	/* MiniJinja binds the arguments from the last: a default sees the
	 * arguments after its own. */
	for (i = mac->n2; i-- > 0;) {
		v = vals[i];
		vals[i] = NULL;
		if (v->kind == TK_UNDEF && mac->list2[i]->a != NULL) {
			tv_unref(v);
			if ((v = teval(st, mac->list2[i]->a)) == NULL)
				goto out;
		}
		if (rframe_set(st, mac->list2[i]->name, v) == -1)
			goto out;
	}
	r = rcapture(st, mac->list, mac->n, &ctl);
out:
	if (pushed) {
		rframe_pop(st);
		st->call_depth--;
	}
	st->first_frame = saved_first;
	st->in_macro = saved_in_macro;
	for (i = 0; vals != NULL && i < mac->n2; i++)
		tv_unref(vals[i]);
	free(vals);
	tv_unref(caller);
	if (r == NULL)
		rfail(st, at);
	return r;
}

/*
 * include, import, from and extends fail as in ACMEd, which has one
 * template and no other: they name templates that do not exist.
 */
static int
template_missing(struct rstate *st, const struct tnode *n)
{
	struct tmpl_value *name = NULL;
	struct buf b;
	size_t i;
	int rc = -1;

	if ((name = teval(st, n->a)) == NULL)
		return -1;
	if (n->kind == S_INCLUDE && name->kind == TK_LIST &&
	    !(name->flags & TF_ITER)) {
		for (i = 0; i < name->u.l.n; i++)
			if (name->u.l.v[i]->kind != TK_STR)
				break;
		if (i < name->u.l.n)
			rerr(st, n, "template name was not a string");
		else if (name->u.l.n == 0 || (n->flags & NF_IGNORE_MISSING))
			rc = 0;
		else {
			buf_init(&b, 1024);
			if (tv_repr(&b, name) == 0)
				rerr(st, n, "template not found: tried to "
				    "include one of multiple templates, none "
				    "of which existed %s", buf_str(&b));
			else
				rerr(st, n, "template not found");
			buf_free(&b);
		}
	} else if (name->kind != TK_STR)
		rerr(st, n, "template name was not a string");
	else if (n->kind == S_INCLUDE && (n->flags & NF_IGNORE_MISSING))
		rc = 0;
	else if (n->kind == S_EXTENDS)
		rerr(st, n, "template not found: template \"%.200s\" does not "
		    "exist", name->u.s.p);
	else
		rerr(st, n, "template not found: tried to include "
		    "non-existing template \"%.200s\"", name->u.s.p);
	tv_unref(name);
	return rc;
}

int
rexec_template_stmt(struct rstate *st, const struct tnode *n)
{
	const char *saved = st->block;
	int rc;

	if (n->kind != S_BLOCK)
		return template_missing(st, n);
	/* Without a template extending this one, a block renders its body
	 * in a scope of its own. */
	if (rframe_push(st) == -1)
		return rfail(st, n);
	st->block = n->name;
	rc = rexec_body(st, n->list, n->n);
	st->block = saved;
	rframe_pop(st);
	return rc;
}
