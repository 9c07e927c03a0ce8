/*
 * key_pem.c - private keys in PEM: the PKCS#8 key files ACMEd writes, and
 * any PEM private key an administrator puts in place of one.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/asn1t.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/intern.h"
#include "crypto/key.h"
#include "util/b64url.h"
#include "util/buf.h"
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

/* Big-endian bytes to the machine's order of OSSL_PARAM integers, or
 * back (the same swap). */
static void
bn_byte_order(unsigned char *out, const unsigned char *in, size_t n)
{
	const union { uint16_t u; unsigned char c; } one = { 1 };
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = one.c ? in[n - 1 - i] : in[i];
}

/*
 * Key files of EC and EdDSA keys, read from their values: OpenSSL 3.0's
 * decoders try every format they know for each file, which made reading
 * the keys of 10,000 certificates at start-up take seconds.  Only the
 * unencrypted PKCS#8 that this file and OpenSSL write is read here: EC
 * with a named curve and its public key (RFC 5915), EdDSA (RFC 8410).
 * Anything else, and anything odd in these, goes to OpenSSL.
 */
typedef struct {
	ASN1_INTEGER		*version;
	ASN1_OCTET_STRING	*priv;
	ASN1_OBJECT		*curve;		/* [0], absent in PKCS#8 */
	ASN1_BIT_STRING		*pub;		/* [1] */
} EC_PRIV;

ASN1_SEQUENCE(EC_PRIV) = {
	ASN1_SIMPLE(EC_PRIV, version, ASN1_INTEGER),
	ASN1_SIMPLE(EC_PRIV, priv, ASN1_OCTET_STRING),
	ASN1_EXP_OPT(EC_PRIV, curve, ASN1_OBJECT, 0),
	ASN1_EXP_OPT(EC_PRIV, pub, ASN1_BIT_STRING, 1)
} static_ASN1_SEQUENCE_END(EC_PRIV)

static EVP_PKEY *
ec_from_values(int curve, const unsigned char *der, int len)
{
	const unsigned char *p = der, *priv;
	unsigned char native[66], point[CRYPTO_KEY_PUB_MAX];
	char group[32];
	OSSL_PARAM params[4];
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	ASN1_OCTET_STRING *secret;
	EC_PRIV *e;
	int plen, publen;

	if ((e = (EC_PRIV *)ASN1_item_d2i(NULL, &p, len,
	    ASN1_ITEM_rptr(EC_PRIV))) == NULL)
		return NULL;
	plen = ASN1_STRING_length(e->priv);
	priv = ASN1_STRING_get0_data(e->priv);
	publen = e->pub != NULL ? ASN1_STRING_length(e->pub) : 0;
	/* An uncompressed point only: OpenSSL would keep the form of
	 * another, which fromdata does not. */
	if (p == der + len && ASN1_INTEGER_get(e->version) == 1 &&
	    publen > 0 && (size_t)publen <= sizeof(point) &&
	    ASN1_STRING_get0_data(e->pub)[0] == 0x04 &&
	    (e->curve == NULL || OBJ_obj2nid(e->curve) == curve) &&
	    plen > 0 && (size_t)plen <= sizeof(native) &&
	    OBJ_nid2sn(curve) != NULL && snprintf(group, sizeof(group), "%s",
	    OBJ_nid2sn(curve)) < (int)sizeof(group) &&
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) != NULL) {
		bn_byte_order(native, priv, (size_t)plen);
		memcpy(point, ASN1_STRING_get0_data(e->pub), (size_t)publen);
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
		params[1] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY,
		    native, (size_t)plen);
		params[2] = OSSL_PARAM_construct_octet_string(
		    OSSL_PKEY_PARAM_PUB_KEY, point, (size_t)publen);
		params[3] = OSSL_PARAM_construct_end();
		if (EVP_PKEY_fromdata_init(ctx) != 1 ||
		    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR,
		    params) != 1)
			pkey = NULL;
		OPENSSL_cleanse(native, sizeof(native));
	}
	EVP_PKEY_CTX_free(ctx);
	ctx = NULL;
	/* The file carries the public key beside the private one: they
	 * must belong together (a damaged scalar is left to OpenSSL, which
	 * reads it without this check). */
	if (pkey != NULL && ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey,
	    NULL)) == NULL || EVP_PKEY_pairwise_check(ctx) != 1)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	secret = e->priv;
	e->priv = NULL;
	ASN1_STRING_clear_free(secret);
	ASN1_item_free((ASN1_VALUE *)e, ASN1_ITEM_rptr(EC_PRIV));
	return pkey;
}

