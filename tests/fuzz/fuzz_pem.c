/*
 * fuzz_pem.c - libFuzzer target for the PEM the daemon reads: the
 * certificate chain a CA returns (crypto_chain_split, then
 * crypto_cert_info_pem on each certificate; crypto_chain_clean, whose
 * output must clean to itself), and key files (crypto_key_from_pem).  The
 * same input goes to all.
 *
 * Any input must give a result or an error message, never a crash, a
 * leak or a read past the input.  What parses must be usable: every
 * certificate of a split chain parses again, its information is
 * consistent, and a key that loads exports in every form the daemon
 * writes and loads back as the same key.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cert.h"
#include "crypto/key.h"
#include "util/buf.h"
#include "util/err.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_info(const struct crypto_cert_info *ci)
{
	size_t i;

	assert(ci->serial != NULL && ci->issuer != NULL &&
	    ci->subject != NULL);
	for (i = 0; i < ci->n_dns; i++)
		assert(ci->dns[i] != NULL);
	for (i = 0; i < ci->n_ips; i++)
		assert(ci->ips[i] != NULL);
	assert((ci->ari_id != NULL) == (ci->aki.len > 0));
}

static void
fuzz_chain(const uint8_t *data, size_t size)
{
	struct crypto_cert_info ci;
	struct crypto_chain c;
	size_t i;

	if (crypto_chain_split(data, size, &c) == 0) {
		assert(c.n >= 1 && c.n <= CRYPTO_CHAIN_MAX);
		for (i = 0; i < c.n; i++) {
			memset(&ci, 0, sizeof(ci));
			/* OpenSSL re-encoded it: it must parse again. */
			if (crypto_cert_info_pem(c.pem[i], strlen(c.pem[i]),
			    &ci) == 0)
				check_info(&ci);
			crypto_cert_info_free(&ci);
		}
	} else
		assert(err_msg()[0] != '\0');
	crypto_chain_free(&c);
	crypto_chain_free(&c);
}

static void
fuzz_clean(const uint8_t *data, size_t size)
{
	struct buf out, again;

	buf_init(&out, 1u << 20);
	buf_init(&again, 1u << 20);
	if (crypto_chain_clean(data, size, &out) == 0) {
		assert(out.len > 0);
		assert(crypto_chain_clean(out.data, out.len, &again) == 0);
		assert(again.len == out.len &&
		    memcmp(again.data, out.data, out.len) == 0);
	} else
		assert(err_msg()[0] != '\0');
	buf_free(&out);
	buf_free(&again);
}

static struct crypto_key *
fuzz_key(const uint8_t *data, size_t size)
{
	struct crypto_key *k, *k2;
	struct buf pem, der, pub;

	if ((k = crypto_key_from_pem(data, size)) == NULL) {
		assert(err_msg()[0] != '\0');
		return NULL;
	}
	assert(crypto_key_is_private(k));
	buf_init(&pem, BUF_MAX_DEFAULT);
	buf_init(&der, BUF_MAX_DEFAULT);
	buf_init(&pub, BUF_MAX_DEFAULT);
	(void)crypto_key_public_pem(k, &pub);
	if (crypto_key_to_pem(k, &pem) == 0 &&
	    (k2 = crypto_key_from_pem(pem.data, pem.len)) != NULL) {
		assert(crypto_key_get_type(k2) == crypto_key_get_type(k));
		/* "Not the same" is also what a comparison that ran out of
		 * memory says (tests/unit/failalloc.sh): then the public
		 * halves, as far as they export, must agree. */
		if (!crypto_key_same_public(k, k2)) {
			struct buf pub2;

			buf_init(&pub2, BUF_MAX_DEFAULT);
			if (pub.len > 0 && crypto_key_public_pem(k2, &pub2) == 0)
				assert(pub2.len == pub.len &&
				    memcmp(pub2.data, pub.data, pub.len) == 0);
			buf_free(&pub2);
		}
		crypto_key_free(k2);
	}
	if (crypto_key_to_der(k, &der) == 0 &&
	    (k2 = crypto_key_from_der(der.data, der.len)) != NULL) {
		assert(crypto_key_get_type(k2) == crypto_key_get_type(k));
		crypto_key_free(k2);
	}
	buf_free_secure(&pem);
	buf_free_secure(&der);
	buf_free(&pub);
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct crypto_key *fixed;
	struct crypto_cert_info ci;
	struct crypto_key *k;
	uint8_t *copy;

	/* An exact-size copy, so that ASan catches any read past the end. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(copy, data, size);
	fuzz_chain(copy, size);
	fuzz_clean(copy, size);
	memset(&ci, 0, sizeof(ci));
	if (crypto_cert_info_pem(copy, size, &ci) == 0)
		check_info(&ci);
	crypto_cert_info_free(&ci);
	/* The key check's byte comparison, against a key of our own. */
	if (fixed == NULL)
		fixed = crypto_key_generate(CRYPTO_KEY_ECDSA_P256);
	if (fixed != NULL)
		(void)crypto_cert_check_key(copy, size, fixed);
	if ((k = fuzz_key(copy, size)) != NULL) {
		/* A key and a certificate in one file: does it match? */
		(void)crypto_cert_check_key(copy, size, k);
		crypto_key_free(k);
	}
	free(copy);
	return 0;
}
