/*
 * account.c - account registration and changes (see account.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "acme/account.h"
#include "acme/json.h"
#include "crypto/eab.h"
#include "crypto/hash.h"
#include "crypto/jwk.h"
#include "crypto/jws.h"
#include "util/afile.h"
#include "util/err.h"
#include "util/log.h"

#define ACCOUNT_FILE_MAX	(1024u * 1024)

static struct acme_timestamp
account_now(void)
{
	struct timespec ts;
	struct acme_timestamp t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t.secs = (uint64_t)ts.tv_sec;
	t.nanos = (uint32_t)ts.tv_nsec;
	return t;
}

static int
account_save(struct acme_account *a)
{
	struct afile_opts o = { 0600, (uid_t)-1, (gid_t)-1 };
	struct buf out;
	int rc;

	buf_init(&out, ACCOUNT_FILE_MAX);
	if (acme_account_file_encode(&a->file, &out) == -1) {
		buf_free_secure(&out);
		return err_prefix("account \"%s\"", a->cfg->name);
	}
	if (a->save != NULL)
		rc = a->save(a->save_arg, a->path, out.data, out.len);
	else
		rc = afile_write(a->path, out.data, out.len, &o);
	buf_free_secure(&out);
	if (rc == -1)
		return err_prefix("account \"%s\": unable to save account file",
		    a->cfg->name);
	a->key_on_disk = 1;
	return 0;
}

/*
 * The current key goes to disk before a CA hears of it (newAccount,
 * keyChange).  The file written after the CA's answer may fail (a full
 * disk, a failing file hook, acmed killed): a key the CA knows and no file
 * holds is lost for good, and with it the account made (one more at every
 * run, and a single-use external account binding used up).  Once the file
 * holds the key, the next run sends it again: newAccount answers with the
 * account the key has (RFC 8555 7.3.1), a refused rollover is found done
 * (account_key_known).  -1 with err, and then nothing may be sent.
 */
static int
account_save_key(struct acme_account *a)
{
	if (a->key_on_disk)
		return 0;
	if (account_save(a) == -1)
		return err_prefix("%s: the new account key could not be saved, "
		    "so it was not sent to the CA", a->path);
	log_debug("account \"%s\": new account key saved in %s",
	    a->cfg->name, a->path);
	return 0;
}

/* A new current key of the configured type; the old one is retired. */
static int
account_new_key(struct acme_account *a)
{
	struct acme_key_record *past;
	struct crypto_key *k;
	struct crypto_signer *s;

	if ((k = crypto_key_generate(a->cfg->key_type)) == NULL)
		return -1;
	s = crypto_signer_new(k, a->cfg->alg);
	if (s == NULL) {
		crypto_key_free(k);
		return -1;
	}
	if (a->file.current.der.len > 0) {
		past = realloc(a->file.past, (a->file.npast + 1) *
		    sizeof(*past));
		if (past == NULL)
			goto oom;
		a->file.past = past;
		a->file.past[a->file.npast++] = a->file.current;
		buf_init(&a->file.current.der, 64 * 1024);
		a->file.current.alg = NULL;
	}
	buf_reset(&a->file.current.der);
	free(a->file.current.alg);
	if (crypto_key_to_der(k, &a->file.current.der) == -1 ||
	    (a->file.current.alg = strdup(crypto_jws_alg_name(a->cfg->alg))) ==
	    NULL)
		goto oom;
	a->file.current.created = account_now();
	crypto_key_free(k);
	crypto_signer_free(a->signer);
	a->signer = s;
	a->has_signer_hash = 0;
	a->key_on_disk = 0;
	return 0;
oom:
	crypto_key_free(k);
	crypto_signer_free(s);
	return err_set("out of memory");
}

