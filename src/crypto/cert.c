/*
 * cert.c - what the daemon reads from an issued certificate (see cert.h).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1t.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/cert.h"
#include "crypto/intern.h"
#include "util/b64url.h"
#include "util/err.h"
#include "util/period.h"

static int
asn1_time_epoch(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return crypto_ossl_err("invalid certificate validity");
	*out = period_days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday) * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 +
	    tm.tm_sec;
	return 0;
}

/*
 * The parts of a certificate the daemon reads, parsed without an X509:
 * d2i_X509() of OpenSSL 3.0 also decodes the public key, through a search
 * of all its decoders (most of the cost of reading a certificate), and
 * the key check needs only the key's bytes.
 */
typedef struct {
	X509_ALGOR		*alg;
	ASN1_BIT_STRING		*key;
} CERT_SPKI;

typedef struct {
	ASN1_INTEGER		*version;
	ASN1_INTEGER		*serial;
	X509_ALGOR		*sig_alg;
	X509_NAME		*issuer;
	X509_VAL		*validity;
	X509_NAME		*subject;
	CERT_SPKI		*spki;
	ASN1_BIT_STRING		*issuer_uid;
	ASN1_BIT_STRING		*subject_uid;
	STACK_OF(X509_EXTENSION) *exts;
} CERT_TBS;

typedef struct {
	CERT_TBS		*tbs;
	X509_ALGOR		*sig_alg;
	ASN1_BIT_STRING		*sig;
} CERT_PARTS;

ASN1_SEQUENCE(CERT_SPKI) = {
	ASN1_SIMPLE(CERT_SPKI, alg, X509_ALGOR),
	ASN1_SIMPLE(CERT_SPKI, key, ASN1_BIT_STRING)
} static_ASN1_SEQUENCE_END(CERT_SPKI)

/* RFC 5280 section 4.1 */
ASN1_SEQUENCE(CERT_TBS) = {
	ASN1_EXP_OPT(CERT_TBS, version, ASN1_INTEGER, 0),
	ASN1_SIMPLE(CERT_TBS, serial, ASN1_INTEGER),
	ASN1_SIMPLE(CERT_TBS, sig_alg, X509_ALGOR),
	ASN1_SIMPLE(CERT_TBS, issuer, X509_NAME),
	ASN1_SIMPLE(CERT_TBS, validity, X509_VAL),
	ASN1_SIMPLE(CERT_TBS, subject, X509_NAME),
	ASN1_SIMPLE(CERT_TBS, spki, CERT_SPKI),
	ASN1_IMP_OPT(CERT_TBS, issuer_uid, ASN1_BIT_STRING, 1),
	ASN1_IMP_OPT(CERT_TBS, subject_uid, ASN1_BIT_STRING, 2),
	ASN1_EXP_SEQUENCE_OF_OPT(CERT_TBS, exts, X509_EXTENSION, 3)
} static_ASN1_SEQUENCE_END(CERT_TBS)

ASN1_SEQUENCE(CERT_PARTS) = {
	ASN1_SIMPLE(CERT_PARTS, tbs, CERT_TBS),
	ASN1_SIMPLE(CERT_PARTS, sig_alg, X509_ALGOR),
	ASN1_SIMPLE(CERT_PARTS, sig, ASN1_BIT_STRING)
} static_ASN1_SEQUENCE_END(CERT_PARTS)

static void
cert_parts_free(CERT_PARTS *c)
{
	ASN1_item_free((ASN1_VALUE *)c, ASN1_ITEM_rptr(CERT_PARTS));
}

/* The first certificate of PEM data (skipping other blocks, as
 * PEM_read_bio_X509() does), and its DER (OPENSSL_free()) for the slow
 * key check. */
