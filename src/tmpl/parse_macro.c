/*
 * parse_macro.c - the statements of macros and of several templates:
 * macro, call, block, include, import, from and extends (see
 * parse_int.h).
 *
 * acmed has one template and no loader, as ACMEd: include, import, from
 * and extends parse as MiniJinja parses them and fail when they run
 * (render.c); a block renders its body where it stands.
 */
#include <stdlib.h>
#include <string.h>

#include "tmpl/parse_int.h"
#include "util/err.h"

/* Adds name to the list of names if it is not there yet. */
static int
add_name(struct tmpl_value *names, const char *name)
{
	size_t i;

	for (i = 0; i < names->u.l.n; i++)
		if (strcmp(names->u.l.v[i]->u.s.p, name) == 0)
			return 0;
	return tv_list_push(names, tv_str(name));
}

/*
 * The names a macro's body and defaults use, but not its arguments:
 * what MiniJinja encloses when the macro is defined.  The tree is
 * bounded by TNODE_MAX_DEPTH, and so is this recursion.
 */
static int
collect_names(const struct tnode *n, const struct tnode *mac,
    struct tmpl_value *names)
{
	size_t i;

	if (n == NULL)
		return 0;
	if (n->kind == N_NAME) {
		for (i = 0; i < mac->n2; i++)
			if (strcmp(mac->list2[i]->name, n->name) == 0)
				return 0;
		return add_name(names, n->name);
	}
	if (collect_names(n->a, mac, names) == -1 ||
	    collect_names(n->b, mac, names) == -1 ||
	    collect_names(n->c, mac, names) == -1 ||
	    collect_names(n->d, mac, names) == -1)
		return -1;
	for (i = 0; i < n->n; i++)
		if (collect_names(n->list[i], mac, names) == -1)
			return -1;
	/* The arguments of the macro itself are not uses, their
	 * defaults are. */
	for (i = 0; i < n->n2; i++)
		if (collect_names(n == mac ? n->list2[i]->a : n->list2[i],
		    mac, names) == -1)
			return -1;
	return 0;
}

/* "(a, b=1)" up to and with the ")"; the "(" is consumed. */
static int
parse_params(struct parser *p, struct tnode *mac)
{
	struct ttoken *t;
	struct tnode *arg;
	int defaults = 0;

	while (!tp_accept(p, TT_RPAREN)) {
		if (mac->n2 > 0) {
			if (tp_expect(p, TT_COMMA, "`,`") == -1)
				return -1;
			if (tp_accept(p, TT_RPAREN))
				break;
		}
		t = tp_cur(p);
		if (t->type != TT_NAME)
			return tp_unexpected(p, "identifier");
		tp_advance(p);
		if ((arg = tp_node_at(N_NAME, t)) == NULL)
			return -1;
		if ((arg->name = tp_tok_strdup(t)) == NULL) {
			tnode_free(arg);
			return -1;
		}
		if (tp_accept(p, TT_ASSIGN)) {
			defaults = 1;
			if ((arg->a = tp_expr(p)) == NULL) {
				tnode_free(arg);
				return -1;
			}
		} else if (defaults) {
			tnode_free(arg);
			return tp_unexpected(p, "`=`");
		}
		if (tnode_push(&mac->list2, &mac->n2, tp_finish(arg)) == -1)
			return -1;
	}
	return 0;
}

/*
 * The body of a macro or call block up to its end tag, then the names it
 * uses.  The node's arguments are parsed already.
 */
