/*
 * test_tmpl_golden.c - every template of ACMEd's default_hooks.toml and
 * the man page's email-report example, rendered over the variables the
 * daemon passes for the hook's type (acmed.toml(5), WRITING A HOOK), with
 * the output ACMEd produces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpl_test.h"

#define PROOF	"7f8Ek_3xUY3B2cVVaSc0R0s5nUBVf8YrV0vyr0mI1cQ"
#define TOKEN	"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"

enum hctx {
	HTTP,		/* challenge-http-01, env without HTTP_ROOT */
	HTTP_ROOT,	/* challenge-http-01, env.HTTP_ROOT = /srv/http */
	ALPN,		/* challenge-tls-alpn-01 */
	ALPN_PORT,	/* ... with env.TACD_PORT and TACD_PID_ROOT */
	FILE_HOOK,	/* file-post-create */
	FILE_GIT,	/* ... with GIT_USERNAME and GIT_EMAIL */
	WILDCARD,	/* challenge-dns-01 for *.example.org */
	NCTX
};

static struct tmpl_value *ctxs[NCTX];

static struct tmpl_value *
challenge_ctx(const char *type, const char *ident, struct tmpl_value *env)
{
	struct tmpl_value *c;

	c = str_map("challenge", type, "identifier", ident,
	    "identifier_tls_alpn", ident, "proof", PROOF, NULL);
	tmpl_map_set(c, "file_name",
	    tmpl_value_str(strcmp(type, "http-01") == 0 ? TOKEN : ""));
	tmpl_map_set(c, "raw_proof", tmpl_value_str(""));
	tmpl_map_set(c, "is_clean_hook", tmpl_value_bool(0));
	tmpl_map_set(c, "env", env);
	return c;
}

static struct tmpl_value *
file_ctx(struct tmpl_value *env)
{
	struct tmpl_value *c;

	c = str_map("file_directory", "/var/lib/acmed/certs",
	    "file_name", "example.org_ecdsa_p256.crt.pem",
	    "file_path", "/var/lib/acmed/certs/example.org_ecdsa_p256.crt.pem",
	    NULL);
	tmpl_map_set(c, "env", env);
	return c;
}

static int
setup(void **state)
{
	(void)state;
	ctxs[HTTP] = challenge_ctx("http-01", "example.org",
	    str_map("PATH", "/usr/bin:/bin", NULL));
	ctxs[HTTP_ROOT] = challenge_ctx("http-01", "example.org",
	    str_map("HTTP_ROOT", "/srv/http", NULL));
	ctxs[ALPN] = challenge_ctx("tls-alpn-01", "example.org",
	    tmpl_value_map());
	ctxs[ALPN_PORT] = challenge_ctx("tls-alpn-01", "2.exemple.net",
	    str_map("TACD_PORT", "5010", "TACD_PID_ROOT", "/var/run/acmed",
	    "TACD_SOCK_ROOT", "/srv/sock", NULL));
	ctxs[FILE_HOOK] = file_ctx(tmpl_value_map());
	ctxs[FILE_GIT] = file_ctx(str_map("GIT_USERNAME", "Jane Doe",
	    "GIT_EMAIL", "jane@example.org", NULL));
	ctxs[WILDCARD] = challenge_ctx("dns-01", "*.example.org",
	    tmpl_value_map());
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NCTX; i++)
		tmpl_value_free(ctxs[i]);
	return 0;
}

struct golden {
	enum hctx	 ctx;
	const char	*tmpl;
	const char	*want;
};

