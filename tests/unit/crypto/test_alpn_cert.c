/*
 * test_alpn_cert.c - the RFC 8737 tls-alpn-01 certificate, field by field,
 * for every key type and for DNS, IPv4 and IPv6 identifiers (RFC 8738: an
 * iPAddress SAN), as tacd builds it from the proof text and the
 * identifier_tls_alpn name the default hooks hand it; then loaded into an
 * SSL_CTX through ossl.h, as tacd does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/alpn_cert.h"
#include "crypto/cert.h"
#include "crypto/hash.h"
#include "crypto/ossl.h"
#include "crypto/proof.h"
#include "helpers.h"
#include "util/err.h"

#define KEY_AUTHZ "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA." \
	"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"

/* The length of the address, 4 or 16 (0 if none). */
static int
inet_pton_any(const char *s, unsigned char ip[16])
{
	if (inet_pton(AF_INET, s, ip) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, ip) == 1)
		return 16;
	return 0;
}

static void
check_name(const X509_NAME *n)
{
	char cn[128], o[128];

	assert_int_equal(X509_NAME_entry_count(n), 2);
	assert_true(X509_NAME_get_text_by_NID(n, NID_organizationName, o,
	    sizeof(o)) > 0);
	assert_true(X509_NAME_get_text_by_NID(n, NID_commonName, cn,
	    sizeof(cn)) > 0);
	assert_string_equal(o, "ACMEd");
	assert_string_equal(cn, "ACMEd TLS-ALPN-01 Authority");
	/* O first, then CN. */
	assert_int_equal(OBJ_obj2nid(X509_NAME_ENTRY_get_object(
	    X509_NAME_get_entry(n, 0))), NID_organizationName);
}

/* Checks everything RFC 8737 and tacd's compatibility ask of c. */
static void
check_cert(const struct crypto_alpn_cert *c, const struct crypto_alpn_req *r,
    int want_sig_nid)
{
	static const char oid[] = "1.3.6.1.5.5.7.1.31";
	unsigned char ip[16];
	struct crypto_cert_info info;
	BASIC_CONSTRAINTS *bc;
	GENERAL_NAMES *san;
	const GENERAL_NAME *gn;
	const ASN1_INTEGER *serial;
	X509_EXTENSION *ext;
	ASN1_OBJECT *obj;
	const ASN1_OCTET_STRING *data;
	struct buf pem;
	int64_t sn;
	int crit, idx;
	X509 *x = crypto_alpn_cert_x509(c);
	time_t now = time(NULL);

	assert_int_equal(X509_get_version(x), X509_VERSION_3);
	check_name(X509_get_subject_name(x));
	check_name(X509_get_issuer_name(x));
	serial = X509_get0_serialNumber(x);
	assert_int_equal(ASN1_INTEGER_get_int64(&sn, serial), 1);
	assert_true(sn > 0 && sn < ((int64_t)1 << 31));
	/* Validity: from now, 7 days. */
	buf_init(&pem, BUF_MAX_SMALL);
	assert_int_equal(crypto_alpn_cert_pem(c, &pem), 0);
	assert_int_equal(crypto_cert_info_pem(pem.data, pem.len, &info), 0);
	assert_true(info.not_before >= (int64_t)now - 60 &&
	    info.not_before <= (int64_t)now + 1);
	assert_int_equal(info.not_after - info.not_before, 7 * 86400);
	crypto_cert_info_free(&info);
	/* basicConstraints CA:FALSE, not critical. */
	assert_non_null(bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit,
	    NULL));
	assert_int_equal(crit, 0);
	assert_int_equal(bc->ca, 0);
	BASIC_CONSTRAINTS_free(bc);
	/* One subjectAltName: the identifier, as a name or an address. */
	assert_non_null(san = X509_get_ext_d2i(x, NID_subject_alt_name, &crit,
	    NULL));
	assert_int_equal(crit, 0);
	assert_int_equal(sk_GENERAL_NAME_num(san), 1);
	gn = sk_GENERAL_NAME_value(san, 0);
	if (r->ident.type == CRYPTO_IDENT_DNS) {
		assert_int_equal(gn->type, GEN_DNS);
		assert_int_equal(ASN1_STRING_length(gn->d.dNSName),
		    strlen(r->ident.value));
		assert_memory_equal(ASN1_STRING_get0_data(gn->d.dNSName),
		    r->ident.value, strlen(r->ident.value));
	} else {
		assert_int_equal(gn->type, GEN_IPADD);
		assert_int_equal(ASN1_STRING_length(gn->d.iPAddress),
		    strchr(r->ident.value, ':') != NULL ? 16 : 4);
		assert_int_equal(inet_pton_any(r->ident.value, ip),
		    ASN1_STRING_length(gn->d.iPAddress));
		assert_memory_equal(ASN1_STRING_get0_data(gn->d.iPAddress), ip,
		    ASN1_STRING_length(gn->d.iPAddress));
	}
	GENERAL_NAMES_free(san);
	/* acmeIdentifier: critical, the DER OCTET STRING of the digest. */
	assert_non_null(obj = OBJ_txt2obj(oid, 1));
	idx = X509_get_ext_by_OBJ(x, obj, -1);
	ASN1_OBJECT_free(obj);
	if (r->acme_id == NULL) {
		assert_int_equal(idx, -1);
		assert_int_equal(X509_get_ext_count(x), 2);
	} else {
		assert_true(idx >= 0);
		assert_non_null(ext = X509_get_ext(x, idx));
		assert_int_equal(X509_EXTENSION_get_critical(ext), 1);
		data = X509_EXTENSION_get_data(ext);
		assert_int_equal(ASN1_STRING_length(data), 34);
		assert_memory_equal(ASN1_STRING_get0_data(data), "\x04\x20",
		    2);
		assert_memory_equal(ASN1_STRING_get0_data(data) + 2,
		    r->acme_id, 32);
		assert_int_equal(X509_get_ext_count(x), 3);
	}
	/* Self-signed with the certificate's own key and digest. */
	assert_int_equal(X509_verify(x, X509_get0_pubkey(x)), 1);
	assert_int_equal(X509_get_signature_nid(x), want_sig_nid);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x),
	    crypto_alpn_cert_pkey(c)), 1);
	assert_int_equal(crypto_cert_check_key(pem.data, pem.len,
	    crypto_alpn_cert_key(c)), 0);
	assert_int_equal(crypto_key_get_type(crypto_alpn_cert_key(c)),
	    r->key_type);
	buf_free(&pem);
}