static EVP_PKEY *
eddsa_from_values(int nid, const unsigned char *der, int len)
{
	const unsigned char *p = der;
	ASN1_OCTET_STRING *s;
	EVP_PKEY *pkey = NULL;

	if ((s = d2i_ASN1_OCTET_STRING(NULL, &p, len)) == NULL)
		return NULL;
	if (p == der + len)
		pkey = EVP_PKEY_new_raw_private_key_ex(NULL,
		    nid == NID_ED25519 ? "ED25519" : "ED448", NULL,
		    ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
	ASN1_STRING_clear_free(s);
	return pkey;
}

static EVP_PKEY *
pkcs8_from_values(const unsigned char *der, size_t len)
{
	const unsigned char *p = der, *pk;
	const ASN1_OBJECT *alg;
	const X509_ALGOR *palg;
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY *pkey = NULL;
	const void *pval;
	int pklen, ptype, nid;

	if ((p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len)) == NULL)
		return NULL;
	if (p == der + len &&
	    PKCS8_pkey_get0(&alg, &pk, &pklen, &palg, p8) == 1) {
		X509_ALGOR_get0(NULL, &ptype, &pval, palg);
		nid = OBJ_obj2nid(alg);
		if (nid == NID_X9_62_id_ecPublicKey && ptype == V_ASN1_OBJECT)
			pkey = ec_from_values(OBJ_obj2nid(pval), pk, pklen);
		else if ((nid == NID_ED25519 || nid == NID_ED448) &&
		    ptype == V_ASN1_UNDEF)
			pkey = eddsa_from_values(nid, pk, pklen);
	}
	/* Frees with the key bytes wiped. */
	PKCS8_PRIV_KEY_INFO_free(p8);
	return pkey;
}

/* The DER of the PEM block at the start of pem, written as this file and
 * OpenSSL write it: lines of at most 64 base64 characters, none empty,
 * then the end marker alone on its line; anything else is left to
 * OpenSSL.  Decoded here, not by EVP_Decode*, whose context keeps a
 * block of the key where it cannot be wiped. */
static int
pem_block_der(const char *pem, size_t len, struct buf *der)
{
	static const char begin[] = "-----BEGIN PRIVATE KEY-----\n";
	static const char end[] = "-----END PRIVATE KEY-----";
	char b64[1280];		/* EC P-521 and Ed448 keys take < 400 */
	size_t i = sizeof(begin) - 1, e = sizeof(end) - 1, n = 0, line = 0;
	int rc = -1;
	char c;

	if (len < i || memcmp(pem, begin, i) != 0)
		return -1;
	for (; i < len && (c = pem[i]) != '-'; i++) {
		if (c == '\n') {
			if (line == 0)
				goto out;
			line = 0;
			continue;
		}
		if (++line > 64 || n == sizeof(b64) || !((c >= 'A' &&
		    c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' &&
		    c <= '9') || c == '+' || c == '/' || c == '='))
			goto out;
		/* The base64url alphabet, for the project's decoder. */
		b64[n++] = c == '+' ? '-' : c == '/' ? '_' : c;
	}
	if (line != 0 || n % 4 != 0 || len - i < e ||
	    memcmp(pem + i, end, e) != 0 || (len > i + e && pem[i + e] != '\n'))
		goto out;
	/* Padding only at the end; base64url goes without it. */
	if (n > 0 && b64[n - 1] == '=')
		n--;
	if (n > 0 && b64[n - 1] == '=')
		n--;
	/* Room for the bytes first (as many as characters, more than
	 * enough): the decoder's appends then never move them. */
	if (memchr(b64, '=', n) == NULL && buf_append(der, b64, n) == 0) {
		OPENSSL_cleanse(der->data, der->len);
		buf_truncate(der, 0);
		rc = b64url_decode_buf(der, b64, n);
	}
out:
	OPENSSL_cleanse(b64, sizeof(b64));
	return rc;
}