static int
parse_macro_body(struct parser *p, struct tnode *mac, int is_call)
{
	static const char *const ends_macro[] = { "endmacro", NULL };
	static const char *const ends_call[] = { "endcall", NULL };
	struct tmpl_value *names = NULL;
	const char *found;
	size_t i;
	int saved_loop = p->in_loop, saved_macro = p->in_macro, rc = -1;

	if (tp_end_tag(p) == -1)
		return -1;
	p->in_loop = 0;
	p->in_macro = 1;
	if (tp_body(p, &mac->list, &mac->n, is_call ? ends_call : ends_macro,
	    &found) == -1)
		goto out;
	if ((names = tv_list(0)) == NULL ||
	    collect_names(mac, mac, names) == -1)
		goto out;
	/* caller is an argument of its own, not part of the closure. */
	for (i = 0; i < names->u.l.n; i++)
		if (strcmp(names->u.l.v[i]->u.s.p, "caller") == 0) {
			mac->flags |= NF_CALLER;
			tv_unref(names->u.l.v[i]);
			memmove(&names->u.l.v[i], &names->u.l.v[i + 1],
			    (names->u.l.n - i - 1) * sizeof(names->u.l.v[0]));
			names->u.l.n--;
			break;
		}
	tv_make_immortal(names);
	mac->val = names;
	names = NULL;
	rc = 0;
out:
	tv_unref(names);
	p->in_loop = saved_loop;
	p->in_macro = saved_macro;
	return rc;
}

struct tnode *
tp_macro(struct parser *p, const struct ttoken *at)
{
	struct ttoken *t = tp_cur(p);
	struct tnode *n;

	if ((n = tp_node_at(S_MACRO, at)) == NULL)
		return NULL;
	if (t->type != TT_NAME) {
		tp_unexpected(p, "identifier");
		goto fail;
	}
	tp_advance(p);
	if ((n->name = tp_tok_strdup(t)) == NULL ||
	    tp_expect(p, TT_LPAREN, "`(`") == -1 ||
	    parse_params(p, n) == -1 || parse_macro_body(p, n, 0) == -1 ||
	    tp_end_tag(p) == -1)
		goto fail;
	return tp_finish(n);
fail:
	tnode_free(n);
	return NULL;
}

struct tnode *
tp_call_block(struct parser *p, const struct ttoken *at)
{
	struct tnode *n, *mac;

	if ((n = tp_node_at(S_CALLBLOCK, at)) == NULL)
		return NULL;
	if ((mac = tp_node_at(S_MACRO, at)) == NULL) {
		tnode_free(n);
		return NULL;
	}
	n->b = mac;
	if ((mac->name = strdup("caller")) == NULL) {
		err_set("out of memory");
		goto fail;
	}
	if (tp_accept(p, TT_LPAREN) && parse_params(p, mac) == -1)
		goto fail;
	if ((n->a = tp_expr(p)) == NULL)
		goto fail;
	if (n->a->kind != N_CALL) {
		tp_fail_at(at, "expected call expression in call block");
		goto fail;
	}
	if (parse_macro_body(p, mac, 1) == -1 || tp_end_tag(p) == -1)
		goto fail;
	if ((n->b = tp_finish(mac)) == NULL)
		goto fail_n;
	return tp_finish(n);
fail:
	n->b = NULL;
	tnode_free(mac);
fail_n:
	tnode_free(n);
	return NULL;
}

