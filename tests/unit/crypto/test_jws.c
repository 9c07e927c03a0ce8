/*
 * test_jws.c - ACME request bodies: the flattened JWS with jwk or kid, its
 * member and header order, EdDSA's "alg", POST-as-GET, ACMEd's payload
 * encoding test; the nested key-change JWS of RFC 8555 section 7.3.5; and
 * the external account binding (HS256/384/512, the MAC checked against
 * the openssl tool).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/eab.h"
#include "crypto/hash.h"
#include "crypto/jws.h"
#include "crypto/signer.h"
#include "helpers.h"
#include "util/b64url.h"
#include "util/err.h"

#define URL	"https://ca.example/acme/new-acct"
#define KID	"https://ca.example/acme/acct/17"
#define NONCE	"XFHw3qcgFNZAdw"

struct parsed {
	struct buf protected, payload, sig;
	char *input;	/* b64url(protected) "." b64url(payload) */
};

/* Splits a flattened JWS, checking its three members and their order. */
static void
parse_jws(const char *text, struct parsed *p)
{
	json_error_t jerr;
	json_t *o;
	const char *keys[3];
	const char *key;
	json_t *v;
	size_t n = 0;

	assert_int_equal(strncmp(text, "{\"protected\":\"", 14), 0);
	assert_non_null(o = json_loads(text, JSON_REJECT_DUPLICATES, &jerr));
	json_object_foreach(o, key, v) {
		assert_true(n < 3);
		assert_true(json_is_string(v));
		keys[n++] = key;
	}
	assert_int_equal(n, 3);
	assert_string_equal(keys[0], "protected");
	assert_string_equal(keys[1], "payload");
	assert_string_equal(keys[2], "signature");
	buf_init(&p->protected, BUF_MAX_DEFAULT);
	buf_init(&p->payload, BUF_MAX_DEFAULT);
	buf_init(&p->sig, 1024);
	b64url_decode_str(json_string_value(json_object_get(o, "protected")),
	    &p->protected);
	b64url_decode_str(json_string_value(json_object_get(o, "payload")),
	    &p->payload);
	b64url_decode_str(json_string_value(json_object_get(o, "signature")),
	    &p->sig);
	assert_true(asprintf(&p->input, "%s.%s",
	    json_string_value(json_object_get(o, "protected")),
	    json_string_value(json_object_get(o, "payload"))) > 0);
	json_decref(o);
}

static void
parsed_free(struct parsed *p)
{
	buf_free(&p->protected);
	buf_free(&p->payload);
	buf_free(&p->sig);
	free(p->input);
}

static struct crypto_signer *
signer(enum crypto_key_type t)
{
	struct crypto_signer *s;

	assert_non_null(s = crypto_signer_new(shared_key(t),
	    crypto_key_type_default_alg(t)));
	return s;
}

static void
check_sig(const struct parsed *p, enum crypto_key_type t)
{
	assert_int_equal(crypto_signature_verify(shared_key(t),
	    crypto_key_type_default_alg(t), p->input, strlen(p->input),
	    p->sig.data, p->sig.len), 0);
}

static void
test_jwk_header_every_type(void **state)
{
	static const char payload[] =
	    "{\"contact\":[\"mailto:a@example.org\"],"
	    "\"termsOfServiceAgreed\":true}";
	struct crypto_jws_hdr h = { URL, NONCE, NULL };
	struct crypto_signer *s;
	struct buf out, jwk, want;
	struct parsed p;
	int t;

	(void)state;
	for (t = 0; t < CRYPTO_KEY_TYPE_COUNT; t++) {
		buf_init(&out, BUF_MAX_DEFAULT);
		buf_init(&jwk, BUF_MAX_SMALL);
		buf_init(&want, BUF_MAX_SMALL);
		s = signer(t);
		assert_int_equal(crypto_jws_sign(s, &h, payload,
		    strlen(payload), &out), 0);
		parse_jws(buf_str(&out), &p);
		assert_int_equal(crypto_signer_jwk(s, &jwk), 0);
		/* alg, jwk, nonce, url in this order; EdDSA per RFC 8037. */
		assert_int_equal(buf_printf(&want, "{\"alg\":\"%s\",\"jwk\":%s,"
		    "\"nonce\":\"" NONCE "\",\"url\":\"" URL "\"}",
		    t == CRYPTO_KEY_ED25519 || t == CRYPTO_KEY_ED448 ?
		    "EdDSA" : crypto_jws_alg_name(
		    crypto_key_type_default_alg(t)), buf_str(&jwk)), 0);
		assert_string_equal(buf_str(&p.protected), buf_str(&want));
		assert_string_equal(buf_str(&p.payload), payload);
		check_sig(&p, t);
		parsed_free(&p);
		crypto_signer_free(s);
		buf_free(&out);
		buf_free(&jwk);
		buf_free(&want);
	}
}

