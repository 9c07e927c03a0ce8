/*
 * eval.c - evaluation of expressions (see render.h).
 *
 * teval() returns a new reference or NULL; on NULL err holds the message
 * and st->errline the line of the innermost node that knew where it was.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/loop.h"
#include "tmpl/ops.h"
#include "tmpl/render.h"
#include "util/err.h"

int
rfail(struct rstate *st, const struct tnode *n)
{
	if (st->errline == 0 && n != NULL)
		st->errline = n->line;
	return -1;
}

int
rerr(struct rstate *st, const struct tnode *n, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set("%s", msg);
	return rfail(st, n);
}

int
rtruthy(struct rstate *st, const struct tmpl_value *v, int *res)
{
	if (v->kind == TK_UNDEF && st->opts->strict_undefined)
		return err_set(OP_UNDEFINED_MSG);
	*res = tv_truthy(v);
	return 0;
}

int
rargs_add(struct rargs *a, struct tmpl_value *v)
{
	struct tmpl_value **p;
	size_t ncap;

	if (v == NULL)
		return -1;
	if (a->npos == a->cap) {
		ncap = a->cap ? a->cap * 2 : 4;
		if ((p = reallocarray(a->pos, ncap, sizeof(*p))) == NULL) {
			tv_unref(v);
			return err_set("out of memory");
		}
		a->pos = p;
		a->cap = ncap;
	}
	a->pos[a->npos++] = v;
	return 0;
}

void
rargs_free(struct rargs *a)
{
	size_t i;

	for (i = 0; i < a->npos; i++)
		tv_unref(a->pos[i]);
	free(a->pos);
	tv_unref(a->kw);
	memset(a, 0, sizeof(*a));
}

struct tmpl_value *
rargs_kw(struct rargs *a, const char *name)
{
	const struct tmpl_value *k;
	size_t i;

	if (a->kw == NULL)
		return NULL;
	for (i = 0; i < a->kw->u.m.n; i++) {
		k = a->kw->u.m.k[i];
		if (k->kind == TK_STR && strcmp(k->u.s.p, name) == 0) {
			if (i < 64)
				a->used |= 1ull << i;
			return a->kw->u.m.v[i];
		}
	}
	return NULL;
}

struct tmpl_value *
rargs_get(struct rargs *a, size_t i, const char *name)
{
	if (i < a->npos)
		return a->pos[i];
	return name != NULL ? rargs_kw(a, name) : NULL;
}

int
rargs_check(const struct rargs *a, size_t max)
{
	struct buf b;
	size_t i;

	if (a->npos > max)
		return err_set("too many arguments");
	if (a->kw == NULL)
		return 0;
	for (i = 0; i < a->kw->u.m.n; i++) {
		if (i < 64 && (a->used & (1ull << i)))
			continue;
		buf_init(&b, 128);
		(void)tv_display(&b, a->kw->u.m.k[i]);
		err_set("unknown keyword argument '%s'", buf_str(&b));
		buf_free(&b);
		return -1;
	}
	return 0;
}

static int
add_kw(struct rstate *st, struct rargs *a, struct tmpl_value *k,
    struct tmpl_value *v)
{
	(void)st;
	if (a->kw == NULL && (a->kw = tv_map(0)) == NULL) {
		tv_unref(k);
		tv_unref(v);
		return -1;
	}
	return tv_map_set(a->kw, k, v);
}

int
rargs_eval(struct rstate *st, const struct tnode *n, struct rargs *a)
{
	const struct tnode *arg;
	struct tmpl_value *v, *item, *k;
	struct titer it;
	size_t i, j;
	int r;

	for (i = 0; i < n->n; i++) {
		arg = n->list[i];
		switch (arg->kind) {
		case N_KWARG:
			if ((k = tv_str(arg->name)) == NULL)
				return rfail(st, arg);
			if (add_kw(st, a, k, teval(st, arg->a)) == -1)
				return rfail(st, arg);
			break;
		case N_SPLAT:
			if ((v = teval(st, arg->a)) == NULL)
				return -1;
			if (titer_init(&it, v) == -1) {
				tv_unref(v);
				return rfail(st, arg);
			}
			tv_unref(v);
			while ((r = titer_next(&it, &item)) == 1)
				if (rargs_add(a, item) == -1)
					break;
			titer_done(&it);
			if (r != 0)
				return rfail(st, arg);
			break;
		case N_KWSPLAT:
			if ((v = teval(st, arg->a)) == NULL)
				return -1;
			if (v->kind != TK_MAP) {
				rerr(st, arg, "attempted to apply keyword "
				    "arguments from non map (got %s)",
				    tv_kind_name(v));
				tv_unref(v);
				return -1;
			}
			for (j = 0; j < v->u.m.n; j++)
				if (add_kw(st, a, tv_ref(v->u.m.k[j]),
				    tv_ref(v->u.m.v[j])) == -1) {
					tv_unref(v);
					return rfail(st, arg);
				}
			tv_unref(v);
			break;
		default:
			if (rargs_add(a, teval(st, arg)) == -1)
				return rfail(st, arg);
		}
	}
	return 0;
}

static struct tmpl_value *
eval_items(struct rstate *st, const struct tnode *n)
{
	struct tmpl_value *r;
	size_t i;

	if ((r = n->kind == N_MAP ? tv_map(n->n / 2) : tv_list(n->n)) == NULL)
		goto fail;
	if (n->kind == N_TUPLE)
		r->flags |= TF_TUPLE;
	for (i = 0; i < n->n; i++) {
		if (n->kind == N_MAP) {
			if (tv_map_set(r, teval(st, n->list[i]),
			    teval(st, n->list[i + 1])) == -1)
				goto fail;
			i++;
		} else if (tv_list_push(r, teval(st, n->list[i])) == -1)
			goto fail;
	}
	return r;
fail:
	tv_unref(r);
	rfail(st, n);
	return NULL;
}

static struct tmpl_value *
eval_compare(struct rstate *st, const struct tnode *n)
{
	struct tmpl_value *a = NULL, *b = NULL, *r = NULL;

	if ((a = teval(st, n->a)) == NULL)
		return NULL;
	if ((b = teval(st, n->b)) != NULL && (r = op_compare(n->op, a, b)) ==
	    NULL)
		rfail(st, n);
	tv_unref(a);
	tv_unref(b);
	return r;
}

static struct tmpl_value *
eval_binary(struct rstate *st, const struct tnode *n)
{
	struct tmpl_value *a, *b, *r;
	int t = 0;

	if ((a = teval(st, n->a)) == NULL)
		return NULL;
	if (n->op == OP_AND || n->op == OP_OR) {
		if (rtruthy(st, a, &t) == -1) {
			tv_unref(a);
			rfail(st, n->a);
			return NULL;
		}
		if ((n->op == OP_AND) != t)
			return a;
		tv_unref(a);
		return teval(st, n->b);
	}
	if ((b = teval(st, n->b)) == NULL) {
		tv_unref(a);
		return NULL;
	}
	if ((r = op_binary(n->op, a, b)) == NULL)
		rfail(st, n);
	tv_unref(a);
	tv_unref(b);
	return r;
}

static struct tmpl_value *
eval_unary(struct rstate *st, const struct tnode *n)
{
	struct tmpl_value *a, *r = NULL;
	int t = 0;

	if ((a = teval(st, n->a)) == NULL)
		return NULL;
	if (n->op == OP_NOT) {
		if (rtruthy(st, a, &t) == 0)
			r = tv_bool(!t);
	} else if (n->op == OP_NEG)
		r = op_neg(a);
	else
		r = op_pos(a);
	if (r == NULL)
		rfail(st, n);
	tv_unref(a);
	return r;
}

static struct tmpl_value *
eval_slice(struct rstate *st, const struct tnode *n)
{
	struct tmpl_value *a = NULL, *b = NULL, *c = NULL, *d = NULL, *r = NULL;

	if ((a = teval(st, n->a)) == NULL ||
	    (n->b != NULL && (b = teval(st, n->b)) == NULL) ||
	    (n->c != NULL && (c = teval(st, n->c)) == NULL) ||
	    (n->d != NULL && (d = teval(st, n->d)) == NULL))
		goto out;
	if ((r = op_slice(a, b, c, d)) == NULL)
		rfail(st, n);
out:
	tv_unref(a);
	tv_unref(b);
	tv_unref(c);
	tv_unref(d);
	return r;
}

/* loop.cycle(...) and loop.changed(...). */
static struct tmpl_value *
loop_method(struct rstate *st, struct tloop *l, const char *name,
    struct rargs *args, const struct tnode *n)
{
	struct tmpl_value *now;
	size_t i;
	int same;

