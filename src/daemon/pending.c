/*
 * pending.c - an order kept between attempts, and its copy on disk (see
 * pending.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acme/json.h"
#include "crypto/csr.h"
#include "crypto/keytype.h"
#include "daemon/pending.h"
#include "util/b64url.h"
#include "util/err.h"
#include "util/log.h"

/* A DER CSR: a few kilobytes with the longest RSA keys and many names. */
#define PENDING_CSR_MAX		(64u * 1024)

void
pending_free(struct lifecycle_pending *p)
{
	if (p == NULL)
		return;
	acme_order_free(&p->o);
	crypto_key_free(p->key);
	buf_free(&p->csr);
	free(p);
}

/* Sets key to v in obj (v's reference is taken, also on failure); v NULL
 * (out of memory) fails. */
static int
pending_set(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(obj, key, v) == -1)
		return err_set("out of memory");
	return 0;
}

static json_t *
pending_str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* What the order was made for, and where its certificate goes: what
 * lifecycle_pending_fits() compares at a reload.  Allocated (json_decref);
 * NULL with err. */
static json_t *
pending_fit(const struct config_certificate *c, const struct cert_files *f)
{
	json_t *fit, *ids, *id, *subj;
	size_t i;
	int rc = 0;

	fit = json_object();
	ids = json_array();
	subj = json_object();
	if (fit == NULL || ids == NULL || subj == NULL) {
		err_set("out of memory");
		json_decref(ids);
		json_decref(subj);
		json_decref(fit);
		return NULL;
	}
	for (i = 0; rc == 0 && i < c->nidentifiers; i++) {
		if ((id = json_object()) == NULL ||
		    json_array_append_new(ids, id) == -1)
			rc = err_set("out of memory");
		else if (pending_set(id, "type", json_string(
		    c->identifiers[i].type == CRYPTO_IDENT_IP ? "ip" :
		    "dns")) == -1 || pending_set(id, "value",
		    json_string(c->identifiers[i].value)) == -1)
			rc = -1;
	}
	for (i = 0; rc == 0 && i < CRYPTO_SUBJ_COUNT; i++)
		if (c->subject[i] != NULL && pending_set(subj,
		    crypto_subject_attr_name((enum crypto_subject_attr)i),
		    json_string(c->subject[i])) == -1)
			rc = -1;
	if (rc == -1 ||
	    pending_set(fit, "endpoint", json_string(c->endpoint->url)) ==
	    -1 ||
	    pending_set(fit, "account", json_string(c->account->name)) == -1 ||
	    pending_set(fit, "identifiers", json_incref(ids)) == -1 ||
	    pending_set(fit, "key_type",
	    json_string(crypto_key_type_name(c->key_type))) == -1 ||
	    pending_set(fit, "csr_digest",
	    json_string(crypto_digest_name(c->csr_digest))) == -1 ||
	    pending_set(fit, "profile", pending_str(c->profile)) == -1 ||
	    pending_set(fit, "subject", json_incref(subj)) == -1 ||
	    pending_set(fit, "kp_reuse", json_boolean(c->kp_reuse)) == -1 ||
	    pending_set(fit, "key_file", json_string(f->key_path)) == -1 ||
	    pending_set(fit, "certificate_file", json_string(f->crt_path)) ==
	    -1) {
		json_decref(fit);
		fit = NULL;
	}
	json_decref(ids);
	json_decref(subj);
	return fit;
}

/* The order's members that acme_order_resume() needs.  Its status is
 * not kept (it reads the order again, whatever it was), nor
 * o->finalized (1 for every kept order). */
