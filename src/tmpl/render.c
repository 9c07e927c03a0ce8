/*
 * render.c - runs the statements of a compiled template (see tmpl.h and
 * render.h): output, variable scopes, loops and their loop objects.
 *
 * Scopes follow MiniJinja: a for loop and a with block open a frame,
 * "set" writes to the innermost frame, and names are looked up from the
 * innermost frame outwards, then in the context, then among the global
 * functions.
 */
#include <stdlib.h>
#include <string.h>

#include "tmpl/loop.h"
#include "tmpl/ops.h"
#include "tmpl/render.h"
#include "util/err.h"

/* Results of executing a statement, besides 0 and -1. */
#define R_BREAK		1
#define R_CONTINUE	2

int
rframe_push(struct rstate *st)
{
	struct rframe *p;
	size_t ncap;

	if (st->nframes == st->capframes) {
		ncap = st->capframes ? st->capframes * 2 : 8;
		if ((p = reallocarray(st->frames, ncap, sizeof(*p))) == NULL)
			return err_set("out of memory");
		memset(p + st->capframes, 0,
		    (ncap - st->capframes) * sizeof(*p));
		st->frames = p;
		st->capframes = ncap;
	}
	st->frames[st->nframes++].n = 0;
	return 0;
}

void
rframe_pop(struct rstate *st)
{
	struct rframe *f = &st->frames[--st->nframes];
	size_t i, n = f->n;

	f->n = 0;
	for (i = 0; i < n; i++)
		tv_unref(f->vars[i].v);
	tv_unref(f->base);
	tv_unref(f->closure);
	f->base = f->closure = NULL;
}

int
rframe_set(struct rstate *st, const char *name, struct tmpl_value *v)
{
	struct rframe *f = &st->frames[st->nframes - 1];
	struct tmpl_value *old;
	struct rvar *p;
	size_t i, ncap;

	if (v == NULL)
		return -1;
	/* MiniJinja: the macros defined in this frame see the new value. */
	if (f->closure != NULL &&
	    tv_map_set(f->closure, tv_str(name), tv_ref(v)) == -1) {
		tv_unref(v);
		return -1;
	}
	for (i = 0; i < f->n; i++)
		if (strcmp(f->vars[i].name, name) == 0) {
			old = f->vars[i].v;
			f->vars[i].v = v;
			tv_unref(old);
			return 0;
		}
	if (f->n == f->cap) {
		ncap = f->cap ? f->cap * 2 : 8;
		if ((p = reallocarray(f->vars, ncap, sizeof(*p))) == NULL) {
			tv_unref(v);
			return err_set("out of memory");
		}
		f->vars = p;
		f->cap = ncap;
	}
	f->vars[f->n].name = name;
	f->vars[f->n].v = v;
	f->n++;
	return 0;
}

struct tmpl_value *
rlookup(struct rstate *st, const char *name)
{
	int found;

	return rlookup_found(st, name, &found);
}

struct tmpl_value *
rlookup_found(struct rstate *st, const char *name, int *found)
{
	const struct tmpl_func *uf;
	struct tmpl_value *v;
	size_t i, k;

	*found = 1;

	for (i = st->nframes; i-- > st->first_frame;) {
		for (k = 0; k < st->frames[i].n; k++)
			if (strcmp(st->frames[i].vars[k].name, name) == 0)
				return tv_ref(st->frames[i].vars[k].v);
		if (st->frames[i].base != NULL && (v = tv_map_gets(
		    st->frames[i].base, name, strlen(name))) != NULL)
			return tv_ref(v);
	}
	/* A macro sees the context only through its closure. */
	if (st->ctx != NULL && !st->in_macro &&
	    (v = tv_map_gets(st->ctx, name, strlen(name))) != NULL)
		return tv_ref(v);
	for (i = 0; i < st->opts->nfuncs; i++) {
		uf = &st->opts->funcs[i];
		if (uf->name != NULL && strcmp(uf->name, name) == 0) {
			if ((v = tv_new(TK_FUNC)) != NULL)
				v->u.fn.user = uf;
			return v;
		}
	}
	if ((v = tfunc_find(name)) != NULL)
		return v;
	*found = 0;
	return tv_undef();
}

