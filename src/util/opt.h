/*
 * opt.h - command-line values as ACMEd's parser (clap) reads them, on top
 * of getopt_long(3).
 */
#ifndef ACMED_UTIL_OPT_H
#define ACMED_UTIL_OPT_H

#include <stddef.h>

/*
 * The value of the option getopt_long() has just returned, from its
 * optarg and optind: clap takes "-c=FILE" as "-c FILE", getopt as
 * "-c =FILE".  Only a value attached to a short option loses one '=':
 * "-c" "=x" (two words) and "--config==x" keep theirs.
 */
static inline char *
opt_value(char *const *argv, int next, char *arg)
{
	if (arg != NULL && arg[0] == '=' && arg != argv[next - 1] &&
	    arg[-1] != '=')
		return arg + 1;
	return arg;
}

#endif
