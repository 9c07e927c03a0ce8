/*
 * test_sign.c - JWS signatures: the deterministic vectors of RFC 8037 A.4
 * (Ed25519) and RFC 7515 A.2 (RS256), verification of RFC 7515 A.3
 * (ES256), and for every key type: generate, save, reload, sign, and have
 * the openssl tool verify the signature with the public key it derives
 * from the saved file.  Also the refused key/algorithm pairs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "crypto/jwk.h"
#include "crypto/key.h"
#include "crypto/signer.h"
#include "helpers.h"
#include "util/b64url.h"
#include "util/err.h"

/* RFC 7515 appendix A.2 and A.3 share the payload. */
#define RFC7515_PAYLOAD \
	"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxl" \
	"LmNvbS9pc19yb290Ijp0cnVlfQ"

static const char rfc7515_rsa[] = "{\"kty\":\"RSA\","
    "\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQ"
    "p-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b3"
    "2690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQO"
    "S-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGh"
    "yxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ\","
    "\"e\":\"AQAB\","
    "\"d\":\"Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_"
    "GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu"
    "-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAd"
    "GcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jT"
    "j3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ\","
    "\"p\":\"4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBd"
    "ss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW"
    "1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc\","
    "\"q\":\"uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgH"
    "AjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQ"
    "kv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc\","
    "\"dp\":\"BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhr"
    "qE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7t"
    "ss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0\","
    "\"dq\":\"h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xX"
    "DoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5"
    "iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU\","
    "\"qi\":\"IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0"
    "EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9Sbs"
    "xYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U\"}";

static const char rfc7515_rs256_sig[] =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHI"
    "m4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB"
    "--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN938"
    "3LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QO"
    "YEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

static const char rfc7515_ec[] = "{\"kty\":\"EC\",\"crv\":\"P-256\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"";

static struct crypto_key *
load_jwk(const char *json)
{
	struct crypto_key *k = crypto_key_from_jwk(json, strlen(json));

	if (k == NULL)
		print_message("%s\n", err_msg());
	assert_non_null(k);
	return k;
}

/* Signs input and returns the base64url signature (caller frees). */
static char *
sign_b64(const struct crypto_signer *s, const char *input)
{
	struct buf sig;
	char *enc;

	buf_init(&sig, 1024);
	assert_int_equal(crypto_signer_sign(s, input, strlen(input), &sig), 0);
	assert_non_null(enc = b64url_encode(sig.data, sig.len));
	buf_free(&sig);
	return enc;
}

static void
test_rfc8037_ed25519(void **state)
{
	static const char input[] =
	    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
	static const char want[] = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR"
	    "6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
	struct crypto_signer *s;
	struct crypto_key *k, *pub;
	struct buf sig;
	char *got;

	(void)state;
	k = load_jwk("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\","
	    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}");
	assert_non_null(s = crypto_signer_new(k, CRYPTO_ALG_ED25519));
	crypto_key_free(k);	/* the signer keeps its own reference */
	/* A.4: Ed25519 is deterministic. */
	got = sign_b64(s, input);
	assert_string_equal(got, want);
	free(got);
	/* A.5: verification with the public key alone. */
	pub = load_jwk("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}");
	buf_init(&sig, 1024);
	b64url_decode_str(want, &sig);
	assert_int_equal(crypto_signature_verify(pub, CRYPTO_ALG_ED25519,
	    input, strlen(input), sig.data, sig.len), 0);
	sig.data[0] ^= 1;
	assert_int_equal(crypto_signature_verify(pub, CRYPTO_ALG_ED25519,
	    input, strlen(input), sig.data, sig.len), -1);
	assert_string_equal(err_msg(), "invalid signature");
	buf_free(&sig);
	crypto_key_free(pub);
	crypto_signer_free(s);
}

static void
test_rfc7515_rs256(void **state)
{
	static const char input[] = "eyJhbGciOiJSUzI1NiJ9." RFC7515_PAYLOAD;
	struct crypto_signer *s;
	struct crypto_key *k;
	struct buf sig;
	char *got;

	(void)state;
	k = load_jwk(rfc7515_rsa);
	assert_int_equal(crypto_key_get_type(k), CRYPTO_KEY_RSA2048);
	assert_non_null(s = crypto_signer_new(k, CRYPTO_ALG_RS256));
	/* RSASSA-PKCS1-v1_5 is deterministic too. */
	got = sign_b64(s, input);
	assert_string_equal(got, rfc7515_rs256_sig);
	free(got);
	buf_init(&sig, 1024);
	b64url_decode_str(rfc7515_rs256_sig, &sig);
	assert_int_equal(crypto_signature_verify(k, CRYPTO_ALG_RS256, input,
	    strlen(input), sig.data, sig.len), 0);
	buf_free(&sig);
	crypto_signer_free(s);
	crypto_key_free(k);
}