struct tnode *
tp_block(struct parser *p, const struct ttoken *at)
{
	static const char *const ends[] = { "endblock", NULL };
	const struct ttoken **nb;
	struct ttoken *t = tp_cur(p), *end;
	struct tnode *n;
	const char *found;
	size_t i;
	int saved = p->in_loop;

	if (p->in_macro) {
		tp_fail_at(at, "block tags in macros are not allowed");
		return NULL;
	}
	if (t->type != TT_NAME) {
		tp_unexpected(p, "identifier");
		return NULL;
	}
	for (i = 0; i < p->nblocks; i++)
		if (p->blocks[i]->len == t->len &&
		    memcmp(p->blocks[i]->p, t->p, t->len) == 0) {
			tp_fail_at(t, "block '%.*s' defined twice",
			    (int)(t->len > 40 ? 40 : t->len), t->p);
			return NULL;
		}
	if ((nb = reallocarray(p->blocks, p->nblocks + 1,
	    sizeof(*nb))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	p->blocks = nb;
	p->blocks[p->nblocks++] = t;
	tp_advance(p);
	if ((n = tp_node_at(S_BLOCK, at)) == NULL)
		return NULL;
	if ((n->name = tp_tok_strdup(t)) == NULL || tp_end_tag(p) == -1)
		goto fail;
	p->in_loop = 0;
	if (tp_body(p, &n->list, &n->n, ends, &found) == -1)
		goto fail;
	p->in_loop = saved;
	end = tp_cur(p);
	if (end->type == TT_NAME) {
		if (end->len != t->len || memcmp(end->p, t->p, t->len) != 0) {
			tp_fail_at(end, "mismatching name on block. "
			    "Got `%.*s`, expected `%.*s`",
			    (int)(end->len > 40 ? 40 : end->len), end->p,
			    (int)(t->len > 40 ? 40 : t->len), t->p);
			goto fail;
		}
		tp_advance(p);
	}
	if (tp_end_tag(p) == -1)
		goto fail;
	return tp_finish(n);
fail:
	p->in_loop = saved;
	tnode_free(n);
	return NULL;
}

/* "with context" or "without context". */
static int
skip_context(struct parser *p)
{
	if (tp_accept_name(p, "with") || tp_accept_name(p, "without"))
		return tp_expect_name(p, "context");
	return 0;
}

struct tnode *
tp_include(struct parser *p, const struct ttoken *at)
{
	struct tnode *n;

	if ((n = tp_node_at(S_INCLUDE, at)) == NULL)
		return NULL;
	if ((n->a = tp_expr(p)) == NULL || skip_context(p) == -1)
		goto fail;
	if (tp_accept_name(p, "ignore")) {
		if (tp_expect_name(p, "missing") == -1 || skip_context(p) == -1)
			goto fail;
		n->flags |= NF_IGNORE_MISSING;
	}
	if (tp_end_tag(p) == -1)
		goto fail;
	return tp_finish(n);
fail:
	tnode_free(n);
	return NULL;
}

/* A name that import and from assign to. */
static int
import_name(struct parser *p)
{
	static const char *const reserved[] = { "true", "True", "false",
	    "False", "none", "None", "loop", "self", NULL };
	struct ttoken *t = tp_cur(p);
	size_t i;

	if (t->type != TT_NAME)
		return tp_unexpected(p, "identifier");
	for (i = 0; reserved[i] != NULL; i++)
		if (tp_is_name(t, reserved[i]))
			return tp_fail_at(t, "cannot assign to reserved "
			    "variable name %s", reserved[i]);
	tp_advance(p);
	return 0;
}

/* import EXPR as NAME; from EXPR import NAME [as NAME], ... */
struct tnode *
tp_import(struct parser *p, const struct ttoken *at, int from)
{
	struct tnode *n;
	int first = 1;

	if ((n = tp_node_at(S_IMPORT, at)) == NULL)
		return NULL;
	if ((n->a = tp_expr(p)) == NULL)
		goto fail;
	if (!from) {
		if (tp_expect_name(p, "as") == -1 || import_name(p) == -1)
			goto fail;
	} else {
		if (tp_expect_name(p, "import") == -1)
			goto fail;
		while (tp_cur(p)->type != TT_BLOCK_END) {
			if (!first && (tp_expect(p, TT_COMMA, "`,`") == -1))
				goto fail;
			first = 0;
			if (tp_cur(p)->type == TT_BLOCK_END)
				break;
			if (import_name(p) == -1 || (tp_accept_name(p, "as") &&
			    import_name(p) == -1))
				goto fail;
		}
	}
	if (tp_end_tag(p) == -1)
		goto fail;
	return tp_finish(n);
fail:
	tnode_free(n);
	return NULL;
}

struct tnode *
tp_extends(struct parser *p, const struct ttoken *at)
{
	struct tnode *n;

	if ((n = tp_node_at(S_EXTENDS, at)) == NULL)
		return NULL;
	if ((n->a = tp_expr(p)) == NULL || tp_end_tag(p) == -1) {
		tnode_free(n);
		return NULL;
	}
	return tp_finish(n);
}
