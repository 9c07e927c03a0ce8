/*
 * revoke_reason.h - the revocation reasons (RFC 5280 section 5.3.1) a
 * client may give, by name.  A header alone: acmectl checks a reason
 * against the very list the daemon accepts without linking the protocol
 * layer (it links util only).
 */
#ifndef ACMED_ACME_REVOKE_REASON_H
#define ACMED_ACME_REVOKE_REASON_H

#include <stddef.h>
#include <string.h>

/* The codes (the others are the CA's business). */
#define ACME_REVOKE_NO_REASON	(-1)	/* no "reason" member */
#define ACME_REVOKE_UNSPECIFIED	0
#define ACME_REVOKE_KEY_COMPROMISE 1
#define ACME_REVOKE_AFFILIATION_CHANGED 3
#define ACME_REVOKE_SUPERSEDED	4
#define ACME_REVOKE_CESSATION	5

/* The i-th reason's name and *code; NULL past the last. */
static inline const char *
acme_revoke_reason_at(size_t i, int *code)
{
	static const struct {
		const char	*name;
		int		 code;
	} reasons[] = {
		{ "unspecified", ACME_REVOKE_UNSPECIFIED },
		{ "keyCompromise", ACME_REVOKE_KEY_COMPROMISE },
		{ "affiliationChanged", ACME_REVOKE_AFFILIATION_CHANGED },
		{ "superseded", ACME_REVOKE_SUPERSEDED },
		{ "cessationOfOperation", ACME_REVOKE_CESSATION },
	};

	if (i >= sizeof(reasons) / sizeof(*reasons))
		return NULL;
	*code = reasons[i].code;
	return reasons[i].name;
}

/* "keyCompromise" -> 1 ...; -1 for a name not in the list. */
static inline int
acme_revoke_reason(const char *name)
{
	const char *n;
	size_t i;
	int code;

	for (i = 0; (n = acme_revoke_reason_at(i, &code)) != NULL; i++)
		if (strcmp(n, name) == 0)
			return code;
	return -1;
}

/* The other way: "none" for ACME_REVOKE_NO_REASON. */
static inline const char *
acme_revoke_reason_name(int reason)
{
	const char *n;
	size_t i;
	int code;

	for (i = 0; (n = acme_revoke_reason_at(i, &code)) != NULL; i++)
		if (code == reason)
			return n;
	return "none";
}

#endif