int
rkeep_namespace(struct rstate *st, struct tmpl_value *ns)
{
	struct tmpl_value **p;
	size_t ncap;

	if (st->nns == st->capns) {
		ncap = st->capns ? st->capns * 2 : 4;
		if ((p = reallocarray(st->nss, ncap, sizeof(*p))) == NULL)
			return err_set("out of memory");
		st->nss = p;
		st->capns = ncap;
	}
	st->nss[st->nns++] = tv_ref(ns);
	return 0;
}

/* Output of a value by {{ }}, escaped when autoescaping is on. */
int
remit(struct rstate *st, const struct tmpl_value *v)
{
	struct buf tmp;
	int rc;

	if (v->kind == TK_UNDEF && st->opts->strict_undefined)
		return err_set(OP_UNDEFINED_MSG);
	if (!st->autoescape || (v->kind == TK_STR && (v->flags & TF_SAFE)))
		return tv_display(st->out, v);
	switch (v->kind) {
	case TK_STR:
		return tv_html_escape(st->out, v->u.s.p, v->u.s.len);
	case TK_UNDEF: case TK_NONE: case TK_BOOL: case TK_INT: case TK_U128:
	case TK_FLOAT:
		return tv_display(st->out, v);
	default:
		buf_init(&tmp, st->out->max);
		rc = tv_display(&tmp, v);
		if (rc == 0)
			rc = tv_html_escape(st->out, buf_str(&tmp), tmp.len);
		buf_free(&tmp);
		return rc;
	}
}

/* Binds target (a name, a tuple of targets or ns.attr) to v. */
static int
assign(struct rstate *st, const struct tnode *target, struct tmpl_value *v)
{
	struct tmpl_value *items, *ns, *key;
	size_t i;
	int rc;

	switch (target->kind) {
	case N_NAME:
		return rframe_set(st, target->name, tv_ref(v));
	case N_TUPLE:
		if (v->kind != TK_LIST && v->kind != TK_STR &&
		    v->kind != TK_MAP && v->kind != TK_ONESHOT)
			return rerr(st, target,
			    "cannot unpack: value is not iterable");
		if ((items = titer_collect(v)) == NULL)
			return rfail(st, target);
		if (items->u.l.n != target->n) {
			rerr(st, target, "cannot unpack: sequence of wrong "
			    "length (expected %zu, got %zu)", target->n,
			    items->u.l.n);
			tv_unref(items);
			return -1;
		}
		for (i = 0, rc = 0; i < target->n && rc == 0; i++)
			rc = assign(st, target->list[i], items->u.l.v[i]);
		tv_unref(items);
		return rc;
	case N_ATTR:
		if ((ns = teval(st, target->a)) == NULL)
			return -1;
		if (ns->kind != TK_MAP || !(ns->flags & TF_NS)) {
			tv_unref(ns);
			return rerr(st, target, "can only assign to "
			    "attributes of namespaces");
		}
		if ((key = tv_str(target->name)) == NULL) {
			tv_unref(ns);
			return rfail(st, target);
		}
		rc = tv_map_set(ns, key, tv_ref(v));
		tv_unref(ns);
		return rc == -1 ? rfail(st, target) : 0;
	default:
		return rerr(st, target, "cannot assign to this expression");
	}
}

struct tmpl_value *
rcapture(struct rstate *st, struct tnode *const *body, size_t n, int *ctl)
{
	struct buf b, *saved = st->out;
	struct tmpl_value *v = NULL;

	buf_init(&b, saved->max);
	st->out = &b;
	*ctl = rexec_body(st, body, n);
	st->out = saved;
	if (*ctl != -1) {
		if ((v = tv_str_buf(&b)) == NULL)
			*ctl = -1;
		else if (st->autoescape)
			v->flags |= TF_SAFE;
	}
	buf_free(&b);
	return v;
}

/* Applies the filters of a block (n->b, over N_CAPTURED) to body. */
static struct tmpl_value *
filter_captured(struct rstate *st, const struct tnode *n,
    struct tmpl_value *body)
{
	struct tmpl_value *saved = st->captured, *r;

