/*
 * key.c - the life of a private key: generation, recognising which of the
 * seven supported types a key is, comparing public halves, freeing.  The
 * file formats are in key_pem.c and key_der.c.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "crypto/intern.h"
#include "crypto/key.h"
#include "util/err.h"

/* The key type of an EC key, from the name of its curve. */
static int
ec_key_type(EVP_PKEY *pkey, enum crypto_key_type *t)
{
	char name[80];
	size_t len;
	int nid;

	/* A key with explicit curve parameters has no name. */
	if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len) != 1)
		return err_set("unsupported EC key");
	nid = OBJ_sn2nid(name);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(name);
	switch (nid) {
	case NID_X9_62_prime256v1:
		*t = CRYPTO_KEY_ECDSA_P256;
		return 0;
	case NID_secp384r1:
		*t = CRYPTO_KEY_ECDSA_P384;
		return 0;
	case NID_secp521r1:
		*t = CRYPTO_KEY_ECDSA_P521;
		return 0;
	default:
		return err_set("unsupported EC key");
	}
}

struct crypto_key *
crypto_key_wrap(EVP_PKEY *pkey, int has_private)
{
	enum crypto_key_type t = CRYPTO_KEY_RSA2048;
	struct crypto_key *k = NULL;
	int bits;

	if (EVP_PKEY_is_a(pkey, "RSA")) {
		bits = EVP_PKEY_get_bits(pkey);
		if (bits == 2048)
			t = CRYPTO_KEY_RSA2048;
		else if (bits == 4096)
			t = CRYPTO_KEY_RSA4096;
		else {
			err_set("%d: unsupported RSA key size", bits);
			goto fail;
		}
	} else if (EVP_PKEY_is_a(pkey, "EC")) {
		if (ec_key_type(pkey, &t) == -1)
			goto fail;
	} else if (EVP_PKEY_is_a(pkey, "ED25519"))
		t = CRYPTO_KEY_ED25519;
	else if (EVP_PKEY_is_a(pkey, "ED448"))
		t = CRYPTO_KEY_ED448;
	else {
		err_set("unsupported key type: %s",
		    EVP_PKEY_get0_type_name(pkey) != NULL ?
		    EVP_PKEY_get0_type_name(pkey) : "unknown");
		goto fail;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		err_set("out of memory");
		goto fail;
	}
	k->pkey = pkey;
	k->type = t;
	k->has_private = has_private;
	return k;
fail:
	EVP_PKEY_free(pkey);
	return NULL;
}

/*
 * The domain parameters of each curve, made once and never freed: a key
 * generated from them skips building the curve's group from its name
 * (callgrind: 310 k -> 177 k instructions per P-256 key).  Read-only once
 * made, so the workers share them; made again after a failure.
 */
static pthread_mutex_t ec_params_lock = PTHREAD_MUTEX_INITIALIZER;
static EVP_PKEY *ec_params[3];

static EVP_PKEY *
ec_params_get(int i, const char *curve)
{
	OSSL_PARAM params[2];
	EVP_PKEY_CTX *c;
	EVP_PKEY *p;

	pthread_mutex_lock(&ec_params_lock);
	if ((p = ec_params[i]) == NULL) {
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_PKEY_PARAM_GROUP_NAME, (char *)(uintptr_t)curve, 0);
		params[1] = OSSL_PARAM_construct_end();
		if ((c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
		    EVP_PKEY_paramgen_init(c) != 1 ||
		    EVP_PKEY_CTX_set_params(c, params) != 1 ||
		    EVP_PKEY_paramgen(c, &p) != 1)
			p = NULL;
		EVP_PKEY_CTX_free(c);
		ec_params[i] = p;
	}
	pthread_mutex_unlock(&ec_params_lock);
	return p;
}

