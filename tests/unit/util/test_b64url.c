/*
 * test_b64url.c - base64url: RFC 4648 section 10 vectors, strict decoding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/b64url.h"
#include "util/err.h"

static const struct {
	const char *plain, *enc;
} vectors[] = {
	{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
	/* From acmed's own tests: the JWS payload encoding. */
	{ "Dummy payload 1", "RHVtbXkgcGF5bG9hZCAx" },
	{ "Dummy payload", "RHVtbXkgcGF5bG9hZA" },
};

static void
test_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		char *enc = b64url_encode(vectors[i].plain,
		    strlen(vectors[i].plain));
		struct buf dec;

		assert_string_equal(enc, vectors[i].enc);
		free(enc);
		buf_init(&dec, 100);
		assert_int_equal(b64url_decode_buf(&dec, vectors[i].enc,
		    strlen(vectors[i].enc)), 0);
		assert_int_equal(dec.len, strlen(vectors[i].plain));
		assert_memory_equal(buf_str(&dec), vectors[i].plain, dec.len);
		buf_free(&dec);
	}
}

static void
test_url_alphabet(void **state)
{
	const unsigned char bin[] = { 0xfb, 0xff, 0xbf };
	struct buf dec;
	char *enc;

	(void)state;
	enc = b64url_encode(bin, sizeof(bin));
	assert_string_equal(enc, "-_-_");
	free(enc);
	buf_init(&dec, 10);
	assert_int_equal(b64url_decode_buf(&dec, "-_-_", 4), 0);
	assert_memory_equal(dec.data, bin, 3);
	buf_free(&dec);
}

static void
test_rejects(void **state)
{
	static const char *bad[] = {
		"Zg==",		/* padding */
		"Zm9v+g",	/* '+' */
		"Zm9v/g",	/* '/' */
		"Zm9 v",	/* whitespace */
		"Zm9v\n",	/* newline */
		"Z",		/* impossible length */
		"Zm9vY",	/* impossible length */
		"Zh",		/* non-zero trailing bits */
		"Zm9",		/* non-zero trailing bits */
	};
	struct buf dec;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_init(&dec, 100);
		assert_int_equal(b64url_decode_buf(&dec, bad[i],
		    strlen(bad[i])), -1);
		assert_int_equal(dec.len, 0);
		assert_non_null(strstr(err_msg(), "base64url"));
		buf_free(&dec);
	}
}

static void
test_roundtrip_all_bytes(void **state)
{
	unsigned char bin[256];
	struct buf dec;
	size_t n, i;

	(void)state;
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)i;
	for (n = 0; n <= sizeof(bin); n++) {
		char *enc = b64url_encode(bin, n);
		buf_init(&dec, 1000);
		assert_int_equal(b64url_decode_buf(&dec, enc, strlen(enc)), 0);
		assert_int_equal(dec.len, n);
		if (n > 0)
			assert_memory_equal(dec.data, bin, n);
		buf_free(&dec);
		free(enc);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_url_alphabet),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_roundtrip_all_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