	if (strcmp(name, "cycle") == 0) {
		if (args->npos == 0 || args->kw != NULL) {
			rerr(st, n, "cycle() needs arguments");
			return NULL;
		}
		return tv_ref(args->pos[l->index0 % args->npos]);
	}
	if (strcmp(name, "changed") == 0) {
		if ((now = tv_list(args->npos)) == NULL)
			goto fail;
		for (i = 0; i < args->npos; i++)
			if (tv_list_push(now, tv_ref(args->pos[i])) == -1)
				goto fail;
		same = l->changed != NULL && tv_eq(l->changed, now);
		tv_unref(l->changed);
		l->changed = now;
		return tv_bool(!same);
	}
	rerr(st, n, "loop has no method named %s", name);
	return NULL;
fail:
	tv_unref(now);
	rfail(st, n);
	return NULL;
}

/*
 * A call; caller (S_MACRO or NULL) is the body of a call block, passed
 * as the keyword argument "caller".
 */
static struct tmpl_value *
eval_call(struct rstate *st, const struct tnode *n, const struct tnode *caller)
{
	const struct tnode *callee = n->a;
	struct tmpl_value *obj = NULL, *fn = NULL, *r = NULL, *k;
	struct rargs args;
	int found;

	memset(&args, 0, sizeof(args));
	if (callee->kind == N_ATTR) {
		if ((obj = teval(st, callee->a)) == NULL)
			return NULL;
	}
	if (rargs_eval(st, n, &args) == -1)
		goto out;
	if (caller != NULL) {
		if ((k = tv_str("caller")) == NULL ||
		    add_kw(st, &args, k, rmacro_new(st, caller)) == -1) {
			rfail(st, n);
			goto out;
		}
	}
	if (callee->kind == N_ATTR) {
		if (obj->kind == TK_LOOP) {
			r = loop_method(st, obj->u.loop, callee->name, &args,
			    n);
			goto out;
		}
		if ((fn = op_getattr(obj, callee->name)) == NULL) {
			rfail(st, n);
			goto out;
		}
		if (fn->kind == TK_UNDEF) {
			rerr(st, n, "unknown method: %s has no method named "
			    "%s", tv_kind_name(obj), callee->name);
			goto out;
		}
	} else if (callee->kind == N_NAME) {
		if ((fn = rlookup_found(st, callee->name, &found)) == NULL) {
			rfail(st, n);
			goto out;
		}
		if (!found && strcmp(callee->name, "super") == 0) {
			/* There is never a parent template. */
			rerr(st, n, st->block != NULL ?
			    "no parent block exists" :
			    "cannot super outside of block");
			goto out;
		}
		if (!found) {
			rerr(st, n, "%s is unknown", callee->name);
			goto out;
		}
	} else if ((fn = teval(st, callee)) == NULL)
		goto out;
	r = rcall(st, fn, &args, n);
out:
	rargs_free(&args);
	tv_unref(obj);
	tv_unref(fn);
	return r;
}

