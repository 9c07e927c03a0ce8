/*
 * config-check.c - loads an acmed.toml and prints the model (config_dump),
 * or with -s the one-line summary of each certificate; on error prints
 * every error, one per line, and exits 1.  The golden tests of
 * tests/config/ run it.
 *
 *	config-check [-s] [-v] [-C folder] [-r root-cert]... FILE
 *
 * -C sets the folder relative paths are resolved against (config_opts.cwd).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config/config.h"
#include "util/buf.h"
#include "util/log.h"

static void
usage(void)
{
	fprintf(stderr, "usage: config-check [-s] [-v] [-C folder] "
	    "[-r root-cert]... FILE\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct config_opts o = { 0 };
	struct config *c;
	struct buf out;
	char **roots = NULL;
	size_t nroots = 0;
	int ch, summary = 0, rc = 1;
	enum log_level level = LOGL_WARN;

	if ((roots = calloc((size_t)argc, sizeof(*roots))) == NULL)
		return 1;
	while ((ch = getopt(argc, argv, "C:r:sv")) != -1) {
		switch (ch) {
		case 'C':
			o.cwd = optarg;
			break;
		case 'r':
			roots[nroots++] = optarg;
			break;
		case 's':
			summary = 1;
			break;
		case 'v':
			level = LOGL_INFO;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	log_init("config-check", LOG_SINK_STDERR, level);
	o.path = argv[optind];
	o.root_certs = roots;
	o.nroot_certs = nroots;
	buf_init(&out, BUF_MAX_LARGE);
	if ((c = config_load(&o, &out)) != NULL) {
		if ((summary ? config_summary(c, &out) :
		    config_dump(c, &out)) == 0)
			rc = 0;
		else
			fprintf(stderr, "config-check: output too large\n");
		config_free(c);
	}
	fwrite(buf_str(&out), 1, out.len, stdout);
	buf_free(&out);
	free(roots);
	return rc;
}
