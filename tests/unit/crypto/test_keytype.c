/*
 * test_keytype.c - the key type, JWS algorithm, EAB algorithm and digest
 * vocabularies: ACMEd's parse rules, display forms and error texts
 * (acmed-behaviour section 1.10, 1.8).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "crypto/keytype.h"
#include "util/err.h"

static void
test_key_types(void **state)
{
	static const struct {
		const char *in;
		enum crypto_key_type t;
		const char *display;
	} ok[] = {
		{ "rsa2048", CRYPTO_KEY_RSA2048, "rsa2048" },
		{ "RSA4096", CRYPTO_KEY_RSA4096, "rsa4096" },
		{ "ecdsa_p256", CRYPTO_KEY_ECDSA_P256, "ecdsa-p256" },
		{ "ecdsa-p256", CRYPTO_KEY_ECDSA_P256, "ecdsa-p256" },
		{ "ECDSA-P384", CRYPTO_KEY_ECDSA_P384, "ecdsa-p384" },
		{ "Ecdsa_P521", CRYPTO_KEY_ECDSA_P521, "ecdsa-p521" },
		{ "ed25519", CRYPTO_KEY_ED25519, "ed25519" },
		{ "ED448", CRYPTO_KEY_ED448, "ed448" },
	};
	enum crypto_key_type t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(crypto_key_type_parse(ok[i].in, &t), 0);
		assert_int_equal(t, ok[i].t);
		assert_string_equal(crypto_key_type_name(t), ok[i].display);
	}
	assert_int_equal(crypto_key_type_parse("rsa1024", &t), -1);
	assert_string_equal(err_msg(), "rsa1024: unknown algorithm");
	assert_int_equal(crypto_key_type_parse("ecdsa_p256 ", &t), -1);
	assert_int_equal(crypto_key_type_parse("ecdsa_p2566", &t), -1);
	assert_int_equal(crypto_key_type_parse("ecdsa", &t), -1);
	assert_int_equal(crypto_key_type_parse("", &t), -1);
	assert_string_equal(err_msg(), ": unknown algorithm");
}

static void
test_jws_algs(void **state)
{
	static const struct {
		const char *in;
		enum crypto_jws_alg a;
		const char *name, *header;
	} ok[] = {
		{ "HS256", CRYPTO_ALG_HS256, "HS256", "HS256" },
		{ "hs384", CRYPTO_ALG_HS384, "HS384", "HS384" },
		{ "Hs512", CRYPTO_ALG_HS512, "HS512", "HS512" },
		{ "rs256", CRYPTO_ALG_RS256, "RS256", "RS256" },
		/* ACMEd's own test: ES256, Es256 and es256 all parse. */
		{ "ES256", CRYPTO_ALG_ES256, "ES256", "ES256" },
		{ "Es256", CRYPTO_ALG_ES256, "ES256", "ES256" },
		{ "es256", CRYPTO_ALG_ES256, "ES256", "ES256" },
		{ "ES384", CRYPTO_ALG_ES384, "ES384", "ES384" },
		{ "ES512", CRYPTO_ALG_ES512, "ES512", "ES512" },
		/* RFC 8037: the header says EdDSA whatever the curve. */
		{ "ed25519", CRYPTO_ALG_ED25519, "Ed25519", "EdDSA" },
		{ "ED448", CRYPTO_ALG_ED448, "Ed448", "EdDSA" },
	};
	enum crypto_jws_alg a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(crypto_jws_alg_parse(ok[i].in, &a), 0);
		assert_int_equal(a, ok[i].a);
		assert_string_equal(crypto_jws_alg_name(a), ok[i].name);
		assert_string_equal(crypto_jws_alg_header(a), ok[i].header);
	}
	assert_int_equal(crypto_jws_alg_parse("EdDSA", &a), -1);
	assert_string_equal(err_msg(), "EdDSA: unknown algorithm.");
	assert_int_equal(crypto_jws_alg_parse("ES-256", &a), -1);
	assert_string_equal(err_msg(), "ES-256: unknown algorithm.");
	assert_int_equal(crypto_jws_alg_parse("PS256", &a), -1);
}