static void
test_every_type(void **state)
{
	static const int sig_nid[CRYPTO_KEY_TYPE_COUNT] = {
		[CRYPTO_KEY_RSA2048] = NID_sha256WithRSAEncryption,
		[CRYPTO_KEY_RSA4096] = NID_sha256WithRSAEncryption,
		[CRYPTO_KEY_ECDSA_P256] = NID_ecdsa_with_SHA256,
		[CRYPTO_KEY_ECDSA_P384] = NID_ecdsa_with_SHA256,
		[CRYPTO_KEY_ECDSA_P521] = NID_ecdsa_with_SHA256,
		[CRYPTO_KEY_ED25519] = NID_ED25519,
		[CRYPTO_KEY_ED448] = NID_ED448,
	};
	unsigned char acme_id[CRYPTO_ACME_ID_LEN];
	struct crypto_alpn_req r;
	struct crypto_alpn_cert *c;
	int t;

	(void)state;
	assert_int_equal(crypto_tls_alpn01_digest(KEY_AUTHZ, acme_id), 0);
	for (t = 0; t < CRYPTO_KEY_TYPE_COUNT; t++) {
		/* The only RSA-4096 key this binary makes (it is slow). */
		memset(&r, 0, sizeof(r));
		r.key_type = t;
		r.digest = CRYPTO_DIGEST_SHA256;
		r.ident.type = CRYPTO_IDENT_DNS;
		r.ident.value = "example.org";
		r.acme_id = acme_id;
		assert_non_null(c = crypto_alpn_cert_new(&r));
		check_cert(c, &r, sig_nid[t]);
		crypto_alpn_cert_free(c);
	}
}

static void
test_digests(void **state)
{
	static const struct {
		enum crypto_key_type t;
		enum crypto_digest d;
		int nid;
	} v[] = {
		{ CRYPTO_KEY_ECDSA_P384, CRYPTO_DIGEST_SHA384,
		    NID_ecdsa_with_SHA384 },
		{ CRYPTO_KEY_ECDSA_P256, CRYPTO_DIGEST_SHA512,
		    NID_ecdsa_with_SHA512 },
		{ CRYPTO_KEY_RSA2048, CRYPTO_DIGEST_SHA512,
		    NID_sha512WithRSAEncryption },
		/* EdDSA ignores the digest. */
		{ CRYPTO_KEY_ED448, CRYPTO_DIGEST_SHA384, NID_ED448 },
	};
	struct crypto_alpn_req r;
	struct crypto_alpn_cert *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.key_type = v[i].t;
		r.digest = v[i].d;
		r.ident.type = CRYPTO_IDENT_DNS;
		r.ident.value = "example.org";
		assert_non_null(c = crypto_alpn_cert_new(&r));
		check_cert(c, &r, v[i].nid);
		crypto_alpn_cert_free(c);
	}
}