static json_t *
pending_order_json(const struct acme_order *o)
{
	json_t *v, *authz;
	size_t i;

	if ((v = json_object()) == NULL || (authz = json_array()) == NULL) {
		json_decref(v);
		err_set("out of memory");
		return NULL;
	}
	for (i = 0; i < o->nauthz; i++)
		if (json_array_append_new(authz, json_string(o->authz[i])) ==
		    -1) {
			json_decref(authz);
			json_decref(v);
			err_set("out of memory");
			return NULL;
		}
	/* authz first: pending_set() takes it, also when it fails. */
	if (pending_set(v, "authorizations", authz) == -1 ||
	    pending_set(v, "url", json_string(o->url)) == -1 ||
	    pending_set(v, "finalize", pending_str(o->finalize)) == -1 ||
	    pending_set(v, "certificate", pending_str(o->certificate)) == -1) {
		json_decref(v);
		return NULL;
	}
	return v;
}

int
pending_encode(const struct lifecycle_pending *p,
    const struct config_certificate *c, const struct cert_files *f,
    struct buf *out)
{
	json_t *doc;
	struct buf csr, pem;
	char *line = NULL;
	int rc = -1;

	buf_init(&csr, 2 * PENDING_CSR_MAX);
	buf_init(&pem, STORAGE_FILE_MAX);
	if ((doc = json_object()) == NULL) {
		err_set("out of memory");
		goto out;
	}
	if (b64url_encode_buf(&csr, p->csr.data, p->csr.len) == -1 ||
	    pending_set(doc, "version", json_integer(PENDING_VERSION)) == -1 ||
	    pending_set(doc, "for", pending_fit(c, f)) == -1 ||
	    pending_set(doc, "order", pending_order_json(&p->o)) == -1 ||
	    pending_set(doc, "csr", json_string(buf_str(&csr))) == -1 ||
	    pending_set(doc, "is_new", json_boolean(p->is_new)) == -1 ||
	    pending_set(doc, "tries", json_integer(p->tries)) == -1 ||
	    pending_set(doc, "kept_at", json_integer(p->kept_at)) == -1)
		goto out;
	/* Compact: one line, which no raw newline can end early. */
	if ((line = json_dump_compact(doc)) == NULL ||
	    crypto_key_to_pem(p->key, &pem) == -1 ||
	    buf_puts(out, line) == -1 || buf_putc(out, '\n') == -1 ||
	    buf_append(out, pem.data, pem.len) == -1)
		goto out;
	rc = 0;
out:
	buf_free_secure(&pem);
	free(line);
	json_decref(doc);
	buf_free(&csr);
	return rc;
}

/* "for" against what c and f would order now: 1 when it is the same, 0
 * with why (size n) naming the first member that differs. */
static int
pending_fits(json_t *was, const struct config_certificate *c,
    const struct cert_files *f, char *why, size_t n)
{
	json_t *now, *v;
	const char *key;
	int rc = 1;

	if ((now = pending_fit(c, f)) == NULL)
		return -1;
	json_object_foreach(now, key, v)
		if (!json_equal(v, json_object_get(was, key))) {
			snprintf(why, n, "its %s changed", key);
			rc = 0;
			break;
		}
	if (rc == 1 && json_object_size(was) != json_object_size(now)) {
		snprintf(why, n, "it was made for what this version of acmed "
		    "does not compare");
		rc = 0;
	}
	json_decref(now);
	return rc;
}

/* The "order" member into o.  -1 with err. */
static int
pending_order_parse(json_t *v, struct acme_order *o)
{
	json_t *authz, *a;
	size_t i;

	if (json_get_url(v, "url", 1, &o->url) == -1 ||
	    json_get_url(v, "finalize", 1, &o->finalize) == -1 ||
	    json_get_url(v, "certificate", 0, &o->certificate) == -1 ||
	    json_get_array(v, "authorizations", 1, &authz) == -1)
		return -1;
	if (json_array_size(authz) == 0 ||
	    json_array_size(authz) > ACME_MAX_AUTHZ)
		return err_set("%zu authorizations", json_array_size(authz));
	json_array_foreach(authz, i, a) {
		if (!json_is_url(json_string_value(a)))
			return err_set("authorization %zu is not an http(s) "
			    "URL", i);
		if ((o->authz[i] = strdup(json_string_value(a))) == NULL)
			return err_set("out of memory");
		o->nauthz++;
	}
	/* Read again whatever it was: see acme_order_resume(). */
	o->status = ACME_ST_PROCESSING;
	o->finalized = 1;
	return 0;
}