/* The templates of default_hooks.toml, in file order. */
static const struct golden hooks[] = {
	/* http-01-echo-mkdir args */
	{ HTTP, "0755", "0755" },
	{ HTTP, "{{ env.HTTP_ROOT | default('/var/www') }}/{{ identifier }}"
	    "/.well-known/acme-challenge",
	    "/var/www/example.org/.well-known/acme-challenge" },
	{ HTTP_ROOT, "{{ env.HTTP_ROOT | default('/var/www') }}/"
	    "{{ identifier }}/.well-known/acme-challenge",
	    "/srv/http/example.org/.well-known/acme-challenge" },
	/* http-01-echo-echo args and stdout */
	{ HTTP, "{{ proof }}", PROOF },
	{ HTTP, "{{ env.HTTP_ROOT | default('/var/www') }}/{{ identifier }}"
	    "/.well-known/acme-challenge/{{ file_name }}",
	    "/var/www/example.org/.well-known/acme-challenge/" TOKEN },
	{ HTTP_ROOT, "{{ env.HTTP_ROOT | default('/var/www') }}/"
	    "{{ identifier }}/.well-known/acme-challenge/{{ file_name }}",
	    "/srv/http/example.org/.well-known/acme-challenge/" TOKEN },
	/* http-01-echo-chmod and -clean args: the same path */
	{ HTTP, "a+r", "a+r" },
	{ HTTP, "-f", "-f" },
	/* tls-alpn-01-tacd-start-tcp args */
	{ ALPN, "--pid-file", "--pid-file" },
	{ ALPN, "{{ env.TACD_PID_ROOT | default('/run') }}/tacd_"
	    "{{ identifier }}.pid", "/run/tacd_example.org.pid" },
	{ ALPN_PORT, "{{ env.TACD_PID_ROOT | default('/run') }}/tacd_"
	    "{{ identifier }}.pid", "/var/run/acmed/tacd_2.exemple.net.pid" },
	{ ALPN, "{{ identifier_tls_alpn }}", "example.org" },
	{ ALPN, "{{ proof }}", PROOF },
	{ ALPN, "{{ env.TACD_PORT | default('5001') }}", "5001" },
	{ ALPN_PORT, "{{ env.TACD_PORT | default('5001') }}", "5010" },
	/* tls-alpn-01-tacd-start-unix --listen */
	{ ALPN, "unix:{{ env.TACD_SOCK_ROOT | default('/run') }}/tacd_"
	    "{{ identifier }}.sock", "unix:/run/tacd_example.org.sock" },
	{ ALPN_PORT, "unix:{{ env.TACD_SOCK_ROOT | default('/run') }}/tacd_"
	    "{{ identifier }}.sock", "unix:/srv/sock/tacd_2.exemple.net.sock" },
	/* tls-alpn-01-tacd-kill and -rm */
	{ ALPN, "-F", "-F" },
	/* git-init, git-add, git-commit */
	{ FILE_HOOK, "init", "init" },
	{ FILE_HOOK, "{{ file_directory }}", "/var/lib/acmed/certs" },
	{ FILE_HOOK, "{{ file_name }}", "example.org_ecdsa_p256.crt.pem" },
	{ FILE_HOOK, "user.name='{{ env.GIT_USERNAME | default('ACMEd') }}'",
	    "user.name='ACMEd'" },
	{ FILE_HOOK, "user.email='{{ env.GIT_EMAIL | "
	    "default('acmed@localhost') }}'", "user.email='acmed@localhost'" },
	{ FILE_GIT, "user.name='{{ env.GIT_USERNAME | default('ACMEd') }}'",
	    "user.name='Jane Doe'" },
	{ FILE_GIT, "user.email='{{ env.GIT_EMAIL | "
	    "default('acmed@localhost') }}'", "user.email='jane@example.org'" },
	/* A variable of another hook type renders empty. */
	{ ALPN, "[{{ file_name }}][{{ file_directory }}][{{ status }}]",
	    "[][][]" },
	/* Wildcards keep their "*." in identifier. */
	{ WILDCARD, "{{ identifier }} {{ identifier|rev_labels }}",
	    "*.example.org org.example.*" },
	/* The man page writes {{ TACD_PID_ROOT }} without env.: empty. */
	{ ALPN, "{{ TACD_PID_ROOT }}/tacd_{{ identifier }}.pid",
	    "/tacd_example.org.pid" },
};

static void
test_default_hooks(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++)
		if (strcmp(render(hooks[i].tmpl, ctxs[hooks[i].ctx]),
		    hooks[i].want) != 0)
			fail_msg("%s\n  want %s\n  got  %s", hooks[i].tmpl,
			    hooks[i].want, render_result);
}

