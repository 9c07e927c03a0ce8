/*
 * helpers.c - shared by the crypto tests (see helpers.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers.h"
#include "util/b64url.h"
#include "util/spawn.h"

extern char **environ;

static char dir[64];
static struct crypto_key *keys[CRYPTO_KEY_TYPE_COUNT];

int
helpers_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/acmed-crypto-test-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

int
helpers_teardown(void **state)
{
	struct dirent *de;
	DIR *d;
	size_t i;

	(void)state;
	for (i = 0; i < CRYPTO_KEY_TYPE_COUNT; i++) {
		crypto_key_free(keys[i]);
		keys[i] = NULL;
	}
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				unlink(scratch(de->d_name));
		closedir(d);
	}
	rmdir(dir);
	return 0;
}

const struct crypto_key *
shared_key(enum crypto_key_type t)
{
	if (keys[t] == NULL)
		keys[t] = crypto_key_generate(t);
	assert_non_null(keys[t]);
	return keys[t];
}

const char *
scratch(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

const char *
scratch_write(const char *name, const void *data, size_t len)
{
	const char *path = scratch(name);
	FILE *f;

	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

int
run_openssl(const char *const args[], const void *in, size_t inlen,
    struct buf *out)
{
	return run_openssl_err(args, in, inlen, out, NULL);
}

int
run_openssl_err(const char *const args[], const void *in, size_t inlen,
    struct buf *out, struct buf *errout)
{
	const char *argv[32];
	struct spawn_cmd cmd;
	struct spawn_status st;
	struct buf err;
	size_t n;

	argv[0] = "openssl";
	for (n = 0; args[n] != NULL; n++) {
		assert_true(n + 2 < sizeof(argv) / sizeof(argv[0]));
		argv[n + 1] = args[n];
	}
	argv[n + 1] = NULL;
	buf_init(&err, BUF_MAX_SMALL);
	memset(&cmd, 0, sizeof(cmd));
	cmd.file = "openssl";
	cmd.argv = (char *const *)(uintptr_t)argv;
	cmd.envp = environ;
	cmd.stdin_data = in;
	cmd.stdin_len = inlen;
	cmd.stdout_buf = out;
	cmd.stderr_buf = errout != NULL ? errout : &err;
	cmd.timeout_ms = 60000;
	assert_int_equal(spawn_run(&cmd, &st), 0);
	assert_true(st.exited);
	if (st.code != 0)
		print_message("openssl %s: exit %d: %s\n", args[0], st.code,
		    buf_str(errout != NULL ? errout : &err));
	buf_free(&err);
	return st.code;
}

void
hex_decode(const char *hex, struct buf *out)
{
	unsigned int v;

	for (; hex[0] != '\0'; hex += 2) {
		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		assert_int_equal(buf_putc(out, (char)v), 0);
	}
}

void
b64url_decode_str(const char *s, struct buf *out)
{
	assert_int_equal(b64url_decode_buf(out, s, strlen(s)), 0);
}

int
contains(const char *s, const char *needle)
{
	return strstr(s, needle) != NULL;
}