/* A signer for a stored key record. */
static struct crypto_signer *
account_record_signer(const struct acme_key_record *rec)
{
	struct crypto_key *k;
	struct crypto_signer *s;
	enum crypto_jws_alg alg;

	if (crypto_jws_alg_parse(rec->alg, &alg) == -1)
		return NULL;
	if ((k = crypto_key_from_der(rec->der.data, rec->der.len)) == NULL)
		return NULL;
	s = crypto_signer_new(k, alg);
	crypto_key_free(k);
	return s;
}

/* The contacts of the configuration replace those of the file. */
static int
account_set_contacts(struct acme_account *a)
{
	struct acme_contact *c = NULL;
	size_t i;

	for (i = 0; i < a->file.ncontacts; i++) {
		free(a->file.contacts[i].type);
		free(a->file.contacts[i].value);
	}
	free(a->file.contacts);
	a->file.contacts = NULL;
	a->file.ncontacts = 0;
	if (a->cfg->ncontacts == 0)
		return 0;
	if ((c = calloc(a->cfg->ncontacts, sizeof(*c))) == NULL)
		return err_set("out of memory");
	a->file.contacts = c;
	for (i = 0; i < a->cfg->ncontacts; i++) {
		const char *uri = a->cfg->contacts[i], *colon;

		colon = strchr(uri, ':');
		c[i].type = colon ? strndup(uri, (size_t)(colon - uri)) :
		    strdup("mailto");
		c[i].value = strdup(colon ? colon + 1 : uri);
		a->file.ncontacts++;
		if (c[i].type == NULL || c[i].value == NULL)
			return err_set("out of memory");
	}
	return 0;
}

static int
account_set_eab(struct acme_account *a)
{
	free(a->file.eab_id);
	free(a->file.eab_alg);
	a->file.eab_id = NULL;
	a->file.eab_alg = NULL;
	buf_reset(&a->file.eab_key);
	a->file.has_eab = a->cfg->has_eab;
	if (!a->cfg->has_eab)
		return 0;
	if ((a->file.eab_id = strdup(a->cfg->eab_id)) == NULL ||
	    (a->file.eab_alg = strdup(crypto_jws_alg_name(a->cfg->eab_alg))) ==
	    NULL ||
	    buf_append(&a->file.eab_key, a->cfg->eab_key,
	    a->cfg->eab_keylen) == -1)
		return err_set("out of memory");
	return 0;
}

