/*
 * account.c - [[account]]: contacts, key type and signature algorithm,
 * external account binding, file hooks and env.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/intern.h"
#include "crypto/keytype.h"
#include "util/b64url.h"
#include "util/buf.h"
#include "util/err.h"

struct abuild {
	struct config_account	 a;
	int			 has_alg;
};

/*
 * The value of { mailto = "..." } is one e-mail address, which acmed turns
 * into "mailto:<address>" (RFC 6068).  A second address or hfields
 * ("?subject=...") would change what the CA is told; so would characters
 * that have a meaning in a mailto URI or in a list of addresses.
 */
static const char *
bad_address(const char *s)
{
	const char *at, *p;

	if (strncmp(s, "mailto:", 7) == 0)
		return "write the address without \"mailto:\"";
	for (p = s; *p != '\0'; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch <= 0x20 || ch == 0x7f)
			return "it contains a space or a control character";
		if (ch == ',' || ch == ';')
			return "only one address is allowed";
		if (ch == '?' || ch == '&' || ch == '#')
			return "hfields (\"?...\") are not allowed";
		if (ch == '<' || ch == '>' || ch == '"' || ch == '(' ||
		    ch == ')' || ch == '[' || ch == ']' || ch == '\\' ||
		    ch == '%')
			return "write the bare address, without a display name, "
			    "quotes or escapes";
	}
	if ((at = strchr(s, '@')) == NULL)
		return "it has no '@'";
	if (strchr(at + 1, '@') != NULL)
		return "it has more than one '@'";
	if (at == s)
		return "the part before '@' is empty";
	if (at[1] == '\0')
		return "the domain after '@' is empty";
	if (at[1] == '.' || s[strlen(s) - 1] == '.' ||
	    strstr(at, "..") != NULL)
		return "the domain is not valid";
	return NULL;
}

static int
contact(struct config_ctx *ctx, const struct config_item *el,
    struct config_account *a)
{
	const struct toml_entry *e;
	struct config_item v;
	struct buf name;
	const char *why, *s;
	char **nc, *uri;
	size_t len;

	if (toml_table_len(el->v) == 0)
		return config_error(ctx, el, "contacts: a contact needs one "
		    "key, mailto");
	e = toml_table_entry(el->v, 0);
	v = *el;
	v.key = "mailto";
	v.kline = e->line;
	v.kcol = e->col;
	v.v = e->value;
	v.line = toml_line(e->value);
	v.col = toml_col(e->value);
	if (e->keylen != 6 || memcmp(e->key, "mailto", 6) != 0) {
		buf_init(&name, 256);
		if (toml_key_quote(&name, e->key, e->keylen) == -1)
			(void)buf_puts(&name, "...");
		config_error_key(ctx, &v, "contacts: unknown contact type `%s` "
		    "(only mailto is supported)", buf_str(&name));
		buf_free(&name);
		return -1;
	}
	if (toml_table_len(el->v) > 1) {
		e = toml_table_entry(el->v, 1);
		return config_error_at(ctx, el->doc, e->line, e->col,
		    "contacts: a contact has only one key; write one { mailto "
		    "= \"...\" } per address");
	}
	if (toml_type(v.v) != TOML_STRING)
		return config_error(ctx, &v, "mailto: expected a string, found "
		    "%s", config_a_type(toml_type(v.v)));
	s = toml_string(v.v, &len);
	if (strlen(s) != len)
		return config_error(ctx, &v, "mailto: a NUL character is not "
		    "allowed");
	if ((why = bad_address(s)) != NULL)
		return config_error(ctx, &v, "mailto: \"%s\" is not one e-mail "
		    "address: %s", s, why);
	if (asprintf(&uri, "mailto:%s", s) == -1)
		return config_oom(ctx);
	if ((nc = config_reallocarray(ctx, a->contacts, a->ncontacts + 1,
	    sizeof(*nc))) == NULL) {
		free(uri);
		return -1;
	}
	a->contacts = nc;
	a->contacts[a->ncontacts++] = uri;
	return 0;
}

static int
set_contacts(struct config_ctx *ctx, const struct config_item *it,
    void *obj, size_t off)
{
	struct config_account *a = &((struct abuild *)obj)->a;
	struct config_item el;
	size_t i;
	int rc = 0;

	(void)off;
	for (i = 0; i < toml_array_len(it->v); i++)
		if (config_elem_of(it, i, TOML_TABLE, &el) != NULL &&
		    contact(ctx, &el, a) == -1)
			rc = -1;
	return rc;
}

static int
set_hooks(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	(void)off;
	return config_hook_refs(ctx, it, &((struct abuild *)obj)->a.hooks);
}

static int
set_alg(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	struct abuild *b = obj;

	(void)off;
	if (crypto_jws_alg_parse(config_str(it),
	    &b->a.signature_algorithm) == -1)
		return config_error(ctx, it, "%s: %s", it->key, err_msg());
	b->has_alg = 1;
	return 0;
}

