/*
 * test_pending.c - the file of a kept order: what is encoded decodes to
 * the same order; a configuration that changed any of the compared
 * fields is told apart (and named); truncated, damaged and hostile files
 * are refused without quoting the key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/pending.h"
#include "util/err.h"

static struct config_endpoint ep = { .url = "https://ca.test/directory" };
static struct config_account acct = { .name = "main" };
static struct config_identifier ids[2] = {
	{ .type = CRYPTO_IDENT_DNS, .value = "example.org" },
	{ .type = CRYPTO_IDENT_IP, .value = "192.0.2.1" },
};
static struct config_certificate cert;
static struct cert_files files = {
	.key_path = "/var/lib/acmed/certs/example.org_ecdsa-p256.pk.pem",
	.crt_path = "/var/lib/acmed/certs/example.org_ecdsa-p256.crt.pem",
};
static struct cert_files other_files;

static const unsigned char csr_der[] = { 0x30, 0x82, 0x01, 0x00, 0xff, 0x00 };

/* The time of every decoding; the order was kept an hour before. */
#define NOW	1800000000LL

/* The order to encode, and its text. */
static struct lifecycle_pending *orig;
static struct buf text;

static void
reset_cert(void)
{
	memset(&cert, 0, sizeof(cert));
	cert.account = &acct;
	cert.endpoint = &ep;
	cert.identifiers = ids;
	cert.nidentifiers = 2;
	cert.key_type = CRYPTO_KEY_ECDSA_P256;
	cert.csr_digest = CRYPTO_DIGEST_SHA256;
	cert.profile = "shortlived";
	cert.subject[CRYPTO_SUBJ_ORGANIZATION_NAME] = "Example";
}

static int
setup(void **state)
{
	(void)state;
	reset_cert();
	if ((orig = calloc(1, sizeof(*orig))) == NULL)
		return -1;
	buf_init(&orig->csr, 1024);
	orig->o.url = strdup("https://ca.test/order/7");
	orig->o.finalize = strdup("https://ca.test/order/7/finalize");
	orig->o.certificate = strdup("https://ca.test/cert/7");
	orig->o.authz[0] = strdup("https://ca.test/authz/1");
	orig->o.authz[1] = strdup("https://ca.test/authz/2");
	orig->o.nauthz = 2;
	orig->o.finalized = 1;
	orig->o.status = ACME_ST_PROCESSING;
	orig->is_new = 1;
	orig->tries = 2;
	orig->kept_at = NOW - 3600;
	if (orig->o.url == NULL || orig->o.finalize == NULL ||
	    orig->o.certificate == NULL || orig->o.authz[0] == NULL ||
	    orig->o.authz[1] == NULL ||
	    buf_append(&orig->csr, csr_der, sizeof(csr_der)) == -1 ||
	    (orig->key = crypto_key_generate(CRYPTO_KEY_ECDSA_P256)) == NULL)
		return -1;
	buf_init(&text, 1024 * 1024);
	return pending_encode(orig, &cert, &files, &text);
}

static int
teardown(void **state)
{
	(void)state;
	pending_free(orig);
	buf_free_secure(&text);
	return 0;
}

/* text with its first occurrence of from replaced by to.  Allocated. */
static char *
edited(const char *from, const char *to)
{
	const char *t = buf_str(&text), *at = strstr(t, from);
	char *out;

	assert_non_null(at);
	assert_true(asprintf(&out, "%.*s%s%s", (int)(at - t), t, to,
	    at + strlen(from)) > 0);
	return out;
}

/* Decodes s as the file's text for cert and files: the result. */
static int
decode(const char *s, size_t len, char *why, size_t n)
{
	struct lifecycle_pending *p = NULL;
	int rc;

	why[0] = '\0';
	err_clear();
	rc = pending_decode(s, len, &cert, &files, NOW, &p, why, n);
	if (rc == 1)
		assert_non_null(p);
	else
		assert_null(p);
	pending_free(p);
	/* Whatever went wrong, the key is never in the message. */
	assert_null(strstr(err_msg(), "PRIVATE"));
	assert_null(strstr(err_msg(), "-----"));
	return rc;
}

