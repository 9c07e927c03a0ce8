/*
 * helpers.h - what the crypto tests share: keys generated once per test
 * binary (RSA-4096 takes seconds), a scratch folder, running the openssl
 * command-line tool (through util/spawn, no shell) to check our output
 * with an independent front end, and hex/base64url conversions.
 */
#ifndef ACMED_TESTS_CRYPTO_HELPERS_H
#define ACMED_TESTS_CRYPTO_HELPERS_H

#include <stddef.h>

#include "crypto/key.h"
#include "crypto/keytype.h"
#include "util/buf.h"

/* cmocka group setup/teardown: the scratch folder and the key cache. */
int	 helpers_setup(void **state);
int	 helpers_teardown(void **state);

/* A key of type t, generated on first use.  Borrowed, valid until
 * helpers_teardown(). */
const struct crypto_key *shared_key(enum crypto_key_type t);

/* A path in the scratch folder.  Static storage: copy it to keep it. */
const char *scratch(const char *name);

/* Writes len bytes to scratch(name) and returns its path (static). */
const char *scratch_write(const char *name, const void *data, size_t len);

/* Runs "openssl" with args (NULL-terminated, without argv[0]), feeding
 * stdin and capturing stdout into out; stderr is printed on failure.
 * Returns the exit status; fails the test if it cannot run. */
int	 run_openssl(const char *const args[], const void *in, size_t inlen,
	    struct buf *out);

/* The same, capturing stderr into err (some commands, like "req -verify",
 * report a failure only there). */
int	 run_openssl_err(const char *const args[], const void *in,
	    size_t inlen, struct buf *out, struct buf *err);

/* Hex or base64url into bytes appended to out; fails the test on bad
 * input. */
void	 hex_decode(const char *hex, struct buf *out);
void	 b64url_decode_str(const char *s, struct buf *out);

/* 1 when s contains needle. */
int	 contains(const char *s, const char *needle);

#endif
