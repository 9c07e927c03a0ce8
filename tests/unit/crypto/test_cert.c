/*
 * test_cert.c - reading issued certificates: validity as 64-bit epoch
 * seconds (past 2038 too), DNS and IP SANs (ACMEd's SAN test names),
 * serial, issuer, authority key identifier and the RFC 9773 certificate
 * identifier (its appendix example: AKI 69:88:5B:..., serial 0x87654321),
 * key/certificate matching, and chain splitting.  The certificates are
 * made here with OpenSSL, as a small CA would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/cert.h"
#include "crypto/key.h"
#include "helpers.h"
#include "util/err.h"

static const unsigned char rfc9773_aki[] = {
	0x69, 0x88, 0x5b, 0x6b, 0x87, 0x46, 0x40, 0x41, 0xe1, 0xb3,
	0x7b, 0x84, 0x7b, 0xa0, 0xae, 0x2c, 0xde, 0x01, 0xc8, 0xd4,
};

struct cert_spec {
	EVP_PKEY	*key, *issuer_key;
	const char	*cn, *issuer_cn;
	uint64_t	 serial;
	const unsigned char *aki;	/* NULL: no AKI extension */
	size_t		 aki_len;
	const char	*san;		/* NULL: no subjectAltName */
	const char	*not_before, *not_after;
};

static X509_NAME *
name(const char *cn)
{
	X509_NAME *n;

	assert_non_null(n = X509_NAME_new());
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
	    (const unsigned char *)"Example", -1, -1, 0), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0), 1);
	return n;
}

/* The PEM of a certificate made to spec, appended to out. */
static void
make_cert(const struct cert_spec *c, struct buf *out)
{
	AUTHORITY_KEYID *akid;
	X509_EXTENSION *ext;
	X509V3_CTX ctx;
	X509_NAME *n;
	BIO *bio;
	X509 *x;
	char *data;
	long len;

	assert_non_null(x = X509_new());
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set_uint64(X509_get_serialNumber(x),
	    c->serial), 1);
	n = name(c->cn);
	assert_int_equal(X509_set_subject_name(x, n), 1);
	X509_NAME_free(n);
	n = name(c->issuer_cn);
	assert_int_equal(X509_set_issuer_name(x, n), 1);
	X509_NAME_free(n);
	assert_int_equal(ASN1_TIME_set_string_X509(X509_getm_notBefore(x),
	    c->not_before), 1);
	assert_int_equal(ASN1_TIME_set_string_X509(X509_getm_notAfter(x),
	    c->not_after), 1);
	assert_int_equal(X509_set_pubkey(x, c->key), 1);
	if (c->san != NULL) {
		X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
		assert_non_null(ext = X509V3_EXT_conf_nid(NULL, &ctx,
		    NID_subject_alt_name, c->san));
		assert_int_equal(X509_add_ext(x, ext, -1), 1);
		X509_EXTENSION_free(ext);
	}
	if (c->aki != NULL) {
		assert_non_null(akid = AUTHORITY_KEYID_new());
		assert_non_null(akid->keyid = ASN1_OCTET_STRING_new());
		assert_int_equal(ASN1_OCTET_STRING_set(akid->keyid, c->aki,
		    (int)c->aki_len), 1);
		assert_int_equal(X509_add1_ext_i2d(x,
		    NID_authority_key_identifier, akid, 0,
		    X509V3_ADD_DEFAULT), 1);
		AUTHORITY_KEYID_free(akid);
	}
	assert_true(X509_sign(x, c->issuer_key, EVP_sha256()) > 0);
	assert_non_null(bio = BIO_new(BIO_s_mem()));
	assert_int_equal(PEM_write_bio_X509(bio, x), 1);
	len = BIO_get_mem_data(bio, &data);
	assert_int_equal(buf_append(out, data, (size_t)len), 0);
	BIO_free(bio);
	X509_free(x);
}

static EVP_PKEY *ca_key, *leaf_key;

static int
setup(void **state)
{
	ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	if (ca_key == NULL || leaf_key == NULL)
		return -1;
	return helpers_setup(state);
}

static int
teardown(void **state)
{
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(leaf_key);
	return helpers_teardown(state);
}