/* tacd's path: the name and the proof text ACMEd's default hooks pass. */
static void
test_tacd_inputs(void **state)
{
	static const struct {
		const char *name, *value;
		enum crypto_ident_type type;
	} v[] = {
		{ "www.example.org", "www.example.org", CRYPTO_IDENT_DNS },
		{ "1.113.0.203.in-addr.arpa", "203.0.113.1", CRYPTO_IDENT_IP },
		{ "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0."
		    "2.ip6.arpa", "2001:db8::1", CRYPTO_IDENT_IP },
		{ "192.0.2.9", "192.0.2.9", CRYPTO_IDENT_IP },
	};
	unsigned char acme_id[CRYPTO_ACME_ID_LEN], want[CRYPTO_ACME_ID_LEN];
	const char *args[] = { "x509", "-noout", "-ext", "subjectAltName",
	    NULL };
	struct crypto_alpn_req r;
	struct crypto_alpn_cert *c;
	struct buf text, value, pem, out;
	size_t i;

	(void)state;
	buf_init(&text, 256);
	assert_int_equal(crypto_tls_alpn01_ext_text(KEY_AUTHZ, &text), 0);
	assert_int_equal(crypto_tls_alpn01_ext_parse(buf_str(&text), acme_id),
	    0);
	assert_int_equal(crypto_tls_alpn01_digest(KEY_AUTHZ, want), 0);
	assert_memory_equal(acme_id, want, sizeof(want));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		buf_init(&value, 256);
		buf_init(&pem, BUF_MAX_SMALL);
		buf_init(&out, BUF_MAX_SMALL);
		memset(&r, 0, sizeof(r));
		r.key_type = CRYPTO_KEY_ECDSA_P256;
		r.digest = CRYPTO_DIGEST_SHA256;
		assert_int_equal(crypto_tls_alpn_name_parse(v[i].name,
		    &r.ident.type, &value), 0);
		assert_int_equal(r.ident.type, v[i].type);
		assert_string_equal(buf_str(&value), v[i].value);
		r.ident.value = buf_str(&value);
		r.acme_id = acme_id;
		assert_non_null(c = crypto_alpn_cert_new(&r));
		check_cert(c, &r, NID_ecdsa_with_SHA256);
		/* The openssl tool reads the same SAN. */
		assert_int_equal(crypto_alpn_cert_pem(c, &pem), 0);
		assert_int_equal(run_openssl(args, pem.data, pem.len, &out),
		    0);
		if (v[i].type == CRYPTO_IDENT_DNS)
			assert_true(contains(buf_str(&out), "DNS:"));
		else
			assert_true(contains(buf_str(&out), "IP Address:"));
		crypto_alpn_cert_free(c);
		buf_free(&value);
		buf_free(&pem);
		buf_free(&out);
	}
	buf_free(&text);
}

static void
test_ssl_ctx(void **state)
{
	unsigned char acme_id[CRYPTO_ACME_ID_LEN];
	struct crypto_alpn_req r;
	struct crypto_alpn_cert *c;
	SSL_CTX *ctx;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.key_type = CRYPTO_KEY_ECDSA_P256;
	r.digest = CRYPTO_DIGEST_SHA256;
	r.ident.type = CRYPTO_IDENT_DNS;
	r.ident.value = "example.org";
	assert_int_equal(crypto_tls_alpn01_digest(KEY_AUTHZ, acme_id), 0);
	r.acme_id = acme_id;
	assert_non_null(c = crypto_alpn_cert_new(&r));
	assert_non_null(ctx = SSL_CTX_new(TLS_server_method()));
	assert_int_equal(SSL_CTX_use_certificate(ctx,
	    crypto_alpn_cert_x509(c)), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx,
	    crypto_alpn_cert_pkey(c)), 1);
	assert_int_equal(SSL_CTX_check_private_key(ctx), 1);
	/* The context holds its own references. */
	crypto_alpn_cert_free(c);
	assert_int_equal(SSL_CTX_check_private_key(ctx), 1);
	SSL_CTX_free(ctx);
}

static void
test_errors(void **state)
{
	struct crypto_alpn_req r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.key_type = CRYPTO_KEY_ED25519;
	r.ident.type = CRYPTO_IDENT_IP;
	r.ident.value = "example.org";
	assert_null(crypto_alpn_cert_new(&r));
	assert_string_equal(err_msg(), "example.org: invalid IP address");
	r.ident.type = CRYPTO_IDENT_DNS;
	r.ident.value = "";
	assert_null(crypto_alpn_cert_new(&r));
	crypto_alpn_cert_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_digests),
		cmocka_unit_test(test_tacd_inputs),
		cmocka_unit_test(test_ssl_ctx),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, helpers_setup, helpers_teardown);
}
