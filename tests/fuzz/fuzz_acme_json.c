/*
 * fuzz_acme_json.c - libFuzzer target for every handler of a JSON document
 * from an ACME server.  The first byte picks the handler, the rest is the
 * body:
 *
 *   'd' directory       'a' account (newAccount or update answer)
 *   'o' order           'z' authorization
 *   'c' one challenge, inside an otherwise valid authorization
 *   'r' renewal information (RFC 9773)
 *   'p' problem document (any other first byte: also a problem)
 *
 * Any body must give either a parsed object whose members hold what the
 * header promises (URLs are http(s), text for the logs is printable) or an
 * error message, printable too, never a crash, a leak or a read past the
 * body.  What a
 * handler returns is then used the way the order code uses it (error
 * messages built from it), so that those paths run under the sanitizers
 * too.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/account.h"
#include "acme/endpoint.h"
#include "acme/order.h"
#include "acme/problem.h"
#include "acme/renewal_info.h"
#include "util/err.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define URL	"https://ca.example/acme/x"

static int
is_http_url(const char *s)
{
	return s != NULL && (strncmp(s, "https://", 8) == 0 ||
	    strncmp(s, "http://", 7) == 0);
}

/* Text that reaches a log line: printable ASCII only. */
static void
check_printable(const char *s)
{
	if (s == NULL)
		return;
	for (; *s != '\0'; s++)
		assert(*s >= ' ' && *s < 0x7f);
}

static void
check_problem(const struct acme_problem *p)
{
	size_t i;

	assert(p->type < ACME_ERR__MAX);
	assert(p->nsub <= ACME_MAX_SUBPROBLEMS);
	check_printable(p->type_uri);
	check_printable(p->detail);
	for (i = 0; i < p->nsub; i++) {
		assert(p->sub[i].type < ACME_ERR__MAX);
		check_printable(p->sub[i].detail);
		check_printable(p->sub[i].identifier);
	}
	(void)acme_error_name(p->type);
	(void)acme_error_retry(p->type);
	(void)acme_problem_err(p, URL);
	assert(err_msg()[0] != '\0');
}

static void
fuzz_directory(const char *body, size_t len)
{
	struct acme_directory *d;
	size_t i;

	if ((d = acme_directory_parse(body, len)) == NULL) {
		assert(err_msg()[0] != '\0');
		return;
	}
	assert(is_http_url(d->new_nonce) && is_http_url(d->new_account) &&
	    is_http_url(d->new_order));
	assert(d->revoke_cert == NULL || is_http_url(d->revoke_cert));
	assert(d->key_change == NULL || is_http_url(d->key_change));
	assert(d->new_authz == NULL || is_http_url(d->new_authz));
	assert(d->renewal_info == NULL || is_http_url(d->renewal_info));
	assert(d->nprofiles <= ACME_MAX_PROFILES);
	for (i = 0; i < d->nprofiles; i++)
		assert(d->profiles[i] != NULL);
	acme_directory_put(d);
}

static void
fuzz_account(const char *body, size_t len)
{
	char *orders = NULL;

	if (acme_account_parse(body, len, URL, &orders) == -1) {
		assert(orders == NULL);
		assert(strncmp(err_msg(), URL ": ", sizeof(URL) + 1) == 0 ||
		    strcmp(err_msg(), "out of memory") == 0);
		/* The server's status is in the message: printable. */
		check_printable(err_msg());
		return;
	}
	free(orders);
	(void)acme_account_parse(body, len, URL, NULL);
}

static void
fuzz_order(const char *body, size_t len)
{
	struct acme_order o;
	size_t i;

	memset(&o, 0, sizeof(o));
	if ((o.url = strdup(URL)) == NULL)
		return;
	if (acme_order_parse(&o, body, len) == 0) {
		assert(is_http_url(o.finalize));
		assert(o.certificate == NULL || is_http_url(o.certificate));
		assert(o.nauthz <= ACME_MAX_AUTHZ);
		for (i = 0; i < o.nauthz; i++)
			assert(is_http_url(o.authz[i]));
		(void)acme_status_name(o.status);
		check_problem(&o.error);
		/* A poll replaces the fields and keeps the URL. */
		(void)acme_order_parse(&o, body, len);
		assert(strcmp(o.url, URL) == 0);
	} else
		assert(err_msg()[0] != '\0');
	acme_order_free(&o);
}