/* stdin_str of the man page's email-report hook, as TOML reads it. */
static const char email_report[] =
    "Subject: Certificate renewal {{ 'succeeded' if is_success else "
    "'failed' }} for {{ identifiers.0 }}\n"
    "\n"
    "The following certificate has {{ '' if is_success else '*not* ' }}"
    "been renewed.\n"
    "identifiers: {% for ident in identifiers %}{% if not loop.first %}, "
    "{% endif %}{{ ident }}{% endfor %}\n"
    "key type: {{ key_type }}\n"
    "status: {{ status }}";

static struct tmpl_value *
post_op_ctx(int success, const char *status, int nident)
{
	static const char *const idents[] = { "exemple.net", "1.exemple.net",
	    "203.0.113.1" };
	struct tmpl_value *c, *l;
	int i;

	c = str_map("key_type", "ecdsa_p256", "status", status,
	    "certificate_path", "/var/lib/acmed/certs/exemple.net.crt.pem",
	    "private_key_path", "/var/lib/acmed/certs/exemple.net.pk.pem",
	    NULL);
	l = tmpl_value_list();
	for (i = 0; i < nident; i++)
		tmpl_list_push(l, tmpl_value_str(idents[i]));
	tmpl_map_set(c, "identifiers", l);
	tmpl_map_set(c, "is_success", tmpl_value_bool(success));
	tmpl_map_set(c, "env", tmpl_value_map());
	return c;
}

static void
test_email_report(void **state)
{
	struct tmpl_value *c;

	(void)state;
	c = post_op_ctx(1, "success", 3);
	assert_string_equal(render(email_report, c),
	    "Subject: Certificate renewal succeeded for exemple.net\n"
	    "\n"
	    "The following certificate has been renewed.\n"
	    "identifiers: exemple.net, 1.exemple.net, 203.0.113.1\n"
	    "key type: ecdsa_p256\n"
	    "status: success");
	tmpl_value_free(c);

	c = post_op_ctx(0, "unable to renew the certificate: rate limited",
	    1);
	assert_string_equal(render(email_report, c),
	    "Subject: Certificate renewal failed for exemple.net\n"
	    "\n"
	    "The following certificate has *not* been renewed.\n"
	    "identifiers: exemple.net\n"
	    "key type: ecdsa_p256\n"
	    "status: unable to renew the certificate: rate limited");
	tmpl_value_free(c);

	/* No identifiers: identifiers.0 is undefined and prints empty. */
	c = post_op_ctx(1, "success", 0);
	assert_string_equal(render(email_report, c),
	    "Subject: Certificate renewal succeeded for \n"
	    "\n"
	    "The following certificate has been renewed.\n"
	    "identifiers: \n"
	    "key type: ecdsa_p256\n"
	    "status: success");
	tmpl_value_free(c);
}

static void
test_acmed_literals(void **state)
{
	struct tmpl_value *c = post_op_ctx(1, "success", 1);

	(void)state;
	/* ACMEd's MiniJinja 2.11 prints booleans and none in lower case:
	 * hook arguments such as "{{ is_success }}" get "true". */
	assert_string_equal(render_opts("{{ is_success }} {{ not is_success }}"
	    " {{ none }} {{ [is_success, none] }} {{ is_success ~ '' }} "
	    "{{ is_success|string|upper }}", c, NULL, 1000),
	    "true false none [true, none] true TRUE");
	tmpl_value_free(c);
}

static void
test_trailing_newline_of_stdin(void **state)
{
	struct tmpl_value *c = post_op_ctx(1, "success", 1);

	(void)state;
	/* A stdin_str ending in a newline loses it, as in ACMEd. */
	assert_string_equal(render("status: {{ status }}\n", c),
	    "status: success");
	assert_string_equal(render("status: {{ status }}\n\n", c),
	    "status: success\n");
	tmpl_value_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_hooks),
		cmocka_unit_test(test_email_report),
		cmocka_unit_test(test_acmed_literals),
		cmocka_unit_test(test_trailing_newline_of_stdin),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