	st->captured = body;
	r = teval(st, n->b);
	st->captured = saved;
	return r;
}

/*
 * The items a loop runs over: the iterable itself, or when the loop has
 * a filter ("for x in seq if x"), the items that pass it.
 */
static int
loop_source(struct rstate *st, const struct tnode *n, struct tmpl_value *seq,
    struct titer *it)
{
	struct tmpl_value *kept = NULL, *item, *c;
	struct titer all;
	int r, t;

	if (seq->kind == TK_UNDEF && st->opts->strict_undefined)
		return rerr(st, n->b, OP_UNDEFINED_MSG);
	if (titer_init(&all, seq) == -1)
		return rfail(st, n->b);
	if (n->c == NULL) {
		*it = all;
		return 0;
	}
	if ((kept = tv_list(0)) == NULL || rframe_push(st) == -1) {
		tv_unref(kept);
		titer_done(&all);
		return rfail(st, n);
	}
	while ((r = titer_next(&all, &item)) == 1) {
		if (assign(st, n->a, item) == -1 ||
		    (c = teval(st, n->c)) == NULL) {
			tv_unref(item);
			r = -1;
			break;
		}
		t = 0;
		if (rtruthy(st, c, &t) == -1) {
			rfail(st, n->c);
			r = -1;
		}
		tv_unref(c);
		if (r == -1) {
			tv_unref(item);
			break;
		}
		if (t && tv_list_push(kept, item) == -1) {
			r = rfail(st, n);
			break;
		}
		if (!t)
			tv_unref(item);
	}
	rframe_pop(st);
	titer_done(&all);
	if (r == -1 || titer_init(it, kept) == -1) {
		tv_unref(kept);
		return rfail(st, n);
	}
	tv_unref(kept);
	return 0;
}

/* One run of a for loop over seq; depth0 > 0 for recursive calls. */
static int
exec_loop(struct rstate *st, const struct tnode *n, struct tmpl_value *seq,
    unsigned depth0)
{
	struct tmpl_value *loopv = NULL, *item;
	struct titer it;
	size_t count = 0;
	int r, rc = 0;

	if (depth0 >= LOOP_MAX_RECURSION)
		return rerr(st, n->b, "recursion limit exceeded");
	if (loop_source(st, n, seq, &it) == -1)
		return -1;
	if (rframe_push(st) == -1) {
		titer_done(&it);
		return rfail(st, n);
	}
	if ((loopv = tloop_new(n, &it, depth0)) == NULL ||
	    rframe_set(st, "loop", tv_ref(loopv)) == -1) {
		rc = rfail(st, n);
		goto out;
	}
	while ((r = titer_next(&it, &item)) == 1) {
		if (tcharge(1) == -1 || assign(st, n->a, item) == -1) {
			tv_unref(item);
			rc = rfail(st, n);
			goto out;
		}
		rc = rexec_body(st, n->list, n->n);
		tv_unref(loopv->u.loop->prev);
		loopv->u.loop->prev = item;
		loopv->u.loop->index0++;
		count++;
		if (rc == -1)
			goto out;
		if (rc == R_BREAK)
			break;
		rc = 0;
	}
	if (r == -1)
		rc = rfail(st, n);
out:
	if (loopv != NULL)
		tloop_end(loopv->u.loop);
	tv_unref(loopv);
	rframe_pop(st);
	titer_done(&it);
	if (rc == R_BREAK)
		rc = 0;
	if (rc == 0 && count == 0 && n->n2 > 0)
		rc = rexec_body(st, n->list2, n->n2);
	return rc;
}

static int
exec_for(struct rstate *st, const struct tnode *n)
{
	struct tmpl_value *seq;
	int rc;

	if ((seq = teval(st, n->b)) == NULL)
		return -1;
	rc = exec_loop(st, n, seq, 0);
	tv_unref(seq);
	return rc;
}

