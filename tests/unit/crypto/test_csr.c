/*
 * test_csr.c - certificate signing requests for every key type, checked
 * with "openssl req": the self-signature verifies, the subjectAltName
 * lists the DNS names then the IP addresses, the subject attributes come
 * in the documented order, and the digest is the one asked for (none for
 * EdDSA).  Also the subject attribute names and the errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/csr.h"
#include "crypto/key.h"
#include "helpers.h"
#include "util/err.h"

static const struct crypto_ident idents[] = {
	{ CRYPTO_IDENT_DNS, "example.org" },
	{ CRYPTO_IDENT_IP, "192.0.2.1" },
	{ CRYPTO_IDENT_DNS, "*.example.org" },
	{ CRYPTO_IDENT_IP, "2001:db8::1" },
	{ CRYPTO_IDENT_DNS, "xn--hlo-bma.example.com" },
};

#define SAN_TEXT "DNS:example.org, DNS:*.example.org, " \
	"DNS:xn--hlo-bma.example.com, IP Address:192.0.2.1, " \
	"IP Address:2001:DB8:0:0:0:0:0:1"

/* "openssl req -text" of a DER CSR, after checking its signature. */
static void
openssl_req(const struct buf *der, struct buf *text)
{
	const char *verify[] = { "req", "-inform", "DER", "-noout", "-verify",
	    NULL };
	const char *show[] = { "req", "-inform", "DER", "-noout", "-text",
	    "-nameopt", "utf8,sep_comma_plus_space,space_eq", NULL };
	struct buf out, err;

	buf_init(&out, BUF_MAX_SMALL);
	buf_init(&err, BUF_MAX_SMALL);
	/* OpenSSL 3.0 exits 0 even when the signature is bad. */
	assert_int_equal(run_openssl_err(verify, der->data, der->len, &out,
	    &err), 0);
	if (!contains(buf_str(&err), "verify OK"))
		fail_msg("openssl req -verify: %s", buf_str(&err));
	assert_int_equal(run_openssl(show, der->data, der->len, text), 0);
	buf_free(&out);
	buf_free(&err);
}

static void
test_every_type(void **state)
{
	static const char *const sigalg[CRYPTO_KEY_TYPE_COUNT][3] = {
		[CRYPTO_KEY_RSA2048] = { "sha256WithRSAEncryption",
		    "sha384WithRSAEncryption", "sha512WithRSAEncryption" },
		[CRYPTO_KEY_RSA4096] = { "sha256WithRSAEncryption",
		    "sha384WithRSAEncryption", "sha512WithRSAEncryption" },
		[CRYPTO_KEY_ECDSA_P256] = { "ecdsa-with-SHA256",
		    "ecdsa-with-SHA384", "ecdsa-with-SHA512" },
		[CRYPTO_KEY_ECDSA_P384] = { "ecdsa-with-SHA256",
		    "ecdsa-with-SHA384", "ecdsa-with-SHA512" },
		[CRYPTO_KEY_ECDSA_P521] = { "ecdsa-with-SHA256",
		    "ecdsa-with-SHA384", "ecdsa-with-SHA512" },
		[CRYPTO_KEY_ED25519] = { "ED25519", "ED25519", "ED25519" },
		[CRYPTO_KEY_ED448] = { "ED448", "ED448", "ED448" },
	};
	struct crypto_csr_req req;
	struct buf der, text;
	char want[64];
	int t, d;

	(void)state;
	for (t = 0; t < CRYPTO_KEY_TYPE_COUNT; t++) {
		for (d = 0; d < 3; d++) {
			/* RSA-4096 is slow to sign: one digest is enough. */
			if (t == CRYPTO_KEY_RSA4096 && d > 0)
				continue;
			memset(&req, 0, sizeof(req));
			req.idents = idents;
			req.n_idents = sizeof(idents) / sizeof(idents[0]);
			req.digest = (enum crypto_digest)d;
			buf_init(&der, BUF_MAX_SMALL);
			buf_init(&text, BUF_MAX_SMALL);
			assert_int_equal(crypto_csr_der(shared_key(t), &req,
			    &der), 0);
			openssl_req(&der, &text);
			assert_true(contains(buf_str(&text),
			    "Version: 1 (0x0)"));
			assert_true(contains(buf_str(&text),
			    "X509v3 Subject Alternative Name: \n"
			    "                    " SAN_TEXT "\n"));
			/* No subject attribute: an empty subject, no CN. */
			assert_true(contains(buf_str(&text), "Subject: \n") ||
			    contains(buf_str(&text), "Subject:\n"));
			snprintf(want, sizeof(want), "Signature Algorithm: %s",
			    sigalg[t][d]);
			assert_true(contains(buf_str(&text), want));
			buf_free(&der);
			buf_free(&text);
		}
	}
}