static void
test_compatibility(void **state)
{
	static const enum crypto_jws_alg want[CRYPTO_KEY_TYPE_COUNT] = {
		[CRYPTO_KEY_RSA2048] = CRYPTO_ALG_RS256,
		[CRYPTO_KEY_RSA4096] = CRYPTO_ALG_RS256,
		[CRYPTO_KEY_ECDSA_P256] = CRYPTO_ALG_ES256,
		[CRYPTO_KEY_ECDSA_P384] = CRYPTO_ALG_ES384,
		[CRYPTO_KEY_ECDSA_P521] = CRYPTO_ALG_ES512,
		[CRYPTO_KEY_ED25519] = CRYPTO_ALG_ED25519,
		[CRYPTO_KEY_ED448] = CRYPTO_ALG_ED448,
	};
	int t, a;

	(void)state;
	for (t = 0; t < CRYPTO_KEY_TYPE_COUNT; t++) {
		assert_int_equal(crypto_key_type_default_alg(t), want[t]);
		for (a = 0; a < CRYPTO_JWS_ALG_COUNT; a++)
			assert_int_equal(crypto_key_type_check_alg(t, a),
			    (enum crypto_jws_alg)a == want[t] ? 0 : -1);
	}
	assert_int_equal(crypto_key_type_check_alg(CRYPTO_KEY_ECDSA_P256,
	    CRYPTO_ALG_ES384), -1);
	assert_string_equal(err_msg(), "incompatible signature algorithm: "
	    "ES384 cannot be used with an ecdsa-p256 key");
	assert_int_equal(crypto_key_type_check_alg(CRYPTO_KEY_RSA2048,
	    CRYPTO_ALG_HS256), -1);
	assert_string_equal(err_msg(), "incompatible signature algorithm: "
	    "HS256 cannot be used with an rsa2048 key");
}

static void
test_eab_algs(void **state)
{
	enum crypto_jws_alg a;

	(void)state;
	assert_int_equal(crypto_eab_alg_parse("hs256", &a), 0);
	assert_int_equal(a, CRYPTO_ALG_HS256);
	assert_int_equal(crypto_eab_alg_parse("HS384", &a), 0);
	assert_int_equal(a, CRYPTO_ALG_HS384);
	assert_int_equal(crypto_eab_alg_parse("HS512", &a), 0);
	assert_int_equal(a, CRYPTO_ALG_HS512);
	assert_int_equal(crypto_eab_alg_parse("es256", &a), -1);
	assert_string_equal(err_msg(),
	    "ES256: invalid signature algorithm for external account binding");
	assert_int_equal(crypto_eab_alg_parse("HS1", &a), -1);
	assert_string_equal(err_msg(), "HS1: unknown algorithm.");
}

static void
test_digests(void **state)
{
	static const struct {
		const char *in;
		enum crypto_digest d;
	} ok[] = {
		{ "sha256", CRYPTO_DIGEST_SHA256 },
		{ "SHA-256", CRYPTO_DIGEST_SHA256 },
		{ "sha_256", CRYPTO_DIGEST_SHA256 },
		{ "Sha-384", CRYPTO_DIGEST_SHA384 },
		{ "SHA512", CRYPTO_DIGEST_SHA512 },
		{ "s-h_a-5_1-2", CRYPTO_DIGEST_SHA512 },
	};
	enum crypto_digest d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(crypto_digest_parse(ok[i].in, &d), 0);
		assert_int_equal(d, ok[i].d);
	}
	assert_string_equal(crypto_digest_name(CRYPTO_DIGEST_SHA384),
	    "sha384");
	/* The message shows the normalised text. */
	assert_int_equal(crypto_digest_parse("SHA-1", &d), -1);
	assert_string_equal(err_msg(), "sha1: unknown hash function.");
	assert_int_equal(crypto_digest_parse("MD_5", &d), -1);
	assert_string_equal(err_msg(), "md5: unknown hash function.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_types),
		cmocka_unit_test(test_jws_algs),
		cmocka_unit_test(test_compatibility),
		cmocka_unit_test(test_eab_algs),
		cmocka_unit_test(test_digests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
