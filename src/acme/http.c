/*
 * http.c - libcurl transport with caps and timeouts (see http.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "build_config.h"
#include "acme/http.h"
#include "acme/tls.h"
#include "util/err.h"

struct http_share {
	CURLSH		*sh;
	pthread_mutex_t	 locks[CURL_LOCK_DATA_LAST];
};

struct http_client {
	CURL		*easy;
	char		 errbuf[CURL_ERROR_SIZE];
};

/* State of one transfer, seen by the callbacks. */
struct http_xfer {
	struct http_response	*r;
	int			 too_many_headers;
	int			 too_large;
	char			*encoding;	/* a Content-Encoding other
						   than identity */
};

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static CURLcode http_init_rc;
/* RFC 8555 6.1: the User-Agent "SHOULD include the name and version of
 * the ACME software ... and the underlying HTTP client software". */
static char http_user_agent[128];

static void
http_global_init(void)
{
	const curl_version_info_data *v;

	http_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	v = curl_version_info(CURLVERSION_NOW);
	snprintf(http_user_agent, sizeof(http_user_agent),
	    "acmed/%s (ACME client daemon) libcurl/%s", ACMED_VERSION,
	    v != NULL && v->version != NULL ? v->version : "?");
}

static int
http_init(void)
{
	pthread_once(&http_once, http_global_init);
	if (http_init_rc != CURLE_OK)
		return err_set("libcurl initialisation failed: %s",
		    curl_easy_strerror(http_init_rc));
	return 0;
}

static void
http_share_lock(CURL *h, curl_lock_data data, curl_lock_access a, void *u)
{
	struct http_share *s = u;

	(void)h;
	(void)a;
	pthread_mutex_lock(&s->locks[data]);
}

static void
http_share_unlock(CURL *h, curl_lock_data data, void *u)
{
	struct http_share *s = u;

	(void)h;
	pthread_mutex_unlock(&s->locks[data]);
}

struct http_share *
http_share_new(void)
{
	struct http_share *s;
	int i;

	if (http_init() == -1)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	if ((s->sh = curl_share_init()) == NULL) {
		free(s);
		err_set("curl_share_init failed");
		return NULL;
	}
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&s->locks[i], NULL);
	curl_share_setopt(s->sh, CURLSHOPT_LOCKFUNC, http_share_lock);
	curl_share_setopt(s->sh, CURLSHOPT_UNLOCKFUNC, http_share_unlock);
	curl_share_setopt(s->sh, CURLSHOPT_USERDATA, s);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	return s;
}

void
http_share_free(struct http_share *s)
{
	int i;

	if (s == NULL)
		return;
	curl_share_cleanup(s->sh);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&s->locks[i]);
	free(s);
}

struct http_client *
http_client_new(void)
{
	struct http_client *c;

	if (http_init() == -1)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		err_set("out of memory");
		return NULL;
	}
	if ((c->easy = curl_easy_init()) == NULL) {
		free(c);
		err_set("curl_easy_init failed");
		return NULL;
	}
	return c;
}

void
http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->easy);
	free(c);
}

void
http_target_defaults(struct http_target *t)
{
	memset(t, 0, sizeof(*t));
	t->connect_timeout_ms = 10000;
	t->timeout_ms = 60000;
	t->low_speed_time_s = 30;
}

void
http_response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, HTTP_MAX_BODY);
	r->retry_after = -1;
}

void
http_response_free(struct http_response *r)
{
	size_t i;

	buf_free(&r->body);
	free(r->location);
	free(r->nonce);
	free(r->content_type);
	for (i = 0; i < r->nalternates; i++)
		free(r->alternates[i]);
	http_response_init(r);
}

int
http_nonce_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 512)
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

long long
http_parse_retry_after(const char *value, long long now)
{
	const long long max = 1LL << 40;	/* absurd: capped */
	long long secs = 0;
	const char *p = value;
	time_t when;

	while (*p == ' ' || *p == '\t')
		p++;
	if (isdigit((unsigned char)*p)) {
		for (; isdigit((unsigned char)*p); p++)
			if (secs <= max)
				secs = secs * 10 + (*p - '0');
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0')
			return -1;
		return secs > max ? max : secs;
	}
	/* An HTTP date. */
	if ((when = curl_getdate(p, NULL)) == -1)
		return -1;
	if (when <= now)
		return 0;
	return (long long)when - now > max ? max : (long long)when - now;
}