struct crypto_key *
crypto_key_from_pkcs8_values(const void *pem, size_t len)
{
	EVP_PKEY *pkey = NULL;
	struct buf der;

	buf_init(&der, 1280);
	if (pem_block_der(pem, len, &der) == 0)
		pkey = pkcs8_from_values((const unsigned char *)der.data,
		    der.len);
	buf_free_secure(&der);
	ERR_clear_error();
	return pkey != NULL ? crypto_key_wrap(pkey, 1) : NULL;
}

struct crypto_key *
crypto_key_from_pem(const void *pem, size_t len)
{
	struct crypto_key *k;
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	int encrypted = 0;

	if ((k = crypto_key_from_pkcs8_values(pem, len)) != NULL)
		return k;
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

/*
 * PKCS#8 of an EC or EdDSA key, encoded here from the key's values:
 * OpenSSL 3.0's encoder searches all its encoders first, which costs more
 * than generating the key.  The bytes are those OpenSSL writes (the unit
 * tests compare them); RSA keys go through OpenSSL.
 */
struct der {
	unsigned char	 b[512];
	size_t		 n;
	int		 overflow;
};

static void
der_raw(struct der *d, const void *p, size_t n)
{
	if (d->overflow || n > sizeof(d->b) - d->n) {
		d->overflow = 1;
		return;
	}
	memcpy(d->b + d->n, p, n);
	d->n += n;
}

/* Makes the bytes from `from` on the contents of a tag. */
static void
der_wrap(struct der *d, size_t from, unsigned char tag)
{
	size_t len = d->n - from, hl = len < 0x80 ? 2 : len < 0x100 ? 3 : 4;
	unsigned char *p = d->b + from;

	if (d->overflow || hl > sizeof(d->b) - d->n) {
		d->overflow = 1;
		return;
	}
	memmove(p + hl, p, len);
	p[0] = tag;
	if (hl == 2)
		p[1] = (unsigned char)len;
	else if (hl == 3) {
		p[1] = 0x81;
		p[2] = (unsigned char)len;
	} else {
		p[1] = 0x82;
		p[2] = (unsigned char)(len >> 8);
		p[3] = (unsigned char)len;
	}
	d->n += hl;
}

static void
der_put(struct der *d, unsigned char tag, const void *p, size_t n)
{
	size_t from = d->n;

	der_raw(d, p, n);
	der_wrap(d, from, tag);
}

static void
der_oid(struct der *d, int nid)
{
	const ASN1_OBJECT *o = OBJ_nid2obj(nid);
	size_t n = o != NULL ? (size_t)OBJ_length(o) : 0;

	if (n == 0) {
		d->overflow = 1;
		return;
	}
	der_put(d, V_ASN1_OBJECT, OBJ_get0_data(o), n);
}

/* The private scalar, big-endian, padded to the size of the curve's
 * field (as SEC 1 and OpenSSL write it). */
static int
ec_private(const struct crypto_key *k, unsigned char *out, size_t size)
{
	unsigned char native[66];
	OSSL_PARAM params[2];
	int ok;

	params[0] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, native,
	    size);
	params[1] = OSSL_PARAM_construct_end();
	ok = size <= sizeof(native) && EVP_PKEY_get_params(k->pkey,
	    params) == 1 && OSSL_PARAM_modified(params);
	if (ok)
		bn_byte_order(out, native, size);
	OPENSSL_cleanse(native, sizeof(native));
	return ok ? 0 : -1;
}

