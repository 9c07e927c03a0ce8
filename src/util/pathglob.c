/*
 * pathglob.c - file name patterns as ACMEd expands them (see pathglob.h).
 *
 * The walk follows the glob crate's: a component without wildcards is
 * looked up directly, one with wildcards reads its folder, and "**" tries
 * the rest of the pattern on each entry before descending into it.
 */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/err.h"
#include "util/pathglob.h"
#include "util/utf8.h"

#define PATHGLOB_DEPTH	64	/* folders walked below one "**" */

struct entry {
	char	*name;
	int	 isdir;
};

struct walk {
	char		**comps;	/* the pattern's non-empty components */
	size_t		  ncomps;
	int		  dirs_only;	/* the pattern ends with "/" */
	char		  path[PATH_MAX];
	struct pathglob	 *out;
	size_t		  cap;
	struct stat	  walking[PATHGLOB_DEPTH];	/* folders under "**" */
	size_t		  nwalking;
	int		  oom;
};

static void	fill(struct walk *, size_t, size_t);

static int
is_recursive(const char *comp)
{
	return strcmp(comp, "**") == 0;
}

static int
has_wildcard(const char *comp)
{
	return strpbrk(comp, "*?[") != NULL;
}

/* One component against the glob crate's rules, with its messages. */
static int
comp_check(const char *c, size_t len)
{
	size_t i, n;

	for (i = 0; i < len; i++) {
		if (c[i] == '*') {
			for (n = 0; c[i + n] == '*'; n++)
				;
			if (n > 2)
				return err_set("wildcards are either regular "
				    "`*` or recursive `**`");
			if (n == 2 && len != 2)
				return err_set("recursive wildcards must form "
				    "a single path component");
			i += n - 1;
		} else if (c[i] == '[') {
			/* The first character of a set may be "]". */
			size_t from = c[i + 1] == '!' ? i + 3 : i + 2;
			const char *end = from <= len ?
			    memchr(c + from, ']', len - from) : NULL;

			if (end == NULL)
				return err_set("invalid range pattern");
			i = (size_t)(end - c);
		}
	}
	return 0;
}

int
pathglob_check(const char *pattern)
{
	const char *c = pattern, *end;

	for (; *c != '\0'; c = *end ? end + 1 : end) {
		end = strchrnul(c, '/');
		if (comp_check(c, (size_t)(end - c)) == -1)
			return -1;
	}
	return 0;
}

/* Appends "/name" to the path of length len: the new length, 0 if too
 * long. */
static size_t
path_push(struct walk *w, size_t len, const char *name)
{
	size_t n = strlen(name);

	if (len + 1 + n >= sizeof(w->path))
		return 0;
	w->path[len] = '/';
	memcpy(w->path + len + 1, name, n + 1);
	return len + 1 + n;
}

static void
emit(struct walk *w, size_t len, int isdir)
{
	char **np, *p;

	if (w->oom || (w->dirs_only && !isdir))
		return;
	if (w->out->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;

		if ((np = reallocarray(w->out->paths, cap,
		    sizeof(*np))) == NULL) {
			w->oom = 1;
			return;
		}
		w->out->paths = np;
		w->cap = cap;
	}
	if ((p = strndup(w->path, len)) == NULL) {
		w->oom = 1;
		return;
	}
	w->out->paths[w->out->n++] = p;
}

static int
is_dir_at(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
	    ((const struct entry *)b)->name);
}

/* The entries of the folder at w->path, sorted; NULL (n = 0) when it
 * cannot be read. */
static struct entry *
read_entries(struct walk *w, size_t len, size_t *n)
{
	struct entry *v = NULL, *nv;
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	*n = 0;
	w->path[len] = '\0';
	if ((d = opendir(len ? w->path : "/")) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				goto oom;
			v = nv;
		}
		if ((v[*n].name = strdup(de->d_name)) == NULL)
			goto oom;
		/* A link (or a file system without d_type): what it is. */
		v[*n].isdir = de->d_type == DT_DIR ||
		    ((de->d_type == DT_LNK || de->d_type == DT_UNKNOWN) &&
		    path_push(w, len, de->d_name) != 0 && is_dir_at(w->path));
		(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), entry_cmp);
	return v;
oom:
	w->oom = 1;
	closedir(d);
	while (*n > 0)
		free(v[--(*n)].name);
	free(v);
	return NULL;
}

/* The character at *s (its code point, or the byte itself for a byte
 * that starts no valid character, which a pattern from a file that is
 * not UTF-8 could have), *s moved past it. */
static uint32_t
u8_next(const unsigned char **s)
{
	uint32_t c = (*s)[0];
	size_t n = utf8_decode((const char *)*s, strnlen((const char *)*s, 4), &c);

	*s += n > 0 ? n : 1;
	return c;
}

/* The set at *p (its "[", checked by comp_check) against character c;
 * *p moved past its "]".  The crate's rules: "!" first negates (not "^",
 * an ordinary character), a "]" first is a member, "a-z" is a range of
 * code points unless the "-" is last. */
static int
set_match(const unsigned char **p, uint32_t c)
{
	const unsigned char *q = *p + 1;
	uint32_t lo, hi;
	int neg = 0, in = 0, first = 1;

	if (*q == '!') {
		neg = 1;
		q++;
	}
	while (*q != '\0' && (first || *q != ']')) {
		first = 0;
		lo = hi = u8_next(&q);
		if (q[0] == '-' && q[1] != ']' && q[1] != '\0') {
			q++;
			hi = u8_next(&q);
		}
		in |= lo <= c && c <= hi;
	}
	*p = *q == ']' ? q + 1 : q;
	return in != neg;
}