static CERT_PARTS *
first_cert_parts(const void *pem, size_t len, unsigned char **der,
    long *derlen)
{
	const unsigned char *p;
	CERT_PARTS *c = NULL;
	BIO *bio;

	*der = NULL;
	ERR_clear_error();
	if (len > INT_MAX) {
		err_set("PEM data too large");
		return NULL;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		crypto_ossl_err("cannot read the certificate");
		return NULL;
	}
	if (PEM_bytes_read_bio(der, derlen, NULL, PEM_STRING_X509, bio, NULL,
	    NULL) != 1) {
		crypto_ossl_err("no certificate found in the PEM data");
		goto out;
	}
	p = *der;
	if ((c = (CERT_PARTS *)ASN1_item_d2i(NULL, &p, *derlen,
	    ASN1_ITEM_rptr(CERT_PARTS))) == NULL)
		crypto_ossl_err("no certificate found in the PEM data");
out:
	BIO_free(bio);
	if (c == NULL) {
		OPENSSL_free(*der);
		*der = NULL;
	}
	return c;
}

/*
 * Whether the certificate's key is key: its bytes compared with the
 * key's, for the EC and EdDSA keys.  Anything else (an RSA key, bytes
 * that differ, say a compressed point) is decided by OpenSSL on the
 * decoded certificate.  1, 0, or -1 with err.
 */
static int
cert_key_matches(const CERT_SPKI *spki, const unsigned char *der,
    long derlen, const struct crypto_key *key)
{
	const ASN1_OBJECT *obj;
	const void *param;
	struct crypto_key_spki k;
	EVP_PKEY *pub;
	X509 *x;
	int ptype, rc;

	if ((rc = crypto_key_public_octets(key, &k)) == -1)
		return -1;
	if (rc == 0) {
		X509_ALGOR_get0(&obj, &ptype, &param, spki->alg);
		rc = OBJ_obj2nid(obj) == k.alg &&
		    (k.curve == NID_undef ? ptype == V_ASN1_UNDEF :
		    ptype == V_ASN1_OBJECT && OBJ_obj2nid(param) == k.curve) &&
		    (size_t)ASN1_STRING_length(spki->key) == k.len &&
		    memcmp(ASN1_STRING_get0_data(spki->key), k.octets,
		    k.len) == 0;
		OPENSSL_free(k.octets);
		if (rc)
			return 1;
	}
	if ((x = d2i_X509(NULL, &der, derlen)) == NULL)
		return crypto_ossl_err("no certificate found in the PEM data");
	if ((pub = X509_get0_pubkey(x)) == NULL)
		rc = crypto_ossl_err("cannot read the certificate's public "
		    "key");
	else
		rc = EVP_PKEY_eq(pub, key->pkey) == 1;
	X509_free(x);
	return rc;
}

static char *
name_text(const X509_NAME *name)
{
	BIO *bio = NULL;
	char *data, *s = NULL;
	long len;

	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) < 0) {
		crypto_ossl_err("cannot print a certificate name");
		goto out;
	}
	len = BIO_get_mem_data(bio, &data);
	if ((s = strndup(len > 0 ? data : "", len > 0 ? (size_t)len : 0)) ==
	    NULL)
		err_set("out of memory");
out:
	BIO_free(bio);
	return s;
}

static int
push_str(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv;

	if ((nv = reallocarray(*v, *n + 1, sizeof(**v))) == NULL)
		return err_set("out of memory");
	*v = nv;
	if ((nv[*n] = strndup(s, len)) == NULL)
		return err_set("out of memory");
	(*n)++;
	return 0;
}

static int
read_sans(const STACK_OF(X509_EXTENSION) *exts, struct crypto_cert_info *info)
{
	GENERAL_NAMES *names;
	const GENERAL_NAME *gn;
	struct buf ip;
	const unsigned char *p;
	int i, len, crit = 0, rc = -1;

	buf_init(&ip, 64);
	names = X509V3_get_d2i(exts, NID_subject_alt_name, &crit, NULL);
	if (names == NULL) {
		if (crit != -1)	/* -1: absent, others: malformed */
			return crypto_ossl_err("invalid subjectAltName");
		return 0;
	}
	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		gn = sk_GENERAL_NAME_value(names, i);
		if (gn->type == GEN_DNS) {
			p = ASN1_STRING_get0_data(gn->d.dNSName);
			len = ASN1_STRING_length(gn->d.dNSName);
			if (memchr(p, '\0', (size_t)len) != NULL) {
				err_set("subjectAltName with a NUL byte");
				goto out;
			}
			if (push_str(&info->dns, &info->n_dns,
			    (const char *)p, (size_t)len) == -1)
				goto out;
		} else if (gn->type == GEN_IPADD) {
			buf_reset(&ip);
			if (crypto_ip_format(
			    ASN1_STRING_get0_data(gn->d.iPAddress),
			    (size_t)ASN1_STRING_length(gn->d.iPAddress),
			    &ip) == -1 ||
			    push_str(&info->ips, &info->n_ips, ip.data,
			    ip.len) == -1)
				goto out;
		}
	}
	rc = 0;