static void
test_subject_order(void **state)
{
	static const struct crypto_ident one[] = {
		{ CRYPTO_IDENT_DNS, "example.org" },
	};
	struct crypto_csr_req req;
	struct buf der, text;
	int i;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.idents = one;
	req.n_idents = 1;
	req.digest = CRYPTO_DIGEST_SHA256;
	/* Filled from the last to the first: the order of the subject
	 * does not depend on the order of the configuration. */
	for (i = CRYPTO_SUBJ_COUNT - 1; i >= 0; i--) {
		static const char *const v[CRYPTO_SUBJ_COUNT] = {
			"FR", "Ile-de-France", "Paris", "75001",
			"1 rue de Rivoli", "BP 42", "Soci\xc3\xa9t\xc3\xa9",
			"IT", "Admin", "Jean Dupont", "Jean", "JD", "Dupont",
			"Jr", "admin@example.org",
		};
		req.subject[i] = v[i];
	}
	buf_init(&der, BUF_MAX_SMALL);
	buf_init(&text, BUF_MAX_SMALL);
	assert_int_equal(crypto_csr_der(shared_key(CRYPTO_KEY_ECDSA_P256),
	    &req, &der), 0);
	openssl_req(&der, &text);
	assert_true(contains(buf_str(&text), "Subject: C = FR, "
	    "ST = Ile-de-France, L = Paris, postalCode = 75001, "
	    "street = 1 rue de Rivoli, postalAddress = BP 42, "
	    "O = Soci\xc3\xa9t\xc3\xa9, OU = IT, title = Admin, "
	    "name = Jean Dupont, GN = Jean, initials = JD, SN = Dupont, "
	    "generationQualifier = Jr, emailAddress = admin@example.org\n"));
	assert_true(contains(buf_str(&text),
	    "X509v3 Subject Alternative Name: \n"
	    "                    DNS:example.org\n"));
	buf_free(&der);
	buf_free(&text);
}

static void
test_attr_names(void **state)
{
	static const char *const names[CRYPTO_SUBJ_COUNT] = {
		"country_name", "state_or_province_name", "locality_name",
		"postal_code", "street", "postal_address",
		"organization_name", "organizational_unit_name", "title",
		"name", "given_name", "initials", "surname",
		"generation_qualifier", "pkcs9_email_address",
	};
	enum crypto_subject_attr a;
	int i;

	(void)state;
	for (i = 0; i < CRYPTO_SUBJ_COUNT; i++) {
		assert_int_equal(crypto_subject_attr_parse(names[i], &a), 0);
		assert_int_equal(a, i);
		assert_string_equal(crypto_subject_attr_name(a), names[i]);
	}
	assert_int_equal(crypto_subject_attr_parse("common_name", &a), -1);
	assert_string_equal(err_msg(), "common_name: unknown subject attribute");
	assert_int_equal(crypto_subject_attr_parse("Country_Name", &a), -1);
}

static void
test_errors(void **state)
{
	static const struct {
		struct crypto_ident id;
		const char *msg;
	} bad[] = {
		{ { CRYPTO_IDENT_IP, "192.0.2" }, "192.0.2: invalid IP address" },
		{ { CRYPTO_IDENT_IP, "example.org" },
		    "example.org: invalid IP address" },
		{ { CRYPTO_IDENT_DNS, "" }, "\"\": invalid DNS name" },
		{ { CRYPTO_IDENT_DNS, "a b" }, "\"a b\": invalid DNS name" },
		{ { CRYPTO_IDENT_DNS, "h\xc3\xa9llo" },
		    "\"h\xc3\xa9llo\": invalid DNS name" },
	};
	static const char ed_pub[] = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
	struct crypto_csr_req req;
	struct crypto_key *pub;
	struct buf der;
	size_t i;

	(void)state;
	buf_init(&der, BUF_MAX_SMALL);
	memset(&req, 0, sizeof(req));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req.idents = &bad[i].id;
		req.n_idents = 1;
		assert_int_equal(crypto_csr_der(
		    shared_key(CRYPTO_KEY_ED25519), &req, &der), -1);
		assert_string_equal(err_msg(), bad[i].msg);
	}
	req.idents = idents;
	req.n_idents = 0;
	assert_int_equal(crypto_csr_der(shared_key(CRYPTO_KEY_ED25519), &req,
	    &der), -1);
	assert_string_equal(err_msg(), "no identifier");
	req.n_idents = 1;
	req.subject[CRYPTO_SUBJ_COUNTRY_NAME] = "FRA";
	assert_int_equal(crypto_csr_der(shared_key(CRYPTO_KEY_ED25519), &req,
	    &der), -1);
	assert_true(contains(err_msg(), "subject attribute country_name: "));
	req.subject[CRYPTO_SUBJ_COUNTRY_NAME] = NULL;
	req.subject[CRYPTO_SUBJ_ORGANIZATION_NAME] = "\xff";
	assert_int_equal(crypto_csr_der(shared_key(CRYPTO_KEY_ED25519), &req,
	    &der), -1);
	assert_true(contains(err_msg(),
	    "subject attribute organization_name: "));
	req.subject[CRYPTO_SUBJ_ORGANIZATION_NAME] = NULL;
	assert_non_null(pub = crypto_key_from_jwk(ed_pub, strlen(ed_pub)));
	assert_int_equal(crypto_csr_der(pub, &req, &der), -1);
	assert_int_equal(der.len, 0);
	crypto_key_free(pub);
	buf_free(&der);
}

/* The signature check above catches a tampered request. */
static void
test_tampered_detected(void **state)
{
	const char *verify[] = { "req", "-inform", "DER", "-noout", "-verify",
	    NULL };
	struct crypto_csr_req req;
	struct buf der, out, err;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.idents = idents;
	req.n_idents = 1;
	buf_init(&der, BUF_MAX_SMALL);
	buf_init(&out, BUF_MAX_SMALL);
	buf_init(&err, BUF_MAX_SMALL);
	assert_int_equal(crypto_csr_der(shared_key(CRYPTO_KEY_ED25519), &req,
	    &der), 0);
	der.data[der.len - 3] ^= 1;	/* in the signature */
	assert_int_equal(run_openssl_err(verify, der.data, der.len, &out,
	    &err), 0);
	assert_false(contains(buf_str(&err), "verify OK"));
	buf_free(&der);
	buf_free(&out);
	buf_free(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_subject_order),
		cmocka_unit_test(test_attr_names),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_tampered_detected),
	};

	return cmocka_run_group_tests(tests, helpers_setup, helpers_teardown);
}