static void
leaf_spec(struct cert_spec *c)
{
	memset(c, 0, sizeof(*c));
	c->key = leaf_key;
	c->issuer_key = ca_key;
	c->cn = "local.what.tf";
	c->issuer_cn = "Test CA";
	c->serial = 0x87654321;
	c->aki = rfc9773_aki;
	c->aki_len = sizeof(rfc9773_aki);
	/* ACMEd's SAN test names, mixed, with both address families. */
	c->san = "DNS:local.what.tf,IP:127.0.0.1,DNS:1.local.what.tf,"
	    "IP:::1,DNS:2.local.what.tf";
	c->not_before = "20260101000000Z";
	c->not_after = "20260401000000Z";
}

static void
test_leaf(void **state)
{
	struct crypto_cert_info info;
	struct cert_spec c;
	struct buf pem;

	(void)state;
	buf_init(&pem, BUF_MAX_SMALL);
	leaf_spec(&c);
	make_cert(&c, &pem);
	assert_int_equal(crypto_cert_info_pem(pem.data, pem.len, &info), 0);
	assert_int_equal(info.not_before, 1767225600);
	assert_int_equal(info.not_after, 1775001600);
	assert_int_equal(info.n_dns, 3);
	assert_string_equal(info.dns[0], "local.what.tf");
	assert_string_equal(info.dns[1], "1.local.what.tf");
	assert_string_equal(info.dns[2], "2.local.what.tf");
	assert_int_equal(info.n_ips, 2);
	assert_string_equal(info.ips[0], "127.0.0.1");
	assert_string_equal(info.ips[1], "::1");
	assert_string_equal(info.serial, "87654321");
	assert_string_equal(info.issuer, "CN=Test CA,O=Example");
	assert_string_equal(info.subject, "CN=local.what.tf,O=Example");
	assert_int_equal(info.aki.len, sizeof(rfc9773_aki));
	assert_memory_equal(info.aki.data, rfc9773_aki, sizeof(rfc9773_aki));
	/* RFC 9773 appendix A. */
	assert_string_equal(info.ari_id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
	crypto_cert_info_free(&info);
	crypto_cert_info_free(&info);	/* harmless twice */
	buf_free(&pem);
}

static void
test_times_and_serials(void **state)
{
	static const struct {
		const char *nb, *na;
		int64_t nbs, nas;
		uint64_t serial;
		const char *hex, *id_serial;
	} v[] = {
		/* GeneralizedTime after 2049, and before the epoch. */
		{ "19691231000000Z", "20500101000000Z", -86400, 2524608000,
		    1, "01", "AQ" },
		{ "20000229235959Z", "21060207062816Z", 951868799,
		    4294967296LL, 0x7f, "7F", "fw" },
		{ "20380119031408Z", "99991231235959Z", 2147483648LL,
		    253402300799LL, 0x80, "80", "AIA" },
	};
	struct crypto_cert_info info;
	struct cert_spec c;
	struct buf pem;
	char *dot;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		buf_init(&pem, BUF_MAX_SMALL);
		leaf_spec(&c);
		c.not_before = v[i].nb;
		c.not_after = v[i].na;
		c.serial = v[i].serial;
		make_cert(&c, &pem);
		assert_int_equal(crypto_cert_info_pem(pem.data, pem.len,
		    &info), 0);
		assert_int_equal(info.not_before, v[i].nbs);
		assert_int_equal(info.not_after, v[i].nas);
		assert_string_equal(info.serial, v[i].hex);
		assert_non_null(dot = strchr(info.ari_id, '.'));
		assert_string_equal(dot + 1, v[i].id_serial);
		crypto_cert_info_free(&info);
		buf_free(&pem);
	}
}

