/*
 * acme-driver.c - runs the ACME layer's flows from the command line, for
 * the integration tests (before and beside the daemon).
 *
 *   acme-driver [options] register | order | deactivate | rewrite
 *
 *   --endpoint NAME=URL      a CA (repeatable: the flows run on every
 *                            endpoint at once, in one thread each)
 *   --root FILE              extra trust anchor (repeatable)
 *   --accounts DIR           where the account file lives
 *   --account NAME           account name (default "test")
 *   --key-type T --alg A     account key (default ecdsa_p256)
 *   --contact URI            repeatable
 *   --eab-id ID --eab-key B64URL [--eab-alg HS256]
 *   --no-tos                 termsOfServiceAgreed false
 *   --backoff-ms MS          base of the retry backoff (default 1000)
 *   --verbose                debug messages (retries) on stderr
 *   order:
 *   --ident dns:NAME|ip:ADDR repeatable
 *   --challenge TYPE         default http-01
 *   --cert-key T             default ecdsa_p256
 *   --out DIR                chain.pem, key.pem (per endpoint: DIR/NAME/),
 *                            written together once the chain is checked
 *   --challtestsrv URL       publish proofs through pebble-challtestsrv
 *
 * rewrite loads the account file and saves it again, unchanged, without
 * talking to any endpoint (the load/save cycle of the file format).
 *
 * Prints "<endpoint>: account <url>" (again after a re-registration) and
 * request statistics.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acme/account.h"
#include "acme/order.h"
#include "crypto/cert.h"
#include "crypto/csr.h"
#include "crypto/key.h"
#include "util/afile.h"
#include "util/b64url.h"
#include "util/err.h"
#include "util/log.h"

#define MAX_EP		8
#define MAX_ITEMS	32

static struct {
	char			*ep_name[MAX_EP], *ep_url[MAX_EP];
	int			 nep;
	char			*roots[MAX_ITEMS];
	int			 nroots;
	const char		*accounts, *account, *out, *challtestsrv;
	const char		*challenge, *command;
	char			*contacts[MAX_ITEMS];
	int			 ncontacts;
	struct acme_order_ident	 ids[MAX_ITEMS];
	int			 nids;
	enum crypto_key_type	 cert_key;
	int			 tos;
	int			 backoff_ms;
} opt = { .account = "test", .challenge = "http-01",
    .cert_key = CRYPTO_KEY_ECDSA_P256, .tos = 1 };

static struct acme_account *account;

struct job {
	struct acme_endpoint	*ep;
	int			 rc;
	char			 err[ERR_MSG_MAX];
};

static int
challtest(struct http_client *c, const char *path, const char *json)
{
	struct http_target t;
	struct http_response r;
	char url[512];
	int rc;

	http_target_defaults(&t);
	t.allow_http = 1;
	snprintf(url, sizeof(url), "%s/%s", opt.challtestsrv, path);
	http_response_init(&r);
	rc = http_request(c, &t, "POST", url, NULL, "application/json", json,
	    strlen(json), &r);
	if (rc == 0 && r.status != 200)
		rc = err_set("%s: HTTP %ld", url, r.status);
	http_response_free(&r);
	return rc;
}

static int
solve(void *arg, const struct acme_challenge_task *t)
{
	char json[2048];
	const char *v = t->ident->value;

	if (opt.challtestsrv == NULL)
		return 0;
	if (strncmp(v, "*.", 2) == 0)
		v += 2;
	if (strcmp(t->challenge, "http-01") == 0)
		snprintf(json, sizeof(json), "{\"token\":\"%s\",\"content\":"
		    "\"%s\"}", t->token, t->proof);
	else
		snprintf(json, sizeof(json), "{\"host\":\"_acme-challenge."
		    "%s.\",\"value\":\"%s\"}", v, t->proof);
	return challtest(arg, strcmp(t->challenge, "http-01") == 0 ?
	    "add-http01" : "set-txt", json);
}

static void
unsolve(void *arg, const struct acme_challenge_task *t)
{
	char json[1024];
	const char *v = t->ident->value;

	if (opt.challtestsrv == NULL)
		return;
	if (strncmp(v, "*.", 2) == 0)
		v += 2;
	if (strcmp(t->challenge, "http-01") == 0)
		snprintf(json, sizeof(json), "{\"token\":\"%s\"}", t->token);
	else
		snprintf(json, sizeof(json), "{\"host\":\"_acme-challenge."
		    "%s.\"}", v);
	challtest(arg, strcmp(t->challenge, "http-01") == 0 ? "del-http01" :
	    "clear-txt", json);
}

static int
stage_file(struct afile *f, const char *dir, const char *name,
    const struct buf *b, mode_t mode)
{
	struct afile_opts o = { mode, (uid_t)-1, (gid_t)-1 };
	char path[2048];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return afile_stage(f, path, b->data, b->len, &o);
}

/* key.pem and chain.pem appear together or not at all. */
static int
write_outputs(const char *dir, const struct buf *key, const struct buf *chain)
{
	struct afile fk, fc;
	int rc = -1;

	memset(&fk, 0, sizeof(fk));
	memset(&fc, 0, sizeof(fc));
	if (stage_file(&fk, dir, "key.pem", key, 0600) == 0 &&
	    stage_file(&fc, dir, "chain.pem", chain, 0644) == 0 &&
	    afile_commit(&fk) == 0 && afile_commit(&fc) == 0)
		rc = 0;
	afile_discard(&fk);
	afile_discard(&fc);
	return rc;
}