void
http_parse_link(const char *value, struct http_response *r)
{
	const char *p = value, *lt, *gt, *end;

	/* Link: <url>; rel="alternate", <url2>; rel="up"; title="x" */
	while ((lt = strchr(p, '<')) != NULL) {
		if ((gt = strchr(lt, '>')) == NULL)
			return;
		end = strchr(gt, ',');
		/* A comma inside a quoted parameter is not expected in ACME
		 * links; the next '<' starts the next link anyway. */
		if (end == NULL)
			end = gt + strlen(gt);
		{
			size_t plen = (size_t)(end - gt);
			const char *rel = NULL, *q;

			for (q = gt; q + 3 <= gt + plen; q++) {
				if (strncasecmp(q, "rel", 3) == 0) {
					rel = q + 3;
					break;
				}
			}
			if (rel != NULL) {
				while (*rel == ' ' || *rel == '=' ||
				    *rel == '"')
					rel++;
				if (strncasecmp(rel, "alternate", 9) == 0 &&
				    (rel[9] == '"' || rel[9] == ';' ||
				    rel[9] == ',' || rel[9] == ' ' ||
				    rel[9] == '\0') &&
				    r->nalternates < HTTP_MAX_ALTERNATES) {
					char *u = strndup(lt + 1,
					    (size_t)(gt - lt - 1));
					if (u != NULL)
						r->alternates[r->nalternates++] =
						    u;
				}
			}
		}
		p = *end ? end + 1 : end;
	}
}

/* Copies a header value, trimmed, capped at 8 KiB. */
static char *
http_header_value(const char *v, size_t len)
{
	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
	    v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (len > 8192)
		len = 8192;
	return strndup(v, len);
}

static size_t
http_on_header(char *data, size_t size, size_t n, void *u)
{
	struct http_xfer *x = u;
	struct http_response *r = x->r;
	size_t len = size * n;
	const char *colon;
	char *v;

	/* A new status line (after 100-continue or a proxy's CONNECT)
	 * starts a new header block. */
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		r->nheaders = 0;
		return len;
	}
	if (++r->nheaders > HTTP_MAX_HEADERS) {
		x->too_many_headers = 1;
		return 0;
	}
	if ((colon = memchr(data, ':', len)) == NULL)
		return len;
	v = http_header_value(colon + 1, len - (size_t)(colon + 1 - data));
	if (v == NULL)
		return 0;
#define IS(name) ((size_t)(colon - data) == sizeof(name) - 1 && \
	    strncasecmp(data, name, sizeof(name) - 1) == 0)
	if (IS("location")) {
		free(r->location);
		r->location = v;
	} else if (IS("replay-nonce")) {
		free(r->nonce);
		r->nonce = NULL;
		if (http_nonce_valid(v, strlen(v)))
			r->nonce = v;
		else
			free(v);
	} else if (IS("content-type")) {
		char *semi = strchr(v, ';'), *p;

		if (semi != NULL)
			*semi = '\0';
		for (p = v; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		while (p > v && p[-1] == ' ')
			*--p = '\0';
		free(r->content_type);
		r->content_type = v;
	} else if (IS("retry-after")) {
		r->retry_after = http_parse_retry_after(v, (long long)time(NULL));
		free(v);
	} else if (IS("link")) {
		http_parse_link(v, r);
		free(v);
	} else if (IS("content-encoding") && *v != '\0' &&
	    strcasecmp(v, "identity") != 0) {
		free(x->encoding);
		x->encoding = v;
	} else
		free(v);
#undef IS
	return len;
}

static size_t
http_on_body(char *data, size_t size, size_t n, void *u)
{
	struct http_xfer *x = u;
	size_t len = size * n;

	if (buf_append(&x->r->body, data, len) == -1) {
		x->too_large = 1;
		return 0;
	}
	return len;
}

int
http_url_is_loopback(const char *url)
{
	CURLU *u;
	char *host = NULL;
	int rc = 0;

	if ((u = curl_url()) == NULL)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		struct in_addr a4;

		rc = (inet_pton(AF_INET, host, &a4) == 1 &&
		    (ntohl(a4.s_addr) >> 24) == 127) ||
		    strcmp(host, "[::1]") == 0 ||
		    strcasecmp(host, "localhost") == 0;
	}
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