out:
	buf_free(&ip);
	GENERAL_NAMES_free(names);
	return rc;
}

static int
read_serial(const ASN1_INTEGER *serial, struct crypto_cert_info *info,
    struct buf *content)
{
	unsigned char *der = NULL;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	size_t hdr;
	int len, rc = -1;

	if ((bn = ASN1_INTEGER_to_BN(serial, NULL)) == NULL ||
	    (hex = BN_bn2hex(bn)) == NULL) {
		crypto_ossl_err("cannot read the serial number");
		goto out;
	}
	if ((info->serial = strdup(hex)) == NULL) {
		err_set("out of memory");
		goto out;
	}
	/* The content octets of the DER INTEGER: skip the tag and the
	 * (short or long form) length. */
	if ((len = i2d_ASN1_INTEGER(serial, &der)) < 2) {
		crypto_ossl_err("cannot encode the serial number");
		goto out;
	}
	hdr = 2 + ((der[1] & 0x80) ? (size_t)(der[1] & 0x7f) : 0);
	if (hdr >= (size_t)len) {
		err_set("invalid serial number");
		goto out;
	}
	rc = buf_append(content, der + hdr, (size_t)len - hdr);
out:
	OPENSSL_free(der);
	OPENSSL_free(hex);
	BN_free(bn);
	return rc;
}

int
crypto_cert_info_pem(const void *pem, size_t len,
    struct crypto_cert_info *info)
{
	return crypto_cert_info_key_pem(pem, len, NULL, info);
}

int
crypto_cert_info_key_pem(const void *pem, size_t len,
    const struct crypto_key *key, struct crypto_cert_info *info)
{
	AUTHORITY_KEYID *akid = NULL;
	const CERT_TBS *tbs;
	struct buf serial, id;
	unsigned char *der = NULL;
	CERT_PARTS *c;
	long derlen = 0;
	int rc = -1, crit;

	memset(info, 0, sizeof(*info));
	buf_init(&info->aki, 1024);
	buf_init(&serial, 1024);
	buf_init(&id, 4096);
	if ((c = first_cert_parts(pem, len, &der, &derlen)) == NULL)
		goto out;
	tbs = c->tbs;
	if (asn1_time_epoch(tbs->validity->notBefore,
	    &info->not_before) == -1 ||
	    asn1_time_epoch(tbs->validity->notAfter, &info->not_after) == -1)
		goto out;
	if (read_sans(tbs->exts, info) == -1 ||
	    read_serial(tbs->serial, info, &serial) == -1)
		goto out;
	if ((info->issuer = name_text(tbs->issuer)) == NULL ||
	    (info->subject = name_text(tbs->subject)) == NULL)
		goto out;
	/* A malformed or repeated extension is as good as none. */
	akid = X509V3_get_d2i(tbs->exts, NID_authority_key_identifier, &crit,
	    NULL);
	if (akid != NULL && akid->keyid != NULL) {
		if (buf_append(&info->aki, ASN1_STRING_get0_data(akid->keyid),
		    (size_t)ASN1_STRING_length(akid->keyid)) == -1 ||
		    b64url_encode_buf(&id, info->aki.data, info->aki.len) ==
		    -1 || buf_putc(&id, '.') == -1 ||
		    b64url_encode_buf(&id, serial.data, serial.len) == -1)
			goto out;
		if ((info->ari_id = buf_steal(&id)) == NULL) {
			err_set("out of memory");
			goto out;
		}
	}
	if (key != NULL) {
		info->key_matches = cert_key_matches(tbs->spki, der, derlen,
		    key);
		if (info->key_matches == -1) {
			info->key_matches = 0;
			goto out;
		}
	}
	ERR_clear_error();
	rc = 0;
out:
	AUTHORITY_KEYID_free(akid);
	buf_free(&serial);
	buf_free(&id);
	OPENSSL_free(der);
	cert_parts_free(c);
	return rc;
}

