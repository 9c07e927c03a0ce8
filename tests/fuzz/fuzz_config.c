/*
 * fuzz_config.c - libFuzzer target for the whole configuration loader:
 * the input is written as acmed.toml in a private folder and loaded with
 * config_load(), includes and all.  Any input must give either a model
 * (which is then dumped and summarised) or at least one error line, never
 * a crash, a leak, a hang or a read past the input.
 *
 * The folder holds two files the input may include.  Inputs whose include
 * patterns leave the folder (absolute, or with "..") are skipped: globbing
 * the whole file system would make runs slow and depend on the machine.
 */
#include <assert.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "toml/toml.h"
#include "util/buf.h"
#include "util/log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 dir[] = "/tmp/fuzz_config.XXXXXX";
static char	 main_path[sizeof(dir) + 16];

static const char hooks_toml[] =
    "[[hook]]\nname = \"h\"\ntype = [\"challenge-http-01\"]\n"
    "cmd = \"true\"\nargs = [\"{{ identifier }}\"]\n\n"
    "[[group]]\nname = \"g\"\nhooks = [\"h\", \"h\"]\n";
static const char more_toml[] =
    "include = [\"hooks.toml\", \"*.toml\"]\n[global]\nenv.A = \"more\"\n"
    "renew_delay = \"2d\"\n\n[[endpoint]]\nname = \"ep\"\n"
    "url = \"https://acme.example/directory\"\ntos_agreed = true\n\n"
    "[[account]]\nname = \"acc\"\ncontacts = []\n";

/* With open(2), which allocates nothing: the allocation-failure runs
 * (tests/unit/failalloc.sh) fail only the loader's allocations. */
static void
put(const char *name, const char *data, size_t len)
{
	char path[sizeof(dir) + 32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		abort();
	for (; len > 0; data += n, len -= (size_t)n)
		if ((n = write(fd, data, len)) <= 0)
			abort();
	if (close(fd) != 0)
		abort();
}

static void
cleanup(void)
{
	static const char *const names[] = { "acmed.toml", "hooks.toml",
	    "more.toml" };
	char path[sizeof(dir) + 32];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

static void
setup(void)
{
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	snprintf(main_path, sizeof(main_path), "%s/acmed.toml", dir);
	put("hooks.toml", hooks_toml, sizeof(hooks_toml) - 1);
	put("more.toml", more_toml, sizeof(more_toml) - 1);
	log_init("fuzz_config", LOG_SINK_STDERR, LOGL_ERROR);
}

/* 1 when every include pattern stays in the folder. */
static int
includes_stay_inside(const uint8_t *data, size_t size)
{
	const struct toml_entry *e;
	const struct toml_value *v;
	struct toml_value *root;
	const char *s;
	size_t i;
	int ok = 1;

	if ((root = toml_parse((const char *)data, size)) == NULL)
		return 1;
	if ((e = toml_table_find(root, "include")) != NULL &&
	    toml_type(e->value) == TOML_ARRAY) {
		for (i = 0; i < toml_array_len(e->value); i++) {
			v = toml_array_get(e->value, i);
			if ((s = toml_string(v, NULL)) != NULL &&
			    (s[0] == '/' || strstr(s, "..") != NULL))
				ok = 0;
		}
	}
	toml_free(root);
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_opts o = { 0 };
	struct config *c;
	struct buf errors, out;
	static int ready;
	char *const roots[] = { "root.pem" };

	if (!ready) {
		setup();
		ready = 1;
	}
	if (!includes_stay_inside(data, size))
		return 0;
	put("acmed.toml", (const char *)data, size);
	o.path = main_path;
	o.root_certs = roots;
	o.nroot_certs = 1;
	buf_init(&errors, BUF_MAX_DEFAULT);
	buf_init(&out, BUF_MAX_LARGE);
	c = config_load(&o, &errors);
	if (c == NULL) {
		/* Every failure says something, each line ends. */
		assert(errors.len > 0);
		assert(errors.data[errors.len - 1] == '\n');
	} else {
		assert(errors.len == 0);
		(void)config_dump(c, &out);
		buf_reset(&out);
		(void)config_summary(c, &out);
		for (size_t i = 0; i < c->ncertificates; i++) {
			const struct config_certificate *cert =
			    &c->certificates[i];

			assert(cert->account != NULL && cert->endpoint != NULL);
			assert(cert->nidentifiers > 0 && cert->id != NULL);
			assert(cert->file_name_format != NULL);
			(void)config_env_get(&cert->env, "A");
		}
		config_free(c);
	}
	buf_free(&errors);
	buf_free(&out);
	return 0;
}