/* A certificate without AKI and SAN (a root) has no ARI identifier. */
static void
test_no_aki_no_san(void **state)
{
	struct crypto_cert_info info;
	struct cert_spec c;
	struct buf pem;

	(void)state;
	buf_init(&pem, BUF_MAX_SMALL);
	leaf_spec(&c);
	c.key = ca_key;
	c.cn = "Test CA";
	c.aki = NULL;
	c.san = NULL;
	make_cert(&c, &pem);
	assert_int_equal(crypto_cert_info_pem(pem.data, pem.len, &info), 0);
	assert_int_equal(info.n_dns, 0);
	assert_int_equal(info.n_ips, 0);
	assert_int_equal(info.aki.len, 0);
	assert_null(info.ari_id);
	crypto_cert_info_free(&info);
	buf_free(&pem);
	assert_int_equal(crypto_cert_info_pem("junk", 4, &info), -1);
	assert_true(contains(err_msg(), "no certificate found in the PEM data"));
	crypto_cert_info_free(&info);
}

/* A crypto_key for an EVP_PKEY made here, through its PEM. */
static struct crypto_key *
to_crypto_key(EVP_PKEY *pkey)
{
	struct crypto_key *k;
	BIO *bio;
	char *data;
	long len;

	assert_non_null(bio = BIO_new(BIO_s_mem()));
	assert_int_equal(PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0,
	    NULL, NULL), 1);
	len = BIO_get_mem_data(bio, &data);
	assert_non_null(k = crypto_key_from_pem(data, (size_t)len));
	BIO_free(bio);
	return k;
}

static void
test_key_matches(void **state)
{
	struct crypto_key *leaf, *ca;
	struct cert_spec c;
	struct buf pem;

	(void)state;
	buf_init(&pem, BUF_MAX_SMALL);
	leaf_spec(&c);
	make_cert(&c, &pem);
	leaf = to_crypto_key(leaf_key);
	ca = to_crypto_key(ca_key);
	assert_int_equal(crypto_cert_check_key(pem.data, pem.len, leaf), 0);
	assert_int_equal(crypto_cert_check_key(pem.data, pem.len, ca), -1);
	assert_string_equal(err_msg(),
	    "the private key does not match the certificate");
	/* A key of another type does not match either. */
	assert_int_equal(crypto_cert_check_key(pem.data, pem.len,
	    shared_key(CRYPTO_KEY_ED25519)), -1);
	assert_string_equal(err_msg(),
	    "the private key does not match the certificate");
	crypto_key_free(leaf);
	crypto_key_free(ca);
	buf_free(&pem);
}

/* The length of the key bytes in a certificate's SubjectPublicKeyInfo. */
static int
spki_key_len(const struct buf *pem)
{
	const unsigned char *p;
	BIO *bio;
	X509 *x;
	int len;

	assert_non_null(bio = BIO_new_mem_buf(pem->data, (int)pem->len));
	assert_non_null(x = PEM_read_bio_X509(bio, NULL, NULL, NULL));
	assert_int_equal(X509_PUBKEY_get0_param(NULL, &p, &len, NULL,
	    X509_get_X509_PUBKEY(x)), 1);
	X509_free(x);
	BIO_free(bio);
	return len;
}

/* Every key type, each certificate with its own key and another's; a
 * compressed EC point (bytes that differ from the key's) still matches. */