static CURLcode
http_on_ssl_ctx(CURL *easy, void *ssl_ctx, void *u)
{
	(void)easy;
	return tls_trust_apply(u, ssl_ctx) == 0 ? CURLE_OK :
	    CURLE_SSL_CERTPROBLEM;
}

int
http_request(struct http_client *c, const struct http_target *t,
    const char *method, const char *url, const char *accept,
    const char *content_type, const void *body, size_t len,
    struct http_response *r)
{
	struct curl_slist *hdrs = NULL, *tmp;
	struct http_xfer x = { r, 0, 0, NULL };
	char line[256];
	CURL *e = c->easy;
	CURLcode cc;
	int plain, rc;

	http_response_free(r);
	plain = strncasecmp(url, "http://", 7) == 0;
	if (plain && !(t->allow_http && http_url_is_loopback(url))) {
		r->permanent = 1;
		return err_set("%s: refusing plain HTTP (only https:// is "
		    "allowed, except to loopback test servers when "
		    "configured)", url);
	}

	curl_easy_reset(e);
	c->errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR,
	    t->allow_http ? "https,http" : "https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT, http_user_agent);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, t->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, t->timeout_ms);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, t->low_speed_time_s);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)HTTP_MAX_BODY);
	/* No CURLOPT_ACCEPT_ENCODING: ACME replies are a few kilobytes, and
	 * asking for compression costs each request a header and a decoder
	 * stack (6 % of libcurl's work per request, callgrind).  A body
	 * encoded all the same is refused (http_on_header). */
	/* ACME messages are a few kilobytes: libcurl's 64 KiB upload buffer
	 * per handle would be most of a worker's memory. */
	curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, 16384L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (t->share != NULL) {
		curl_easy_setopt(e, CURLOPT_SHARE, t->share->sh);
		/* The shared cache holds every worker's connection: at the
		 * default of 5, an eighth worker's would be closed. */
		curl_easy_setopt(e, CURLOPT_MAXCONNECTS, 64L);
	}
	if (t->trust != NULL) {
		/* Our store replaces libcurl's: loaded once per endpoint. */
		curl_easy_setopt(e, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, http_on_ssl_ctx);
		curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, t->trust);
	}
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, http_on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);

	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
	} else if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);

	if (accept != NULL) {
		snprintf(line, sizeof(line), "Accept: %s", accept);
		hdrs = curl_slist_append(hdrs, line);
	}
	if (content_type != NULL) {
		snprintf(line, sizeof(line), "Content-Type: %s", content_type);
		if ((tmp = curl_slist_append(hdrs, line)) != NULL)
			hdrs = tmp;
	}
	if ((tmp = curl_slist_append(hdrs, "Accept-Language: en")) != NULL)
		hdrs = tmp;
	/* POST bodies are small: no "Expect: 100-continue" round trip. */
	if ((tmp = curl_slist_append(hdrs, "Expect:")) != NULL)
		hdrs = tmp;
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);

	cc = curl_easy_perform(e);
	curl_slist_free_all(hdrs);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(e, CURLOPT_SHARE, NULL);
	r->permanent = x.too_many_headers || x.too_large ||
	    cc == CURLE_FILESIZE_EXCEEDED ||
	    cc == CURLE_PEER_FAILED_VERIFICATION;
	if (x.too_many_headers)
		rc = err_set("%s: more than %d response headers", url,
		    HTTP_MAX_HEADERS);
	else if (x.too_large || cc == CURLE_FILESIZE_EXCEEDED)
		rc = err_set("%s: response body larger than %u bytes", url,
		    HTTP_MAX_BODY);
	else if (cc != CURLE_OK)
		rc = err_set("%s: %s", url,
		    c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc));
	else if (x.encoding != NULL && r->body.len > 0) {
		/* Never asked for (no Accept-Encoding), so never decoded: said
		 * here rather than as bytes that are not JSON later.  A reply
		 * without a body (newNonce's HEAD) has nothing to decode. */
		r->permanent = 1;
		rc = err_set("%s: the reply is encoded (Content-Encoding: "
		    "%s), which acmed does not ask for and does not decode",
		    url, x.encoding);
	} else {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
		rc = 0;
	}
	free(x.encoding);
	return rc;
}
