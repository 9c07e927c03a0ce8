/*
 * test_key.c - for every key type: generation, the PKCS#8 PEM key file
 * and the account-file DER (checked by structure and read back by the
 * openssl tool), reloading, the traditional PEM forms, and the clear
 * refusals of keys ACMEd does not support.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto/intern.h"
#include "crypto/jwk.h"
#include "crypto/key.h"
#include "helpers.h"
#include "util/err.h"

#define PEM_PRIVATE	"-----BEGIN PRIVATE KEY-----\n"

/* What "openssl pkey -pubout" makes of a private key in PEM or DER. */
static void
openssl_pubout(const struct buf *key, int der, struct buf *out)
{
	const char *pem_args[] = { "pkey", "-pubout", NULL };
	const char *der_args[] = { "pkey", "-inform", "DER", "-pubout", NULL };

	assert_int_equal(run_openssl(der ? der_args : pem_args, key->data,
	    key->len, out), 0);
}

static void
test_pem_round_trip(void **state)
{
	struct buf pem, pub, cli;
	struct crypto_key *k2;
	int t;

	(void)state;
	for (t = 0; t < CRYPTO_KEY_TYPE_COUNT; t++) {
		const struct crypto_key *k = shared_key(t);

		buf_init(&pem, BUF_MAX_SMALL);
		buf_init(&pub, BUF_MAX_SMALL);
		buf_init(&cli, BUF_MAX_SMALL);
		assert_int_equal(crypto_key_get_type(k), t);
		assert_true(crypto_key_is_private(k));
		assert_int_equal(crypto_key_to_pem(k, &pem), 0);
		/* Unencrypted PKCS#8, as ACMEd writes key files. */
		assert_int_equal(strncmp(pem.data, PEM_PRIVATE,
		    strlen(PEM_PRIVATE)), 0);
		assert_non_null(k2 = crypto_key_from_pem(pem.data, pem.len));
		assert_int_equal(crypto_key_get_type(k2), t);
		assert_true(crypto_key_same_public(k, k2));
		/* openssl reads the file and finds the same public key. */
		assert_int_equal(crypto_key_public_pem(k2, &pub), 0);
		openssl_pubout(&pem, 0, &cli);
		assert_string_equal(buf_str(&cli), buf_str(&pub));
		crypto_key_free(k2);
		buf_free_secure(&pem);
		buf_free(&pub);
		buf_free(&cli);
	}
}

/* OpenSSL's own PKCS#8 PEM of a PEM private key. */
static void
openssl_pkcs8(const struct buf *pem, struct buf *out)
{
	EVP_PKEY *pkey;
	BIO *in, *bio;
	char *data;
	long len;

	assert_non_null(in = BIO_new_mem_buf(pem->data, (int)pem->len));
	assert_non_null(pkey = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL));
	assert_non_null(bio = BIO_new(BIO_s_mem()));
	assert_int_equal(PEM_write_bio_PKCS8PrivateKey(bio, pkey, NULL, NULL,
	    0, NULL, NULL), 1);
	len = BIO_get_mem_data(bio, &data);
	buf_reset(out);
	assert_int_equal(buf_append(out, data, (size_t)len), 0);
	BIO_free(bio);
	BIO_free(in);
	EVP_PKEY_free(pkey);
}

/* The key files written without OpenSSL's encoder (EC and EdDSA keys)
 * are the bytes OpenSSL writes, for fresh keys of every type and for a
 * P-256 scalar whose first byte is zero (padded, not shortened). */
