/*
 * fuzz_account_file.c - libFuzzer target for ACMEd's bincode account file
 * decoder.  Any bytes must decode or fail with the "file may be corrupted"
 * message, never crash, leak or allocate what the data cannot hold.  A
 * file that decodes must encode back to the bytes it was read from (the
 * record is a prefix of the input: what follows it is ignored), and the
 * record must stay usable: finding or adding an endpoint, encoding again.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acme/account_file.h"
#include "util/buf.h"
#include "util/err.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acme_account_file a;
	struct acme_ep_record *e;
	struct buf out, again;
	unsigned char *copy;
	size_t neps = 0;

	/* An exact-size copy, so that ASan catches any read past the end. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(copy, data, size);
	if (acme_account_file_decode(&a, copy, size) == -1) {
		assert(strstr(err_msg(), "file may be corrupted") != NULL ||
		    strcmp(err_msg(), "out of memory") == 0);
		/* a is empty again, and may be freed twice. */
		assert(a.name == NULL && a.neps == 0 && a.npast == 0);
		acme_account_file_free(&a);
		free(copy);
		return 0;
	}
	buf_init(&out, BUF_MAX_LARGE);
	buf_init(&again, BUF_MAX_LARGE);
	if (acme_account_file_encode(&a, &out) == 0) {
		assert(out.len <= size);
		assert(memcmp(out.data, copy, out.len) == 0);
	}
	if ((e = acme_account_file_endpoint(&a, "fuzz endpoint")) != NULL) {
		assert(strcmp(e->name, "fuzz endpoint") == 0);
		assert(acme_account_file_endpoint(&a, "fuzz endpoint") == e);
		if (acme_account_file_encode(&a, &again) == -1)
			buf_reset(&again);	/* out of memory */
	}
	neps = a.neps;
	acme_account_file_free(&a);
	/* What we write, we read back (up to the decoder's cap of 4096
	 * endpoints, one of which we added). */
	if (again.len > 0 && neps <= 4096) {
		assert(acme_account_file_decode(&a, again.data,
		    again.len) == 0 || strcmp(err_msg(), "out of memory") == 0);
		acme_account_file_free(&a);
	}
	buf_free_secure(&out);
	buf_free_secure(&again);
	free(copy);
	return 0;
}