static void
use_authz(const struct acme_authz *a)
{
	size_t i;

	assert(a->value != NULL);
	assert(a->nchall <= ACME_MAX_CHALLENGES);
	(void)acme_status_name(a->status);
	for (i = 0; i < a->nchall; i++) {
		const struct acme_challenge *c = &a->chall[i];

		assert(c->type != NULL && is_http_url(c->url));
		(void)acme_status_name(c->status);
		if (c->token != NULL && acme_token_valid(c->token))
			assert(strlen(c->token) <= ACME_TOKEN_MAX);
		check_problem(&c->error);
	}
}

static void
fuzz_authz(const char *body, size_t len)
{
	struct acme_authz a;

	if (acme_authz_parse(&a, body, len) == -1) {
		assert(err_msg()[0] != '\0');
		/* A failed parse leaves nothing to free, and may be freed. */
		assert(a.value == NULL && a.nchall == 0);
		acme_authz_free(&a);
		return;
	}
	use_authz(&a);
	acme_authz_free(&a);
}

static void
fuzz_challenge(const char *body, size_t len)
{
	static const char head[] = "{\"status\":\"pending\",\"identifier\":"
	    "{\"type\":\"dns\",\"value\":\"example.org\"},\"challenges\":["
	    "{\"type\":\"dns-01\",\"url\":\"https://ca.example/c/1\","
	    "\"status\":\"pending\",\"token\":\"abc\"},";
	static const char tail[] = "]}";
	char *doc;
	size_t n = sizeof(head) - 1 + len + sizeof(tail) - 1;

	if ((doc = malloc(n)) == NULL)
		return;
	memcpy(doc, head, sizeof(head) - 1);
	memcpy(doc + sizeof(head) - 1, body, len);
	memcpy(doc + sizeof(head) - 1 + len, tail, sizeof(tail) - 1);
	fuzz_authz(doc, n);
	free(doc);
}

static void
fuzz_renewal_info(const char *body, size_t len)
{
	struct acme_renewal_info ri;
	int64_t t;

	if (acme_renewal_info_parse(&ri, body, len) == -1) {
		assert(err_msg()[0] != '\0');
		acme_renewal_info_free(&ri);
		return;
	}
	assert(ri.end > ri.start);
	check_printable(ri.explanation);
	t = acme_renewal_info_pick(&ri, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
	assert(t >= ri.start && t < ri.end);
	acme_renewal_info_free(&ri);
	acme_renewal_info_free(&ri);
}

static void
fuzz_problem(const char *body, size_t len)
{
	struct acme_problem p;

	acme_problem_parse(&p, 400, body, len);
	assert(p.status == 400);
	check_problem(&p);
	acme_problem_free(&p);
	acme_problem_free(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body;
	size_t len;

	if (size == 0)
		return 0;
	/* An exact-size copy, so that ASan catches any read past the end. */
	len = size - 1;
	if ((body = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(body, data + 1, len);
	err_clear();
	switch (data[0]) {
	case 'd':
		fuzz_directory(body, len);
		break;
	case 'a':
		fuzz_account(body, len);
		break;
	case 'o':
		fuzz_order(body, len);
		break;
	case 'z':
		fuzz_authz(body, len);
		break;
	case 'c':
		fuzz_challenge(body, len);
		break;
	case 'r':
		fuzz_renewal_info(body, len);
		break;
	default:
		fuzz_problem(body, len);
		break;
	}
	/* Whatever the server sent that reached the message is printable:
	 * it ends up in a log line. */
	check_printable(err_msg());
	free(body);
	return 0;
}