/* Saves the loaded account as it is. */
static int
rewrite_account(void)
{
	struct afile_opts o = { 0600, (uid_t)-1, (gid_t)-1 };
	struct buf out;
	int rc;

	buf_init(&out, 1024 * 1024);
	rc = acme_account_file_encode(&account->file, &out);
	if (rc == 0)
		rc = afile_write(account->path, out.data, out.len, &o);
	buf_free_secure(&out);
	return rc;
}

static int
do_order(struct acme_session *s, struct http_client *chall)
{
	struct acme_solver solver = { solve, unsolve, NULL, chall };
	struct crypto_ident cids[MAX_ITEMS];
	struct crypto_csr_req req;
	struct crypto_key *key = NULL;
	struct acme_order o;
	struct buf csr, chain, pem;
	char dir[1024];
	int i, rc = -1;

	memset(&o, 0, sizeof(o));
	buf_init(&csr, 1 << 16);
	buf_init(&chain, 1 << 20);
	buf_init(&pem, 1 << 16);
	memset(&req, 0, sizeof(req));
	for (i = 0; i < opt.nids; i++) {
		cids[i].type = opt.ids[i].type;
		cids[i].value = opt.ids[i].value;
	}
	req.idents = cids;
	req.n_idents = (size_t)opt.nids;
	req.digest = CRYPTO_DIGEST_SHA256;
	if (acme_order_new(s, opt.ids, (size_t)opt.nids, NULL, NULL, &o) == -1)
		goto out;
	if (acme_order_authorize(s, &o, opt.ids, (size_t)opt.nids, &solver,
	    NULL) == -1) {
		acme_order_abandon(s, &o);
		goto out;
	}
	if ((key = crypto_key_generate(opt.cert_key)) == NULL ||
	    crypto_csr_der(key, &req, &csr) == -1 ||
	    acme_order_finalize(s, &o, csr.data, csr.len, NULL) == -1 ||
	    acme_order_download(s, &o, &chain, NULL, NULL) == -1)
		goto out;
	if (crypto_cert_check_key(chain.data, chain.len, key) == -1) {
		err_prefix("downloaded certificate");
		goto out;
	}
	if (opt.out != NULL) {
		snprintf(dir, sizeof(dir), "%s/%s", opt.out, s->ep->name);
		mkdir(opt.out, 0755);
		mkdir(dir, 0755);
		if (crypto_key_to_pem(key, &pem) == -1 ||
		    write_outputs(dir, &pem, &chain) == -1)
			goto out;
	}
	printf("%s: certificate %s\n", s->ep->name, o.certificate);
	rc = 0;
out:
	acme_order_free(&o);
	crypto_key_free(key);
	buf_free(&csr);
	buf_free(&chain);
	buf_free_secure(&pem);
	return rc;
}