static void
test_key_matches_every_type(void **state)
{
	static const char *const curves[] = { "P-256", "P-384", "P-521" };
	EVP_PKEY *pk[7];
	struct crypto_key *k[7];
	struct cert_spec c;
	struct buf pem;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < 3; i++)
		pk[n++] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curves[i]);
	pk[n++] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	pk[n++] = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
	pk[n++] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	assert_non_null(pk[n] = EVP_PKEY_dup(pk[0]));
	assert_int_equal(EVP_PKEY_set_utf8_string_param(pk[n],
	    OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"), 1);
	n++;
	for (i = 0; i < n; i++) {
		assert_non_null(pk[i]);
		k[i] = to_crypto_key(pk[i]);
	}
	for (i = 0; i < n; i++) {
		buf_init(&pem, BUF_MAX_SMALL);
		leaf_spec(&c);
		c.key = pk[i];
		make_cert(&c, &pem);
		if (i == n - 1)
			assert_int_equal(spki_key_len(&pem), 33);
		/* The compressed key's certificate holds pk[0]'s key. */
		assert_int_equal(crypto_cert_check_key(pem.data, pem.len,
		    k[i == n - 1 ? 0 : i]), 0);
		assert_int_equal(crypto_cert_check_key(pem.data, pem.len,
		    k[(i + 1) % (n - 1)]), -1);
		assert_string_equal(err_msg(),
		    "the private key does not match the certificate");
		buf_free(&pem);
	}
	for (i = 0; i < n; i++) {
		crypto_key_free(k[i]);
		EVP_PKEY_free(pk[i]);
	}
}

static void
test_chain(void **state)
{
	struct crypto_chain chain;
	struct cert_spec c;
	struct buf leaf, ca, all, keypem, clean;

	(void)state;
	buf_init(&clean, BUF_MAX_SMALL);
	buf_init(&leaf, BUF_MAX_SMALL);
	buf_init(&ca, BUF_MAX_SMALL);
	buf_init(&all, BUF_MAX_SMALL);
	buf_init(&keypem, BUF_MAX_SMALL);
	leaf_spec(&c);
	make_cert(&c, &leaf);
	c.key = ca_key;
	c.cn = "Test CA";
	c.aki = NULL;
	c.san = NULL;
	make_cert(&c, &ca);
	/* Text between the blocks, as some CAs add, is dropped. */
	assert_int_equal(buf_printf(&all, "%s\nsubject=Test CA\n%s",
	    buf_str(&leaf), buf_str(&ca)), 0);
	assert_int_equal(crypto_chain_split(all.data, all.len, &chain), 0);
	assert_int_equal(chain.n, 2);
	assert_string_equal(chain.pem[0], buf_str(&leaf));
	assert_string_equal(chain.pem[1], buf_str(&ca));
	crypto_chain_free(&chain);
	crypto_chain_free(&chain);
	/* crypto_chain_clean: the same certificates, the text dropped. */
	assert_int_equal(crypto_chain_clean(all.data, all.len, &clean), 0);
	assert_int_equal(clean.len, leaf.len + ca.len);
	assert_memory_equal(clean.data, leaf.data, leaf.len);
	assert_memory_equal(clean.data + leaf.len, ca.data, ca.len);
	/* In the wrong order, the link is broken: the CA did not issue
	 * itself the leaf's way. */
	buf_reset(&all);
	buf_reset(&clean);
	assert_int_equal(buf_printf(&all, "%s%s", buf_str(&ca),
	    buf_str(&leaf)), 0);
	assert_int_equal(crypto_chain_clean(all.data, all.len, &clean), -1);
	if (strstr(err_msg(), "the certificate chain is broken: certificate 1 "
	    "is issued by ") == NULL)
		fail_msg("%s", err_msg());
	/* Nothing but certificates. */
	assert_int_equal(crypto_key_to_pem(shared_key(CRYPTO_KEY_ED25519),
	    &keypem), 0);
	buf_reset(&all);
	assert_int_equal(buf_printf(&all, "%s%s", buf_str(&leaf),
	    buf_str(&keypem)), 0);
	assert_int_equal(crypto_chain_split(all.data, all.len, &chain), -1);
	assert_string_equal(err_msg(), "a block that is not a certificate in "
	    "the certificate chain, after 1 certificate: only certificates "
	    "may be");
	crypto_chain_free(&chain);
	buf_reset(&clean);
	assert_int_equal(crypto_chain_clean(all.data, all.len, &clean), -1);
	assert_non_null(strstr(err_msg(), "after 1 certificate: only"));
	assert_int_equal(crypto_chain_split("", 0, &chain), -1);
	assert_string_equal(err_msg(), "no certificate found in the PEM data");
	/* A block cut short. */
	assert_int_equal(crypto_chain_split(leaf.data, leaf.len - 30, &chain),
	    -1);
	assert_int_equal(chain.n, 0);
	crypto_chain_free(&chain);
	buf_free(&leaf);
	buf_free(&ca);
	buf_free(&all);
	buf_free(&clean);
	buf_free_secure(&keypem);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf),
		cmocka_unit_test(test_times_and_serials),
		cmocka_unit_test(test_no_aki_no_san),
		cmocka_unit_test(test_key_matches),
		cmocka_unit_test(test_key_matches_every_type),
		cmocka_unit_test(test_chain),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
