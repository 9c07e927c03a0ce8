/*
 * test_proof.c - key authorizations, the dns-01 value, ACMEd's tls-alpn-01
 * proof text (also fed to the openssl tool's extension parser, as ACMEd's
 * tacd does), and the identifier_tls_alpn reverse names of
 * acmed-behaviour section 10 with their inverse for tacd.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/key.h"
#include "crypto/proof.h"
#include "crypto/signer.h"
#include "helpers.h"
#include "util/b64url.h"
#include "util/err.h"

#define TOKEN	"evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
#define RFC8037_THUMBPRINT	"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"

static struct crypto_signer *
rfc8037_signer(void)
{
	static const char jwk[] = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\","
	    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
	struct crypto_signer *s;
	struct crypto_key *k;

	assert_non_null(k = crypto_key_from_jwk(jwk, strlen(jwk)));
	assert_non_null(s = crypto_signer_new(k, CRYPTO_ALG_ED25519));
	crypto_key_free(k);
	return s;
}

static void
test_key_authorization(void **state)
{
	static const char *const bad[] = {
		"", "../../etc/passwd", "a=b", "a b", "tok+en", "tok/en",
		"t\xc3\xa9", "a\n",
	};
	struct crypto_signer *s = rfc8037_signer();
	struct buf ka;
	size_t i;

	(void)state;
	buf_init(&ka, BUF_MAX_SMALL);
	assert_int_equal(crypto_key_authorization(s, TOKEN, &ka), 0);
	assert_string_equal(buf_str(&ka), TOKEN "." RFC8037_THUMBPRINT);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&ka);
		assert_int_equal(crypto_key_authorization(s, bad[i], &ka), -1);
		assert_int_equal(ka.len, 0);
	}
	assert_string_equal(err_msg(), "challenge token has a character "
	    "outside the base64url alphabet at offset 1");
	buf_free(&ka);
	crypto_signer_free(s);
}

static void
test_dns01_and_digest(void **state)
{
	static const char ka[] = TOKEN "." RFC8037_THUMBPRINT;
	const char *args[] = { "dgst", "-sha256", "-binary", NULL };
	unsigned char md[CRYPTO_ACME_ID_LEN];
	struct buf v, cli;
	char *want;

	(void)state;
	buf_init(&v, 256);
	buf_init(&cli, 256);
	assert_int_equal(run_openssl(args, ka, strlen(ka), &cli), 0);
	assert_int_equal(cli.len, 32);
	assert_int_equal(crypto_tls_alpn01_digest(ka, md), 0);
	assert_memory_equal(md, cli.data, 32);
	assert_int_equal(crypto_dns01_value(ka, &v), 0);
	assert_non_null(want = b64url_encode(cli.data, cli.len));
	assert_string_equal(buf_str(&v), want);
	assert_int_equal(v.len, 43);
	free(want);
	buf_free(&v);
	buf_free(&cli);
}

static void
test_tls_alpn01_text(void **state)
{
	static const char ka[] = TOKEN "." RFC8037_THUMBPRINT;
	static const char prefix[] = "1.3.6.1.5.5.7.1.31=critical,DER:04:20:";
	unsigned char md[CRYPTO_ACME_ID_LEN], back[CRYPTO_ACME_ID_LEN];
	char upper[256], bare[256], other[256];
	struct buf text;
	size_t i, j;

	(void)state;
	buf_init(&text, 256);
	assert_int_equal(crypto_tls_alpn01_digest(ka, md), 0);
	assert_int_equal(crypto_tls_alpn01_ext_text(ka, &text), 0);
	assert_int_equal(strncmp(buf_str(&text), prefix, strlen(prefix)), 0);
	assert_int_equal(text.len, strlen(prefix) + 32 * 3 - 1);
	for (i = 0; i < 32; i++) {
		char pair[3];

		snprintf(pair, sizeof(pair), "%02x", md[i]);
		assert_memory_equal(text.data + strlen(prefix) + 3 * i, pair,
		    2);
	}
	assert_int_equal(crypto_tls_alpn01_ext_parse(buf_str(&text), back), 0);
	assert_memory_equal(back, md, sizeof(md));
	/* Upper-case hex, no colons, no "critical,": all read back. */
	for (i = 0; i <= text.len; i++)
		upper[i] = i >= strlen(prefix) && text.data[i] >= 'a' &&
		    text.data[i] <= 'f' ? (char)(text.data[i] - 32) :
		    text.data[i];
	memset(back, 0, sizeof(back));
	assert_int_equal(crypto_tls_alpn01_ext_parse(upper, back), 0);
	assert_memory_equal(back, md, sizeof(md));
	strcpy(bare, "1.3.6.1.5.5.7.1.31=DER:");
	for (i = strlen("1.3.6.1.5.5.7.1.31=critical,DER:"), j = strlen(bare);
	    i <= text.len; i++)
		if (text.data[i] != ':')
			bare[j++] = text.data[i];
	memset(back, 0, sizeof(back));
	assert_int_equal(crypto_tls_alpn01_ext_parse(bare, back), 0);
	assert_memory_equal(back, md, sizeof(md));
	/* Spaces after "critical," and "DER:", as OpenSSL's parser takes. */
	snprintf(other, sizeof(other), "1.3.6.1.5.5.7.1.31=critical, DER: %s",
	    buf_str(&text) + strlen("1.3.6.1.5.5.7.1.31=critical,DER:"));
	memset(back, 0, sizeof(back));
	assert_int_equal(crypto_tls_alpn01_ext_parse(other, back), 0);
	assert_memory_equal(back, md, sizeof(md));
	/* Wrong OID, short value, other lengths, trailing bytes. */
	snprintf(other, sizeof(other), "1.3.6.1.5.5.7.1.30%s",
	    buf_str(&text) + strlen("1.3.6.1.5.5.7.1.31"));
	assert_int_equal(crypto_tls_alpn01_ext_parse(other, back), -1);
	assert_string_equal(err_msg(), "invalid acmeIdentifier extension");
	assert_int_equal(crypto_tls_alpn01_ext_parse(
	    "1.3.6.1.5.5.7.1.31=critical,DER:04:01:00", back), -1);
	snprintf(other, sizeof(other), "%s:00", buf_str(&text));
	assert_int_equal(crypto_tls_alpn01_ext_parse(other, back), -1);
	snprintf(other, sizeof(other), "%s0", buf_str(&text));
	assert_int_equal(crypto_tls_alpn01_ext_parse(other, back), -1);
	assert_int_equal(crypto_tls_alpn01_ext_parse("", back), -1);
	buf_free(&text);
}

