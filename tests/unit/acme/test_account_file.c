/*
 * test_account_file.c - ACMEd's account file: a fixture written byte by
 * byte from the documented layout decodes to the expected fields and
 * encodes back identically; truncated and hostile files are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "acme/account_file.h"
#include "util/err.h"

static unsigned char fx[4096];
static size_t fxlen;

static void
le(uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		fx[fxlen++] = (unsigned char)(v >> (8 * i));
}

static void
str(const char *s)
{
	le(strlen(s), 8);
	memcpy(fx + fxlen, s, strlen(s));
	fxlen += strlen(s);
}

static void
bytes(const unsigned char *p, size_t n)
{
	le(n, 8);
	if (n > 0)
		memcpy(fx + fxlen, p, n);
	fxlen += n;
}

/* An account "my test account" registered on two endpoints, with a
 * contact, one past key and an external account binding. */
static void
build_fixture(void)
{
	static const unsigned char hash1[32] = { 1, 2, 3 };
	static const unsigned char hash2[32] = { 4, 5, 6 };
	static const unsigned char der1[] = { 0x30, 0x77, 0x02, 0x01, 0x01 };
	static const unsigned char der2[] = { 0x30, 0x2e, 0x02, 0x01, 0x00 };
	static const unsigned char eabkey[] = { 's', 'e', 'c', 'r', 'e', 't' };

	fxlen = 0;
	str("my test account");
	le(2, 8);			/* endpoints */
	str("Pebble A");
	le(0, 8); le(0, 4);		/* creation_date: the epoch */
	str("https://127.0.0.1:14000/my-account/1");
	str("https://127.0.0.1:14000/list-orderz/1");
	bytes(hash1, 32);
	bytes(hash2, 32);
	bytes(NULL, 0);			/* no EAB hash */
	str("Pebble B");
	le(0, 8); le(0, 4);
	str("");			/* not registered */
	str("");
	bytes(NULL, 0);
	bytes(NULL, 0);
	bytes(NULL, 0);
	le(1, 8);			/* contacts */
	str("mailto");
	str("certs@example.org");
	le(1764355131, 8); le(123456789, 4);	/* current_key */
	bytes(der1, sizeof(der1));
	str("ES256");
	le(1, 8);			/* past_keys */
	le(1700000000, 8); le(0, 4);
	bytes(der2, sizeof(der2));
	str("Ed25519");
	fx[fxlen++] = 1;		/* Some(external_account) */
	str("kid-1");
	bytes(eabkey, sizeof(eabkey));
	str("HS256");
}

static void
test_decode_fixture(void **state)
{
	struct acme_account_file a;

	(void)state;
	build_fixture();
	assert_int_equal(acme_account_file_decode(&a, fx, fxlen), 0);
	assert_string_equal(a.name, "my test account");
	assert_int_equal(a.neps, 2);
	assert_string_equal(a.eps[0].name, "Pebble A");
	assert_string_equal(a.eps[0].account_url,
	    "https://127.0.0.1:14000/my-account/1");
	assert_int_equal(a.eps[0].key_hash.len, 32);
	assert_int_equal((unsigned char)a.eps[0].key_hash.data[2], 3);
	assert_int_equal(a.eps[0].eab_hash.len, 0);
	assert_string_equal(a.eps[1].account_url, "");
	assert_int_equal(a.ncontacts, 1);
	assert_string_equal(a.contacts[0].type, "mailto");
	assert_string_equal(a.contacts[0].value, "certs@example.org");
	assert_true(a.current.created.secs == 1764355131);
	assert_int_equal(a.current.created.nanos, 123456789);
	assert_int_equal(a.current.der.len, 5);
	assert_string_equal(a.current.alg, "ES256");
	assert_int_equal(a.npast, 1);
	assert_string_equal(a.past[0].alg, "Ed25519");
	assert_true(a.has_eab);
	assert_string_equal(a.eab_id, "kid-1");
	assert_memory_equal(a.eab_key.data, "secret", 6);
	assert_string_equal(a.eab_alg, "HS256");
	acme_account_file_free(&a);
}

static void
test_roundtrip_is_byte_identical(void **state)
{
	struct acme_account_file a;
	struct buf out;

	(void)state;
	build_fixture();
	assert_int_equal(acme_account_file_decode(&a, fx, fxlen), 0);
	buf_init(&out, 1 << 20);
	assert_int_equal(acme_account_file_encode(&a, &out), 0);
	assert_int_equal(out.len, fxlen);
	assert_memory_equal(out.data, fx, fxlen);
	buf_free_secure(&out);
	acme_account_file_free(&a);
}

static void
test_trailing_bytes_ignored(void **state)
{
	struct acme_account_file a;

	(void)state;
	build_fixture();
	memcpy(fx + fxlen, "GARBAGE", 7);
	assert_int_equal(acme_account_file_decode(&a, fx, fxlen + 7), 0);
	assert_string_equal(a.eab_alg, "HS256");
	acme_account_file_free(&a);
}

static void
test_every_truncation_fails(void **state)
{
	struct acme_account_file a;
	size_t n;

	(void)state;
	build_fixture();
	for (n = 0; n < fxlen; n++) {
		assert_int_equal(acme_account_file_decode(&a, fx, n), -1);
		assert_non_null(strstr(err_msg(), "file may be corrupted"));
		assert_null(a.name);
	}
}

static void
test_hostile_lengths(void **state)
{
	struct acme_account_file a;

	(void)state;
	/* A name length of 2^63: refused, not allocated. */
	fxlen = 0;
	le(1ULL << 63, 8);
	assert_int_equal(acme_account_file_decode(&a, fx, fxlen), -1);
	assert_non_null(strstr(err_msg(), "name: length too large"));
	/* A count of endpoints far beyond the data. */
	fxlen = 0;
	str("x");
	le(4000, 8);
	assert_int_equal(acme_account_file_decode(&a, fx, fxlen), -1);
	assert_non_null(strstr(err_msg(), "endpoints: truncated"));
	/* A bad option tag. */
	build_fixture();
	fx[fxlen - (8 + 5) - (8 + 6) - (8 + 5) - 1] = 7;
	assert_int_equal(acme_account_file_decode(&a, fx, fxlen), -1);
	assert_non_null(strstr(err_msg(), "invalid option tag"));
}

static void
test_file_name_and_endpoint(void **state)
{
	struct acme_account_file a;
	struct acme_ep_record *e;
	char *n;

	(void)state;
	n = acme_account_file_name("my test account");
	assert_string_equal(n, "bXkgdGVzdCBhY2NvdW50.account.bin");
	free(n);
	n = acme_account_file_name("example");
	assert_string_equal(n, "ZXhhbXBsZQ.account.bin");
	free(n);

	build_fixture();
	assert_int_equal(acme_account_file_decode(&a, fx, fxlen), 0);
	e = acme_account_file_endpoint(&a, "Pebble B");
	assert_string_equal(e->name, "Pebble B");
	assert_int_equal(a.neps, 2);
	e = acme_account_file_endpoint(&a, "new one");
	assert_string_equal(e->account_url, "");
	assert_int_equal(a.neps, 3);
	acme_account_file_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_fixture),
		cmocka_unit_test(test_roundtrip_is_byte_identical),
		cmocka_unit_test(test_trailing_bytes_ignored),
		cmocka_unit_test(test_every_truncation_fails),
		cmocka_unit_test(test_hostile_lengths),
		cmocka_unit_test(test_file_name_and_endpoint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