static void
test_pem_as_openssl_writes_it(void **state)
{
	struct buf pem, ref, der;
	int t, i, zero = 0;

	(void)state;
	buf_init(&pem, BUF_MAX_SMALL);
	buf_init(&ref, BUF_MAX_SMALL);
	buf_init(&der, BUF_MAX_SMALL);
	for (t = 0; t < CRYPTO_KEY_TYPE_COUNT; t++) {
		int rsa = t == CRYPTO_KEY_RSA2048 || t == CRYPTO_KEY_RSA4096;

		/* One RSA key (OpenSSL writes those itself), 20 of the
		 * others. */
		for (i = 0; i < (rsa ? 1 : 20); i++) {
			struct crypto_key *k = rsa ? NULL :
			    crypto_key_generate(t);

			buf_reset(&pem);
			assert_int_equal(crypto_key_to_pem(rsa ? shared_key(t) :
			    k, &pem), 0);
			openssl_pkcs8(&pem, &ref);
			assert_string_equal(buf_str(&pem), buf_str(&ref));
			crypto_key_free(k);
		}
	}
	/* crypto_key_to_der() writes SEC 1 for EC keys: the scalar starts
	 * at byte 7. */
	for (i = 0; i < 20000 && !zero; i++) {
		struct crypto_key *k = crypto_key_generate(
		    CRYPTO_KEY_ECDSA_P256);

		buf_reset(&der);
		assert_int_equal(crypto_key_to_der(k, &der), 0);
		if ((unsigned char)der.data[7] == 0) {
			zero = 1;
			buf_reset(&pem);
			assert_int_equal(crypto_key_to_pem(k, &pem), 0);
			openssl_pkcs8(&pem, &ref);
			assert_string_equal(buf_str(&pem), buf_str(&ref));
		}
		crypto_key_free(k);
	}
	assert_true(zero);
	buf_free_secure(&pem);
	buf_free_secure(&ref);
	buf_free_secure(&der);
}

/* The first bytes inside the outer SEQUENCE of a private key DER. */
static const unsigned char *
der_body(const struct buf *der)
{
	const unsigned char *p = (const unsigned char *)der->data;

	assert_int_equal(p[0], 0x30);
	return p + 2 + ((p[1] & 0x80) ? (p[1] & 0x7f) : 0);
}

static void
test_der_round_trip(void **state)
{
	/* PKCS#1: version 0 then the INTEGER modulus; SEC1: version 1 then
	 * the OCTET STRING key; PKCS#8: version 0 then the algorithm
	 * SEQUENCE. */
	static const unsigned char pkcs1[] = { 0x02, 0x01, 0x00, 0x02 };
	static const unsigned char sec1[] = { 0x02, 0x01, 0x01, 0x04 };
	static const unsigned char pkcs8[] = { 0x02, 0x01, 0x00, 0x30 };
	struct buf der, pub, cli;
	struct crypto_key *k2;
	const unsigned char *want;
	int t;

	(void)state;
	for (t = 0; t < CRYPTO_KEY_TYPE_COUNT; t++) {
		const struct crypto_key *k = shared_key(t);

		buf_init(&der, BUF_MAX_SMALL);
		buf_init(&pub, BUF_MAX_SMALL);
		buf_init(&cli, BUF_MAX_SMALL);
		assert_int_equal(crypto_key_to_der(k, &der), 0);
		want = t <= CRYPTO_KEY_RSA4096 ? pkcs1 :
		    t <= CRYPTO_KEY_ECDSA_P521 ? sec1 : pkcs8;
		assert_memory_equal(der_body(&der), want, 4);
		assert_non_null(k2 = crypto_key_from_der(der.data, der.len));
		assert_int_equal(crypto_key_get_type(k2), t);
		assert_true(crypto_key_same_public(k, k2));
		assert_int_equal(crypto_key_public_pem(k, &pub), 0);
		openssl_pubout(&der, 1, &cli);
		assert_string_equal(buf_str(&cli), buf_str(&pub));
		/* Trailing bytes mean a corrupted record. */
		assert_int_equal(buf_putc(&der, 0), 0);
		assert_null(crypto_key_from_der(der.data, der.len));
		assert_string_equal(err_msg(),
		    "trailing data after the private key");
		crypto_key_free(k2);
		buf_free_secure(&der);
		buf_free(&pub);
		buf_free(&cli);
	}
}

