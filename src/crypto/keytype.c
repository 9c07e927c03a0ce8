/*
 * keytype.c - key type, JWS algorithm and digest vocabularies (see
 * keytype.h).  The parse rules and the error texts are ACMEd's, so that a
 * configuration error reads the same as with the program we replace.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/keytype.h"
#include "util/err.h"

static const struct {
	const char	*parse;		/* lower case, '_' */
	const char	*display;
	enum crypto_jws_alg alg;	/* default and only algorithm */
} key_types[CRYPTO_KEY_TYPE_COUNT] = {
	[CRYPTO_KEY_RSA2048] = { "rsa2048", "rsa2048", CRYPTO_ALG_RS256 },
	[CRYPTO_KEY_RSA4096] = { "rsa4096", "rsa4096", CRYPTO_ALG_RS256 },
	[CRYPTO_KEY_ECDSA_P256] =
	    { "ecdsa_p256", "ecdsa-p256", CRYPTO_ALG_ES256 },
	[CRYPTO_KEY_ECDSA_P384] =
	    { "ecdsa_p384", "ecdsa-p384", CRYPTO_ALG_ES384 },
	[CRYPTO_KEY_ECDSA_P521] =
	    { "ecdsa_p521", "ecdsa-p521", CRYPTO_ALG_ES512 },
	[CRYPTO_KEY_ED25519] = { "ed25519", "ed25519", CRYPTO_ALG_ED25519 },
	[CRYPTO_KEY_ED448] = { "ed448", "ed448", CRYPTO_ALG_ED448 },
};

static const struct {
	const char	*name;
	const char	*header;
} jws_algs[CRYPTO_JWS_ALG_COUNT] = {
	[CRYPTO_ALG_HS256] = { "HS256", "HS256" },
	[CRYPTO_ALG_HS384] = { "HS384", "HS384" },
	[CRYPTO_ALG_HS512] = { "HS512", "HS512" },
	[CRYPTO_ALG_RS256] = { "RS256", "RS256" },
	[CRYPTO_ALG_ES256] = { "ES256", "ES256" },
	[CRYPTO_ALG_ES384] = { "ES384", "ES384" },
	[CRYPTO_ALG_ES512] = { "ES512", "ES512" },
	/* RFC 8037 section 3.1; ACMEd sends "Ed25519" here. */
	[CRYPTO_ALG_ED25519] = { "Ed25519", "EdDSA" },
	[CRYPTO_ALG_ED448] = { "Ed448", "EdDSA" },
};

static const char *const digests[] = {
	[CRYPTO_DIGEST_SHA256] = "sha256",
	[CRYPTO_DIGEST_SHA384] = "sha384",
	[CRYPTO_DIGEST_SHA512] = "sha512",
};

/* ASCII only, so the result does not depend on the locale. */
static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int
crypto_key_type_parse(const char *s, enum crypto_key_type *out)
{
	size_t i, j;

	for (i = 0; i < CRYPTO_KEY_TYPE_COUNT; i++) {
		const char *want = key_types[i].parse;

		for (j = 0; s[j] != '\0' && want[j] != '\0'; j++) {
			char c = s[j] == '-' ? '_' : lower(s[j]);

			if (c != want[j])
				break;
		}
		if (s[j] == '\0' && want[j] == '\0') {
			*out = (enum crypto_key_type)i;
			return 0;
		}
	}
	return err_set("%s: unknown algorithm", s);
}

const char *
crypto_key_type_name(enum crypto_key_type t)
{
	return key_types[t].display;
}

int
crypto_jws_alg_parse(const char *s, enum crypto_jws_alg *out)
{
	size_t i;

	for (i = 0; i < CRYPTO_JWS_ALG_COUNT; i++) {
		if (strcasecmp(s, jws_algs[i].name) == 0) {
			*out = (enum crypto_jws_alg)i;
			return 0;
		}
	}
	return err_set("%s: unknown algorithm.", s);
}

const char *
crypto_jws_alg_name(enum crypto_jws_alg a)
{
	return jws_algs[a].name;
}

const char *
crypto_jws_alg_header(enum crypto_jws_alg a)
{
	return jws_algs[a].header;
}

enum crypto_jws_alg
crypto_key_type_default_alg(enum crypto_key_type t)
{
	return key_types[t].alg;
}

int
crypto_key_type_check_alg(enum crypto_key_type t, enum crypto_jws_alg a)
{
	if (key_types[t].alg == a)
		return 0;
	return err_set("incompatible signature algorithm: %s cannot be used "
	    "with an %s key", jws_algs[a].name, key_types[t].display);
}

int
crypto_eab_alg_parse(const char *s, enum crypto_jws_alg *out)
{
	enum crypto_jws_alg a;

	if (crypto_jws_alg_parse(s, &a) == -1)
		return -1;
	if (a != CRYPTO_ALG_HS256 && a != CRYPTO_ALG_HS384 &&
	    a != CRYPTO_ALG_HS512)
		return err_set("%s: invalid signature algorithm for external "
		    "account binding", jws_algs[a].name);
	*out = a;
	return 0;
}

int
crypto_digest_parse(const char *s, enum crypto_digest *out)
{
	size_t i, n;
	char *norm;

	if ((norm = malloc(strlen(s) + 1)) == NULL)
		return err_set("out of memory");
	for (i = n = 0; s[i] != '\0'; i++)
		if (s[i] != '-' && s[i] != '_')
			norm[n++] = lower(s[i]);
	norm[n] = '\0';
	for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
		if (strcmp(norm, digests[i]) == 0) {
			free(norm);
			*out = (enum crypto_digest)i;
			return 0;
		}
	}
	err_set("%s: unknown hash function.", norm);
	free(norm);
	return -1;
}

const char *
crypto_digest_name(enum crypto_digest d)
{
	return digests[d];
}