int
pending_decode(const void *text, size_t len,
    const struct config_certificate *c, const struct cert_files *f,
    long long now, struct lifecycle_pending **pp, char *why, size_t n)
{
	struct lifecycle_pending *p = NULL;
	const char *nl, *csr;
	json_t *doc = NULL, *fit, *order;
	long long version, tries, kept_at;
	int rc = -1, is_new;

	*pp = NULL;
	if (len == 0 || (nl = memchr(text, '\n', len)) == NULL) {
		err_set("truncated: no line break after its first line");
		goto out;
	}
	/* The first line only: what follows is the key, which must not
	 * reach Jansson (nor its messages). */
	if ((doc = json_parse_object(text, (size_t)(nl - (const char *)text)))
	    == NULL)
		goto out;
	if (json_get_int(doc, "version", 1, &version) == -1)
		goto out;
	if (version != PENDING_VERSION) {
		err_set("version %lld, not %d", version, PENDING_VERSION);
		goto out;
	}
	if (json_get_int(doc, "kept_at", 1, &kept_at) == -1)
		goto out;
	if (kept_at <= 0 || kept_at > now + 86400) {
		err_set("kept_at: %lld, not a time before now", kept_at);
		goto out;
	}
	if (json_get_object(doc, "for", 1, &fit) == -1 ||
	    (rc = pending_fits(fit, c, f, why, n)) != 1)
		goto out;
	if (now - kept_at > LIFECYCLE_KEPT_MAX) {
		snprintf(why, n, "it was kept more than %d days ago, and "
		    "orders expire", LIFECYCLE_KEPT_MAX / 86400);
		rc = 0;
		goto out;
	}
	rc = -1;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		err_set("out of memory");
		goto out;
	}
	buf_init(&p->csr, PENDING_CSR_MAX);
	if (json_get_object(doc, "order", 1, &order) == -1 ||
	    pending_order_parse(order, &p->o) == -1) {
		err_prefix("order");
		goto out;
	}
	if (json_get_string(doc, "csr", 1, &csr) == -1 ||
	    json_get_bool(doc, "is_new", 1, &is_new) == -1 ||
	    json_get_int(doc, "tries", 1, &tries) == -1)
		goto out;
	if (b64url_decode_buf(&p->csr, csr, strlen(csr)) == -1) {
		err_prefix("csr");
		goto out;
	}
	if (p->csr.len == 0) {
		err_set("csr: empty");
		goto out;
	}
	if (tries < 0 || tries > LIFECYCLE_RESUMES) {
		err_set("tries: %lld, not 0 to %d", tries, LIFECYCLE_RESUMES);
		goto out;
	}
	p->is_new = is_new;
	p->tries = (int)tries;
	p->kept_at = kept_at;
	nl++;
	if ((p->key = crypto_key_from_pem(nl,
	    len - (size_t)(nl - (const char *)text))) == NULL) {
		err_prefix("key");
		goto out;
	}
	if (!crypto_key_is_private(p->key) ||
	    crypto_key_get_type(p->key) != c->key_type) {
		err_set("key: not a private %s key",
		    crypto_key_type_name(c->key_type));
		goto out;
	}
	*pp = p;
	p = NULL;
	rc = 1;
out:
	pending_free(p);
	json_decref(doc);
	return rc;
}

/* With kp_reuse, the key of the order is the key file's, which is not
 * written again with the certificate: 1 when it still is. */
static int
pending_same_key(const struct cert_files *f,
    const struct lifecycle_pending *p)
{
	struct crypto_key *k;
	int same;

	if ((k = storage_read_key(f->key_path)) == NULL) {
		err_clear();
		return 0;
	}
	same = crypto_key_same_public(k, p->key);
	crypto_key_free(k);
	return same;
}