struct acme_account *
acme_account_load(const struct acme_account_config *cfg, const char *dir,
    acme_account_save_fn save, void *save_arg, int save_rotation)
{
	struct acme_account *a;
	struct buf raw;
	struct stat st;
	char *fname = NULL;
	enum crypto_jws_alg stored_alg;
	int exists = 0, rotate = 0;

	if (crypto_key_type_check_alg(cfg->key_type, cfg->alg) == -1) {
		err_prefix("account \"%s\"", cfg->name);
		return NULL;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	pthread_mutex_init(&a->mu, NULL);
	a->cfg = cfg;
	a->save = save;
	a->save_arg = save_arg;
	acme_account_file_init(&a->file);
	if ((fname = acme_account_file_name(cfg->name)) == NULL ||
	    asprintf(&a->path, "%s/%s", dir, fname) == -1) {
		a->path = NULL;
		err_set("out of memory");
		goto fail;
	}

	buf_init(&raw, ACCOUNT_FILE_MAX);
	if (buf_read_regular_stat(&raw, a->path, &st) == 0) {
		exists = 1;
		/* acmed writes it 0600; one copied or restored with looser
		 * bits shows the account's private key to others. */
		if (st.st_mode & 077)
			log_warn("account \"%s\": %s can be read or written by "
			    "other users (mode %04o), and holds the account's "
			    "private key: chmod 600 it", cfg->name, a->path,
			    (unsigned)(st.st_mode & 07777));
		if (acme_account_file_decode(&a->file, raw.data, raw.len) == -1) {
			err_prefix("%s", a->path);
			buf_free_secure(&raw);
			goto fail;
		}
	} else if (errno != ENOENT) {
		buf_free_secure(&raw);
		goto fail;
	}
	buf_free_secure(&raw);

	if (exists) {
		a->signer = account_record_signer(&a->file.current);
		if (a->signer == NULL) {
			err_prefix("%s: current key", a->path);
			goto fail;
		}
		stored_alg = crypto_signer_alg(a->signer);
		rotate = crypto_signer_key_type(a->signer) != cfg->key_type ||
		    stored_alg != cfg->alg;
		a->key_on_disk = 1;
	}
	if (!exists || rotate) {
		if (account_new_key(a) == -1)
			goto fail;
	}
	if (account_set_contacts(a) == -1 || account_set_eab(a) == -1)
		goto fail;
	if (!exists) {
		free(a->file.name);
		if ((a->file.name = strdup(cfg->name)) == NULL) {
			err_set("out of memory");
			goto fail;
		}
		log_debug("account \"%s\": initializing a new account",
		    cfg->name);
	} else if (rotate && save_rotation) {
		if (account_save(a) == -1)
			goto fail_quiet;
		log_info("account \"%s\": new %s account key created, using "
		    "%s as signing algorithm", cfg->name,
		    crypto_key_type_name(cfg->key_type),
		    crypto_jws_alg_name(cfg->alg));
	}
	free(fname);
	return a;
fail:
	err_prefix("account \"%s\"", cfg->name);
fail_quiet:
	free(fname);
	acme_account_free(a);
	return NULL;
}

void
acme_account_free(struct acme_account *a)
{
	if (a == NULL)
		return;
	acme_account_file_free(&a->file);
	crypto_signer_free(a->signer);
	pthread_mutex_destroy(&a->mu);
	free(a->path);
	free(a);
}

/* SHA-256 of the server-known public key, as ACMEd stores it. */
static int
account_key_hash(const struct crypto_signer *s, struct buf *out)
{
	unsigned char h[CRYPTO_HASH_MAX];
	struct buf pem;
	int rc;

	buf_init(&pem, 64 * 1024);
	rc = crypto_signer_public_pem(s, &pem);
	if (rc == 0)
		rc = crypto_hash(CRYPTO_DIGEST_SHA256, pem.data, pem.len, h);
	buf_free(&pem);
	buf_reset(out);
	return rc == -1 ? -1 : buf_append(out, h, 32);
}

/* The same for the current key, encoded once per key: every order syncs
 * the account, and OpenSSL 3.0's PEM encoder is slow to set up. */
static int
account_signer_hash(struct acme_account *a, struct buf *out)
{
	if (!a->has_signer_hash) {
		if (account_key_hash(a->signer, out) == -1)
			return -1;
		memcpy(a->signer_hash, out->data, sizeof(a->signer_hash));
		a->has_signer_hash = 1;
		return 0;
	}
	buf_reset(out);
	return buf_append(out, a->signer_hash, sizeof(a->signer_hash));
}

static int
account_contacts_hash(const struct acme_account *a, struct buf *out)
{
	unsigned char h[CRYPTO_HASH_MAX];
	struct buf cat;
	size_t i;
	int rc = 0;

	buf_init(&cat, 1024 * 1024);
	for (i = 0; i < a->cfg->ncontacts && rc == 0; i++)
		rc = buf_puts(&cat, a->cfg->contacts[i]);
	if (rc == 0)
		rc = crypto_hash(CRYPTO_DIGEST_SHA256, buf_str(&cat), cat.len,
		    h);
	buf_free(&cat);
	buf_reset(out);
	return rc == -1 ? -1 : buf_append(out, h, 32);
}

static int
account_eab_hash(const struct acme_account *a, struct buf *out)
{
	unsigned char h[CRYPTO_HASH_MAX];
	struct buf cat;
	int rc;

	buf_reset(out);
	if (!a->cfg->has_eab)
		return 0;
	buf_init(&cat, 1024 * 1024);
	rc = buf_append(&cat, a->cfg->eab_key, a->cfg->eab_keylen);
	if (rc == 0)
		rc = buf_puts(&cat, a->cfg->eab_id);
	if (rc == 0)
		rc = crypto_hash(CRYPTO_DIGEST_SHA256, cat.data, cat.len, h);
	buf_free_secure(&cat);
	return rc == -1 ? -1 : buf_append(out, h, 32);
}

static int
buf_same(const struct buf *x, const struct buf *y)
{
	return x->len == y->len && (x->len == 0 ||
	    memcmp(x->data, y->data, x->len) == 0);
}

static json_t *
account_contact_json(const struct acme_account *a)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < a->cfg->ncontacts; i++)
		if (json_array_append_new(arr,
		    json_string(a->cfg->contacts[i])) == -1) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

