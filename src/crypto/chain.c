/*
 * chain.c - splitting the PEM chain a CA returns into certificates.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/cert.h"
#include "crypto/intern.h"
#include "util/err.h"

/* The PEM text of one certificate, allocated. */
static char *
cert_pem(const unsigned char *der, long len)
{
	const unsigned char *p = der;
	BIO *bio = NULL;
	X509 *x = NULL;
	char *data, *s = NULL;
	long n;

	if ((x = d2i_X509(NULL, &p, len)) == NULL || p != der + len) {
		crypto_ossl_err("invalid certificate in the chain");
		goto out;
	}
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_X509(bio, x) != 1 ||
	    (n = BIO_get_mem_data(bio, &data)) <= 0) {
		crypto_ossl_err("cannot encode a certificate");
		goto out;
	}
	if ((s = strndup(data, (size_t)n)) == NULL)
		err_set("out of memory");
out:
	BIO_free(bio);
	X509_free(x);
	return s;
}

int
crypto_pem_next_cert(BIO *bio, size_t n, unsigned char **der, long *len)
{
	char *name = NULL, *header = NULL;
	int rc = 1;

	*der = NULL;
	ERR_clear_error();
	if (PEM_read_bio(bio, &name, &header, der, len) != 1) {
		/* "No start line" is the normal end of the data. */
		if (ERR_GET_REASON(ERR_peek_last_error()) ==
		    PEM_R_NO_START_LINE) {
			ERR_clear_error();
			return 0;
		}
		return crypto_ossl_err("invalid PEM data in the certificate "
		    "chain");
	}
	if (strcmp(name, PEM_STRING_X509) != 0) {
		rc = err_set("a block that is not a certificate in the "
		    "certificate chain, after %zu certificate%s: only "
		    "certificates may be", n, n == 1 ? "" : "s");
		OPENSSL_free(*der);
		*der = NULL;
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	return rc;
}

int
crypto_chain_split(const void *pem, size_t len, struct crypto_chain *out)
{
	char *text, **v;
	unsigned char *der = NULL;
	BIO *bio = NULL;
	long derlen;
	int rc = -1, got;

	out->pem = NULL;
	out->n = 0;
	if (len > INT_MAX) {
		err_set("PEM data too large");
		goto out;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		crypto_ossl_err("cannot read the certificate chain");
		goto out;
	}
	while ((got = crypto_pem_next_cert(bio, out->n, &der, &derlen)) == 1) {
		if (out->n == CRYPTO_CHAIN_MAX) {
			err_set("more than %d certificates in the chain",
			    CRYPTO_CHAIN_MAX);
			goto out;
		}
		if ((text = cert_pem(der, derlen)) == NULL)
			goto out;
		if ((v = reallocarray(out->pem, out->n + 1,
		    sizeof(*v))) == NULL) {
			free(text);
			err_set("out of memory");
			goto out;
		}
		out->pem = v;
		v[out->n++] = text;
		OPENSSL_free(der);
		der = NULL;
	}
	if (got == -1)
		goto out;
	if (out->n == 0) {
		err_set("no certificate found in the PEM data");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_free(der);
	BIO_free(bio);
	return rc;
}

void
crypto_chain_free(struct crypto_chain *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		free(c->pem[i]);
	free(c->pem);
	c->pem = NULL;
	c->n = 0;
}

int
crypto_chain_top_issuer(const void *pem, size_t len, char *cn, size_t n)
{
	struct crypto_chain c;
	X509 *x = NULL;
	BIO *bio = NULL;
	int rc = -1;

	cn[0] = '\0';
	if (crypto_chain_split(pem, len, &c) == -1)
		return -1;
	if ((bio = BIO_new_mem_buf(c.pem[c.n - 1], -1)) == NULL ||
	    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
		crypto_ossl_err("cannot read the chain's last certificate");
		goto out;
	}
	if (X509_NAME_get_text_by_NID(X509_get_issuer_name(x),
	    NID_commonName, cn, (int)n) < 0)
		cn[0] = '\0';
	ERR_clear_error();
	rc = 0;
out:
	X509_free(x);
	BIO_free(bio);
	crypto_chain_free(&c);
	return rc;
}