static int
set_eab_key(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	struct config_account *a = &((struct abuild *)obj)->a;
	const char *s = config_str(it);
	struct buf key;
	int rc = -1;

	(void)off;
	buf_init(&key, BUF_MAX_SMALL);
	if (*s == '\0') {
		config_error(ctx, it, "%s: must not be empty", it->key);
		goto out;
	}
	if (b64url_decode_buf(&key, s, strlen(s)) == -1) {
		config_error(ctx, it, "%s: not base64url without padding: %s",
		    it->key, err_msg());
		goto out;
	}
	if ((a->eab_key = malloc(key.len)) == NULL) {
		config_oom(ctx);
		goto out;
	}
	memcpy(a->eab_key, key.data, key.len);
	a->eab_keylen = key.len;
	rc = 0;
out:
	buf_free_secure(&key);
	return rc;
}

static int
set_eab_alg(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	struct config_account *a = &((struct abuild *)obj)->a;

	(void)off;
	if (crypto_eab_alg_parse(config_str(it), &a->eab_alg) == -1)
		return config_error(ctx, it, "%s: %s", it->key, err_msg());
	return 0;
}

enum { EAB_IDENTIFIER, EAB_KEY, EAB_SIGNATURE_ALGORITHM, EAB__COUNT };

static const struct config_key eab_keys[EAB__COUNT] = {
	[EAB_IDENTIFIER] = { "identifier", CONFIG_T_STRING, CONFIG_REQ,
	    config_set_nonempty, offsetof(struct abuild, a.eab_id) },
	[EAB_KEY] = { "key", CONFIG_T_STRING, CONFIG_REQ, set_eab_key, 0 },
	[EAB_SIGNATURE_ALGORITHM] = { "signature_algorithm", CONFIG_T_STRING,
	    0, set_eab_alg, 0 },
};

static int
set_eab(struct config_ctx *ctx, const struct config_item *it, void *obj,
    size_t off)
{
	struct abuild *b = obj;

	(void)off;
	b->a.has_eab = 1;
	b->a.eab_alg = CRYPTO_ALG_HS256;
	return config_table(ctx, it, "external_account", eab_keys, EAB__COUNT,
	    b, NULL);
}

enum {
	A_NAME,
	A_CONTACTS,
	A_ENV,
	A_EXTERNAL_ACCOUNT,
	A_HOOKS,
	A_KEY_TYPE,
	A_SIGNATURE_ALGORITHM,
	A__COUNT
};

#define A(f)	offsetof(struct abuild, f)

static const struct config_key account_keys[A__COUNT] = {
	[A_NAME] = { "name", CONFIG_T_STRING, CONFIG_REQ, config_set_str,
	    A(a.name) },
	[A_CONTACTS] = { "contacts", CONFIG_T_TABLES, CONFIG_REQ,
	    set_contacts, 0 },
	[A_ENV] = { "env", CONFIG_T_TABLE, 0, config_set_env, A(a.env) },
	[A_EXTERNAL_ACCOUNT] = { "external_account", CONFIG_T_TABLE, 0,
	    set_eab, 0 },
	[A_HOOKS] = { "hooks", CONFIG_T_STRINGS, 0, set_hooks, 0 },
	[A_KEY_TYPE] = { "key_type", CONFIG_T_STRING, 0, config_set_key_type,
	    A(a.key_type) },
	[A_SIGNATURE_ALGORITHM] = { "signature_algorithm", CONFIG_T_STRING, 0,
	    set_alg, 0 },
};

void
config_build_accounts(struct config_ctx *ctx)
{
	const struct config_items *s = &ctx->sect[CONFIG_SECT_ACCOUNT];
	struct config *c = ctx->c;
	struct config_seen seen;
	struct abuild b;
	size_t i;

	if (s->n == 0)
		return;
	if ((c->accounts = calloc(s->n, sizeof(*c->accounts))) == NULL) {
		config_oom(ctx);
		return;
	}
	for (i = 0; i < s->n; i++) {
		memset(&b, 0, sizeof(b));
		b.a.pos.file = s->v[i].doc->path;
		b.a.pos.line = s->v[i].line;
		b.a.pos.col = s->v[i].col;
		b.a.key_type = CONFIG_DEFAULT_ACCOUNT_KEY;
		(void)config_table(ctx, &s->v[i], "[[account]]", account_keys,
		    A__COUNT, &b, &seen);
		if (!b.has_alg)
			b.a.signature_algorithm =
			    crypto_key_type_default_alg(b.a.key_type);
		else if ((!seen.found[A_KEY_TYPE] || seen.ok[A_KEY_TYPE]) &&
		    crypto_key_type_check_alg(b.a.key_type,
		    b.a.signature_algorithm) == -1)
			config_error(ctx, &seen.item[A_SIGNATURE_ALGORITHM],
			    "signature_algorithm: %s", err_msg());
		c->accounts[i] = b.a;
		c->naccounts++;
		if (seen.ok[A_NAME])
			(void)config_name_add(ctx, &ctx->accounts, "account",
			    c->accounts[i].name, 0, i, &seen.item[A_NAME]);
	}
}