static void *
run_job(void *arg)
{
	struct job *j = arg;
	struct http_client *http = http_client_new();
	/* challtestsrv gets a client of its own: libcurl 7.88 leaks
	 * connections of an easy handle used both with and without a share
	 * handle. */
	struct http_client *chall = http_client_new();
	struct acme_session s;

	acme_session_init(&s, j->ep, http);
	if (opt.backoff_ms > 0)
		s.backoff_base_ms = opt.backoff_ms;
	j->rc = -1;
	if (http == NULL || chall == NULL)
		goto out;
	if (strcmp(opt.command, "deactivate") == 0) {
		j->rc = acme_account_deactivate(account, &s);
		goto out;
	}
	if (acme_account_sync(account, &s, opt.tos, 0) == -1)
		goto out;
	printf("%s: account %s\n", j->ep->name, s.kid);
	if (strcmp(opt.command, "order") == 0 && do_order(&s, chall) == -1) {
		/* A dropped account is registered once more, as the
		 * daemon does. */
		if (s.problem.type != ACME_ERR_accountDoesNotExist ||
		    acme_account_sync(account, &s, opt.tos, 1) == -1)
			goto out;
		printf("%s: account %s\n", j->ep->name, s.kid);
		if (do_order(&s, chall) == -1)
			goto out;
	}
	j->rc = 0;
out:
	if (j->rc == -1)
		snprintf(j->err, sizeof(j->err), "%s", err_msg());
	acme_session_free(&s);
	http_client_free(http);
	http_client_free(chall);
	return NULL;
}

