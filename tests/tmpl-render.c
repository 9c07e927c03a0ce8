/*
 * tmpl-render.c - renders one MiniJinja test input for the conformance
 * runner: a JSON context, a line "---", then the template.
 *
 *	tmpl-render [-a] FILE
 *
 * Prints the rendering; on an error prints "line N: message" to stderr
 * and exits 1.  Like MiniJinja's own test harness it adds a one-shot
 * iterator "one_shot_iterator" (0, 1, 2) and a function get_args(), reads
 * {"$settings": {"undefined": "strict"}}, escapes output of *.html
 * files, and renders like the MiniJinja the snapshots come from (True,
 * False and None...).  With -a it renders as acmed's hooks do, like
 * ACMEd's MiniJinja 2.11, without the test harness's additions; it is
 * for comparing with that version by hand.  The JSON reader is deliberately
 * small: the inputs are trusted test files, but it still never reads past
 * its buffer.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/tmpl.h"
#include "util/buf.h"
#include "util/err.h"

#define JSON_MAX_DEPTH	64

struct json {
	const char	*p, *end;
	int		 depth;
};

static struct tmpl_value *json_value(struct json *);

static void
skip_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
hex4(struct json *j, unsigned *out)
{
	unsigned v = 0;
	int i;
	char c;

	if (j->end - j->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = *j->p++;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int
put_utf8(struct buf *b, unsigned cp)
{
	char s[4];
	size_t n;

	if (cp < 0x80) {
		s[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xc0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (char)(0xe0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		s[0] = (char)(0xf0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(b, s, n);
}

/* A JSON string into b (empty). */
static int
json_string(struct json *j, struct buf *b)
{
	unsigned cp, lo;
	char c;

	if (j->p >= j->end || *j->p != '"')
		return err_set("expected a string");
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		c = *j->p++;
		if (c != '\\') {
			if (buf_putc(b, c) == -1)
				return -1;
			continue;
		}
		if (j->p >= j->end)
			return err_set("bad escape");
		c = *j->p++;
		switch (c) {
		case 'n': c = '\n'; break;
		case 't': c = '\t'; break;
		case 'r': c = '\r'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case '"': case '\\': case '/': break;
		case 'u':
			if (hex4(j, &cp) == -1)
				return err_set("bad \\u escape");
			if (cp >= 0xd800 && cp < 0xdc00 && j->end - j->p >= 6 &&
			    j->p[0] == '\\' && j->p[1] == 'u') {
				j->p += 2;
				if (hex4(j, &lo) == -1)
					return err_set("bad \\u escape");
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (put_utf8(b, cp) == -1)
				return -1;
			continue;
		default:
			return err_set("bad escape");
		}
		if (buf_putc(b, c) == -1)
			return -1;
	}
	if (j->p >= j->end)
		return err_set("unterminated string");
	j->p++;
	return 0;
}

static struct tmpl_value *
json_number(struct json *j)
{
	const char *start = j->p;
	char tmp[64], *e;
	size_t n;
	int is_float = 0;
	long long ll;

	while (j->p < j->end && strchr("+-0123456789.eE", *j->p) != NULL &&
	    *j->p != '\0') {
		if (*j->p == '.' || *j->p == 'e' || *j->p == 'E')
			is_float = 1;
		j->p++;
	}
	n = (size_t)(j->p - start);
	if (n == 0 || n >= sizeof(tmp)) {
		err_set("bad number");
		return NULL;
	}
	memcpy(tmp, start, n);
	tmp[n] = '\0';
	if (!is_float) {
		ll = strtoll(tmp, &e, 10);
		if (*e == '\0' && !(ll == LLONG_MAX || ll == LLONG_MIN))
			return tmpl_value_int(ll);
	}
	return tmpl_value_float(strtod(tmp, NULL));
}

static int
literal(struct json *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return 0;
	j->p += n;
	return 1;
}

static struct tmpl_value *
json_container(struct json *j, int is_map)
{
	struct tmpl_value *c, *v;
	struct buf key;
	char close = is_map ? '}' : ']';

	if (++j->depth > JSON_MAX_DEPTH) {
		err_set("JSON nested too deeply");
		return NULL;
	}
	j->p++;
	c = is_map ? tmpl_value_map() : tmpl_value_list();
	buf_init(&key, BUF_MAX_SMALL);
	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		goto out;
	}
	while (c != NULL) {
		skip_ws(j);
		if (is_map) {
			buf_reset(&key);
			if (json_string(j, &key) == -1)
				goto fail;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':') {
				err_set("expected ':'");
				goto fail;
			}
			j->p++;
		}
		v = json_value(j);
		if ((is_map ? tmpl_map_set(c, buf_str(&key), v) :
		    tmpl_list_push(c, v)) == -1)
			goto fail;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			break;
		}
		err_set("expected ',' or '%c'", close);
		goto fail;
	}
