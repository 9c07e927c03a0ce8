/*
 * dnsname.c - a DNS name in A-labels, and the shape of one that a
 * certificate may hold (see ident.h): what no CA issues for, and what a
 * name typed for tacd could be, without being one.  Not more: ACMEd
 * sends a name as written, and a private CA may take "my--site" or an
 * A-label that IDNA2008 would refuse.
 */
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "crypto/ident.h"
#include "util/err.h"

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
			if (p[-1] == '-')
				return "a label ends with '-'";
			label = 0;
			continue;
		}
		if (label == 0 && *p == '-')
			return "a label starts with '-'";
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
	if (p[-1] == '-')
		return "a label ends with '-'";
	return NULL;
}

/*
 * The A-label form of a name, label by label as ACMEd does: an ASCII
 * label is only lower-cased, whatever it holds ("my--site", an A-label
 * of an emoji name: a private CA may issue for them, and ACMEd sends
 * them as they are); a label with other characters goes through libidn2
 * (UTS #46, non-transitional), which lower-cases and checks it.  Doing
 * the ASCII ones here also spares libidn2's Unicode tables, 40 us a
 * name (0.4 s for 10,000 certificates).  (ident.h)
 */
char *
crypto_dns_a_labels(const char *name)
{
	const char *label, *p;
	char *a, *out, *q;
	size_t len, cap = strlen(name) + 1, used = 0;
	int ascii, rc = IDN2_OK;

	if ((out = malloc(cap)) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	for (label = name;; label = p + 1) {
		ascii = 1;
		for (p = label; *p != '\0' && *p != '.'; p++)
			ascii &= (unsigned char)*p < 0x80;
		len = (size_t)(p - label);
		a = NULL;
		if (!ascii) {
			if ((q = strndup(label, len)) == NULL)
				rc = IDN2_MALLOC;
			else
				rc = idn2_to_ascii_8z(q, &a, IDN2_NFC_INPUT |
				    IDN2_NONTRANSITIONAL);
			free(q);
			if (rc != IDN2_OK) {
				err_set("%s", idn2_strerror(rc));
				free(out);
				return NULL;
			}
			len = strlen(a);
		}
		/* An A-label may be longer than its U-label. */
		if (used + len + 2 > cap) {
			cap = used + len + 2 + strlen(p);
			if ((q = realloc(out, cap)) == NULL) {
				free(a);
				free(out);
				err_set("out of memory");
				return NULL;
			}
			out = q;
		}
		memcpy(out + used, a != NULL ? a : label, len);
		free(a);
		for (q = out + used; q < out + used + len; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q = (char)(*q - 'A' + 'a');
		used += len;
		if (*p == '\0')
			break;
		out[used++] = '.';
	}
	out[used] = '\0';
	return out;
}
