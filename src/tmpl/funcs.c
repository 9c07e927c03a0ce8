/*
 * funcs.c - the global functions: range, dict, namespace and debug.
 */
#include <string.h>

#include "tmpl/loop.h"
#include "tmpl/render.h"
#include "util/err.h"

/* range() refuses more items than MiniJinja does. */
#define RANGE_MAX_ITEMS	100000

static struct tmpl_value *
fn_range(struct rstate *st, struct rargs *a)
{
	tint lo = 0, hi = 0, step = 1, n, i, span;
	struct tmpl_value *r;
	size_t k;

	(void)st;
	if (a->npos < 1 || a->npos > 3 || rargs_check(a, 3) == -1) {
		err_set("range() takes one to three arguments");
		return NULL;
	}
	for (k = 0; k < a->npos; k++)
		if (a->pos[k]->kind == TK_BOOL || a->pos[k]->kind == TK_FLOAT ||
		    tv_to_int(a->pos[k], &i) == -1) {
			err_set("range() takes integers");
			return NULL;
		}
	if (a->npos == 1)
		tv_to_int(a->pos[0], &hi);
	else {
		tv_to_int(a->pos[0], &lo);
		tv_to_int(a->pos[1], &hi);
	}
	if (a->npos == 3)
		tv_to_int(a->pos[2], &step);
	if (step == 0) {
		err_set("cannot create range with step of 0");
		return NULL;
	}
	/* Counted without overflowing, whatever the bounds. */
	if (step > 0 ? hi <= lo : lo <= hi)
		n = 0;
	else if (__builtin_sub_overflow(step > 0 ? hi : lo,
	    step > 0 ? lo : hi, &span))
		n = RANGE_MAX_ITEMS + 1;
	else if (step == TINT_MIN)
		n = 1;
	else
		n = (span - 1) / (step > 0 ? step : -step) + 1;
	if (n > RANGE_MAX_ITEMS) {
		err_set("range has too many elements");
		return NULL;
	}
	if (tcharge((unsigned long)n) == -1 || (r = tv_list((size_t)n)) ==
	    NULL)
		return NULL;
	/* MiniJinja's range is an iterable, not a sequence. */
	r->flags |= TF_ITER;
	for (i = 0; i < n; i++)
		if (tv_list_push(r, tv_int(lo + i * step)) == -1) {
			tv_unref(r);
			return NULL;
		}
	return r;
}

/* Copies a map (or the attributes of a loop) and the keyword
 * arguments into a new map. */
static struct tmpl_value *
build_map(struct rargs *a, const char *what)
{
	const struct tmpl_value *src = NULL;
	struct tmpl_value *r;
	size_t i;

	if (a->npos > 1) {
		err_set("%s() takes at most one positional argument", what);
		return NULL;
	}
	if (a->npos == 1) {
		src = a->pos[0];
		if (src->kind != TK_MAP && src->kind != TK_LOOP) {
			err_set("expected object or keyword arguments, got %s",
			    tv_kind_name(src));
			return NULL;
		}
	}
	if ((r = tv_map(0)) == NULL)
		return NULL;
	if (src != NULL && src->kind == TK_MAP)
		for (i = 0; i < src->u.m.n; i++)
			if (tv_map_set(r, tv_ref(src->u.m.k[i]),
			    tv_ref(src->u.m.v[i])) == -1)
				goto fail;
	if (src != NULL && src->kind == TK_LOOP)
		for (i = 0; tloop_keys[i] != NULL; i++)
			if (tv_map_set(r, tv_str(tloop_keys[i]),
			    tloop_attr(src->u.loop, tloop_keys[i])) == -1)
				goto fail;
	if (a->kw != NULL)
		for (i = 0; i < a->kw->u.m.n; i++)
			if (tv_map_set(r, tv_ref(a->kw->u.m.k[i]),
			    tv_ref(a->kw->u.m.v[i])) == -1)
				goto fail;
	return r;
fail:
	tv_unref(r);
	return NULL;
}

static struct tmpl_value *
fn_dict(struct rstate *st, struct rargs *a)
{
	(void)st;
	return build_map(a, "dict");
}

static struct tmpl_value *
fn_namespace(struct rstate *st, struct rargs *a)
{
	struct tmpl_value *r;

	if ((r = build_map(a, "namespace")) == NULL)
		return NULL;
	r->flags |= TF_NS;
	if (rkeep_namespace(st, r) == -1) {
		tv_unref(r);
		return NULL;
	}
	return r;
}

/* The global functions, sorted by name (debug() lists them so). */
#define NBUILTINS	4
static const struct tbuiltin builtins[NBUILTINS];

/* What debug() lists of the environment: MiniJinja 2.11's with ACMEd's
 * features and its rev_labels filter. */
static const char *const debug_tests[] = {
	"!=", "<", "<=", "==", ">", ">=", "boolean", "defined",
	"divisibleby", "endingwith", "eq", "equalto", "escaped", "even",
	"false", "filter", "float", "ge", "greaterthan", "gt", "in", "int",
	"integer", "iterable", "le", "lessthan", "lower", "lt", "mapping",
	"ne", "none", "number", "odd", "safe", "sameas", "sequence",
	"startingwith", "string", "test", "true", "undefined", "upper", NULL
};
static const char *const debug_filters[] = {
	"abs", "attr", "batch", "bool", "capitalize", "chain", "count", "d",
	"default", "dictsort", "e", "escape", "first", "float", "groupby",
	"indent", "int", "items", "join", "last", "length", "lines", "list",
	"lower", "map", "max", "min", "pprint", "reject", "rejectattr",
	"replace", "rev_labels", "reverse", "round", "safe", "select",
	"selectattr", "slice", "sort", "split", "string", "sum", "title",
	"trim", "unique", "upper", NULL
};