static void
free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
crypto_cert_info_free(struct crypto_cert_info *info)
{
	if (info == NULL)
		return;
	free_strv(info->dns, info->n_dns);
	free_strv(info->ips, info->n_ips);
	free(info->serial);
	free(info->issuer);
	free(info->subject);
	free(info->ari_id);
	buf_free(&info->aki);
	memset(info, 0, sizeof(*info));
	buf_init(&info->aki, 1024);
}

int
crypto_cert_der(const void *pem, size_t len, struct buf *der)
{
	unsigned char *bytes;
	CERT_PARTS *c;
	long n;
	int rc;

	if ((c = first_cert_parts(pem, len, &bytes, &n)) == NULL)
		return -1;
	rc = buf_append(der, bytes, (size_t)n);
	cert_parts_free(c);
	OPENSSL_free(bytes);
	return rc;
}

int
crypto_cert_check_key(const void *pem, size_t len,
    const struct crypto_key *key)
{
	struct crypto_cert_info info;
	int rc = -1;

	if (crypto_cert_info_key_pem(pem, len, key, &info) == 0) {
		if (info.key_matches)
			rc = 0;
		else
			err_set("the private key does not match the "
			    "certificate");
	}
	crypto_cert_info_free(&info);
	return rc;
}

/* A certificate's DER as PEM, appended to out. */
static int
append_cert_pem(struct buf *out, const unsigned char *der, long len)
{
	BIO *bio;
	char *data;
	long n;
	int rc = -1;

	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio(bio, PEM_STRING_X509, "", der, len) <= 0 ||
	    (n = BIO_get_mem_data(bio, &data)) <= 0)
		crypto_ossl_err("cannot encode a certificate");
	else
		rc = buf_append(out, data, (size_t)n);
	BIO_free(bio);
	return rc;
}

int
crypto_chain_clean(const void *pem, size_t len, struct buf *out)
{
	char *subject = NULL, *issuer = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	CERT_PARTS *c = NULL, *prev = NULL;
	BIO *bio = NULL;
	long derlen;
	size_t n = 0;
	int rc = -1, got;

	if (len > INT_MAX) {
		err_set("PEM data too large");
		return -1;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		crypto_ossl_err("cannot read the certificate chain");
		return -1;
	}
	for (; (got = crypto_pem_next_cert(bio, n, &der, &derlen)) == 1;
	    n++) {
		if (n == CRYPTO_CHAIN_MAX) {
			err_set("more than %d certificates in the chain",
			    CRYPTO_CHAIN_MAX);
			goto out;
		}
		p = der;
		if ((c = (CERT_PARTS *)ASN1_item_d2i(NULL, &p, derlen,
		    ASN1_ITEM_rptr(CERT_PARTS))) == NULL || p != der + derlen) {
			if (n == 0)
				crypto_ossl_err("the certificate cannot be "
				    "parsed");
			else
				crypto_ossl_err("certificate %zu of the chain "
				    "cannot be parsed", n + 1);
			goto out;
		}
		/* RFC 8555 section 9.1: each one certifies the one before.
		 * A TLS client given another one fails. */
		if (prev != NULL && X509_NAME_cmp(prev->tbs->issuer,
		    c->tbs->subject) != 0) {
			issuer = name_text(prev->tbs->issuer);
			subject = name_text(c->tbs->subject);
			err_set("the certificate chain is broken: certificate "
			    "%zu is issued by \"%s\", certificate %zu is "
			    "\"%s\"", n, issuer ? issuer : "?", n + 1,
			    subject ? subject : "?");
			goto out;
		}
		if (append_cert_pem(out, der, derlen) == -1)
			goto out;
		cert_parts_free(prev);
		prev = c;
		c = NULL;
		OPENSSL_free(der);
		der = NULL;
	}
	if (got == -1)
		goto out;
	if (n == 0) {
		err_set("no certificate found in the PEM data");
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	free(issuer);
	free(subject);
	cert_parts_free(c);
	cert_parts_free(prev);
	OPENSSL_free(der);
	BIO_free(bio);
	return rc;
}