static void
test_round_trip(void **state)
{
	struct lifecycle_pending *p = NULL;
	const char *t = buf_str(&text), *nl = strchr(t, '\n');
	char why[256];

	(void)state;
	/* One line of JSON, then the key. */
	assert_non_null(nl);
	assert_memory_equal(t, "{\"version\":1,", 13);
	assert_null(memmem(t, (size_t)(nl - t), "PRIVATE", 7));
	assert_memory_equal(nl, "\n-----BEGIN PRIVATE KEY-----\n", 29);

	assert_int_equal(pending_decode(text.data, text.len, &cert, &files,
	    NOW, &p, why, sizeof(why)), 1);
	assert_string_equal(p->o.url, orig->o.url);
	assert_string_equal(p->o.finalize, orig->o.finalize);
	assert_string_equal(p->o.certificate, orig->o.certificate);
	assert_int_equal(p->o.nauthz, 2);
	assert_string_equal(p->o.authz[0], orig->o.authz[0]);
	assert_string_equal(p->o.authz[1], orig->o.authz[1]);
	assert_int_equal(p->o.finalized, 1);
	assert_int_equal(p->o.status, ACME_ST_PROCESSING);
	assert_int_equal(p->csr.len, sizeof(csr_der));
	assert_memory_equal(p->csr.data, csr_der, sizeof(csr_der));
	assert_int_equal(p->is_new, 1);
	assert_int_equal(p->tries, 2);
	assert_int_equal(crypto_key_same_public(p->key, orig->key), 1);
	pending_free(p);
}

static void
test_no_certificate_url_yet(void **state)
{
	struct lifecycle_pending *p = NULL;
	struct buf t2;
	char why[256], *saved = orig->o.certificate;

	(void)state;
	orig->o.certificate = NULL;
	orig->is_new = 0;
	buf_init(&t2, 1024 * 1024);
	assert_int_equal(pending_encode(orig, &cert, &files, &t2), 0);
	orig->o.certificate = saved;
	orig->is_new = 1;
	assert_int_equal(pending_decode(t2.data, t2.len, &cert, &files, NOW,
	    &p, why, sizeof(why)), 1);
	assert_null(p->o.certificate);
	assert_int_equal(p->is_new, 0);
	pending_free(p);
	buf_free_secure(&t2);
}

/* Each field lifecycle_pending_fits() compares: a change is told, and
 * named. */
static void
test_another_configuration(void **state)
{
	struct config_endpoint ep2 = { .url = "https://other.test/dir" };
	struct config_account acct2 = { .name = "other" };
	struct config_identifier ids2[2] = {
		{ .type = CRYPTO_IDENT_DNS, .value = "example.org" },
		{ .type = CRYPTO_IDENT_DNS, .value = "192.0.2.1" },
	};
	char why[256];
	int i;

	(void)state;
	for (i = 0; i < 11; i++) {
		const struct cert_files *f = &files;
		const char *what = NULL;

		reset_cert();
		switch (i) {
		case 0: cert.endpoint = &ep2; what = "endpoint"; break;
		case 1: cert.account = &acct2; what = "account"; break;
		case 2: cert.nidentifiers = 1; what = "identifiers"; break;
		case 3: cert.identifiers = ids2; what = "identifiers"; break;
		case 4: cert.key_type = CRYPTO_KEY_ECDSA_P384;
			what = "key_type"; break;
		case 5: cert.csr_digest = CRYPTO_DIGEST_SHA384;
			what = "csr_digest"; break;
		case 6: cert.profile = NULL; what = "profile"; break;
		case 7: cert.subject[CRYPTO_SUBJ_ORGANIZATION_NAME] = "Other";
			what = "subject"; break;
		case 8: cert.kp_reuse = 1; what = "kp_reuse"; break;
		case 9: other_files = files;
			other_files.key_path = "/elsewhere/k.pem";
			f = &other_files; what = "key_file"; break;
		case 10: other_files = files;
			other_files.crt_path = "/elsewhere/c.pem";
			f = &other_files; what = "certificate_file"; break;
		}
		{
			struct lifecycle_pending *p = NULL;

			why[0] = '\0';
			assert_int_equal(pending_decode(text.data, text.len,
			    &cert, f, NOW, &p, why, sizeof(why)), 0);
			assert_null(p);
			assert_non_null(strstr(why, what));
		}
	}
	reset_cert();
}

/* Every prefix of the file is refused (the last line break aside, which
 * PEM does without). */