/* 0, 1 for RSA keys (not done here), -1 with err. */
static int
pkcs8_der(const struct crypto_key *k, struct der *d)
{
	unsigned char priv[66];
	struct crypto_key_spki pub = { 0, 0, NULL, 0 };
	size_t plen, inner;
	int rc;

	/* 1 for RSA keys, which OpenSSL writes. */
	if ((rc = crypto_key_public_octets(k, &pub)) != 0)
		return rc;
	/* An EC scalar is as wide as its curve's field. */
	plen = pub.curve != NID_undef ? crypto_ecdsa_field_size(k->type) :
	    sizeof(priv);
	rc = pub.curve != NID_undef ? ec_private(k, priv, plen) :
	    EVP_PKEY_get_raw_private_key(k->pkey, priv, &plen) == 1 ? 0 : -1;
	if (rc == 0) {
		der_put(d, V_ASN1_INTEGER, "\0", 1);		/* version */
		inner = d->n;
		der_oid(d, pub.alg);
		if (pub.curve != NID_undef)
			der_oid(d, pub.curve);
		der_wrap(d, inner, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED);
		inner = d->n;
		if (pub.curve != NID_undef) {		/* RFC 5915 */
			size_t bits;

			der_put(d, V_ASN1_INTEGER, "\1", 1);
			der_put(d, V_ASN1_OCTET_STRING, priv, plen);
			bits = d->n;
			der_raw(d, "\0", 1);		/* no unused bits */
			der_raw(d, pub.octets, pub.len);
			der_wrap(d, bits, V_ASN1_BIT_STRING);
			der_wrap(d, bits, 0xa1);	/* [1] publicKey */
			der_wrap(d, inner, V_ASN1_SEQUENCE |
			    V_ASN1_CONSTRUCTED);
		} else					/* RFC 8410 */
			der_put(d, V_ASN1_OCTET_STRING, priv, plen);
		der_wrap(d, inner, V_ASN1_OCTET_STRING);
		der_wrap(d, 0, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED);
		if (d->overflow)
			rc = err_set("internal error: a private key too large");
	} else
		crypto_ossl_err("cannot export the private key");
	OPENSSL_cleanse(priv, sizeof(priv));
	OPENSSL_free(pub.octets);
	return rc;
}

/* PEM: base64 in lines of 64 characters between the two markers. */
static int
pem_put(struct buf *out, const char *label, const struct der *d)
{
	char text[1024];
	unsigned char b64[704];
	size_t i, n = 0, len;
	int w;

	if (d->n > 512 || (len = (size_t)EVP_EncodeBlock(b64, d->b,
	    (int)d->n)) == 0)
		return err_set("internal error: a private key too large");
	w = snprintf(text, sizeof(text), "-----BEGIN %s-----\n", label);
	n = (size_t)w;
	for (i = 0; i < len; i += 64) {
		size_t l = len - i < 64 ? len - i : 64;

		memcpy(text + n, b64 + i, l);
		n += l;
		text[n++] = '\n';
	}
	w = snprintf(text + n, sizeof(text) - n, "-----END %s-----\n", label);
	n += (size_t)w;
	w = crypto_secret_put(out, text, n);
	OPENSSL_cleanse(text, sizeof(text));
	OPENSSL_cleanse(b64, sizeof(b64));
	return w;
}

int
crypto_key_to_pem(const struct crypto_key *k, struct buf *out)
{
	struct der d;
	BIO *bio = NULL;
	char *data;
	long len;
	int rc = -1;

	if (!k->has_private)
		return err_set("no private key to export");
	memset(&d, 0, sizeof(d));
	if ((rc = pkcs8_der(k, &d)) == 0)
		rc = pem_put(out, "PRIVATE KEY", &d);
	OPENSSL_cleanse(&d, sizeof(d));
	if (rc != 1)
		return rc;
	rc = -1;
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