static int
debug_names(struct buf *b, const char *what, const char *const *names)
{
	size_t i;
	int rc = 0;

	rc |= buf_printf(b, "        %s: [\n", what);
	for (i = 0; names[i] != NULL; i++)
		rc |= buf_printf(b, "            \"%s\",\n", names[i]);
	rc |= buf_puts(b, "        ],\n");
	return rc ? -1 : 0;
}

/* The variables in sight, sorted by name (innermost first). */
static struct tmpl_value *
debug_vars(struct rstate *st)
{
	const struct rframe *f;
	struct tmpl_value *m;
	size_t i, k;

	if ((m = tv_map(0)) == NULL)
		return NULL;
	if (st->ctx != NULL && !st->in_macro)
		for (k = 0; k < st->ctx->u.m.n; k++)
			if (tv_map_set(m, tv_ref(st->ctx->u.m.k[k]),
			    tv_ref(st->ctx->u.m.v[k])) == -1)
				goto fail;
	for (i = st->first_frame; i < st->nframes; i++) {
		f = &st->frames[i];
		for (k = 0; f->base != NULL && k < f->base->u.m.n; k++)
			if (tv_map_set(m, tv_ref(f->base->u.m.k[k]),
			    tv_ref(f->base->u.m.v[k])) == -1)
				goto fail;
		for (k = 0; k < f->n; k++)
			if (tv_map_set(m, tv_str(f->vars[k].name),
			    tv_ref(f->vars[k].v)) == -1)
				goto fail;
	}
	return m;
fail:
	tv_unref(m);
	return NULL;
}

/* debug() without arguments: MiniJinja's State, as {:#?} prints it. */
static int
debug_state(struct rstate *st, struct buf *b)
{
	struct tmpl_value *vars;
	size_t i;
	int rc = 0;

	if ((vars = debug_vars(st)) == NULL)
		return -1;
	rc |= buf_puts(b, "State {\n    name: \"template\",\n");
	if (st->block != NULL)
		rc |= buf_printf(b, "    current_block: Some(\n"
		    "        \"%s\",\n    ),\n", st->block);
	else
		rc |= buf_puts(b, "    current_block: None,\n");
	rc |= buf_printf(b, "    auto_escape: %s,\n    ctx: ",
	    st->autoescape ? "Html" : "None");
	if (rc == 0)
		rc = tv_pprint_at(b, vars, 1);
	tv_unref(vars);
	rc |= buf_puts(b, ",\n    env: Environment {\n        globals: {\n");
	for (i = 0; i < st->opts->nfuncs; i++)
		rc |= buf_printf(b, "            \"%s\": <function>,\n",
		    st->opts->funcs[i].name);
	for (i = 0; i < NBUILTINS; i++)
		rc |= buf_printf(b, "            \"%s\": "
		    "minijinja::functions::builtins::%s,\n",
		    builtins[i].name, builtins[i].name);
	rc |= buf_puts(b, "        },\n");
	rc |= debug_names(b, "tests", debug_tests);
	rc |= debug_names(b, "filters", debug_filters);
	rc |= buf_puts(b, "        templates: [\n            \"template\",\n"
	    "        ],\n    },\n}");
	return rc ? -1 : 0;
}

/*
 * MiniJinja's debug(): the state of the rendering without arguments,
 * else its argument (or the list of them, keyword arguments last as a
 * map) pretty-printed.
 */
static struct tmpl_value *
fn_debug(struct rstate *st, struct rargs *a)
{
	struct tmpl_value *l = NULL, *r = NULL;
	struct buf b;
	size_t i;
	int rc;

	buf_init(&b, tmax_str());
	if (a->npos == 0 && a->kw == NULL)
		rc = debug_state(st, &b);
	else if (a->npos + (a->kw != NULL) == 1)
		rc = tv_pprint(&b, a->npos == 1 ? a->pos[0] : a->kw);
	else {
		rc = (l = tv_list(a->npos + 1)) == NULL ? -1 : 0;
		for (i = 0; i < a->npos && rc == 0; i++)
			rc = tv_list_push(l, tv_ref(a->pos[i]));
		if (rc == 0 && a->kw != NULL)
			rc = tv_list_push(l, tv_ref(a->kw));
		if (rc == 0)
			rc = tv_pprint(&b, l);
		tv_unref(l);
	}
	if (rc == 0)
		r = tv_str_buf(&b);
	buf_free(&b);
	return r;
}

static const struct tbuiltin builtins[NBUILTINS] = {
	{ "debug", fn_debug },
	{ "dict", fn_dict },
	{ "namespace", fn_namespace },
	{ "range", fn_range },
};

static struct tmpl_value builtin_values[] = {
	{ .kind = TK_FUNC, .flags = TF_IMMORTAL, .depth = 1,
	    .u.fn.bi = &builtins[0] },
	{ .kind = TK_FUNC, .flags = TF_IMMORTAL, .depth = 1,
	    .u.fn.bi = &builtins[1] },
	{ .kind = TK_FUNC, .flags = TF_IMMORTAL, .depth = 1,
	    .u.fn.bi = &builtins[2] },
	{ .kind = TK_FUNC, .flags = TF_IMMORTAL, .depth = 1,
	    .u.fn.bi = &builtins[3] },
};

_Static_assert(sizeof(builtin_values) / sizeof(builtin_values[0]) ==
    NBUILTINS, "a value for each built-in function");

struct tmpl_value *
tfunc_find(const char *name)
{
	size_t i;

	for (i = 0; i < NBUILTINS; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtin_values[i];
	return NULL;
}
