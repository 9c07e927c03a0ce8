/*
 * url.c - a URL's authority (see url.h).
 */
#include <string.h>

#include "util/url.h"

const char *
url_authority(const char *url, size_t *len)
{
	const char *a = strstr(url, "://");

	if (a == NULL)
		return NULL;
	a += 3;
	*len = strcspn(a, "/?#");
	return a;
}