static EVP_PKEY *
ec_generate(int i, const char *curve)
{
	EVP_PKEY *params, *k = NULL;
	EVP_PKEY_CTX *c;

	if ((params = ec_params_get(i, curve)) == NULL)
		return NULL;
	if ((c = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(c) != 1 || EVP_PKEY_generate(c, &k) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(c);
	return k;
}

struct crypto_key *
crypto_key_generate(enum crypto_key_type t)
{
	struct crypto_key_spki spki;
	struct crypto_key *k;
	EVP_PKEY *pkey = NULL;

	switch (t) {
	case CRYPTO_KEY_RSA2048:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		break;
	case CRYPTO_KEY_RSA4096:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
		break;
	case CRYPTO_KEY_ECDSA_P256:
		pkey = ec_generate(0, "P-256");
		break;
	case CRYPTO_KEY_ECDSA_P384:
		pkey = ec_generate(1, "P-384");
		break;
	case CRYPTO_KEY_ECDSA_P521:
		pkey = ec_generate(2, "P-521");
		break;
	case CRYPTO_KEY_ED25519:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case CRYPTO_KEY_ED448:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
		break;
	}
	if (pkey == NULL) {
		crypto_ossl_err("cannot generate a %s key",
		    crypto_key_type_name(t));
		return NULL;
	}
	if ((k = crypto_key_wrap(pkey, 1)) == NULL)
		return NULL;
	switch (crypto_key_public_octets(k, &spki)) {
	case 0:
		memcpy(k->pub, spki.octets, spki.len);
		k->publen = spki.len;
		OPENSSL_free(spki.octets);
		break;
	case -1:
		/* None kept: read when needed, or fail then. */
		ERR_clear_error();
		err_clear();
		break;
	}
	return k;
}

int
crypto_secret_put(struct buf *out, const void *p, size_t n)
{
	if (out->len != 0)
		return err_set("internal error: a buffer for key material "
		    "must be empty");
	return buf_append(out, p, n);
}

int
crypto_key_public_pem(const struct crypto_key *k, struct buf *out)
{
	BIO *bio = NULL;
	char *data;
	long len;
	int rc = -1;

	if ((bio = BIO_new(BIO_s_mem())) == NULL) {
		crypto_ossl_err("cannot export the public key");
		goto out;
	}
	if (PEM_write_bio_PUBKEY(bio, k->pkey) != 1) {
		crypto_ossl_err("cannot export the public key");
		goto out;
	}
	len = BIO_get_mem_data(bio, &data);
	if (len <= 0) {
		crypto_ossl_err("cannot export the public key");
		goto out;
	}
	rc = buf_append(out, data, (size_t)len);
out:
	BIO_free(bio);
	return rc;
}

int
crypto_key_public_octets(const struct crypto_key *k,
    struct crypto_key_spki *out)
{
	const char *param = OSSL_PKEY_PARAM_PUB_KEY;
	size_t len = 0;

	memset(out, 0, sizeof(*out));
	out->curve = NID_undef;
	switch (k->type) {
	case CRYPTO_KEY_ECDSA_P256:
		out->curve = NID_X9_62_prime256v1;
		break;
	case CRYPTO_KEY_ECDSA_P384:
		out->curve = NID_secp384r1;
		break;
	case CRYPTO_KEY_ECDSA_P521:
		out->curve = NID_secp521r1;
		break;
	case CRYPTO_KEY_ED25519:
		out->alg = NID_ED25519;
		break;
	case CRYPTO_KEY_ED448:
		out->alg = NID_ED448;
		break;
	default:
		return 1;
	}
	if (out->curve != NID_undef) {
		out->alg = NID_X9_62_id_ecPublicKey;
		/* The X9.62 point. */
		param = OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY;
	}
	if (k->publen > 0) {
		if ((out->octets = OPENSSL_memdup(k->pub, k->publen)) == NULL)
			return err_set("out of memory");
		out->len = k->publen;
		return 0;
	}
	/* One call into a buffer large enough for any of these keys: asking
	 * for the size first costs a call through the provider. */
	if ((out->octets = OPENSSL_malloc(CRYPTO_KEY_PUB_MAX)) == NULL ||
	    EVP_PKEY_get_octet_string_param(k->pkey, param, out->octets,
	    CRYPTO_KEY_PUB_MAX, &len) != 1 || len == 0) {
		OPENSSL_free(out->octets);
		out->octets = NULL;
		return crypto_ossl_err("cannot read the public key");
	}
	out->len = len;
	return 0;
}

enum crypto_key_type
crypto_key_get_type(const struct crypto_key *k)
{
	return k->type;
}

int
crypto_key_is_private(const struct crypto_key *k)
{
	return k->has_private;
}

int
crypto_key_same_public(const struct crypto_key *a,
    const struct crypto_key *b)
{
	int r = EVP_PKEY_eq(a->pkey, b->pkey);

	/* Keys of different types compare as an error: not equal. */
	ERR_clear_error();
	return r == 1;
}

void
crypto_key_free(struct crypto_key *k)
{
	if (k == NULL)
		return;
	/* OpenSSL wipes the private key when the last reference goes. */
	EVP_PKEY_free(k->pkey);
	free(k);
}
