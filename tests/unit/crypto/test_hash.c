/*
 * test_hash.c - digests (FIPS 180 "abc", empty input, and ACMEd's "Hello
 * World!" test) and HMAC with the RFC 4231 test cases 1 to 7.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/hash.h"
#include "helpers.h"
#include "util/buf.h"

static void
check(const unsigned char *got, size_t len, const char *hex)
{
	struct buf want;

	buf_init(&want, 256);
	hex_decode(hex, &want);
	assert_true(want.len <= len);
	assert_memory_equal(got, want.data, want.len);
	buf_free(&want);
}

static void
test_digests(void **state)
{
	static const struct {
		const char *in;
		const char *hex[3];
	} v[] = {
		{ "abc", {
		    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
		    "f20015ad",
		    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a"
		    "43ff5bed8086072ba1e7cc2358baeca134c825a7",
		    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee6"
		    "4b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e"
		    "2a9ac94fa54ca49f" } },
		{ "", {
		    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
		    "7852b855",
		    "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf"
		    "63f6e1da274edebfe76f65fbd51ad2f14898b95b",
		    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921"
		    "d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81"
		    "a538327af927da3e" } },
		{ "Hello World!", {
		    "7f83b1657ff1fc53b92dc18148a1d65dfc2d4b1fa3d677284addd200"
		    "126d9069",
		    "bfd76c0ebbd006fee583410547c1887b0292be76d582d96c242d2a79"
		    "2723e3fd6fd061f9d5cfd13b8f961358e6adba4a",
		    "861844d6704e8573fec34d967e20bcfef3d424cf48be04e6dc08f2bd"
		    "58c729743371015ead891cc3cf1c9d34b49264b510751b1ff9e53793"
		    "7bc46b5d6ff4ecc8" } },
	};
	unsigned char md[CRYPTO_HASH_MAX];
	size_t i;
	int d;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		for (d = 0; d < 3; d++) {
			assert_int_equal(crypto_hash(d, v[i].in,
			    strlen(v[i].in), md), 0);
			assert_int_equal(crypto_digest_size(d),
			    strlen(v[i].hex[d]) / 2);
			check(md, crypto_digest_size(d), v[i].hex[d]);
		}
	}
}

/* RFC 4231 section 4; case 5 is truncated to 128 bits. */
static const struct {
	const char *key, *data;		/* hex */
	const char *mac[3];
} rfc4231[] = {
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265", {
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	    "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	    "faea9ea9076ede7f4af152e8b2fa9cb6",
	    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	    "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"
	    } },
	{ "4a656665",
	    "7768617420646f2079612077616e7420666f72206e6f7468696e673f", {
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	    "8e2240ca5e69e2c78b3239ecfab21649",
	    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
	    } },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	    "dddddddddddddddddddddddddddddddddddd", {
	    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	    "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
	    "2a5ab39dc13814b94e3ab6e101a34f27",
	    "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	    "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"
	    } },
	{ "0102030405060708090a0b0c0d0e0f10111213141516171819",
	    "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
	    "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", {
	    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	    "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
	    "6801dd23c4a7d679ccf8a386c674cffb",
	    "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
	    "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"
	    } },
	{ "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c",
	    "546573742057697468205472756e636174696f6e", {
	    "a3b6167473100ee06e0c796c2955552b",
	    "3abf34c3503b2a23a46efc619baef897",
	    "415fad6271580a531d4179bc891d87a6" } },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaa",
	    "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	    "65204b6579202d2048617368204b6579204669727374", {
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	    "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	    "0c2ef6ab4030fe8296248df163f44952",
	    "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	    "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"
	    } },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaa",
	    "5468697320697320612074657374207573696e672061206c6172676572207468"
	    "616e20626c6f636b2d73697a65206b657920616e642061206c61726765722074"
	    "68616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565"
	    "647320746f20626520686173686564206265666f7265206265696e6720757365"
	    "642062792074686520484d414320616c676f726974686d2e", {
	    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
	    "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
	    "a678cc31e799176d3860e6110c46523e",
	    "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
	    "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"
	    } },
};

static void
test_hmac_rfc4231(void **state)
{
	unsigned char mac[CRYPTO_HASH_MAX];
	struct buf key, data;
	size_t i;
	int d;

	(void)state;
	buf_init(&key, 1024);
	buf_init(&data, 1024);
	for (i = 0; i < sizeof(rfc4231) / sizeof(rfc4231[0]); i++) {
		buf_reset(&key);
		buf_reset(&data);
		hex_decode(rfc4231[i].key, &key);
		hex_decode(rfc4231[i].data, &data);
		for (d = 0; d < 3; d++) {
			assert_int_equal(crypto_hmac(d, key.data, key.len,
			    data.data, data.len, mac), 0);
			check(mac, crypto_digest_size(d), rfc4231[i].mac[d]);
		}
	}
	buf_free(&key);
	buf_free(&data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digests),
		cmocka_unit_test(test_hmac_rfc4231),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
