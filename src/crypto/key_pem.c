/*
 * key_pem.c - private keys in PEM: the PKCS#8 key files ACMEd writes, and
 * any PEM private key an administrator puts in place of one.
 */
#include <limits.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "crypto/intern.h"
#include "crypto/key.h"
#include "util/err.h"

/* Called by OpenSSL only for an encrypted key: refuse instead of letting
 * the default callback prompt on the terminal. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(int *)u = 1;
	return -1;
}

struct crypto_key *
crypto_key_from_pem(const void *pem, size_t len)
{
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	int encrypted = 0;

	ERR_clear_error();
	if (len > INT_MAX) {
		err_set("PEM data too large");
		return NULL;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		crypto_ossl_err("cannot read the private key");
		return NULL;
	}
	pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, no_passphrase,
	    &encrypted, NULL, NULL);
	BIO_free(bio);
	if (pkey == NULL) {
		if (encrypted) {
			ERR_clear_error();
			err_set("encrypted private keys are not supported");
		} else
			crypto_ossl_err("no private key found in the PEM data");
		return NULL;
	}
	/* Formats tried and rejected on the way leave errors behind. */
	ERR_clear_error();
	return crypto_key_wrap(pkey, 1);
}

int
crypto_key_to_pem(const struct crypto_key *k, struct buf *out)
{
	BIO *bio = NULL;
	char *data;
	long len;
	int rc = -1;

	if (!k->has_private) {
		err_set("no private key to export");
		goto out;
	}
	/* A secure-heap BIO: the PEM text is wiped when the BIO goes. */
	if ((bio = BIO_new(BIO_s_secmem())) == NULL ||
	    PEM_write_bio_PKCS8PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL,
	    NULL) != 1) {
		crypto_ossl_err("cannot export the private key");
		goto out;
	}
	if ((len = BIO_get_mem_data(bio, &data)) <= 0) {
		crypto_ossl_err("cannot export the private key");
		goto out;
	}
	rc = crypto_secret_put(out, data, (size_t)len);
out:
	BIO_free(bio);
	return rc;
}
