/*
 * standalone.c - runs a fuzz target without libFuzzer, over the files
 * given, for the allocation-failure runs (tests/unit/failalloc.sh).
 *
 *	<target>-standalone FILE...
 *
 * A fuzz target frees everything it allocated before it returns, whatever
 * happened (unlike a cmocka test, which jumps out of the test on the
 * first failed assertion and leaves its objects behind), so it shows
 * leaks that an injected allocation failure causes.  Under failalloc.c
 * every input is run twice: once with failures paused, which fills the
 * caches libraries keep (OpenSSL's error state, tables initialised on
 * first use), then again counting the blocks the inputs leave behind.
 * Exit status 3 and a line on stderr when they left some.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/buf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char *argv[])
{
	long long (*live)(void);
	void (*set_paused)(int);
	struct buf *in;
	long long before;
	int i, rc = 0;

	live = (long long (*)(void))dlsym(RTLD_DEFAULT, "failalloc_live");
	set_paused = (void (*)(int))dlsym(RTLD_DEFAULT, "failalloc_pause");
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE...\n", argv[0]);
		return 2;
	}
	if (set_paused != NULL)
		set_paused(1);
	if ((in = calloc((size_t)argc, sizeof(*in))) == NULL)
		return 2;
	for (i = 1; i < argc; i++) {
		buf_init(&in[i], BUF_MAX_LARGE);
		if (buf_read_file(&in[i], argv[i]) == -1) {
			fprintf(stderr, "%s: cannot read\n", argv[i]);
			return 2;
		}
		(void)LLVMFuzzerTestOneInput((const uint8_t *)in[i].data,
		    in[i].len);
	}
	if (set_paused == NULL || live == NULL)
		return 0;
	before = live();
	set_paused(0);
	for (i = 1; i < argc; i++)
		(void)LLVMFuzzerTestOneInput((const uint8_t *)in[i].data,
		    in[i].len);
	set_paused(1);
	/* Over all inputs: OpenSSL moves blocks between its caches from
	 * one input to the next. */
	if (live() != before) {
		fprintf(stderr, "failalloc: %lld blocks not freed\n",
		    live() - before);
		rc = 3;
	}
	for (i = 1; i < argc; i++)
		buf_free(&in[i]);
	free(in);
	return rc;
}
