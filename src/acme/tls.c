/*
 * tls.c - the per-endpoint trust store: the system's roots plus every
 * certificate of every configured PEM file (ACMEd honoured only the first
 * one of each file), loaded once and shared by every connection.
 */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "acme/http.h"
#include "acme/tls.h"
#include "util/err.h"

struct http_trust {
	X509_STORE	*store;
};

static int
tls_add_file(X509_STORE *store, const char *path)
{
	X509 *x;
	FILE *f;
	int n = 0;

	if ((f = fopen(path, "re")) == NULL)
		return err_sys("root certificate %s", path);
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		/* A duplicate is not an error in OpenSSL 3. */
		if (X509_STORE_add_cert(store, x) != 1) {
			X509_free(x);
			fclose(f);
			return err_set("root certificate %s: cannot add "
			    "certificate %d to the trust store", path, n + 1);
		}
		X509_free(x);
		n++;
	}
	fclose(f);
	/* The loop ends on "no start line" at the end of the file. */
	ERR_clear_error();
	if (n == 0)
		return err_set("root certificate %s: no PEM certificate found",
		    path);
	return 0;
}

/* A name OpenSSL's hashed-folder lookup asks for: 8 hex digits, a dot,
 * a number ("5a2b3c4d.0"). */
static int
tls_hashed_name(const char *name)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (!isxdigit((unsigned char)name[i]))
			return 0;
	if (name[8] != '.' || name[9] == '\0')
		return 0;
	for (i = 9; name[i] != '\0'; i++)
		if (!isdigit((unsigned char)name[i]))
			return 0;
	return 1;
}

int
tls_dir_hashed(const char *dirs)
{
	char path[PATH_MAX];
	struct dirent *de;
	const char *p, *end;
	DIR *d;
	int found = 0;

	for (p = dirs; !found && *p != '\0'; p = *end == '\0' ? end : end + 1) {
		if ((end = strchr(p, ':')) == NULL)
			end = p + strlen(p);
		if (end == p || (size_t)(end - p) >= sizeof(path))
			continue;
		memcpy(path, p, end - p);
		path[end - p] = '\0';
		if ((d = opendir(path)) == NULL)
			continue;
		while (!found && (de = readdir(d)) != NULL)
			found = tls_hashed_name(de->d_name);
		closedir(d);
	}
	return found;
}

/*
 * The system's roots.  A hashed folder (Debian's /etc/ssl/certs) is
 * looked up lazily, certificate by certificate, as a handshake needs
 * one: parsing the whole bundle file would cost each endpoint half a
 * megabyte for the one or two roots it uses.  A folder without hash
 * links (RHEL's /etc/pki/tls/certs holds only bundles) would find
 * nothing, so then OpenSSL's default file is loaded, as it is without
 * the folder.  SSL_CERT_FILE, when set, is honoured as OpenSSL does.
 */
static int
tls_add_system(X509_STORE *store)
{
	const char *dir = getenv(X509_get_default_cert_dir_env());
	const char *file = getenv(X509_get_default_cert_file_env());

	if (file != NULL && *file != '\0')
		return X509_STORE_load_file(store, file) == 1 ? 0 : -1;
	if (dir == NULL || *dir == '\0')
		dir = X509_get_default_cert_dir();
	if (tls_dir_hashed(dir))
		return X509_STORE_load_path(store, dir) == 1 ? 0 : -1;
	return X509_STORE_set_default_paths(store) == 1 ? 0 : -1;
}

struct http_trust *
http_trust_new(char *const *files, size_t nfiles)
{
	struct http_trust *t;
	size_t i;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->store = X509_STORE_new()) == NULL) {
		free(t);
		err_set("out of memory");
		return NULL;
	}
	if (tls_add_system(t->store) == -1)
		ERR_clear_error();	/* no system store: only ours */
	for (i = 0; i < nfiles; i++) {
		if (tls_add_file(t->store, files[i]) == -1) {
			http_trust_free(t);
			return NULL;
		}
	}
	return t;
}

void
http_trust_free(struct http_trust *t)
{
	if (t == NULL)
		return;
	X509_STORE_free(t->store);
	free(t);
}

int
tls_trust_apply(struct http_trust *t, void *ssl_ctx)
{
	SSL_CTX *ctx = ssl_ctx;

	SSL_CTX_set1_cert_store(ctx, t->store);
	/* An idle kept-alive connection needs no 34 KiB of TLS buffers. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	return 0;
}
