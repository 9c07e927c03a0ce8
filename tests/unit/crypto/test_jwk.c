/*
 * test_jwk.c - JWKs and thumbprints: RFC 7638 section 3.1, RFC 8037
 * appendix A.1-A.3 (Ed25519), the P-256 and Ed25519 public keys of ACMEd's
 * own JWK tests (acmed-behaviour section 10), ACMEd's member set and order
 * for every key type, and the padding of EC coordinates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/jwk.h"
#include "crypto/key.h"
#include "helpers.h"
#include "util/err.h"

#define RFC7638_N \
	"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7" \
	"aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBX" \
	"Arwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9" \
	"c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM" \
	"4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"

#define RFC8037_D	"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
#define RFC8037_X	"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"

static struct crypto_key *
load_jwk(const char *json)
{
	struct crypto_key *k = crypto_key_from_jwk(json, strlen(json));

	if (k == NULL)
		print_message("%s\n", err_msg());
	assert_non_null(k);
	return k;
}

static void
check_jwk(const struct crypto_key *k, const char *jwk, const char *input,
    const char *thumbprint)
{
	struct buf b;
	json_t *o;
	char *s;

	buf_init(&b, BUF_MAX_SMALL);
	assert_int_equal(crypto_key_jwk(k, &b), 0);
	if (jwk != NULL)
		assert_string_equal(buf_str(&b), jwk);
	/* The object and the text agree, key order included. */
	assert_non_null(o = crypto_key_jwk_json(k));
	assert_non_null(s = json_dumps(o, JSON_COMPACT));
	assert_string_equal(s, buf_str(&b));
	free(s);
	json_decref(o);
	buf_reset(&b);
	assert_int_equal(crypto_key_thumbprint_input(k, &b), 0);
	if (input != NULL)
		assert_string_equal(buf_str(&b), input);
	buf_reset(&b);
	assert_int_equal(crypto_key_thumbprint(k, &b), 0);
	if (thumbprint != NULL)
		assert_string_equal(buf_str(&b), thumbprint);
	buf_free(&b);
}