static void
test_kid_header(void **state)
{
	struct crypto_jws_hdr h = { "https://ca.example/acme/order/1", NONCE,
	    KID };
	struct crypto_signer *s;
	struct parsed p;
	struct buf out;

	(void)state;
	buf_init(&out, BUF_MAX_DEFAULT);
	s = signer(CRYPTO_KEY_ECDSA_P384);
	/* POST-as-GET: the payload is the empty string. */
	assert_int_equal(crypto_jws_sign(s, &h, "", 0, &out), 0);
	assert_true(contains(buf_str(&out), "\"payload\":\"\""));
	parse_jws(buf_str(&out), &p);
	assert_string_equal(buf_str(&p.protected), "{\"alg\":\"ES384\","
	    "\"kid\":\"" KID "\",\"nonce\":\"" NONCE "\","
	    "\"url\":\"https://ca.example/acme/order/1\"}");
	assert_int_equal(p.payload.len, 0);
	assert_int_equal(p.sig.len, 96);
	check_sig(&p, CRYPTO_KEY_ECDSA_P384);
	parsed_free(&p);
	crypto_signer_free(s);
	buf_free(&out);
}

/* ACMEd's JWS test: base64url without padding in the payload. */
static void
test_acmed_payload(void **state)
{
	struct crypto_jws_hdr h = { URL, NONCE, KID };
	struct crypto_signer *s;
	struct buf out;

	(void)state;
	s = signer(CRYPTO_KEY_ED25519);
	buf_init(&out, BUF_MAX_DEFAULT);
	assert_int_equal(crypto_jws_sign(s, &h, "Dummy payload 1", 15, &out),
	    0);
	assert_true(contains(buf_str(&out),
	    "\"payload\":\"RHVtbXkgcGF5bG9hZCAx\""));
	buf_reset(&out);
	assert_int_equal(crypto_jws_sign(s, &h, "Dummy payload", 13, &out), 0);
	assert_true(contains(buf_str(&out),
	    "\"payload\":\"RHVtbXkgcGF5bG9hZA\""));
	assert_false(contains(buf_str(&out), "="));
	buf_free(&out);
	crypto_signer_free(s);
}

static void
test_jws_errors(void **state)
{
	struct crypto_jws_hdr no_url = { NULL, NONCE, KID };
	struct crypto_jws_hdr bad_nonce = { URL, "\xff\xfe", KID };
	struct crypto_signer *s;
	struct buf out;

	(void)state;
	s = signer(CRYPTO_KEY_ECDSA_P256);
	buf_init(&out, BUF_MAX_DEFAULT);
	assert_int_equal(crypto_jws_sign(s, &no_url, "", 0, &out), -1);
	assert_string_equal(err_msg(), "a JWS needs a url");
	assert_int_equal(crypto_jws_sign(s, &bad_nonce, "", 0, &out), -1);
	assert_string_equal(err_msg(), "nonce is not valid UTF-8");
	assert_int_equal(out.len, 0);
	buf_free(&out);
	crypto_signer_free(s);
}

static void
test_key_change(void **state)
{
	static const char url[] = "https://ca.example/acme/key-change";
	struct crypto_signer *old_s, *new_s;
	struct buf out, old_jwk, new_jwk, want;
	struct parsed outer, inner;

	(void)state;
	old_s = signer(CRYPTO_KEY_ECDSA_P256);
	new_s = signer(CRYPTO_KEY_ED448);
	buf_init(&out, BUF_MAX_DEFAULT);
	buf_init(&old_jwk, BUF_MAX_SMALL);
	buf_init(&new_jwk, BUF_MAX_SMALL);
	buf_init(&want, BUF_MAX_SMALL);
	assert_int_equal(crypto_signer_jwk(old_s, &old_jwk), 0);
	assert_int_equal(crypto_signer_jwk(new_s, &new_jwk), 0);
	assert_int_equal(crypto_jws_key_change(old_s, new_s, KID, url, NONCE,
	    &out), 0);
	/* Outer: the old key, kid, a nonce. */
	parse_jws(buf_str(&out), &outer);
	assert_string_equal(buf_str(&outer.protected), "{\"alg\":\"ES256\","
	    "\"kid\":\"" KID "\",\"nonce\":\"" NONCE "\","
	    "\"url\":\"https://ca.example/acme/key-change\"}");
	check_sig(&outer, CRYPTO_KEY_ECDSA_P256);
	/* Inner: the new key, its jwk, the same url, no nonce. */
	parse_jws(buf_str(&outer.payload), &inner);
	assert_int_equal(buf_printf(&want, "{\"alg\":\"EdDSA\",\"jwk\":%s,"
	    "\"url\":\"%s\"}", buf_str(&new_jwk), url), 0);
	assert_string_equal(buf_str(&inner.protected), buf_str(&want));
	buf_reset(&want);
	assert_int_equal(buf_printf(&want, "{\"account\":\"" KID "\","
	    "\"oldKey\":%s}", buf_str(&old_jwk)), 0);
	assert_string_equal(buf_str(&inner.payload), buf_str(&want));
	check_sig(&inner, CRYPTO_KEY_ED448);
	parsed_free(&inner);
	parsed_free(&outer);
	/* Both the account URL and a nonce are needed. */
	buf_reset(&out);
	assert_int_equal(crypto_jws_key_change(old_s, new_s, KID, url, NULL,
	    &out), -1);
	crypto_signer_free(old_s);
	crypto_signer_free(new_s);
	buf_free(&out);
	buf_free(&old_jwk);
	buf_free(&new_jwk);
	buf_free(&want);
}