static void
usage(void)
{
	fprintf(stderr, "usage: acme-driver [options] "
	    "register|order|deactivate|rewrite\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "endpoint", 1, NULL, 'E' }, { "root", 1, NULL, 'r' },
		{ "accounts", 1, NULL, 'A' }, { "account", 1, NULL, 'a' },
		{ "key-type", 1, NULL, 'k' }, { "alg", 1, NULL, 'g' },
		{ "contact", 1, NULL, 'c' }, { "eab-id", 1, NULL, 'i' },
		{ "eab-key", 1, NULL, 'K' }, { "eab-alg", 1, NULL, 'G' },
		{ "no-tos", 0, NULL, 'T' }, { "ident", 1, NULL, 'd' },
		{ "challenge", 1, NULL, 'C' }, { "cert-key", 1, NULL, 'p' },
		{ "out", 1, NULL, 'o' }, { "challtestsrv", 1, NULL, 's' },
		{ "backoff-ms", 1, NULL, 'b' }, { "verbose", 0, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct acme_account_config cfg;
	struct acme_endpoint *eps[MAX_EP];
	struct job jobs[MAX_EP];
	pthread_t th[MAX_EP];
	struct buf eabkey;
	int c, i, neps = 0, alg_set = 0, rc = 0;
	char *eq;

	signal(SIGPIPE, SIG_IGN);
	log_init("acme-driver", LOG_SINK_STDERR, LOGL_INFO);
	memset(&cfg, 0, sizeof(cfg));
	cfg.key_type = CRYPTO_KEY_ECDSA_P256;
	cfg.eab_alg = CRYPTO_ALG_HS256;
	buf_init(&eabkey, 4096);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'E':
			if (opt.nep == MAX_EP ||
			    (eq = strchr(optarg, '=')) == NULL)
				usage();
			*eq = '\0';
			opt.ep_name[opt.nep] = optarg;
			opt.ep_url[opt.nep++] = eq + 1;
			break;
		case 'r': opt.roots[opt.nroots++] = optarg; break;
		case 'A': opt.accounts = optarg; break;
		case 'a': opt.account = optarg; break;
		case 'k':
			if (crypto_key_type_parse(optarg, &cfg.key_type) == -1)
				goto bad;
			break;
		case 'g':
			if (crypto_jws_alg_parse(optarg, &cfg.alg) == -1)
				goto bad;
			alg_set = 1;
			break;
		case 'c': opt.contacts[opt.ncontacts++] = optarg; break;
		case 'i': cfg.eab_id = optarg; cfg.has_eab = 1; break;
		case 'K':
			if (b64url_decode_buf(&eabkey, optarg,
			    strlen(optarg)) == -1)
				goto bad;
			break;
		case 'G':
			if (crypto_eab_alg_parse(optarg, &cfg.eab_alg) == -1)
				goto bad;
			break;
		case 'T': opt.tos = 0; break;
		case 'd':
			if (opt.nids == MAX_ITEMS)
				usage();
			opt.ids[opt.nids].type = strncmp(optarg, "ip:", 3) == 0 ?
			    CRYPTO_IDENT_IP : CRYPTO_IDENT_DNS;
			opt.ids[opt.nids].value = strchr(optarg, ':') + 1;
			opt.ids[opt.nids++].challenge = opt.challenge;
			break;
		case 'C': opt.challenge = optarg; break;
		case 'p':
			if (crypto_key_type_parse(optarg, &opt.cert_key) == -1)
				goto bad;
			break;
		case 'o': opt.out = optarg; break;
		case 's': opt.challtestsrv = optarg; break;
		case 'b': opt.backoff_ms = atoi(optarg); break;
		case 'v': log_init("acme-driver", LOG_SINK_STDERR, LOGL_DEBUG);
			break;
		default: usage();
		}
	}
	if (optind != argc - 1 || opt.accounts == NULL)
		usage();
	opt.command = argv[optind];
	if (opt.nep == 0 && strcmp(opt.command, "rewrite") != 0)
		usage();
	for (i = 0; i < opt.nids; i++)
		opt.ids[i].challenge = opt.challenge;
	if (!alg_set)
		cfg.alg = crypto_key_type_default_alg(cfg.key_type);
	cfg.name = opt.account;
	cfg.contacts = opt.contacts;
	cfg.ncontacts = (size_t)opt.ncontacts;
	cfg.eab_key = (const unsigned char *)eabkey.data;
	cfg.eab_keylen = eabkey.len;

	if ((account = acme_account_load(&cfg, opt.accounts, NULL, NULL, 1)) ==
	    NULL)
		goto bad;
	if (strcmp(opt.command, "rewrite") == 0) {
		if (rewrite_account() == -1)
			goto bad;
		goto out;
	}
	/* Every endpoint first, so a bad one stops the run before any
	 * thread starts. */
	for (i = 0; i < opt.nep; i++) {
		struct acme_endpoint_opts eo = { opt.ep_name[i], opt.ep_url[i],
		    opt.roots, (size_t)opt.nroots, 0, 0 };

		if ((eps[i] = acme_endpoint_new(&eo)) == NULL)
			goto bad;
		neps++;
	}
	for (i = 0; i < neps; i++) {
		jobs[i].ep = eps[i];
		pthread_create(&th[i], NULL, run_job, &jobs[i]);
	}
	for (i = 0; i < neps; i++) {
		pthread_join(th[i], NULL);
		if (jobs[i].rc == -1) {
			fprintf(stderr, "acme-driver: %s: %s\n", eps[i]->name,
			    jobs[i].err);
			rc = 1;
		}
		printf("%s: requests %ld new_nonce %ld\n", eps[i]->name,
		    atomic_load(&eps[i]->nrequests),
		    atomic_load(&eps[i]->nnew_nonce));
	}
	goto out;
bad:
	fprintf(stderr, "acme-driver: %s\n", err_msg());
	rc = 1;
out:
	for (i = 0; i < neps; i++)
		acme_endpoint_free(eps[i]);
	acme_account_free(account);
	buf_free_secure(&eabkey);
	return rc;
}