/* ACMEd's tacd gives the proof text to OpenSSL's extension-config parser;
 * the openssl tool uses the same parser for -addext. */
static void
test_tls_alpn01_text_openssl(void **state)
{
	static const char ka[] = TOKEN "." RFC8037_THUMBPRINT;
	struct buf pem, text, out, x509;
	unsigned char md[CRYPTO_ACME_ID_LEN];
	char key_path[256], hex[4 + 2 * 32 + 1];
	const char *p, *b, *nl;
	size_t i;

	(void)state;
	buf_init(&pem, BUF_MAX_SMALL);
	buf_init(&text, 256);
	buf_init(&out, BUF_MAX_SMALL);
	buf_init(&x509, BUF_MAX_SMALL);
	assert_int_equal(crypto_key_to_pem(shared_key(CRYPTO_KEY_ECDSA_P256),
	    &pem), 0);
	snprintf(key_path, sizeof(key_path), "%s",
	    scratch_write("key.pem", pem.data, pem.len));
	assert_int_equal(crypto_tls_alpn01_ext_text(ka, &text), 0);
	{
		const char *args[] = { "req", "-new", "-x509", "-key",
		    key_path, "-subj", "/CN=test", "-days", "1", "-addext",
		    buf_str(&text), NULL };
		assert_int_equal(run_openssl(args, NULL, 0, &out), 0);
	}
	{
		const char *args[] = { "asn1parse", NULL };
		assert_int_equal(run_openssl(args, out.data, out.len, &x509),
		    0);
	}
	/* The extension: OID, critical (BOOLEAN 255), then extnValue, the
	 * DER of an OCTET STRING of 32 bytes, printed in hex. */
	assert_int_equal(crypto_tls_alpn01_digest(ka, md), 0);
	snprintf(hex, sizeof(hex), "0420");
	for (i = 0; i < 32; i++)
		snprintf(hex + 4 + 2 * i, 3, "%02X", md[i]);
	p = strstr(buf_str(&x509), ":1.3.6.1.5.5.7.1.31\n");
	assert_non_null(p);
	assert_non_null(p = strchr(p + 1, '\n'));
	/* The next line is the BOOLEAN. */
	assert_non_null(nl = strchr(p + 1, '\n'));
	assert_non_null(b = strstr(p + 1, "BOOLEAN"));
	assert_true(b < nl);
	assert_non_null(b = strstr(p + 1, ":255\n"));
	assert_true(b < nl);
	assert_true(contains(p, "OCTET STRING"));
	assert_true(contains(p, hex));
	buf_free_secure(&pem);
	buf_free(&text);
	buf_free(&out);
	buf_free(&x509);
}

