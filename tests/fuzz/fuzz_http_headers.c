/*
 * fuzz_http_headers.c - libFuzzer target for the parsers of the header
 * values a CA sends: Link (alternate chains), Retry-After (seconds or an
 * HTTP date) and Replay-Nonce.  The input, up to its first NUL as curl
 * hands a header value over, goes to all three.
 *
 * Never a crash or a read past the value; Retry-After is -1 or a delay in
 * [0, 2^40] s; at most HTTP_MAX_ALTERNATES links, each taken from between
 * a '<' and a '>' of the value; a valid nonce is base64url.
 */
#include <assert.h>
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acme/http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_response r;
	long long delay;
	const char *p;
	char *value;
	size_t i, len;

	if ((value = malloc(size + 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(value, data, size);
	value[size] = '\0';
	len = strlen(value);

	http_response_init(&r);
	http_parse_link(value, &r);
	assert(r.nalternates <= HTTP_MAX_ALTERNATES);
	for (i = 0; i < r.nalternates; i++) {
		size_t n;

		assert(r.alternates[i] != NULL);
		n = strlen(r.alternates[i]);
		assert(strchr(r.alternates[i], '>') == NULL);
		for (p = value; (p = strchr(p, '<')) != NULL; p++)
			if (strncmp(p + 1, r.alternates[i], n) == 0 &&
			    p[n + 1] == '>')
				break;
		assert(p != NULL);
	}
	/* A second header appends to the first, up to the cap. */
	http_parse_link(value, &r);
	assert(r.nalternates <= HTTP_MAX_ALTERNATES);
	http_response_free(&r);

	delay = http_parse_retry_after(value, 1700000000);
	assert(delay == -1 || (delay >= 0 && delay <= 1LL << 40));
	(void)http_parse_retry_after(value, 0);

	if (http_nonce_valid(value, len)) {
		assert(len > 0);
		for (i = 0; i < len; i++)
			assert(isalnum((unsigned char)value[i]) ||
			    value[i] == '-' || value[i] == '_');
	}
	free(value);
	return 0;
}
