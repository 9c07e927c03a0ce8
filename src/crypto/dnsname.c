/*
 * dnsname.c - the shape of a DNS name a certificate may hold (see
 * ident.h), once in A-labels: what libidn2 lets through, and what a
 * name typed for tacd could be, without being one.
 */
#include <string.h>

#include "crypto/ident.h"

const char *
crypto_dns_name_error(const char *s)
{
	const char *p;
	size_t label = 0;

	if (strlen(s) > 253)
		return "it is longer than 253 characters";
	for (p = s; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0)
				return "it has an empty label";
			label = 0;
			continue;
		}
		if (label == 63)
			return "domain label longer than 63 characters";
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_'))
			return *p == '*' ? "'*' is only allowed as a whole first "
			    "label (\"*.example.org\")" : "it contains a "
			    "character other than letters, digits, '-' and '_'";
		label++;
	}
	if (label == 0)
		return "it has an empty label";
	return NULL;
}
