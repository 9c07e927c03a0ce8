/*
 * proof.c - key authorizations and the values derived from them (see
 * proof.h).
 */
#include <string.h>

#include "crypto/hash.h"
#include "crypto/proof.h"
#include "util/b64url.h"
#include "util/err.h"

#define ACME_ID_OID	"1.3.6.1.5.5.7.1.31"

int
crypto_key_authorization(const struct crypto_signer *s, const char *token,
    struct buf *out)
{
	size_t i;

	if (token[0] == '\0')
		return err_set("empty challenge token");
	for (i = 0; token[i] != '\0'; i++) {
		char c = token[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return err_set("challenge token has a character "
			    "outside the base64url alphabet at offset %zu", i);
	}
	if (buf_puts(out, token) == -1 || buf_putc(out, '.') == -1)
		return -1;
	return crypto_signer_thumbprint(s, out);
}

int
crypto_tls_alpn01_digest(const char *key_authorization,
    unsigned char out[CRYPTO_ACME_ID_LEN])
{
	unsigned char md[CRYPTO_HASH_MAX];

	if (crypto_hash(CRYPTO_DIGEST_SHA256, key_authorization,
	    strlen(key_authorization), md) == -1)
		return -1;
	memcpy(out, md, CRYPTO_ACME_ID_LEN);
	return 0;
}

int
crypto_dns01_value(const char *key_authorization, struct buf *out)
{
	unsigned char md[CRYPTO_ACME_ID_LEN];

	if (crypto_tls_alpn01_digest(key_authorization, md) == -1)
		return -1;
	return b64url_encode_buf(out, md, sizeof(md));
}

int
crypto_tls_alpn01_ext_text(const char *key_authorization, struct buf *out)
{
	unsigned char md[CRYPTO_ACME_ID_LEN];
	size_t i;

	if (crypto_tls_alpn01_digest(key_authorization, md) == -1)
		return -1;
	/* 04 20: the DER header of an OCTET STRING of 32 bytes. */
	if (buf_puts(out, ACME_ID_OID "=critical,DER:04:20") == -1)
		return -1;
	for (i = 0; i < sizeof(md); i++)
		if (buf_printf(out, ":%02x", md[i]) == -1)
			return -1;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
crypto_tls_alpn01_ext_parse(const char *text,
    unsigned char digest[CRYPTO_ACME_ID_LEN])
{
	unsigned char der[2 + CRYPTO_ACME_ID_LEN];
	const char *p = text;
	size_t n = 0;
	int hi, lo;

	if (strncmp(p, ACME_ID_OID "=", strlen(ACME_ID_OID "=")) != 0)
		goto bad;
	p += strlen(ACME_ID_OID "=");
	/* OpenSSL's extension syntax, which ACMEd's tacd takes: spaces may
	 * follow "critical," and "DER:". */
	if (strncmp(p, "critical,", 9) == 0)
		for (p += 9; *p == ' ' || *p == '\t'; p++)
			;
	if (strncmp(p, "DER:", 4) != 0)
		goto bad;
	for (p += 4; *p == ' ' || *p == '\t'; p++)
		;
	while (*p != '\0') {
		if (n > 0 && *p == ':')
			p++;
		if ((hi = hexval(p[0])) == -1 || (lo = hexval(p[1])) == -1 ||
		    n == sizeof(der))
			goto bad;
		der[n++] = (unsigned char)(hi << 4 | lo);
		p += 2;
	}
	if (n != sizeof(der) || der[0] != 0x04 ||
	    der[1] != CRYPTO_ACME_ID_LEN)
		goto bad;
	memcpy(digest, der + 2, CRYPTO_ACME_ID_LEN);
	return 0;
bad:
	return err_set("invalid acmeIdentifier extension");
}