out:
	buf_free(&key);
	j->depth--;
	return c;
fail:
	buf_free(&key);
	tmpl_value_free(c);
	return NULL;
}

static struct tmpl_value *
json_value(struct json *j)
{
	struct tmpl_value *v;
	struct buf b;

	skip_ws(j);
	if (j->p >= j->end) {
		err_set("unexpected end of JSON");
		return NULL;
	}
	switch (*j->p) {
	case '{':
		return json_container(j, 1);
	case '[':
		return json_container(j, 0);
	case '"':
		buf_init(&b, BUF_MAX_LARGE);
		v = json_string(j, &b) == 0 ?
		    tmpl_value_strn(buf_str(&b), b.len) : NULL;
		buf_free(&b);
		return v;
	default:
		if (literal(j, "true"))
			return tmpl_value_bool(1);
		if (literal(j, "false"))
			return tmpl_value_bool(0);
		if (literal(j, "null"))
			return tmpl_value_none();
		return json_number(j);
	}
}

/* MiniJinja's test function: returns its arguments as a list, keyword
 * arguments last as a map. */
static struct tmpl_value *
get_args(struct tmpl_value *const *args, size_t nargs,
    const struct tmpl_value *kwargs, void *arg)
{
	struct tmpl_value *l;
	size_t i;

	(void)arg;
	if ((l = tmpl_value_list()) == NULL)
		return NULL;
	for (i = 0; i < nargs; i++)
		if (tmpl_list_push(l, tmpl_value_ref(args[i])) == -1)
			goto fail;
	if (kwargs != NULL && tmpl_list_push(l,
	    tmpl_value_ref((struct tmpl_value *)(uintptr_t)kwargs)) == -1)
		goto fail;
	return l;
fail:
	tmpl_value_free(l);
	return NULL;
}

static void
report(const char *msg)
{
	if (strncmp(msg, "line ", 5) == 0)
		fprintf(stderr, "%s\n", msg);
	else
		fprintf(stderr, "line 0: %s\n", msg);
}

int
main(int argc, char *argv[])
{
	static const struct tmpl_func funcs[] = {
		{ "get_args", get_args, NULL },
	};
	/* The snapshots come from a MiniJinja that prints True/False/None. */
	struct tmpl_opts opts = { .funcs = funcs, .nfuncs = 1,
	    .jinja2_literals = 1 };
	struct tmpl_value *ctx = NULL;
	struct tmpl *t = NULL;
	struct buf in, out;
	struct json j;
	const char *sep, *name;
	size_t len;
	int rc = 1, acmed = 0;

	buf_init(&in, BUF_MAX_LARGE);
	buf_init(&out, BUF_MAX_LARGE);
	if (argc == 3 && strcmp(argv[1], "-a") == 0) {
		acmed = 1;
		opts.jinja2_literals = 0;
		opts.nfuncs = 0;
		argc--;
		argv++;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: tmpl-render [-a] FILE\n");
		return 2;
	}
	if (buf_read_file(&in, argv[1]) == -1) {
		fprintf(stderr, "tmpl-render: %s\n", err_msg());
		return 2;
	}
	if ((sep = strstr(buf_str(&in), "\n---\n")) == NULL) {
		fprintf(stderr, "tmpl-render: %s: no \"---\" line\n", argv[1]);
		goto out;
	}
	j.p = buf_str(&in);
	j.end = sep;
	j.depth = 0;
	if ((ctx = json_value(&j)) == NULL) {
		fprintf(stderr, "tmpl-render: %s: JSON: %s\n", argv[1],
		    err_msg());
		rc = 2;
		goto out;
	}
	if (!acmed && tmpl_map_set(ctx, "one_shot_iterator",
	    tmpl_value_oneshot_range(3)) == -1)
		goto out;
	/* {"$settings": {"undefined": "strict"}} */
	if (strstr(buf_str(&in), "\"undefined\": \"strict\"") != NULL &&
	    strstr(buf_str(&in), "$settings") != NULL)
		opts.strict_undefined = 1;
	name = argv[1];
	len = strlen(name);
	opts.autoescape_html = len >= 5 && strcmp(name + len - 5, ".html") == 0;
	sep += 5;
	if ((t = tmpl_compile(sep, in.len - (size_t)(sep - in.data))) == NULL) {
		report(err_msg());
		goto out;
	}
	if (tmpl_render_opts(t, ctx, &opts, &out) == -1) {
		report(err_msg());
		goto out;
	}
	fwrite(out.data != NULL ? out.data : "", 1, out.len, stdout);
	rc = 0;
out:
	tmpl_free(t);
	tmpl_value_free(ctx);
	buf_free(&in);
	buf_free(&out);
	return rc;
}