/* What pending_read() found. */
enum pending_found {
	PENDING_NONE,		/* no file */
	PENDING_REFUSED,	/* err: it may not be read */
	PENDING_MALFORMED,	/* err */
	PENDING_OTHER,		/* why: made for another configuration */
	PENDING_USABLE,		/* *pp */
};

/* Reads and decodes the file of c (files f): *pp when it is usable. */
static enum pending_found
pending_read(const struct config *cfg, const struct config_certificate *c,
    const struct cert_files *f, struct lifecycle_pending **pp, char *why,
    size_t n)
{
	enum pending_found found;
	struct buf text;
	int rc;

	*pp = NULL;
	why[0] = '\0';
	buf_init(&text, STORAGE_FILE_MAX);
	if ((rc = storage_read_pending(cfg, f, &text)) != 1) {
		found = rc == 0 ? PENDING_NONE : PENDING_REFUSED;
		goto out;
	}
	rc = pending_decode(text.data, text.len, c, f, (long long)time(NULL),
	    pp, why, n);
	if (rc == 1 && !(*pp)->is_new && !pending_same_key(f, *pp)) {
		snprintf(why, n, "kp_reuse: the key in %s is no longer the "
		    "order's", f->key_path);
		pending_free(*pp);
		*pp = NULL;
		rc = 0;
	}
	found = rc == 1 ? PENDING_USABLE : rc == 0 ? PENDING_OTHER :
	    PENDING_MALFORMED;
out:
	buf_free_secure(&text);
	return found;
}

struct lifecycle_pending *
pending_load(const struct config *cfg, const struct config_certificate *c,
    const struct cert_files *f, const char *who)
{
	struct lifecycle_pending *p = NULL;
	struct buf path;
	char why[256];

	if (storage_pending_path(f, &path) == -1) {
		log_warn("%s: kept order: %s", who, err_msg());
		err_clear();
		goto out;
	}
	switch (pending_read(cfg, c, f, &p, why, sizeof(why))) {
	case PENDING_NONE:
		goto out;
	case PENDING_USABLE:
		log_debug("%s: %s: order %s read (kept by an earlier run)",
		    who, buf_str(&path), p->o.url);
		goto out;
	case PENDING_REFUSED:
		log_error("%s: %s: the order kept there is not read; ordering "
		    "anew (the file is removed once a certificate is "
		    "stored)", who, err_msg());
		err_clear();
		goto out;
	case PENDING_OTHER:
		log_info("%s: %s: the order kept there was made for another "
		    "configuration (%s): removed; ordering anew", who,
		    buf_str(&path), why);
		break;
	case PENDING_MALFORMED:
		log_warn("%s: %s: malformed (%s): removed; ordering anew", who,
		    buf_str(&path), err_msg());
		err_clear();
		break;
	}
	if (storage_remove_pending(f) == -1) {
		log_warn("%s: %s", who, err_msg());
		err_clear();
	}
out:
	buf_free(&path);
	return p;
}

int
pending_waiting(const struct config *cfg, const struct config_certificate *c,
    const struct cert_files *f)
{
	struct lifecycle_pending *p;
	char why[256];

	if (pending_read(cfg, c, f, &p, why, sizeof(why)) == PENDING_USABLE) {
		pending_free(p);
		return 1;
	}
	err_clear();
	return 0;
}

void
pending_save(const struct config *cfg, const struct config_certificate *c,
    const struct cert_files *f, const struct lifecycle_pending *p,
    const char *who)
{
	struct buf text;

	buf_init(&text, STORAGE_FILE_MAX);
	if (pending_encode(p, c, f, &text) == -1 ||
	    storage_save_pending(cfg, f, text.data, text.len) == -1) {
		log_warn("%s: the kept order is not saved for the next run "
		    "of acmed (it is kept until this one ends): %s", who,
		    err_msg());
		err_clear();
	}
	buf_free_secure(&text);
}

void
pending_forget(const struct cert_files *f, const char *who)
{
	if (storage_remove_pending(f) == -1) {
		log_warn("%s: %s", who, err_msg());
		err_clear();
	}
}