struct tmpl_value *
rfilter_apply(struct rstate *st, const char *name, const struct tmpl_value *v,
    struct rargs *args)
{
	tfilter_fn fn;

	if ((fn = tfilter_find(name)) == NULL) {
		err_set("filter %s is unknown", name);
		return NULL;
	}
	return fn(st, v, args);
}

int
rtest_apply(struct rstate *st, const char *name, const struct tmpl_value *v,
    struct rargs *args, int *res)
{
	ttest_fn fn;

	if ((fn = ttest_find(name)) == NULL)
		return err_set("test %s is unknown", name);
	return fn(st, v, args, res);
}

static struct tmpl_value *
eval_filter(struct rstate *st, const struct tnode *n)
{
	struct tmpl_value *in, *r = NULL;
	struct rargs args;
	int res;

	memset(&args, 0, sizeof(args));
	if (n->a->kind == N_CAPTURED)
		in = tv_ref(st->captured);
	else if ((in = teval(st, n->a)) == NULL)
		return NULL;
	if (rargs_eval(st, n, &args) == -1)
		goto out;
	if (n->kind == N_FILTER)
		r = rfilter_apply(st, n->name, in, &args);
	else if (rtest_apply(st, n->name, in, &args, &res) == 0)
		r = tv_bool((n->flags & NF_NEGATED) ? !res : res);
	if (r == NULL)
		rfail(st, n);
out:
	rargs_free(&args);
	tv_unref(in);
	return r;
}