/* loop(items) in a recursive loop: the body's output for items. */
static struct tmpl_value *
call_loop(struct rstate *st, struct tloop *l, struct rargs *args,
    const struct tnode *at)
{
	struct buf b, *saved = st->out;
	struct tmpl_value *v = NULL, *seq;
	int rc;

	if (!l->active || !(l->node->flags & NF_RECURSIVE)) {
		rerr(st, at, "cannot recurse outside of recursive loop");
		return NULL;
	}
	if (args->npos != 1 || args->kw != NULL) {
		rerr(st, at, "loop() takes one argument");
		return NULL;
	}
	seq = args->pos[0];
	if (seq->kind != TK_LIST && seq->kind != TK_MAP &&
	    seq->kind != TK_STR && seq->kind != TK_NONE &&
	    seq->kind != TK_UNDEF && seq->kind != TK_ONESHOT) {
		rerr(st, at, "cannot recurse because of non-iterable value");
		return NULL;
	}
	if (st->call_depth >= CALL_MAX_DEPTH) {
		rerr(st, at, "recursion limit exceeded");
		return NULL;
	}
	buf_init(&b, saved->max);
	st->out = &b;
	st->call_depth++;
	rc = exec_loop(st, l->node, seq, l->depth0 + 1);
	st->call_depth--;
	st->out = saved;
	if (rc != -1 && (v = tv_str_buf(&b)) != NULL)
		v->flags |= TF_SAFE;
	buf_free(&b);
	if (v == NULL)
		rfail(st, at);
	return v;
}

struct tmpl_value *
rcall(struct rstate *st, const struct tmpl_value *fn, struct rargs *args,
    const struct tnode *at)
{
	struct tmpl_value *r;

	switch (fn->kind) {
	case TK_LOOP:
		return call_loop(st, fn->u.loop, args, at);
	case TK_MACRO:
		return rmacro_call(st, fn, args, at);
	case TK_FUNC:
		if (fn->u.fn.bi != NULL)
			r = fn->u.fn.bi->fn(st, args);
		else
			r = fn->u.fn.user->fn(args->pos, args->npos, args->kw,
			    fn->u.fn.user->arg);
		if (r == NULL)
			rfail(st, at);
		return r;
	default:
		rerr(st, at, "value of type %s is not callable",
		    tv_kind_name(fn));
		return NULL;
	}
}

static int
exec_autoescape(struct rstate *st, const struct tnode *n)
{
	struct tmpl_value *v;
	int saved = st->autoescape, mode, rc;

	if ((v = teval(st, n->a)) == NULL)
		return -1;
	if (v->kind == TK_BOOL)
		mode = v->u.b;
	else if (v->kind == TK_STR && strcmp(v->u.s.p, "html") == 0)
		mode = 1;
	else if (v->kind == TK_STR && strcmp(v->u.s.p, "none") == 0)
		mode = 0;
	else {
		tv_unref(v);
		return rerr(st, n, "invalid value for autoescape");
	}
	tv_unref(v);
	st->autoescape = mode;
	rc = rexec_body(st, n->list, n->n);
	st->autoescape = saved;
	return rc;
}