static void
test_rfc7515_es256(void **state)
{
	static const char input[] = "eyJhbGciOiJFUzI1NiJ9." RFC7515_PAYLOAD;
	static const char sig_b64[] = "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmX"
	    "FCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
	char priv[512];
	struct crypto_signer *s;
	struct crypto_key *pub, *k;
	struct buf sig;

	(void)state;
	snprintf(priv, sizeof(priv), "%s}", rfc7515_ec);
	pub = load_jwk(priv);
	buf_init(&sig, 1024);
	b64url_decode_str(sig_b64, &sig);
	assert_int_equal(sig.len, 64);
	/* A.3: verify the published r||s signature. */
	assert_int_equal(crypto_signature_verify(pub, CRYPTO_ALG_ES256, input,
	    strlen(input), sig.data, sig.len), 0);
	sig.data[40] ^= 0x80;
	assert_int_equal(crypto_signature_verify(pub, CRYPTO_ALG_ES256, input,
	    strlen(input), sig.data, sig.len), -1);
	/* A DER signature or a truncated one is not a JWS signature. */
	assert_int_equal(crypto_signature_verify(pub, CRYPTO_ALG_ES256, input,
	    strlen(input), sig.data, 63), -1);
	buf_reset(&sig);
	/* ECDSA is randomised: sign with the private key, then verify. */
	snprintf(priv, sizeof(priv), "%s,\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-"
	    "0iY7X1fCE9-E9LI\"}", rfc7515_ec);
	k = load_jwk(priv);
	assert_non_null(s = crypto_signer_new(k, CRYPTO_ALG_ES256));
	assert_int_equal(crypto_signer_sign(s, input, strlen(input), &sig), 0);
	assert_int_equal(sig.len, 64);
	assert_int_equal(crypto_signature_verify(pub, CRYPTO_ALG_ES256, input,
	    strlen(input), sig.data, sig.len), 0);
	buf_free(&sig);
	crypto_signer_free(s);
	crypto_key_free(k);
	crypto_key_free(pub);
}

/* r||s back to DER, for the openssl tool. */
static void
raw_to_der(const struct buf *raw, struct buf *der)
{
	ECDSA_SIG *sig;
	BIGNUM *r, *s;
	unsigned char *p = NULL;
	size_t half = raw->len / 2;
	int n;

	assert_non_null(sig = ECDSA_SIG_new());
	assert_non_null(r = BN_bin2bn((unsigned char *)raw->data, (int)half,
	    NULL));
	assert_non_null(s = BN_bin2bn((unsigned char *)raw->data + half,
	    (int)half, NULL));
	assert_int_equal(ECDSA_SIG_set0(sig, r, s), 1);
	assert_true((n = i2d_ECDSA_SIG(sig, &p)) > 0);
	assert_int_equal(buf_append(der, p, (size_t)n), 0);
	OPENSSL_free(p);
	ECDSA_SIG_free(sig);
}

static void
test_every_type_openssl_verifies(void **state)
{
	static const size_t siglen[CRYPTO_KEY_TYPE_COUNT] = {
		[CRYPTO_KEY_RSA2048] = 256, [CRYPTO_KEY_RSA4096] = 512,
		[CRYPTO_KEY_ECDSA_P256] = 64, [CRYPTO_KEY_ECDSA_P384] = 96,
		[CRYPTO_KEY_ECDSA_P521] = 132, [CRYPTO_KEY_ED25519] = 64,
		[CRYPTO_KEY_ED448] = 114,
	};
	static const char *const md[CRYPTO_KEY_TYPE_COUNT] = {
		"-sha256", "-sha256", "-sha256", "-sha384", "-sha512", NULL,
		NULL,
	};
	/* ACMEd's own signing test message. */
	static const char data[] = "Hello world!";
	struct crypto_signer *s;
	struct crypto_key *k;
	struct buf pem, sig, der, out;
	char key_path[256], pub_path[256], data_path[256], sig_path[256];
	int t;

	(void)state;
	snprintf(data_path, sizeof(data_path), "%s",
	    scratch_write("data", data, strlen(data)));
	for (t = 0; t < CRYPTO_KEY_TYPE_COUNT; t++) {
		buf_init(&pem, BUF_MAX_SMALL);
		buf_init(&sig, 1024);
		buf_init(&der, 1024);
		buf_init(&out, 1024);
		/* Save the key file, reload it, sign with the reloaded key. */
		assert_int_equal(crypto_key_to_pem(shared_key(t), &pem), 0);
		snprintf(key_path, sizeof(key_path), "%s",
		    scratch_write("key.pem", pem.data, pem.len));
		assert_non_null(k = crypto_key_from_pem(pem.data, pem.len));
		assert_non_null(s = crypto_signer_new(k,
		    crypto_key_type_default_alg(t)));
		crypto_key_free(k);
		assert_int_equal(crypto_signer_alg(s),
		    crypto_key_type_default_alg(t));
		assert_int_equal(crypto_signer_key_type(s), t);
		assert_int_equal(crypto_signer_sign(s, data, strlen(data),
		    &sig), 0);
		assert_int_equal(sig.len, siglen[t]);
		/* openssl derives the public key from the saved file... */
		snprintf(pub_path, sizeof(pub_path), "%s", scratch("pub.pem"));
		{
			const char *args[] = { "pkey", "-in", key_path,
			    "-pubout", "-out", pub_path, NULL };
			assert_int_equal(run_openssl(args, NULL, 0, &out), 0);
		}
		/* ...and checks the signature with it. */
		if (md[t] != NULL && t >= CRYPTO_KEY_ECDSA_P256)
			raw_to_der(&sig, &der);
		else
			assert_int_equal(buf_append(&der, sig.data, sig.len),
			    0);
		snprintf(sig_path, sizeof(sig_path), "%s",
		    scratch_write("sig", der.data, der.len));
		buf_reset(&out);
		if (md[t] != NULL) {
			const char *args[] = { "dgst", md[t], "-verify",
			    pub_path, "-signature", sig_path, data_path, NULL };
			assert_int_equal(run_openssl(args, NULL, 0, &out), 0);
			assert_true(contains(buf_str(&out), "Verified OK"));
		} else {
			const char *args[] = { "pkeyutl", "-verify", "-pubin",
			    "-inkey", pub_path, "-rawin", "-in", data_path,
			    "-sigfile", sig_path, NULL };
			assert_int_equal(run_openssl(args, NULL, 0, &out), 0);
			assert_true(contains(buf_str(&out),
			    "Signature Verified Successfully"));
		}
		/* Our own check agrees. */
		assert_int_equal(crypto_signature_verify(shared_key(t),
		    crypto_key_type_default_alg(t), data, strlen(data),
		    sig.data, sig.len), 0);
		crypto_signer_free(s);
		buf_free_secure(&pem);
		buf_free(&sig);
		buf_free(&der);
		buf_free(&out);
	}
}

