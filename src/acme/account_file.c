/*
 * account_file.c - ACMEd's bincode account file (see account_file.h).
 */
#include <stdlib.h>
#include <string.h>

#include "acme/account_file.h"
#include "util/b64url.h"
#include "util/err.h"

/* Sanity caps: a real file holds a handful of endpoints and keys. */
#define AF_MAX_STRING	(64u * 1024)
#define AF_MAX_BYTES	(64u * 1024)
#define AF_MAX_ITEMS	4096u

struct af_reader {
	const unsigned char	*p;
	size_t			 left;
	const char		*what;	/* the field being read */
};

static int
af_fail(struct af_reader *r, const char *why)
{
	return err_set("unable to load account file: file may be corrupted "
	    "(%s: %s)", r->what, why);
}

static int
af_u64(struct af_reader *r, uint64_t *v)
{
	int i;

	if (r->left < 8)
		return af_fail(r, "truncated");
	*v = 0;
	for (i = 7; i >= 0; i--)
		*v = *v << 8 | r->p[i];
	r->p += 8;
	r->left -= 8;
	return 0;
}

static int
af_u32(struct af_reader *r, uint32_t *v)
{
	int i;

	if (r->left < 4)
		return af_fail(r, "truncated");
	*v = 0;
	for (i = 3; i >= 0; i--)
		*v = *v << 8 | r->p[i];
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int
af_len(struct af_reader *r, size_t max, size_t *len)
{
	uint64_t v;

	if (af_u64(r, &v) == -1)
		return -1;
	if (v > max)
		return af_fail(r, "length too large");
	*len = (size_t)v;
	return 0;
}

static int
af_bytes(struct af_reader *r, struct buf *out)
{
	size_t n = 0;

	if (af_len(r, AF_MAX_BYTES, &n) == -1)
		return -1;
	if (n > r->left)
		return af_fail(r, "truncated");
	buf_init(out, AF_MAX_BYTES);
	if (buf_append(out, r->p, n) == -1)
		return -1;
	r->p += n;
	r->left -= n;
	return 0;
}

static int
af_string(struct af_reader *r, char **out)
{
	size_t n = 0;

	if (af_len(r, AF_MAX_STRING, &n) == -1)
		return -1;
	if (n > r->left)
		return af_fail(r, "truncated");
	if (memchr(r->p, '\0', n) != NULL)
		return af_fail(r, "NUL byte in a string");
	if ((*out = strndup((const char *)r->p, n)) == NULL)
		return err_set("out of memory");
	r->p += n;
	r->left -= n;
	return 0;
}

static int
af_time(struct af_reader *r, struct acme_timestamp *t)
{
	if (af_u64(r, &t->secs) == -1 || af_u32(r, &t->nanos) == -1)
		return -1;
	if (t->nanos >= 1000000000u)
		return af_fail(r, "invalid nanoseconds");
	return 0;
}

static int
af_key(struct af_reader *r, struct acme_key_record *k)
{
	if (af_time(r, &k->created) == -1 || af_bytes(r, &k->der) == -1 ||
	    af_string(r, &k->alg) == -1)
		return -1;
	return 0;
}

/* Allocates n zeroed items, n having been checked against the data. */
static void *
af_items(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n, size)) == NULL)
		err_set("out of memory");
	return p;
}

void
acme_account_file_init(struct acme_account_file *a)
{
	memset(a, 0, sizeof(*a));
	buf_init(&a->current.der, AF_MAX_BYTES);
	buf_init(&a->eab_key, AF_MAX_BYTES);
}