/* One file name against one component of a pattern, as the glob crate
 * matches: "*" any characters, "?" one character (not one byte), sets;
 * a backslash is an ordinary character.  "*" backtracks to its last
 * place only: later stars cover what an earlier one would. */
static int
comp_match(const char *pattern, const char *name)
{
	const unsigned char *p = (const unsigned char *)pattern;
	const unsigned char *s = (const unsigned char *)name;
	const unsigned char *star_p = NULL, *star_s = NULL, *q;

	while (*s != '\0') {
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		q = s;
		if (*p == '?') {
			p++;
			u8_next(&s);
			continue;
		}
		if (*p == '[') {
			const unsigned char *after = p;

			if (set_match(&after, u8_next(&q))) {
				p = after;
				s = q;
				continue;
			}
		} else if (*p != '\0' && *p == *s) {
			p++;
			s++;
			continue;
		}
		if (star_p == NULL)
			return 0;
		p = star_p;
		u8_next(&star_s);
		s = star_s;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* Whether name is UTF-8 text. */
static int
is_utf8(const char *name)
{
	size_t len = strlen(name), n;
	uint32_t c;

	for (; len > 0; name += n, len -= n)
		if ((n = utf8_decode(name, len, &c)) == 0)
			return 0;
	return 1;
}

/* The path of length len (entry name, a folder if isdir) against the
 * non-recursive component idx, which has wildcards.  A name that is not
 * UTF-8 never matches: the crate matches text and skips such a name. */
static void
match_one(struct walk *w, size_t len, const char *name, int isdir,
    size_t idx)
{
	if (!is_utf8(name) || !comp_match(w->comps[idx], name))
		return;
	if (idx == w->ncomps - 1)
		emit(w, len, isdir);
	else
		fill(w, len, idx + 1);
}

/* The folder at w->path (length len) walked again under "**", unless it
 * is one of the folders that lead to it (a symbolic link loop). */
static void
descend(struct walk *w, size_t len, size_t idx)
{
	struct stat st;
	size_t i;

	w->path[len] = '\0';
	if (w->nwalking == PATHGLOB_DEPTH || stat(w->path, &st) == -1)
		return;
	for (i = 0; i < w->nwalking; i++)
		if (w->walking[i].st_dev == st.st_dev &&
		    w->walking[i].st_ino == st.st_ino)
			return;
	w->walking[w->nwalking++] = st;
	fill(w, len, idx);
	w->nwalking--;
}

/* An entry of a folder read for component idx. */
static void
visit(struct walk *w, size_t dirlen, const struct entry *e, size_t idx)
{
	size_t len, last;

	if ((len = path_push(w, dirlen, e->name)) == 0)
		return;
	if (!is_recursive(w->comps[idx])) {
		match_one(w, len, e->name, e->isdir, idx);
		return;
	}
	for (last = idx; last + 1 < w->ncomps &&
	    is_recursive(w->comps[last + 1]); last++)
		;
	/* Zero folders first: the rest of the pattern on the entry itself
	 * ("**" at the end takes folders only), then its contents. */
	if (last == w->ncomps - 1) {
		if (e->isdir)
			emit(w, len, 1);
	} else
		match_one(w, len, e->name, e->isdir, last + 1);
	if (e->isdir)
		descend(w, len, idx);
}

/* The path of length len, an existing path, against component idx. */
static void
fill(struct walk *w, size_t len, size_t idx)
{
	const char *comp = w->comps[idx];
	struct entry *v;
	struct stat st;
	size_t n, i, next;

	if (w->oom)
		return;
	if (!has_wildcard(comp)) {
		if ((next = path_push(w, len, comp)) == 0 ||
		    lstat(w->path, &st) == -1)
			return;
		if (idx == w->ncomps - 1)
			emit(w, next, is_dir_at(w->path));
		else
			fill(w, next, idx + 1);
		return;
	}
	v = read_entries(w, len, &n);
	for (i = 0; i < n; i++) {
		visit(w, len, &v[i], idx);
		free(v[i].name);
	}
	free(v);
}

int
pathglob(const char *dir, const char *pattern, struct pathglob *out)
{
	struct walk *w = NULL;
	char *copy = NULL, *comp, *save, **nc;
	size_t len;
	int rc = -1;

	out->paths = NULL;
	out->n = 0;
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (copy = strdup(pattern)) == NULL) {
		err_set("out of memory");
		goto out;
	}
	if (pathglob_check(pattern) == -1)
		goto out;
	w->out = out;
	len = strlen(pattern);
	w->dirs_only = len > 0 && pattern[len - 1] == '/';
	for (comp = strtok_r(copy, "/", &save); comp != NULL;
	    comp = strtok_r(NULL, "/", &save)) {
		if ((nc = reallocarray(w->comps, w->ncomps + 1,
		    sizeof(*nc))) == NULL) {
			err_set("out of memory");
			goto out;
		}
		w->comps = nc;
		w->comps[w->ncomps++] = comp;
	}
	/* The base folder without its final "/" ("/" itself: empty). */
	if (pattern[0] == '/')
		dir = "";
	else if (*dir == '\0')
		dir = ".";
	for (len = strlen(dir); len > 0 && dir[len - 1] == '/'; len--)
		;
	if (len >= sizeof(w->path)) {
		err_set("%s: the path is too long", dir);
		goto out;
	}
	memcpy(w->path, dir, len);
	if (w->ncomps > 0)
		fill(w, len, 0);
	if (w->oom) {
		err_set("out of memory");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		pathglob_free(out);
	if (w != NULL)
		free(w->comps);
	free(copy);
	free(w);
	return rc;
}

void
pathglob_free(struct pathglob *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->paths[i]);
	free(g->paths);
	g->paths = NULL;
	g->n = 0;
}