static void
test_incompatible(void **state)
{
	struct crypto_key *pub;

	(void)state;
	assert_null(crypto_signer_new(shared_key(CRYPTO_KEY_ECDSA_P256),
	    CRYPTO_ALG_ES384));
	assert_string_equal(err_msg(), "incompatible signature algorithm: "
	    "ES384 cannot be used with an ecdsa-p256 key");
	assert_null(crypto_signer_new(shared_key(CRYPTO_KEY_RSA2048),
	    CRYPTO_ALG_ES256));
	assert_string_equal(err_msg(), "incompatible signature algorithm: "
	    "ES256 cannot be used with an rsa2048 key");
	assert_null(crypto_signer_new(shared_key(CRYPTO_KEY_ED25519),
	    CRYPTO_ALG_ED448));
	assert_null(crypto_signer_new(shared_key(CRYPTO_KEY_ED448),
	    CRYPTO_ALG_HS256));
	assert_null(crypto_signer_new(shared_key(CRYPTO_KEY_ECDSA_P521),
	    CRYPTO_ALG_RS256));
	pub = load_jwk("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}");
	assert_null(crypto_signer_new(pub, CRYPTO_ALG_ED25519));
	assert_string_equal(err_msg(), "cannot sign with a public key");
	crypto_key_free(pub);
	crypto_signer_free(NULL);
}

/* The signer shows the same public key as the key it was made from. */
static void
test_signer_public(void **state)
{
	struct crypto_signer *s;
	struct buf a, b;
	json_t *o;
	char *text;

	(void)state;
	buf_init(&a, BUF_MAX_SMALL);
	buf_init(&b, BUF_MAX_SMALL);
	assert_non_null(s = crypto_signer_new(shared_key(CRYPTO_KEY_ED448),
	    CRYPTO_ALG_ED448));
	assert_int_equal(crypto_signer_public_pem(s, &a), 0);
	assert_int_equal(crypto_key_public_pem(shared_key(CRYPTO_KEY_ED448),
	    &b), 0);
	assert_string_equal(buf_str(&a), buf_str(&b));
	assert_true(contains(buf_str(&a), "-----BEGIN PUBLIC KEY-----\n"));
	buf_reset(&a);
	buf_reset(&b);
	assert_int_equal(crypto_signer_thumbprint(s, &a), 0);
	assert_int_equal(crypto_key_thumbprint(shared_key(CRYPTO_KEY_ED448),
	    &b), 0);
	assert_string_equal(buf_str(&a), buf_str(&b));
	buf_reset(&a);
	assert_int_equal(crypto_signer_jwk(s, &a), 0);
	assert_non_null(o = crypto_signer_jwk_json(s));
	assert_non_null(text = json_dumps(o, JSON_COMPACT));
	assert_string_equal(text, buf_str(&a));
	free(text);
	json_decref(o);
	crypto_signer_free(s);
	buf_free(&a);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8037_ed25519),
		cmocka_unit_test(test_rfc7515_rs256),
		cmocka_unit_test(test_rfc7515_es256),
		cmocka_unit_test(test_every_type_openssl_verifies),
		cmocka_unit_test(test_incompatible),
		cmocka_unit_test(test_signer_public),
	};

	return cmocka_run_group_tests(tests, helpers_setup, helpers_teardown);
}