static const struct {
	const char *ip, *name;
} revnames[] = {
	{ "203.0.113.1", "1.113.0.203.in-addr.arpa" },
	{ "2001:db8::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d."
	    "0.1.0.0.2.ip6.arpa" },
	{ "4321:0:1:2:3:4:567:89ab", "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0."
	    "0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa" },
	{ "0.0.0.0", "0.0.0.0.in-addr.arpa" },
	{ "255.255.255.255", "255.255.255.255.in-addr.arpa" },
};

static void
test_reverse_names(void **state)
{
	struct crypto_ident id;
	struct buf out;
	size_t i;

	(void)state;
	buf_init(&out, 256);
	for (i = 0; i < sizeof(revnames) / sizeof(revnames[0]); i++) {
		buf_reset(&out);
		id.type = CRYPTO_IDENT_IP;
		id.value = revnames[i].ip;
		assert_int_equal(crypto_tls_alpn_name(&id, &out), 0);
		assert_string_equal(buf_str(&out), revnames[i].name);
	}
	buf_reset(&out);
	id.type = CRYPTO_IDENT_DNS;
	id.value = "www.example.org";
	assert_int_equal(crypto_tls_alpn_name(&id, &out), 0);
	assert_string_equal(buf_str(&out), "www.example.org");
	id.type = CRYPTO_IDENT_IP;
	id.value = "203.0.113";
	assert_int_equal(crypto_tls_alpn_name(&id, &out), -1);
	assert_string_equal(err_msg(), "203.0.113: invalid IP address");
	buf_free(&out);
}

static void
test_reverse_names_back(void **state)
{
	static const struct {
		const char *in;
		enum crypto_ident_type type;
		const char *value;
	} v[] = {
		{ "1.113.0.203.IN-ADDR.ARPA", CRYPTO_IDENT_IP, "203.0.113.1" },
		{ "192.0.2.7", CRYPTO_IDENT_IP, "192.0.2.7" },
		{ "2001:DB8:0:0::1", CRYPTO_IDENT_IP, "2001:db8::1" },
		{ "example.org", CRYPTO_IDENT_DNS, "example.org" },
		{ "*.example.org", CRYPTO_IDENT_DNS, "*.example.org" },
		{ "1.2.3.in-addr.arpa", CRYPTO_IDENT_DNS,
		    "1.2.3.in-addr.arpa" },
		{ "01.2.3.4.in-addr.arpa", CRYPTO_IDENT_DNS,
		    "01.2.3.4.in-addr.arpa" },
		{ "256.2.3.4.in-addr.arpa", CRYPTO_IDENT_DNS,
		    "256.2.3.4.in-addr.arpa" },
		{ "1.2.3.4.5.in-addr.arpa", CRYPTO_IDENT_DNS,
		    "1.2.3.4.5.in-addr.arpa" },
		{ "in-addr.arpa", CRYPTO_IDENT_DNS, "in-addr.arpa" },
		{ "a.ip6.arpa", CRYPTO_IDENT_DNS, "a.ip6.arpa" },
	};
	enum crypto_ident_type type;
	struct buf out;
	size_t i;

	(void)state;
	buf_init(&out, 256);
	for (i = 0; i < sizeof(revnames) / sizeof(revnames[0]); i++) {
		buf_reset(&out);
		assert_int_equal(crypto_tls_alpn_name_parse(revnames[i].name,
		    &type, &out), 0);
		assert_int_equal(type, CRYPTO_IDENT_IP);
		assert_string_equal(buf_str(&out), revnames[i].ip);
	}
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		buf_reset(&out);
		assert_int_equal(crypto_tls_alpn_name_parse(v[i].in, &type,
		    &out), 0);
		assert_int_equal(type, v[i].type);
		assert_string_equal(buf_str(&out), v[i].value);
	}
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_authorization),
		cmocka_unit_test(test_dns01_and_digest),
		cmocka_unit_test(test_tls_alpn01_text),
		cmocka_unit_test(test_tls_alpn01_text_openssl),
		cmocka_unit_test(test_reverse_names),
		cmocka_unit_test(test_reverse_names_back),
	};

	return cmocka_run_group_tests(tests, helpers_setup, helpers_teardown);
}