/* The pre-PKCS#8 PEM forms an administrator may still have. */
static void
test_traditional_pem(void **state)
{
	static const struct {
		enum crypto_key_type t;
		const char *begin;
	} v[] = {
		{ CRYPTO_KEY_RSA2048, "-----BEGIN RSA PRIVATE KEY-----" },
		{ CRYPTO_KEY_ECDSA_P384, "-----BEGIN EC PRIVATE KEY-----" },
	};
	const char *args[] = { "pkey", "-traditional", NULL };
	struct crypto_key *k2;
	struct buf pem, trad;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		buf_init(&pem, BUF_MAX_SMALL);
		buf_init(&trad, BUF_MAX_SMALL);
		assert_int_equal(crypto_key_to_pem(shared_key(v[i].t),
		    &pem), 0);
		assert_int_equal(run_openssl(args, pem.data, pem.len,
		    &trad), 0);
		assert_true(contains(buf_str(&trad), v[i].begin));
		assert_non_null(k2 = crypto_key_from_pem(trad.data,
		    trad.len));
		assert_int_equal(crypto_key_get_type(k2), v[i].t);
		assert_true(crypto_key_same_public(k2, shared_key(v[i].t)));
		crypto_key_free(k2);
		buf_free_secure(&pem);
		buf_free_secure(&trad);
	}
}

/* Keys made by openssl genpkey that acmed must refuse, and why. */
static void
test_unsupported(void **state)
{
	static const struct {
		const char *args[8];
		const char *msg;
	} v[] = {
		{ { "genpkey", "-algorithm", "RSA", "-pkeyopt",
		    "rsa_keygen_bits:1024", NULL },
		    "1024: unsupported RSA key size" },
		{ { "genpkey", "-algorithm", "RSA", "-pkeyopt",
		    "rsa_keygen_bits:3072", NULL },
		    "3072: unsupported RSA key size" },
		{ { "genpkey", "-algorithm", "EC", "-pkeyopt",
		    "ec_paramgen_curve:secp256k1", NULL },
		    "unsupported EC key" },
		{ { "genpkey", "-algorithm", "X25519", NULL },
		    "unsupported key type: X25519" },
		{ { "genpkey", "-algorithm", "RSA-PSS", "-pkeyopt",
		    "rsa_keygen_bits:2048", NULL },
		    "unsupported key type: RSA-PSS" },
		{ { "genpkey", "-algorithm", "ED25519", "-aes-256-cbc",
		    "-pass", "pass:secret", NULL },
		    "encrypted private keys are not supported" },
	};
	struct buf pem;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		buf_init(&pem, BUF_MAX_SMALL);
		assert_int_equal(run_openssl(v[i].args, NULL, 0, &pem), 0);
		assert_null(crypto_key_from_pem(pem.data, pem.len));
		assert_string_equal(err_msg(), v[i].msg);
		buf_free_secure(&pem);
	}
}

static void
test_bad_input(void **state)
{
	static const char junk[] = "-----BEGIN PRIVATE KEY-----\n"
	    "bm90IGEga2V5\n-----END PRIVATE KEY-----\n";
	static const char ed_pub[] = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
	    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
	struct crypto_key *k;
	struct buf out;

	(void)state;
	assert_null(crypto_key_from_pem("", 0));
	assert_true(contains(err_msg(), "no private key found"));
	assert_null(crypto_key_from_pem(junk, sizeof(junk) - 1));
	assert_true(contains(err_msg(), "no private key found"));
	assert_null(crypto_key_from_der("\x30\x03\x02\x01\x00", 5));
	assert_true(contains(err_msg(), "cannot decode the private key"));
	/* Key material goes only into an empty buffer. */
	buf_init(&out, BUF_MAX_SMALL);
	assert_int_equal(buf_puts(&out, "x"), 0);
	assert_int_equal(crypto_key_to_pem(shared_key(CRYPTO_KEY_ED25519),
	    &out), -1);
	assert_int_equal(crypto_key_to_der(shared_key(CRYPTO_KEY_ED25519),
	    &out), -1);
	buf_free(&out);
	/* A public key has nothing to export. */
	k = crypto_key_from_jwk(ed_pub, strlen(ed_pub));
	assert_non_null(k);
	assert_false(crypto_key_is_private(k));
	buf_init(&out, BUF_MAX_SMALL);
	assert_int_equal(crypto_key_to_pem(k, &out), -1);
	assert_string_equal(err_msg(), "no private key to export");
	buf_free(&out);
	crypto_key_free(k);
	crypto_key_free(NULL);
}