static int
exec_stmt(struct rstate *st, const struct tnode *n)
{
	struct tmpl_value *v, *f;
	size_t i;
	int rc = 0, t;

	if (tcharge(1) == -1)
		return rfail(st, n);
	switch (n->kind) {
	case S_TEXT:
		if (buf_append(st->out, n->val->u.s.p, n->val->u.s.len) == -1)
			return rfail(st, n);
		return 0;
	case S_EMIT:
		if ((v = teval(st, n->a)) == NULL)
			return -1;
		if (remit(st, v) == -1)
			rc = rfail(st, n->a);
		tv_unref(v);
		return rc;
	case S_IF:
		if ((v = teval(st, n->a)) == NULL)
			return -1;
		rc = rtruthy(st, v, &t);
		tv_unref(v);
		if (rc == -1)
			return rfail(st, n->a);
		if (t)
			return rexec_body(st, n->list, n->n);
		return rexec_body(st, n->list2, n->n2);
	case S_FOR:
		return exec_for(st, n);
	case S_SET:
		if ((v = teval(st, n->b)) == NULL)
			return -1;
		rc = assign(st, n->a, v);
		tv_unref(v);
		return rc;
	case S_SETBLOCK:
	case S_FILTERBLOCK:
		if ((v = rcapture(st, n->list, n->n, &rc)) == NULL)
			return rc;
		if (n->b != NULL) {
			f = filter_captured(st, n, v);
			tv_unref(v);
			if ((v = f) == NULL)
				return -1;
		}
		if (n->kind == S_SETBLOCK)
			rc = assign(st, n->a, v) == -1 ? -1 : rc;
		else if (remit(st, v) == -1)
			rc = rfail(st, n);
		tv_unref(v);
		return rc;
	case S_WITH:
		if (rframe_push(st) == -1)
			return rfail(st, n);
		for (i = 0; i < n->n2 && rc == 0; i++)
			rc = exec_stmt(st, n->list2[i]);
		if (rc == 0)
			rc = rexec_body(st, n->list, n->n);
		rframe_pop(st);
		return rc;
	case S_AUTOESCAPE:
		return exec_autoescape(st, n);
	case S_BREAK:
		return R_BREAK;
	case S_CONTINUE:
		return R_CONTINUE;
	case S_DO:
		if ((v = teval(st, n->a)) == NULL)
			return -1;
		tv_unref(v);
		return 0;
	case S_MACRO:
		if ((v = rmacro_new(st, n)) == NULL ||
		    rframe_set(st, n->name, v) == -1)
			return rfail(st, n);
		return 0;
	case S_CALLBLOCK:
		if ((v = teval(st, n)) == NULL)
			return -1;
		if (remit(st, v) == -1)
			rc = rfail(st, n);
		tv_unref(v);
		return rc;
	case S_BLOCK:
	case S_INCLUDE:
	case S_IMPORT:
	case S_EXTENDS:
		return rexec_template_stmt(st, n);
	default:
		return rerr(st, n, "not a statement");
	}
}

int
rexec_body(struct rstate *st, struct tnode *const *body, size_t n)
{
	size_t i;
	int rc;

	if (st->depth >= RENDER_MAX_DEPTH)
		return rerr(st, n > 0 ? body[0] : NULL,
		    "recursion limit exceeded");
	st->depth++;
	for (i = 0, rc = 0; i < n && rc == 0; i++)
		rc = exec_stmt(st, body[i]);
	st->depth--;
	return rc;
}

int
tmpl_render_opts(const struct tmpl *t, const struct tmpl_value *ctx,
    const struct tmpl_opts *opts, struct buf *out)
{
	static const struct tmpl_opts defaults;
	struct tlimits *saved_lim = tlimits_cur;
	struct rstate st;
	size_t start = out->len, i;
	int rc;

	if (t == NULL)
		return err_set("no template");
	if (ctx != NULL && ctx->kind != TK_MAP)
		return err_set("template context is not a map");
	memset(&st, 0, sizeof(st));
	st.ctx = ctx;
	st.opts = opts != NULL ? opts : &defaults;
	st.out = out;
	st.autoescape = st.opts->autoescape_html;
	st.lim.steps = st.opts->max_steps ? st.opts->max_steps :
	    TMPL_DEFAULT_STEPS;
	st.lim.max_str = out->max;
	st.lim.jinja2_literals = st.opts->jinja2_literals;
	tlimits_cur = &st.lim;
	err_clear();
	if ((rc = rframe_push(&st)) == 0)
		rc = rexec_body(&st, t->body, t->n);
	while (st.nframes > 0)
		rframe_pop(&st);
	for (i = 0; i < st.capframes; i++)
		free(st.frames[i].vars);
	free(st.frames);
	/* Namespaces may hold each other: empty them all, then drop them. */
	for (i = 0; i < st.nns; i++)
		tv_map_clear(st.nss[i]);
	for (i = 0; i < st.nns; i++)
		tv_unref(st.nss[i]);
	free(st.nss);
	tlimits_cur = saved_lim;
	if (rc == -1) {
		buf_truncate(out, start);
		if (st.errline > 0)
			err_prefix("line %u", st.errline);
		return -1;
	}
	return 0;
}

int
tmpl_render(const struct tmpl *t, const struct tmpl_value *ctx,
    struct buf *out)
{
	return tmpl_render_opts(t, ctx, NULL, out);
}
