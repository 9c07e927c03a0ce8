/*
 * problem.c - RFC 7807 problem documents (see problem.h).
 */
#include <stdlib.h>
#include <string.h>

#include "acme/json.h"
#include "acme/problem.h"
#include "util/buf.h"
#include "util/err.h"

#define ACME_ERROR_PREFIX "urn:ietf:params:acme:error:"
#define PROBLEM_TEXT_MAX 512

static const char *const acme_error_names[ACME_ERR__MAX] = {
	[ACME_ERR_NONE] = "",
	[ACME_ERR_UNKNOWN] = "unknown",
#define X(name, retry) [ACME_ERR_##name] = #name,
	ACME_ERROR_TYPES(X)
#undef X
};

static const enum acme_retry acme_error_retries[ACME_ERR__MAX] = {
	[ACME_ERR_NONE] = ACME_RETRY_NO,
	[ACME_ERR_UNKNOWN] = ACME_RETRY_NO,
#define X(name, retry) [ACME_ERR_##name] = retry,
	ACME_ERROR_TYPES(X)
#undef X
};

enum acme_error
acme_error_from_uri(const char *uri)
{
	size_t plen = sizeof(ACME_ERROR_PREFIX) - 1;
	int i;

	if (uri == NULL || strncmp(uri, ACME_ERROR_PREFIX, plen) != 0)
		return ACME_ERR_NONE;
	for (i = ACME_ERR_UNKNOWN + 1; i < ACME_ERR__MAX; i++)
		if (strcmp(uri + plen, acme_error_names[i]) == 0)
			return (enum acme_error)i;
	return ACME_ERR_UNKNOWN;
}

const char *
acme_error_name(enum acme_error e)
{
	return e < ACME_ERR__MAX ? acme_error_names[e] : "?";
}

enum acme_retry
acme_error_retry(enum acme_error e)
{
	return e < ACME_ERR__MAX ? acme_error_retries[e] : ACME_RETRY_NO;
}

static char *
problem_text(const char *s)
{
	struct buf b;

	if (s == NULL)
		return NULL;
	buf_init(&b, PROBLEM_TEXT_MAX + 8);
	json_safe_text(&b, s, PROBLEM_TEXT_MAX);
	return buf_steal(&b);
}

void
acme_problem_parse(struct acme_problem *p, long status, const char *body,
    size_t len)
{
	const char *type, *detail, *itype, *ivalue;
	json_t *doc, *subs, *sub, *ident;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->status = status;
	if (body == NULL || len == 0 ||
	    (doc = json_parse_object(body, len)) == NULL) {
		err_clear();
		return;
	}
	if (json_get_string(doc, "type", 0, &type) == 0 && type != NULL) {
		p->type = acme_error_from_uri(type);
		p->type_uri = problem_text(type);
	}
	if (json_get_string(doc, "detail", 0, &detail) == 0)
		p->detail = problem_text(detail);
	if (json_get_array(doc, "subproblems", 0, &subs) == 0 && subs != NULL) {
		json_array_foreach(subs, i, sub) {
			struct acme_subproblem *sp;

			if (p->nsub == ACME_MAX_SUBPROBLEMS)
				break;
			if (!json_is_object(sub))
				continue;
			sp = &p->sub[p->nsub++];
			if (json_get_string(sub, "type", 0, &type) == 0)
				sp->type = acme_error_from_uri(type);
			if (json_get_string(sub, "detail", 0, &detail) == 0)
				sp->detail = problem_text(detail);
			if (json_get_object(sub, "identifier", 0, &ident) == 0 &&
			    ident != NULL &&
			    json_get_string(ident, "type", 0, &itype) == 0 &&
			    json_get_string(ident, "value", 0, &ivalue) == 0 &&
			    itype != NULL && ivalue != NULL) {
				struct buf b;

				buf_init(&b, 300);
				json_safe_text(&b, itype, 16);
				buf_putc(&b, ':');
				json_safe_text(&b, ivalue, 253);
				sp->identifier = buf_steal(&b);
			}
		}
	}
	err_clear();
	json_decref(doc);
}

void
acme_problem_free(struct acme_problem *p)
{
	size_t i;

	free(p->type_uri);
	free(p->detail);
	for (i = 0; i < p->nsub; i++) {
		free(p->sub[i].detail);
		free(p->sub[i].identifier);
	}
	memset(p, 0, sizeof(*p));
}

void
acme_problem_subs(const struct acme_problem *p, struct buf *b)
{
	size_t i;

	for (i = 0; i < p->nsub; i++) {
		const struct acme_subproblem *sp = &p->sub[i];

		buf_puts(b, i == 0 ? " (" : "; ");
		if (sp->identifier != NULL)
			buf_printf(b, "%s: ", sp->identifier);
		/* A subproblem without an ACME type or a detail still says
		 * something. */
		if (sp->type != ACME_ERR_NONE)
			buf_printf(b, "%s", acme_error_name(sp->type));
		else if (sp->detail == NULL)
			buf_puts(b, "unknown problem");
		if (sp->detail != NULL)
			buf_printf(b, "%s%s", sp->type != ACME_ERR_NONE ?
			    ": " : "", sp->detail);
	}
	if (p->nsub > 0)
		buf_putc(b, ')');
}

int
acme_problem_err(const struct acme_problem *p, const char *url)
{
	struct buf b;

	buf_init(&b, ERR_MSG_MAX);
	buf_printf(&b, "%s: HTTP %ld", url, p->status);
	if (p->type != ACME_ERR_NONE && p->type != ACME_ERR_UNKNOWN)
		buf_printf(&b, " %s", acme_error_name(p->type));
	else if (p->type_uri != NULL)
		buf_printf(&b, " %s", p->type_uri);
	if (p->detail != NULL)
		buf_printf(&b, ": %s", p->detail);
	acme_problem_subs(p, &b);
	/* Out of memory before the first byte: still name the URL. */
	if (b.len == 0)
		err_set("%s: HTTP %ld", url, p->status);
	else
		err_set("%s", buf_str(&b));
	buf_free(&b);
	return -1;
}