/* Key files of EC and EdDSA keys are read from their values, without
 * OpenSSL's decoders: the same key (both halves: written again, the file
 * is the same bytes), from the files written here and from openssl's;
 * every other form, and any oddity in these, is left to OpenSSL. */
static void
test_pkcs8_from_values(void **state)
{
	const char *pkey_args[] = { "pkey", NULL };
	struct buf pem, theirs, again;
	struct crypto_key *k2;
	char *p;
	int t;

	(void)state;
	for (t = 0; t < CRYPTO_KEY_TYPE_COUNT; t++) {
		const struct crypto_key *k = shared_key(t);
		int fast = t != CRYPTO_KEY_RSA2048 && t != CRYPTO_KEY_RSA4096;

		buf_init(&pem, BUF_MAX_SMALL);
		buf_init(&theirs, BUF_MAX_SMALL);
		assert_int_equal(crypto_key_to_pem(k, &pem), 0);
		assert_int_equal(run_openssl(pkey_args, pem.data, pem.len,
		    &theirs), 0);
		k2 = crypto_key_from_pkcs8_values(pem.data, pem.len);
		assert_true((k2 != NULL) == fast);
		crypto_key_free(k2);
		if (fast) {
			const struct buf *in[] = { &pem, &theirs };
			size_t i;

			for (i = 0; i < 2; i++) {
				assert_non_null(k2 =
				    crypto_key_from_pkcs8_values(in[i]->data,
				    in[i]->len));
				assert_int_equal(crypto_key_get_type(k2), t);
				assert_true(crypto_key_is_private(k2));
				buf_init(&again, BUF_MAX_SMALL);
				assert_int_equal(crypto_key_to_pem(k2, &again),
				    0);
				assert_int_equal(again.len, pem.len);
				assert_memory_equal(again.data, pem.data,
				    pem.len);
				buf_free_secure(&again);
				crypto_key_free(k2);
			}
			/* One base64 character changed, in the private key
			 * (EC) or the whole of it (EdDSA): never this key. */
			p = strchr(pem.data + strlen(PEM_PRIVATE), '\n') - 3;
			*p = *p == 'A' ? 'B' : 'A';
			k2 = crypto_key_from_pkcs8_values(pem.data, pem.len);
			assert_true(k2 == NULL || !crypto_key_same_public(k2,
			    k));
			crypto_key_free(k2);
		}
		buf_free_secure(&pem);
		buf_free_secure(&theirs);
	}
}

/* What the reader of key files leaves to OpenSSL, which still reads
 * what it can. */
