/*
 * url.h - the one piece of a URL read outside libcurl: its authority,
 * for the configuration's checks (which cannot use the protocol layer)
 * and the endpoint's origin prefix.
 */
#ifndef ACMED_UTIL_URL_H
#define ACMED_UTIL_URL_H

#include <stddef.h>

/* The authority of url, what follows "scheme://" up to the path, the
 * query or the fragment ("user@host:port"): a pointer into url, its
 * length in *len.  NULL when url has no "://". */
const char *url_authority(const char *url, size_t *len);

#endif