static void
test_truncated(void **state)
{
	char why[256];
	size_t len;

	(void)state;
	for (len = 0; len + 1 < text.len; len++)
		assert_int_equal(decode(text.data, len, why, sizeof(why)), -1);
}

static void
test_damaged(void **state)
{
	static const char *const edits[][2] = {
		{ "\"version\":1", "\"version\":2" },
		{ "\"version\":1", "\"version\":\"1\"" },
		{ "\"version\":1,", "" },
		{ "\"tries\":2", "\"tries\":6" },
		{ "\"kept_at\":1799996400", "\"kept_at\":0" },
		{ "\"kept_at\":1799996400", "\"kept_at\":1800090000" },
		{ "\"kept_at\":1799996400", "\"kept_at\":\"1799996400\"" },
		{ "\"tries\":2", "\"tries\":-1" },
		{ "\"is_new\":true", "\"is_new\":1" },
		{ "https://ca.test/order/7\"", "file:///etc/passwd\"" },
		{ "https://ca.test/authz/1", "ftp://ca.test/authz/1" },
		{ "\"authorizations\":[", "\"authorizations\":[1," },
		{ "\"csr\":\"", "\"csr\":\"*" },
		{ "\"for\":{", "\"for\":[{" },
		{ "BEGIN PRIVATE KEY-----\n", "BEGIN PRIVATE KEY-----\nAAAA" },
		{ "{\"version\"", "[{\"version\"" },
		{ "\"version\":1,", "\"version\":1,\"version\":1," },
	};
	char why[256], *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		s = edited(edits[i][0], edits[i][1]);
		if (decode(s, strlen(s), why, sizeof(why)) != -1)
			fail_msg("edit %zu decoded", i);
		free(s);
	}
	/* Version 2 is named. */
	s = edited("\"version\":1", "\"version\":2");
	assert_int_equal(decode(s, strlen(s), why, sizeof(why)), -1);
	assert_non_null(strstr(err_msg(), "version 2"));
	free(s);
	assert_int_equal(decode("", 0, why, sizeof(why)), -1);
	assert_int_equal(decode("\n", 1, why, sizeof(why)), -1);
	/* An empty file is a NULL buffer (UBSan: no memchr() of NULL). */
	assert_int_equal(decode(NULL, 0, why, sizeof(why)), -1);
}

/* An order kept more than a week ago is given up (orders expire): a
 * file left behind must not bring an old certificate back; five
 * readings are the most, the one under way counted. */
static void
test_age_and_tries(void **state)
{
	char why[256], *s;

	(void)state;
	s = edited("\"kept_at\":1799996400", "\"kept_at\":1799395100");
	assert_int_equal(decode(s, strlen(s), why, sizeof(why)), 0);
	assert_non_null(strstr(why, "more than 7 days ago"));
	free(s);
	s = edited("\"kept_at\":1799996400", "\"kept_at\":1799395300");
	assert_int_equal(decode(s, strlen(s), why, sizeof(why)), 1);
	free(s);
	s = edited("\"tries\":2", "\"tries\":5");
	assert_int_equal(decode(s, strlen(s), why, sizeof(why)), 1);
	free(s);
}

/* A key of another type than the one the file (and the configuration)
 * says. */
static void
test_key_of_another_type(void **state)
{
	struct lifecycle_pending *p = NULL;
	struct crypto_key *k = orig->key;
	struct buf pem;
	char why[256], *nl, *s;

	(void)state;
	buf_init(&pem, 1024 * 1024);
	assert_non_null(orig->key = crypto_key_generate(CRYPTO_KEY_ED25519));
	assert_int_equal(crypto_key_to_pem(orig->key, &pem), 0);
	crypto_key_free(orig->key);
	orig->key = k;
	nl = strchr(buf_str(&text), '\n');
	assert_true(asprintf(&s, "%.*s\n%s", (int)(nl - buf_str(&text)),
	    buf_str(&text), buf_str(&pem)) > 0);
	assert_int_equal(pending_decode(s, strlen(s), &cert, &files, NOW, &p,
	    why, sizeof(why)), -1);
	assert_null(p);
	assert_non_null(strstr(err_msg(), "not a private ecdsa-p256 key"));
	free(s);
	buf_free_secure(&pem);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_no_certificate_url_yet),
		cmocka_unit_test(test_another_configuration),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_age_and_tries),
		cmocka_unit_test(test_key_of_another_type),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