int
acme_account_parse(const char *body, size_t len, const char *url,
    char **orders)
{
	const char *status, *o = NULL;
	struct buf safe;
	json_t *doc;
	int rc = -1;

	if (orders != NULL)
		*orders = NULL;
	if ((doc = json_parse_object(body, len)) == NULL ||
	    json_get_string(doc, "status", 1, &status) == -1 ||
	    (orders != NULL && json_get_string(doc, "orders", 0, &o) == -1)) {
		err_prefix("%s: account", url);
		goto out;
	}
	if (strcmp(status, "valid") != 0) {
		buf_init(&safe, 128);
		json_safe_text(&safe, status, 64);
		err_set("%s: the account is %s", url, buf_str(&safe));
		buf_free(&safe);
		goto out;
	}
	if (o != NULL && (*orders = strdup(o)) == NULL) {
		err_set("out of memory");
		goto out;
	}
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

static int
account_register(struct acme_account *a, struct acme_session *s,
    struct acme_ep_record *rec, int tos_agreed)
{
	struct acme_directory *d;
	struct http_response r;
	json_t *payload = NULL, *eab;
	char *text = NULL, *orders = NULL;
	int rc = -1;

	if ((d = acme_session_directory(s)) == NULL)
		return -1;
	if (d->external_account_required && !a->cfg->has_eab) {
		acme_directory_put(d);
		return err_set("endpoint \"%s\" requires an external account "
		    "binding: set external_account.identifier and .key in "
		    "account \"%s\"", s->ep->name, a->cfg->name);
	}
	http_response_init(&r);
	/* Before the key reaches the CA (account_save_key()). */
	if (account_save_key(a) == -1)
		goto out;
	payload = json_object();
	if (payload == NULL ||
	    json_object_set_new(payload, "contact",
	    account_contact_json(a)) == -1 ||
	    json_object_set_new(payload, "termsOfServiceAgreed",
	    json_boolean(tos_agreed)) == -1 ||
	    json_object_set_new(payload, "onlyReturnExisting",
	    json_false()) == -1) {
		err_set("out of memory");
		goto out;
	}
	if (a->cfg->has_eab) {
		eab = crypto_eab_json(a->cfg->eab_alg, a->cfg->eab_key,
		    a->cfg->eab_keylen, a->cfg->eab_id, d->new_account,
		    a->signer);
		if (eab == NULL ||
		    json_object_set_new(payload, "externalAccountBinding",
		    eab) == -1)
			goto out;
	}
	if ((text = json_dump_compact(payload)) == NULL)
		goto out;
	free(s->kid);
	s->kid = NULL;
	s->signer = a->signer;
	if (acme_post(s, d->new_account, text, NULL, &r) == -1) {
		/* The CA's detail may not say where its terms are. */
		if (!tos_agreed && d->terms_of_service != NULL) {
			char saved[ERR_MSG_MAX];

			snprintf(saved, sizeof(saved), "%s", err_msg());
			err_set("%s (the CA's terms of service: %s; once read, "
			    "set tos_agreed = true in endpoint \"%s\")",
			    saved, d->terms_of_service, s->ep->name);
		}
		goto out;
	}
	if (r.location == NULL) {
		err_set("%s: no account location found", d->new_account);
		goto out;
	}
	/* The account URL is the kid of every request that follows and
	 * is kept in the account file: it must be the CA's. */
	if (acme_session_check_url(s, r.location) == -1) {
		err_prefix("%s: account location", d->new_account);
		goto out;
	}
	if (acme_account_parse(buf_str(&r.body), r.body.len, d->new_account,
	    &orders) == -1)
		goto out;
	if (orders != NULL) {
		free(rec->orders_url);
		rec->orders_url = orders;
	}
	free(rec->account_url);
	if ((rec->account_url = strdup(r.location)) == NULL ||
	    rec->orders_url == NULL) {
		err_set("out of memory");
		goto out;
	}
	rec->created = account_now();
	if (account_signer_hash(a, &rec->key_hash) == -1 ||
	    account_contacts_hash(a, &rec->contacts_hash) == -1 ||
	    account_eab_hash(a, &rec->eab_hash) == -1 ||
	    account_save(a) == -1)
		goto out;
	log_info("account \"%s\": account created on endpoint \"%s\"",
	    a->cfg->name, s->ep->name);
	rc = 0;
out:
	if (rc == -1)
		err_prefix("account \"%s\": registration on endpoint \"%s\"",
		    a->cfg->name, s->ep->name);
	free(text);
	json_decref(payload);
	http_response_free(&r);
	acme_directory_put(d);
	return rc;
}

struct account_keychange {
	const struct crypto_signer	*old_key;
	const struct crypto_signer	*new_key;
	const char			*account_url;
};

static int
account_keychange_body(void *arg, const char *url, const char *nonce,
    struct buf *out)
{
	struct account_keychange *k = arg;

	return crypto_jws_key_change(k->old_key, k->new_key, k->account_url,
	    url, nonce, out);
}

static int
account_rollover(struct acme_account *a, struct acme_session *s,
    struct acme_ep_record *rec)
{
	struct account_keychange kc;
	struct crypto_signer *old = NULL;
	struct acme_directory *d = NULL;
	struct http_response r;
	struct buf h;
	size_t i;
	int rc = -1;

	buf_init(&h, 64);
	http_response_init(&r);
	/* The key a reload made is in memory only when its take-over could
	 * not save it (runtime_take_over()): account_save_key(). */
	if (account_save_key(a) == -1)
		goto out;
	/* The old key is the past key whose hash the endpoint knows. */
	for (i = a->file.npast; i-- > 0 && old == NULL; ) {
		struct crypto_signer *cand;

		cand = account_record_signer(&a->file.past[i]);
		if (cand == NULL)
			continue;
		if (account_key_hash(cand, &h) == 0 &&
		    buf_same(&h, &rec->key_hash))
			old = cand;
		else
			crypto_signer_free(cand);
	}
	if (old == NULL) {
		err_set("key not found: none of the past keys is the one "
		    "the endpoint knows");
		goto out;
	}
	if ((d = acme_session_directory(s)) == NULL)
		goto out;
	if (d->key_change == NULL) {
		err_set("%s: the directory has no keyChange: the account key "
		    "cannot be changed", s->ep->url);
		goto out;
	}
	kc.old_key = old;
	kc.new_key = a->signer;
	kc.account_url = rec->account_url;
	s->signer = old;
	if (acme_post_body(s, d->key_change, account_keychange_body, &kc,
	    NULL, &r) == -1)
		goto out;
	if (account_signer_hash(a, &rec->key_hash) == -1 ||
	    account_save(a) == -1)
		goto out;
	log_info("account \"%s\": account key updated on endpoint \"%s\"",
	    a->cfg->name, s->ep->name);
	rc = 0;
out:
	s->signer = a->signer;
	if (rc == -1)
		err_prefix("account \"%s\": key rollover on endpoint \"%s\"",
		    a->cfg->name, s->ep->name);
	crypto_signer_free(old);
	acme_directory_put(d);
	http_response_free(&r);
	buf_free(&h);
	return rc;
}

static int
account_update_contacts(struct acme_account *a, struct acme_session *s,
    struct acme_ep_record *rec)
{
	struct http_response r;
	json_t *payload;
	char *text = NULL;
	int rc = -1;

	http_response_init(&r);
	payload = json_object();
	if (payload == NULL || json_object_set_new(payload, "contact",
	    account_contact_json(a)) == -1 ||
	    (text = json_dump_compact(payload)) == NULL) {
		err_set("out of memory");
		goto out;
	}
	if (acme_post(s, rec->account_url, text, NULL, &r) == -1 ||
	    acme_account_parse(buf_str(&r.body), r.body.len,
	    rec->account_url, NULL) == -1 ||
	    account_contacts_hash(a, &rec->contacts_hash) == -1 ||
	    account_save(a) == -1)
		goto out;
	log_info("account \"%s\": contacts updated on endpoint \"%s\"",
	    a->cfg->name, s->ep->name);
	rc = 0;
out:
	if (rc == -1)
		err_prefix("account \"%s\": contact update on endpoint \"%s\"",
		    a->cfg->name, s->ep->name);
	free(text);
	json_decref(payload);
	http_response_free(&r);
	return rc;
}

/* After a rollover the CA refused: does it know the current key already,
 * for this account?  (The rollover went through, but the account file
 * could not be saved: the CA no longer takes the old key, and every
 * rollover after that failed.)  newAccount with onlyReturnExisting
 * answers without creating anything.  0 and the file saved when it does;
 * -1 otherwise, err untouched. */
static int
account_key_known(struct acme_account *a, struct acme_session *s,
    struct acme_ep_record *rec)
{
	struct acme_directory *d;
	struct http_response r;
	char saved[ERR_MSG_MAX], *kid = s->kid;
	int rc = -1;

	snprintf(saved, sizeof(saved), "%s", err_msg());
	if ((d = acme_session_directory(s)) == NULL)
		goto out;
	http_response_init(&r);
	s->kid = NULL;
	s->signer = a->signer;
	if (acme_post(s, d->new_account, "{\"onlyReturnExisting\":true}",
	    NULL, &r) == 0 && r.location != NULL &&
	    strcmp(r.location, rec->account_url) == 0 &&
	    account_signer_hash(a, &rec->key_hash) == 0 &&
	    account_save(a) == 0) {
		log_info("account \"%s\": endpoint \"%s\" already knows the "
		    "new account key", a->cfg->name, s->ep->name);
		rc = 0;
	}
	http_response_free(&r);
	acme_directory_put(d);
out:
	s->kid = kid;
	if (rc == -1)
		err_set("%s", saved);
	return rc;
}

static int
account_sync_locked(struct acme_account *a, struct acme_session *s,
    int tos_agreed, int force)
{
	struct acme_ep_record *rec;
	struct buf h;
	int rc = -1, gone;

	buf_init(&h, 64);
	if ((rec = acme_account_file_endpoint(&a->file, s->ep->name)) == NULL)
		goto out;
	s->signer = a->signer;
	if (force || rec->account_url[0] == '\0')
		goto reg;
	if (account_eab_hash(a, &h) == -1)
		goto out;
	if (a->cfg->has_eab && !buf_same(&h, &rec->eab_hash)) {
		log_info("account \"%s\": external account changed on "
		    "endpoint \"%s\"", a->cfg->name, s->ep->name);
		goto reg;
	}
	free(s->kid);
	if ((s->kid = strdup(rec->account_url)) == NULL) {
		err_set("out of memory");
		goto out;
	}
	/* The rollover first: the contact update must be signed by the
	 * key the server knows. */
	if (account_signer_hash(a, &h) == -1)
		goto out;
	if (!buf_same(&h, &rec->key_hash) &&
	    account_rollover(a, s, rec) == -1) {
		if (s->problem.type == ACME_ERR_accountDoesNotExist)
			goto dropped;
		/* Refused by the CA: maybe a rollover of ours it took. */
		if (s->problem.type == ACME_ERR_NONE ||
		    account_key_known(a, s, rec) == -1)
			goto out;
	}
	if (account_contacts_hash(a, &h) == -1)
		goto out;
	if (!buf_same(&h, &rec->contacts_hash) &&
	    account_update_contacts(a, s, rec) == -1) {
		/* Refused by the CA (invalidContact...): the account still
		 * works, and the next renewal tries the update again. */
		if (s->problem.type == ACME_ERR_NONE ||
		    s->problem.type == ACME_ERR_accountDoesNotExist)
			goto dropped;
		log_warn("%s; the account is used as it is", err_msg());
	}
	rc = 0;
	goto out;
dropped:
	gone = s->problem.type == ACME_ERR_accountDoesNotExist;
	if (!gone)
		goto out;
	log_debug("account \"%s\": account has been dropped by endpoint "
	    "\"%s\"", a->cfg->name, s->ep->name);
reg:
	if (account_register(a, s, rec, tos_agreed) == 0) {
		free(s->kid);
		if ((s->kid = strdup(rec->account_url)) == NULL)
			err_set("out of memory");
		else
			rc = 0;
	}
out:
	buf_free(&h);
	return rc;
}

int
acme_account_sync(struct acme_account *a, struct acme_session *s,
    int tos_agreed, int force)
{
	int rc;

	pthread_mutex_lock(&a->mu);
	rc = account_sync_locked(a, s, tos_agreed, force);
	pthread_mutex_unlock(&a->mu);
	return rc;
}

int
acme_account_same_registration(struct acme_account *a, const char *ep1,
    const char *ep2)
{
	const char *u1 = NULL, *u2 = NULL;
	size_t i;
	int same;

	pthread_mutex_lock(&a->mu);
	for (i = 0; i < a->file.neps; i++) {
		if (strcmp(a->file.eps[i].name, ep1) == 0)
			u1 = a->file.eps[i].account_url;
		if (strcmp(a->file.eps[i].name, ep2) == 0)
			u2 = a->file.eps[i].account_url;
	}
	same = u1 != NULL && u2 != NULL && *u1 != '\0' && strcmp(u1, u2) == 0;
	pthread_mutex_unlock(&a->mu);
	return same;
}

int
acme_account_deactivate(struct acme_account *a, struct acme_session *s)
{
	struct acme_ep_record *rec;
	struct http_response r;
	int rc = -1;

	http_response_init(&r);
	pthread_mutex_lock(&a->mu);
	if ((rec = acme_account_file_endpoint(&a->file, s->ep->name)) == NULL)
		goto out;
	if (rec->account_url[0] == '\0') {
		err_set("account \"%s\" is not registered on endpoint \"%s\"",
		    a->cfg->name, s->ep->name);
		goto out;
	}
	free(s->kid);
	s->signer = a->signer;
	if ((s->kid = strdup(rec->account_url)) == NULL) {
		err_set("out of memory");
		goto out;
	}
	if (acme_post(s, rec->account_url, "{\"status\":\"deactivated\"}",
	    NULL, &r) == -1)
		goto out;
	free(rec->account_url);
	rec->account_url = strdup("");
	buf_reset(&rec->key_hash);
	buf_reset(&rec->contacts_hash);
	buf_reset(&rec->eab_hash);
	if (rec->account_url == NULL || account_save(a) == -1)
		goto out;
	log_info("account \"%s\": deactivated on endpoint \"%s\"",
	    a->cfg->name, s->ep->name);
	rc = 0;
out:
	pthread_mutex_unlock(&a->mu);
	http_response_free(&r);
	return rc;
}