static void
test_eab(void **state)
{
	static const struct {
		enum crypto_jws_alg alg;
		enum crypto_digest d;
		const char *name, *openssl;
	} v[] = {
		{ CRYPTO_ALG_HS256, CRYPTO_DIGEST_SHA256, "HS256", "-sha256" },
		{ CRYPTO_ALG_HS384, CRYPTO_DIGEST_SHA384, "HS384", "-sha384" },
		{ CRYPTO_ALG_HS512, CRYPTO_DIGEST_SHA512, "HS512", "-sha512" },
	};
	/* A base64url EAB key as a CA hands it out, decoded. */
	static const char key_b64[] =
	    "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
	unsigned char mac[CRYPTO_HASH_MAX];
	char hexkey[2 * 64 + 8], want[128];
	struct crypto_signer *s;
	struct buf key, out, jwk, cli;
	struct parsed p;
	size_t i;
	json_t *o;

	(void)state;
	s = signer(CRYPTO_KEY_ECDSA_P256);
	buf_init(&key, 256);
	buf_init(&jwk, BUF_MAX_SMALL);
	b64url_decode_str(key_b64, &key);
	strcpy(hexkey, "hexkey:");
	for (i = 0; i < key.len; i++)
		snprintf(hexkey + 7 + 2 * i, 3, "%02x",
		    (unsigned char)key.data[i]);
	assert_int_equal(crypto_signer_jwk(s, &jwk), 0);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		buf_init(&out, BUF_MAX_DEFAULT);
		buf_init(&cli, 1024);
		assert_int_equal(crypto_eab(v[i].alg, key.data, key.len,
		    "kid-1", URL, s, &out), 0);
		parse_jws(buf_str(&out), &p);
		snprintf(want, sizeof(want), "{\"alg\":\"%s\",\"kid\":"
		    "\"kid-1\",\"url\":\"" URL "\"}", v[i].name);
		assert_string_equal(buf_str(&p.protected), want);
		/* The payload is the account JWK, as in the outer jwk. */
		assert_string_equal(buf_str(&p.payload), buf_str(&jwk));
		assert_int_equal(crypto_hmac(v[i].d, key.data, key.len,
		    p.input, strlen(p.input), mac), 0);
		assert_int_equal(p.sig.len, crypto_digest_size(v[i].d));
		assert_memory_equal(p.sig.data, mac, p.sig.len);
		/* The openssl tool computes the same MAC. */
		{
			const char *args[] = { "dgst", v[i].openssl, "-mac",
			    "HMAC", "-macopt", hexkey, "-binary", NULL };
			assert_int_equal(run_openssl(args, p.input,
			    strlen(p.input), &cli), 0);
		}
		assert_int_equal(cli.len, p.sig.len);
		assert_memory_equal(cli.data, p.sig.data, cli.len);
		parsed_free(&p);
		buf_free(&out);
		buf_free(&cli);
	}
	/* The object form, as embedded in a newAccount payload. */
	assert_non_null(o = crypto_eab_json(CRYPTO_ALG_HS256, key.data,
	    key.len, "kid-1", URL, s));
	assert_true(json_is_string(json_object_get(o, "signature")));
	json_decref(o);
	assert_null(crypto_eab_json(CRYPTO_ALG_ES256, key.data, key.len,
	    "kid-1", URL, s));
	assert_string_equal(err_msg(),
	    "ES256: invalid signature algorithm for external account binding");
	crypto_signer_free(s);
	buf_free(&key);
	buf_free(&jwk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jwk_header_every_type),
		cmocka_unit_test(test_kid_header),
		cmocka_unit_test(test_acmed_payload),
		cmocka_unit_test(test_jws_errors),
		cmocka_unit_test(test_key_change),
		cmocka_unit_test(test_eab),
	};

	return cmocka_run_group_tests(tests, helpers_setup, helpers_teardown);
}