int
acme_account_file_decode(struct acme_account_file *a, const void *data,
    size_t len)
{
	struct af_reader r = { data, len, "name" };
	size_t i, n = 0;
	uint8_t tag;

	acme_account_file_init(a);
	if (af_string(&r, &a->name) == -1)
		goto fail;

	r.what = "endpoints";
	/* Each entry takes at least 8 bytes: a count beyond the data is a
	 * lie, and must not make us allocate. */
	if (af_len(&r, AF_MAX_ITEMS, &n) == -1)
		goto fail;
	if (n > r.left / 8) {
		af_fail(&r, "truncated");
		goto fail;
	}
	if (n > 0 && (a->eps = af_items(n, sizeof(*a->eps))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		struct acme_ep_record *e = &a->eps[i];

		a->neps++;
		if (af_string(&r, &e->name) == -1 ||
		    af_time(&r, &e->created) == -1 ||
		    af_string(&r, &e->account_url) == -1 ||
		    af_string(&r, &e->orders_url) == -1 ||
		    af_bytes(&r, &e->key_hash) == -1 ||
		    af_bytes(&r, &e->contacts_hash) == -1 ||
		    af_bytes(&r, &e->eab_hash) == -1)
			goto fail;
	}

	r.what = "contacts";
	if (af_len(&r, AF_MAX_ITEMS, &n) == -1)
		goto fail;
	if (n > r.left / 16) {
		af_fail(&r, "truncated");
		goto fail;
	}
	if (n > 0 &&
	    (a->contacts = af_items(n, sizeof(*a->contacts))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		a->ncontacts++;
		if (af_string(&r, &a->contacts[i].type) == -1 ||
		    af_string(&r, &a->contacts[i].value) == -1)
			goto fail;
	}

	r.what = "current_key";
	if (af_key(&r, &a->current) == -1)
		goto fail;

	r.what = "past_keys";
	if (af_len(&r, AF_MAX_ITEMS, &n) == -1)
		goto fail;
	if (n > r.left / 28) {
		af_fail(&r, "truncated");
		goto fail;
	}
	if (n > 0 && (a->past = af_items(n, sizeof(*a->past))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		a->npast++;
		if (af_key(&r, &a->past[i]) == -1)
			goto fail;
	}

	r.what = "external_account";
	if (r.left < 1) {
		af_fail(&r, "truncated");
		goto fail;
	}
	tag = *r.p++;
	r.left--;
	if (tag > 1) {
		af_fail(&r, "invalid option tag");
		goto fail;
	}
	if (tag == 1) {
		a->has_eab = 1;
		if (af_string(&r, &a->eab_id) == -1 ||
		    af_bytes(&r, &a->eab_key) == -1 ||
		    af_string(&r, &a->eab_alg) == -1)
			goto fail;
	}
	return 0;
fail:
	acme_account_file_free(a);
	return -1;
}

static int
put_u64(struct buf *out, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return buf_append(out, b, 8);
}

static int
put_u32(struct buf *out, uint32_t v)
{
	unsigned char b[4];
	int i;

	for (i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return buf_append(out, b, 4);
}

static int
put_bytes(struct buf *out, const void *p, size_t n)
{
	if (put_u64(out, n) == -1)
		return -1;
	return buf_append(out, p, n);
}

static int
put_string(struct buf *out, const char *s)
{
	if (s == NULL)
		s = "";
	return put_bytes(out, s, strlen(s));
}

static int
put_time(struct buf *out, const struct acme_timestamp *t)
{
	if (put_u64(out, t->secs) == -1)
		return -1;
	return put_u32(out, t->nanos);
}

static int
put_key(struct buf *out, const struct acme_key_record *k)
{
	if (put_time(out, &k->created) == -1 ||
	    put_bytes(out, k->der.data, k->der.len) == -1 ||
	    put_string(out, k->alg) == -1)
		return -1;
	return 0;
}

int
acme_account_file_encode(const struct acme_account_file *a, struct buf *out)
{
	size_t i;

	if (put_string(out, a->name) == -1 || put_u64(out, a->neps) == -1)
		return -1;
	for (i = 0; i < a->neps; i++) {
		const struct acme_ep_record *e = &a->eps[i];

		if (put_string(out, e->name) == -1 ||
		    put_time(out, &e->created) == -1 ||
		    put_string(out, e->account_url) == -1 ||
		    put_string(out, e->orders_url) == -1 ||
		    put_bytes(out, e->key_hash.data, e->key_hash.len) == -1 ||
		    put_bytes(out, e->contacts_hash.data,
		    e->contacts_hash.len) == -1 ||
		    put_bytes(out, e->eab_hash.data, e->eab_hash.len) == -1)
			return -1;
	}
	if (put_u64(out, a->ncontacts) == -1)
		return -1;
	for (i = 0; i < a->ncontacts; i++)
		if (put_string(out, a->contacts[i].type) == -1 ||
		    put_string(out, a->contacts[i].value) == -1)
			return -1;
	if (put_key(out, &a->current) == -1 || put_u64(out, a->npast) == -1)
		return -1;
	for (i = 0; i < a->npast; i++)
		if (put_key(out, &a->past[i]) == -1)
			return -1;
	if (!a->has_eab)
		return buf_putc(out, 0);
	if (buf_putc(out, 1) == -1 || put_string(out, a->eab_id) == -1 ||
	    put_bytes(out, a->eab_key.data, a->eab_key.len) == -1 ||
	    put_string(out, a->eab_alg) == -1)
		return -1;
	return 0;
}

void
acme_key_record_free(struct acme_key_record *k)
{
	buf_free_secure(&k->der);
	free(k->alg);
	k->alg = NULL;
}

static void
af_ep_free(struct acme_ep_record *e)
{
	free(e->name);
	free(e->account_url);
	free(e->orders_url);
	buf_free(&e->key_hash);
	buf_free(&e->contacts_hash);
	buf_free(&e->eab_hash);
}

void
acme_account_file_free(struct acme_account_file *a)
{
	size_t i;

	free(a->name);
	for (i = 0; i < a->neps; i++)
		af_ep_free(&a->eps[i]);
	free(a->eps);
	for (i = 0; i < a->ncontacts; i++) {
		free(a->contacts[i].type);
		free(a->contacts[i].value);
	}
	free(a->contacts);
	acme_key_record_free(&a->current);
	for (i = 0; i < a->npast; i++)
		acme_key_record_free(&a->past[i]);
	free(a->past);
	free(a->eab_id);
	buf_free_secure(&a->eab_key);
	free(a->eab_alg);
	acme_account_file_init(a);
}

char *
acme_account_file_name(const char *account_name)
{
	struct buf b;

	buf_init(&b, AF_MAX_STRING * 2);
	if (b64url_encode_buf(&b, account_name, strlen(account_name)) == -1 ||
	    buf_puts(&b, ".account.bin") == -1) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

struct acme_ep_record *
acme_account_file_endpoint(struct acme_account_file *a, const char *name)
{
	struct acme_ep_record *eps, *e;
	size_t i;

	for (i = 0; i < a->neps; i++)
		if (strcmp(a->eps[i].name, name) == 0)
			return &a->eps[i];
	if ((eps = realloc(a->eps, (a->neps + 1) * sizeof(*eps))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	a->eps = eps;
	e = &a->eps[a->neps];
	memset(e, 0, sizeof(*e));
	buf_init(&e->key_hash, AF_MAX_BYTES);
	buf_init(&e->contacts_hash, AF_MAX_BYTES);
	buf_init(&e->eab_hash, AF_MAX_BYTES);
	if ((e->name = strdup(name)) == NULL ||
	    (e->account_url = strdup("")) == NULL ||
	    (e->orders_url = strdup("")) == NULL) {
		af_ep_free(e);
		err_set("out of memory");
		return NULL;
	}
	a->neps++;
	return e;
}