struct tmpl_value *
teval(struct rstate *st, const struct tnode *n)
{
	struct tmpl_value *a, *b, *r = NULL;
	int t = 0;

	if (st->depth >= RENDER_MAX_DEPTH) {
		rerr(st, n, "recursion limit exceeded");
		return NULL;
	}
	if (tcharge(1) == -1) {
		rfail(st, n);
		return NULL;
	}
	st->depth++;
	switch (n->kind) {
	case N_CONST:
		r = tv_ref(n->val);
		break;
	case N_NAME:
		if ((r = rlookup(st, n->name)) == NULL)
			rfail(st, n);
		break;
	case N_LIST:
	case N_TUPLE:
	case N_MAP:
		r = eval_items(st, n);
		break;
	case N_ATTR:
		if ((a = teval(st, n->a)) == NULL)
			break;
		if ((r = op_getattr(a, n->name)) == NULL)
			rfail(st, n);
		tv_unref(a);
		break;
	case N_ITEM:
		if ((a = teval(st, n->a)) == NULL)
			break;
		if ((b = teval(st, n->b)) != NULL &&
		    (r = op_getitem(a, b)) == NULL)
			rfail(st, n);
		tv_unref(a);
		tv_unref(b);
		break;
	case N_SLICE:
		r = eval_slice(st, n);
		break;
	case N_UNARY:
		r = eval_unary(st, n);
		break;
	case N_BINARY:
		r = eval_binary(st, n);
		break;
	case N_COMPARE:
		r = eval_compare(st, n);
		break;
	case N_COND:
		if ((a = teval(st, n->a)) == NULL)
			break;
		if (rtruthy(st, a, &t) == -1)
			rfail(st, n->a);
		else if (t)
			r = teval(st, n->b);
		else
			r = n->c != NULL ? teval(st, n->c) : tv_undef();
		tv_unref(a);
		break;
	case N_CALL:
		r = eval_call(st, n, NULL);
		break;
	case S_CALLBLOCK:
		r = eval_call(st, n->a, n->b);
		break;
	case N_FILTER:
	case N_TEST:
		r = eval_filter(st, n);
		break;
	case N_CAPTURED:
		r = tv_ref(st->captured);
		break;
	default:
		rerr(st, n, "not an expression");
		break;
	}
	st->depth--;
	/* Comparisons give up quietly when the budget runs out; their
	 * answer must not be used. */
	if (r != NULL && tcharge(0) == -1) {
		tv_unref(r);
		r = NULL;
		rfail(st, n);
	}
	return r;
}