static void
test_rfc7638(void **state)
{
	struct crypto_key *k;

	(void)state;
	k = load_jwk("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\","
	    "\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}");
	assert_false(crypto_key_is_private(k));
	assert_int_equal(crypto_key_get_type(k), CRYPTO_KEY_RSA2048);
	check_jwk(k,
	    "{\"alg\":\"RS256\",\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\""
	    RFC7638_N "\",\"use\":\"sig\"}",
	    "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\"}",
	    "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	crypto_key_free(k);
}

static void
test_rfc8037(void **state)
{
	struct crypto_key *k;

	(void)state;
	/* A.1: the private key; A.2: its public JWK; A.3: thumbprint. */
	k = load_jwk("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"" RFC8037_D
	    "\",\"x\":\"" RFC8037_X "\"}");
	assert_true(crypto_key_is_private(k));
	assert_int_equal(crypto_key_get_type(k), CRYPTO_KEY_ED25519);
	check_jwk(k, "{\"alg\":\"EdDSA\",\"crv\":\"Ed25519\",\"kty\":\"OKP\","
	    "\"use\":\"sig\",\"x\":\"" RFC8037_X "\"}",
	    "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" RFC8037_X "\"}",
	    "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
	crypto_key_free(k);
	k = load_jwk("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\""
	    RFC8037_X "\"}");
	check_jwk(k, NULL, NULL, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
	crypto_key_free(k);
}

/* The public halves of ACMEd's fixed test keys, as its tests list them:
 * our JWK must give back exactly these members. */
static void
test_acmed_vectors(void **state)
{
	static const char *const ed[] = {
		"DUX9ja8pq2wfkxuIaHzmhkdcVXMav_3rk5Y5ozOcp4o",
		"i9K0eV5qOJ_l_TWjWFLm8R-JbyGdlqFFeL_J0eEXFnc",
	};
	char jwk[256], want[256], input[256];
	struct crypto_key *k;
	size_t i;

	(void)state;
	k = load_jwk("{\"kty\":\"EC\",\"crv\":\"P-256\","
	    "\"x\":\"VpJrz2a8rASzmbHStuDxNCjQc8ZiDnrGvVeRayNskrQ\","
	    "\"y\":\"GrVCHhF5hN68efEgdoYS7acUT88qhMKQbULVcBgPBUg\"}");
	assert_int_equal(crypto_key_get_type(k), CRYPTO_KEY_ECDSA_P256);
	check_jwk(k, "{\"alg\":\"ES256\",\"crv\":\"P-256\",\"kty\":\"EC\","
	    "\"use\":\"sig\","
	    "\"x\":\"VpJrz2a8rASzmbHStuDxNCjQc8ZiDnrGvVeRayNskrQ\","
	    "\"y\":\"GrVCHhF5hN68efEgdoYS7acUT88qhMKQbULVcBgPBUg\"}",
	    "{\"crv\":\"P-256\",\"kty\":\"EC\","
	    "\"x\":\"VpJrz2a8rASzmbHStuDxNCjQc8ZiDnrGvVeRayNskrQ\","
	    "\"y\":\"GrVCHhF5hN68efEgdoYS7acUT88qhMKQbULVcBgPBUg\"}", NULL);
	crypto_key_free(k);
	for (i = 0; i < sizeof(ed) / sizeof(ed[0]); i++) {
		snprintf(jwk, sizeof(jwk), "{\"kty\":\"OKP\",\"crv\":"
		    "\"Ed25519\",\"x\":\"%s\"}", ed[i]);
		snprintf(want, sizeof(want), "{\"alg\":\"EdDSA\",\"crv\":"
		    "\"Ed25519\",\"kty\":\"OKP\",\"use\":\"sig\",\"x\":\"%s\"}",
		    ed[i]);
		snprintf(input, sizeof(input), "{\"crv\":\"Ed25519\","
		    "\"kty\":\"OKP\",\"x\":\"%s\"}", ed[i]);
		k = load_jwk(jwk);
		check_jwk(k, want, input, NULL);
		crypto_key_free(k);
	}
}

/* Member names, their order, and the sizes of the values. */
static void
test_members_every_type(void **state)
{
	static const struct {
		const char *prefix;
		size_t xlen;	/* base64url characters of x and y */
	} v[CRYPTO_KEY_TYPE_COUNT] = {
		[CRYPTO_KEY_RSA2048] =
		    { "{\"alg\":\"RS256\",\"e\":\"AQAB\",\"kty\":\"RSA\","
		    "\"n\":\"", 0 },
		[CRYPTO_KEY_RSA4096] =
		    { "{\"alg\":\"RS256\",\"e\":\"AQAB\",\"kty\":\"RSA\","
		    "\"n\":\"", 0 },
		[CRYPTO_KEY_ECDSA_P256] = { "{\"alg\":\"ES256\",\"crv\":"
		    "\"P-256\",\"kty\":\"EC\",\"use\":\"sig\",\"x\":\"", 43 },
		[CRYPTO_KEY_ECDSA_P384] = { "{\"alg\":\"ES384\",\"crv\":"
		    "\"P-384\",\"kty\":\"EC\",\"use\":\"sig\",\"x\":\"", 64 },
		[CRYPTO_KEY_ECDSA_P521] = { "{\"alg\":\"ES512\",\"crv\":"
		    "\"P-521\",\"kty\":\"EC\",\"use\":\"sig\",\"x\":\"", 88 },
		[CRYPTO_KEY_ED25519] = { "{\"alg\":\"EdDSA\",\"crv\":"
		    "\"Ed25519\",\"kty\":\"OKP\",\"use\":\"sig\",\"x\":\"", 43 },
		[CRYPTO_KEY_ED448] = { "{\"alg\":\"EdDSA\",\"crv\":"
		    "\"Ed448\",\"kty\":\"OKP\",\"use\":\"sig\",\"x\":\"", 76 },
	};
	json_error_t jerr;
	json_t *o;
	struct buf b, n;
	int t;

	(void)state;
	for (t = 0; t < CRYPTO_KEY_TYPE_COUNT; t++) {
		buf_init(&b, BUF_MAX_SMALL);
		buf_init(&n, 1024);
		assert_int_equal(crypto_key_jwk(shared_key(t), &b), 0);
		assert_int_equal(strncmp(b.data, v[t].prefix,
		    strlen(v[t].prefix)), 0);
		assert_non_null(o = json_loadb(b.data, b.len, 0, &jerr));
		if (v[t].xlen == 0) {
			/* Minimal big-endian modulus: no leading zero. */
			b64url_decode_str(json_string_value(
			    json_object_get(o, "n")), &n);
			assert_int_equal(n.len, t == CRYPTO_KEY_RSA2048 ?
			    256 : 512);
			assert_int_not_equal(n.data[0], 0);
			assert_true(contains(b.data, "\",\"use\":\"sig\"}"));
		} else {
			assert_int_equal(strlen(json_string_value(
			    json_object_get(o, "x"))), v[t].xlen);
			if (t <= CRYPTO_KEY_ECDSA_P521)
				assert_int_equal(strlen(json_string_value(
				    json_object_get(o, "y"))), v[t].xlen);
		}
		json_decref(o);
		buf_free(&b);
		buf_free(&n);
	}
}

/* A coordinate with leading zero bytes keeps the full field size. */
static void
test_ec_padding(void **state)
{
	static const struct {
		enum crypto_key_type t;
		size_t bytes;
	} v[] = {
		{ CRYPTO_KEY_ECDSA_P256, 32 },
		{ CRYPTO_KEY_ECDSA_P521, 66 },
	};
	struct crypto_key *k;
	json_error_t jerr;
	json_t *o;
	struct buf b, c;
	size_t i;
	int tries, found;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		found = 0;
		/* About 1 key in 128 for P-256, 1 in 2 for P-521. */
		for (tries = 0; tries < 4000 && !found; tries++) {
			buf_init(&b, BUF_MAX_SMALL);
			buf_init(&c, 256);
			assert_non_null(k = crypto_key_generate(v[i].t));
			assert_int_equal(crypto_key_jwk(k, &b), 0);
			assert_non_null(o = json_loadb(b.data, b.len, 0,
			    &jerr));
			b64url_decode_str(json_string_value(json_object_get(o,
			    "x")), &c);
			b64url_decode_str(json_string_value(json_object_get(o,
			    "y")), &c);
			assert_int_equal(c.len, 2 * v[i].bytes);
			found = c.data[0] == 0 || c.data[v[i].bytes] == 0;
			json_decref(o);
			crypto_key_free(k);
			buf_free(&b);
			buf_free(&c);
		}
		assert_true(found);
	}
}

static void
test_import_errors(void **state)
{
	static const struct {
		const char *json, *msg;
	} v[] = {
		{ "[]", "invalid JWK: no \"kty\"" },
		{ "{\"kty\":\"oct\",\"crv\":\"x\"}", "unsupported key type: oct" },
		{ "{\"kty\":\"EC\"}", "invalid JWK: no \"crv\"" },
		{ "{\"kty\":\"EC\",\"crv\":\"P-192\"}", "unsupported EC key" },
		{ "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\","
		    "\"y\":\"AAAA\"}", "JWK coordinates are not 32 bytes long" },
		{ "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\"}",
		    "JWK needs both \"x\" and \"y\"" },
		{ "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"" RFC8037_D
		    "\",\"x\":\"DUX9ja8pq2wfkxuIaHzmhkdcVXMav_3rk5Y5ozOcp4o\"}",
		    "JWK \"x\" does not match \"d\"" },
		{ "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"AAAA\"}",
		    "unsupported key type: X25519" },
		{ "{\"kty\":\"RSA\",\"e\":\"AQAB\"}", "JWK has no \"n\"" },
		{ "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQ==\"}",
		    "JWK member \"e\": " },
		{ "{\"kty\":\"RSA\",\"kty\":\"RSA\"}", "invalid JWK: " },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_null(crypto_key_from_jwk(v[i].json,
		    strlen(v[i].json)));
		if (strncmp(err_msg(), v[i].msg, strlen(v[i].msg)) != 0)
			fail_msg("%s: got \"%s\"", v[i].json, err_msg());
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7638),
		cmocka_unit_test(test_rfc8037),
		cmocka_unit_test(test_acmed_vectors),
		cmocka_unit_test(test_members_every_type),
		cmocka_unit_test(test_ec_padding),
		cmocka_unit_test(test_import_errors),
	};

	return cmocka_run_group_tests(tests, helpers_setup, helpers_teardown);
}
