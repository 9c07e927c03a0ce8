/*
 * ecdsa_sig.c - ECDSA signatures between OpenSSL's DER (ECDSA-Sig-Value)
 * and JWS's fixed-size r||s (RFC 7518 section 3.4).  A DER signature is
 * shorter when r or s has leading zero bytes, which is why JWS pads each
 * to the field size: 32, 48 or 66 bytes.
 */
#include <limits.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "crypto/intern.h"
#include "util/err.h"

size_t
crypto_ecdsa_field_size(enum crypto_key_type t)
{
	switch (t) {
	case CRYPTO_KEY_ECDSA_P256:
		return 32;
	case CRYPTO_KEY_ECDSA_P384:
		return 48;
	case CRYPTO_KEY_ECDSA_P521:
		return 66;
	default:
		return 0;
	}
}

int
crypto_ecdsa_der_to_raw(const unsigned char *der, size_t len, size_t field,
    struct buf *out)
{
	unsigned char raw[2 * 66];
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *sig = NULL;
	int rc = -1;

	if (field == 0 || field > 66 || len > LONG_MAX) {
		err_set("internal error: bad ECDSA signature size");
		goto out;
	}
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL) {
		crypto_ossl_err("cannot decode the ECDSA signature");
		goto out;
	}
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, raw, (int)field) < 0 ||
	    BN_bn2binpad(s, raw + field, (int)field) < 0) {
		err_set("ECDSA signature larger than the curve");
		goto out;
	}
	rc = buf_append(out, raw, 2 * field);
out:
	ECDSA_SIG_free(sig);
	return rc;
}

int
crypto_ecdsa_raw_to_der(const unsigned char *raw, size_t len, size_t field,
    unsigned char **der, size_t *derlen)
{
	BIGNUM *r = NULL, *s = NULL;
	ECDSA_SIG *sig = NULL;
	int n, rc = -1;

	*der = NULL;
	if (field == 0 || len != 2 * field) {
		err_set("bad ECDSA signature length %zu (expected %zu)", len,
		    2 * field);
		goto out;
	}
	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(raw, (int)field, NULL)) == NULL ||
	    (s = BN_bin2bn(raw + field, (int)field, NULL)) == NULL ||
	    ECDSA_SIG_set0(sig, r, s) != 1) {
		crypto_ossl_err("cannot encode the ECDSA signature");
		goto out;
	}
	r = s = NULL;	/* owned by sig */
	if ((n = i2d_ECDSA_SIG(sig, der)) <= 0) {
		*der = NULL;
		crypto_ossl_err("cannot encode the ECDSA signature");
		goto out;
	}
	*derlen = (size_t)n;
	rc = 0;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return rc;
}