static void
test_pkcs8_left_to_openssl(void **state)
{
	const char *trad[] = { "pkey", "-traditional", NULL };
	const char *no_pub[] = { "ec", "-no_public", NULL };
	const char *compressed[] = { "ec", "-conv_form", "compressed", NULL };
	const char *topk8[] = { "pkcs8", "-topk8", "-nocrypt", NULL };
	const char *forms[] = { "SEC 1", "no public key", "compressed point" };
	const struct crypto_key *k = shared_key(CRYPTO_KEY_ECDSA_P256);
	struct buf pem, tmp, odd;
	struct crypto_key *k2;
	char *body, *nl;
	size_t i;

	(void)state;
	buf_init(&pem, BUF_MAX_SMALL);
	assert_int_equal(crypto_key_to_pem(k, &pem), 0);
	for (i = 0; i < 3; i++) {
		buf_init(&tmp, BUF_MAX_SMALL);
		buf_init(&odd, BUF_MAX_SMALL);
		if (i == 0)
			assert_int_equal(run_openssl(trad, pem.data, pem.len,
			    &odd), 0);
		else {
			assert_int_equal(run_openssl(i == 1 ? no_pub :
			    compressed, pem.data, pem.len, &tmp), 0);
			assert_int_equal(run_openssl(topk8, tmp.data, tmp.len,
			    &odd), 0);
			assert_int_equal(strncmp(odd.data, PEM_PRIVATE,
			    strlen(PEM_PRIVATE)), 0);
		}
		print_message("%s\n", forms[i]);
		assert_null(crypto_key_from_pkcs8_values(odd.data, odd.len));
		assert_non_null(k2 = crypto_key_from_pem(odd.data, odd.len));
		assert_true(crypto_key_same_public(k2, k));
		crypto_key_free(k2);
		buf_free_secure(&tmp);
		buf_free_secure(&odd);
	}

	/* Text the PEM reader of OpenSSL or of a web server refuses. */
	body = pem.data + strlen(PEM_PRIVATE);
	nl = strchr(body, '\n');
	for (i = 0; i < 3; i++) {
		buf_init(&odd, BUF_MAX_SMALL);
		if (i == 0) {		/* an empty line */
			buf_append(&odd, pem.data, (size_t)(nl + 1 - pem.data));
			buf_puts(&odd, nl);
		} else if (i == 1) {	/* a line of 128 characters */
			buf_append(&odd, pem.data, (size_t)(nl - pem.data));
			buf_puts(&odd, nl + 1);
		} else {		/* junk after the end marker */
			buf_append(&odd, pem.data, pem.len - 1);
			buf_puts(&odd, "junk\n");
		}
		assert_null(crypto_key_from_pkcs8_values(odd.data, odd.len));
		buf_free_secure(&odd);
	}

	/* The key's DER with a byte after it; without, it is read. */
	for (i = 0; i < 2; i++) {
		BIO *in = BIO_new_mem_buf(pem.data, (int)pem.len);
		BIO *out = BIO_new(BIO_s_mem());
		unsigned char *data, ext[512];
		char *name, *hdr, *text;
		long dlen, tlen;

		assert_non_null(in);
		assert_non_null(out);
		assert_int_equal(PEM_read_bio(in, &name, &hdr, &data, &dlen),
		    1);
		assert_true(dlen > 0 && (size_t)dlen < sizeof(ext));
		memcpy(ext, data, (size_t)dlen);
		ext[dlen] = 0;
		assert_true(PEM_write_bio(out, "PRIVATE KEY", "", ext,
		    dlen + (long)i) > 0);
		tlen = BIO_get_mem_data(out, &text);
		k2 = crypto_key_from_pkcs8_values(text, (size_t)tlen);
		assert_true((k2 != NULL) == (i == 0));
		crypto_key_free(k2);
		OPENSSL_cleanse(ext, sizeof(ext));
		OPENSSL_clear_free(data, (size_t)dlen);
		OPENSSL_free(name);
		OPENSSL_free(hdr);
		BIO_free(in);
		BIO_free(out);
	}
	buf_free_secure(&pem);
}

static void
test_generate_fresh(void **state)
{
	struct crypto_key *a, *b;

	(void)state;
	assert_non_null(a = crypto_key_generate(CRYPTO_KEY_ECDSA_P256));
	assert_non_null(b = crypto_key_generate(CRYPTO_KEY_ECDSA_P256));
	assert_false(crypto_key_same_public(a, b));
	assert_false(crypto_key_same_public(a,
	    shared_key(CRYPTO_KEY_ED25519)));
	crypto_key_free(a);
	crypto_key_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pem_round_trip),
		cmocka_unit_test(test_der_round_trip),
		cmocka_unit_test(test_traditional_pem),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_generate_fresh),
		cmocka_unit_test(test_pem_as_openssl_writes_it),
		cmocka_unit_test(test_pkcs8_from_values),
		cmocka_unit_test(test_pkcs8_left_to_openssl),
	};

	return cmocka_run_group_tests(tests, helpers_setup, helpers_teardown);
}
