/*
 * storage.c - certificate, key and account files (see storage.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon/hook.h"
#include "daemon/storage.h"
#include "util/afile.h"
#include "util/err.h"
#include "util/log.h"

static char *
storage_name(const struct config_certificate *c, const char *file_type,
    const char *ext)
{
	struct tmpl_value *vars;
	struct buf b;

	buf_init(&b, 4096);
	vars = tmpl_value_map();
	if (vars == NULL ||
	    tmpl_map_set(vars, "name", tmpl_value_str(c->name)) == -1 ||
	    tmpl_map_set(vars, "key_type",
	    tmpl_value_str(crypto_key_type_name(c->key_type))) == -1 ||
	    tmpl_map_set(vars, "file_type", tmpl_value_str(file_type)) == -1 ||
	    tmpl_map_set(vars, "ext", tmpl_value_str(ext)) == -1 ||
	    tmpl_render(c->file_name_format, vars, &b) == -1) {
		err_prefix("file_name_format");
		tmpl_value_free(vars);
		buf_free(&b);
		return NULL;
	}
	tmpl_value_free(vars);
	if (b.len == 0) {
		buf_free(&b);
		err_set("file_name_format renders an empty file name");
		return NULL;
	}
	return buf_steal(&b);
}

int
storage_paths(const struct config *cfg, const struct config_certificate *c,
    struct cert_files *f)
{
	memset(f, 0, sizeof(*f));
	if ((f->key_name = storage_name(c, "pk",
	    cfg->global.pk_file_ext)) == NULL ||
	    (f->crt_name = storage_name(c, "crt",
	    cfg->global.cert_file_ext)) == NULL)
		goto fail;
	if (asprintf(&f->key_path, "%s/%s", c->directory, f->key_name) == -1 ||
	    asprintf(&f->crt_path, "%s/%s", c->directory, f->crt_name) == -1) {
		f->crt_path = NULL;
		err_set("out of memory");
		goto fail;
	}
	return 0;
fail:
	storage_paths_free(f);
	return -1;
}

struct path_ref {
	char	*path;
	size_t	 cert;
	int	 is_key;
};

static int
path_ref_cmp(const void *a, const void *b)
{
	const struct path_ref *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c != 0)
		return c;
	if (x->cert != y->cert)
		return x->cert < y->cert ? -1 : 1;
	return y->is_key - x->is_key;
}

int
storage_check_names(const struct config *cfg)
{
	const struct config_certificate *a, *b;
	struct path_ref *v;
	struct cert_files f;
	size_t i, n = 0;
	int rc = -1;

	if ((v = calloc(2 * cfg->ncertificates + 1, sizeof(*v))) == NULL)
		return err_set("out of memory");
	for (i = 0; i < cfg->ncertificates; i++) {
		if (storage_paths(cfg, &cfg->certificates[i], &f) == -1) {
			a = &cfg->certificates[i];
			err_prefix("%s:%u:%u: certificate \"%s\"", a->pos.file,
			    a->pos.line, a->pos.col, a->id);
			goto out;
		}
		v[n++] = (struct path_ref){ f.key_path, i, 1 };
		v[n++] = (struct path_ref){ f.crt_path, i, 0 };
		f.key_path = f.crt_path = NULL;
		storage_paths_free(&f);
	}
	qsort(v, n, sizeof(*v), path_ref_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(v[i - 1].path, v[i].path) != 0)
			continue;
		a = &cfg->certificates[v[i - 1].cert];
		b = &cfg->certificates[v[i].cert];
		if (a == b) {
			err_set("%s:%u:%u: certificate \"%s\": its key and "
			    "certificate files are both %s: file_name_format "
			    "must tell them apart ({{ file_type }})",
			    a->pos.file, a->pos.line, a->pos.col, a->id,
			    v[i].path);
			goto out;
		}
		err_set("%s:%u:%u: certificate \"%s\": its %s file %s is also "
		    "the %s file of certificate \"%s\" (%s:%u:%u): "
		    "file_name_format must tell them apart", b->pos.file,
		    b->pos.line, b->pos.col, b->id, v[i].is_key ? "key" :
		    "certificate", v[i].path, v[i - 1].is_key ? "key" :
		    "certificate", a->id, a->pos.file, a->pos.line,
		    a->pos.col);
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(v[i].path);
	free(v);
	return rc;
}

/* The folder of path, with the same checks as the top folders, and
 * writable by acmed's effective user. */
static int
storage_check_parent(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int n = slash ? (int)(slash - path) : 0;

	if (snprintf(dir, sizeof(dir), "%.*s", n, path) >= (int)sizeof(dir))
		return err_set("%s: path too long", path);
	if (storage_check_dir(dir, "folder", 0) == -1)
		return -1;
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == -1)
		return err_sys("folder %s: cannot write there", dir);
	return 0;
}

/* The capabilities storing may need, in effect: CAP_CHOWN to give a file
 * to another user or group, CAP_FOWNER to set the mode of a file it gave
 * away.  Unknown (no capget): root is taken to have them. */
static void
storage_caps(int *may_chown, int *may_fowner)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
	    0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) == -1) {
		*may_chown = *may_fowner = geteuid() == 0;
		return;
	}
	*may_chown = (data[0].effective & (1U << CAP_CHOWN)) != 0;
	*may_fowner = (data[0].effective & (1U << CAP_FOWNER)) != 0;
}

/* Whether acmed is in group gid. */
static int
storage_in_group(gid_t gid)
{
	gid_t *groups;
	int n, i, in = gid == getegid();

	/* Up to 65536 groups: not on a worker's stack. */
	if (in || (n = getgroups(0, NULL)) <= 0 ||
	    (groups = calloc((size_t)n, sizeof(*groups))) == NULL)
		return in;
	if ((n = getgroups(n, groups)) > 0)
		for (i = 0; i < n; i++)
			in |= groups[i] == gid;
	free(groups);
	return in;
}

/* The folder of path, stat'd into *st (zeroed when it cannot be). */
static void
storage_dir_stat(const char *path, struct stat *st)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
	    slash ? path : ".");
	if (stat(dir, st) == -1)
		memset(st, 0, sizeof(*st));
}

/* Whether acmed may give a file user uid: its own, or another with
 * CAP_CHOWN and CAP_FOWNER (the mode is set after the owner). */
static int
storage_may_give_user(uid_t uid, int may_chown, int may_fowner)
{
	return uid == geteuid() || (may_chown && may_fowner);
}

/* Whether acmed may give a file in folder dir (stat'd) group gid: with
 * CAP_CHOWN, a group it is in, or the group a set-group-ID folder gives
 * new files already. */
static int
storage_may_give_group(gid_t gid, int may_chown, const struct stat *dir)
{
	return may_chown || storage_in_group(gid) ||
	    ((dir->st_mode & S_ISGID) && dir->st_gid == gid);
}

/*
 * The mode, owner and group a file written at path is given.  ACMEd wrote
 * over the old file, which kept its mode, owner and group (a key an
 * administrator gave to a service's group stayed so); acmed replaces it,
 * and gives the new file what the configuration sets (mode_set, uid and
 * gid other than -1), and for the rest the old file's, each of the three
 * on its own.  A new file (or a path that is not a regular file, which is
 * not read through) gets mode and acmed's user and group, or the folder's
 * with set-group-ID.  Two limits: a private key (key) takes no bit for
 * other users from its old file (dropped, with a warning); an owner or
 * group acmed may not give (no CAP_CHOWN, as storage_check_owner) is
 * left to it, with one warning naming the file (hint: the keys that
 * would choose them, or NULL), and a key whose group is so lost does not
 * keep the group's bits either: the file is stored all the same.  A key
 * kept in place (in_place: kp_reuse) is handed to no one: it keeps its
 * owner and group but for the configuration's, and its mode but for the
 * configuration's or the bits for others.
 */
static void
storage_file_opts(const char *path, mode_t mode, int mode_set, uid_t uid,
    gid_t gid, int key, int in_place, const char *hint, const char *who,
    struct afile_opts *o)
{
	int may_chown, may_fowner, lost_uid = 0, lost_gid = 0;
	mode_t drop;
	struct stat st, dst;

	o->mode = mode;
	o->uid = uid;
	o->gid = gid;
	if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return;
	if (!mode_set) {
		o->mode = st.st_mode & 0777;
		if (key && (o->mode & 0007)) {
			log_warn("%s: %s: mode %04o lets every user at the "
			    "private key: its replacement has mode %04o",
			    who, path, (unsigned)(st.st_mode & 07777),
			    (unsigned)(o->mode & ~(mode_t)0007));
			o->mode &= ~(mode_t)0007;
		}
	}
	/* A key kept (kp_reuse) keeps its owner and group: (uid_t)-1 and
	 * (gid_t)-1 leave them, and nothing is handed to anyone. */
	if (in_place || (uid != (uid_t)-1 && gid != (gid_t)-1))
		return;
	storage_dir_stat(path, &dst);
	/* In a folder others may write (all users, or a group other than
	 * root's and acmed's: what storage_check_dir warns about), the old
	 * key may be theirs, left in place of the one acmed wrote: the new
	 * key is not given to them. */
	if (key && ((dst.st_mode & S_IWOTH) || ((dst.st_mode & S_IWGRP) &&
	    dst.st_gid != 0 && dst.st_gid != getegid())) &&
	    (st.st_uid != geteuid() || !storage_in_group(st.st_gid))) {
		log_warn("%s: %s: its folder can be written by other users: "
		    "its replacement does not keep its owner and group "
		    "(%u:%u)%s", who, path, (unsigned)st.st_uid,
		    (unsigned)st.st_gid, mode_set ? "" :
		    ", nor the group's bits");
		if (!mode_set)
			o->mode &= ~(mode_t)0070;
		return;
	}
	storage_caps(&may_chown, &may_fowner);
	/* Another user takes CAP_FOWNER too: the mode is set after it. */
	if (uid == (uid_t)-1 && st.st_uid != geteuid()) {
		if (storage_may_give_user(st.st_uid, may_chown, may_fowner))
			o->uid = st.st_uid;
		else
			lost_uid = 1;
	}
	if (gid == (gid_t)-1) {
		if (storage_may_give_group(st.st_gid, may_chown, &dst))
			o->gid = st.st_gid;
		else
			lost_gid = 1;
	}
	/* A key's group bits were for its group, not for acmed's. */
	drop = key && lost_gid && !mode_set ? o->mode & 0070 : 0;
	o->mode &= ~drop;
	if (lost_uid || lost_gid)
		log_warn("%s: %s: its replacement cannot keep its %s (%u:%u): "
		    "acmed runs as user %u, %s, and gives it its own%s%s%s%s",
		    who, path,
		    lost_uid && lost_gid ? "owner and group" : lost_uid ?
		    "owner" : "group", (unsigned)st.st_uid,
		    (unsigned)st.st_gid, (unsigned)geteuid(), lost_uid ?
		    "without CAP_CHOWN and CAP_FOWNER" :
		    "not in that group and without CAP_CHOWN",
		    drop ? ", without the group's bits" : "",
		    hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}

/* The file at path (in its folder) can be given user uid and group gid
 * ((uid_t)-1, (gid_t)-1: left alone): another user takes CAP_CHOWN, and
 * CAP_FOWNER for the mode set after it; another group, CAP_CHOWN unless
 * acmed is in it, or the folder is set-group-ID with that group (a new
 * file has it already).  A user or group acmed cannot give would fail
 * every storing, after the CA issued. */
static int
storage_check_owner(const char *key, const char *path, uid_t uid, gid_t gid)
{
	int may_chown, may_fowner;
	struct stat sb;

	storage_caps(&may_chown, &may_fowner);
	if (uid != (uid_t)-1 && !storage_may_give_user(uid, may_chown,
	    may_fowner))
		return err_set("%s_user: acmed runs as user %u without "
		    "CAP_CHOWN and CAP_FOWNER, and cannot give files to user "
		    "%u", key, (unsigned)geteuid(), (unsigned)uid);
	if (gid == (gid_t)-1)
		return 0;
	storage_dir_stat(path, &sb);
	if (storage_may_give_group(gid, may_chown, &sb))
		return 0;
	return err_set("%s_group: acmed runs as user %u, which is not in "
	    "group %u and cannot give files to it", key, (unsigned)geteuid(),
	    (unsigned)gid);
}

int
storage_check_writable(const struct config *cfg, const struct cert_files *f)
{
	const struct config_global *g = &cfg->global;
	/* Both paths are absolute: each has a last "/". */
	size_t kd = (size_t)(strrchr(f->key_path, '/') - f->key_path);
	size_t cd = (size_t)(strrchr(f->crt_path, '/') - f->crt_path);
	int same = kd == cd && strncmp(f->key_path, f->crt_path, kd) == 0;

	/* As a rule, both files share a folder: checked once. */
	if (storage_check_owner("pk_file", f->key_path, g->pk_file_uid,
	    g->pk_file_gid) == -1 ||
	    storage_check_owner("cert_file", f->crt_path, g->cert_file_uid,
	    g->cert_file_gid) == -1 ||
	    storage_check_parent(f->key_path) == -1 ||
	    (!same && storage_check_parent(f->crt_path) == -1)) {
		err_prefix("before ordering");
		return -1;
	}
	return 0;
}

void
storage_paths_free(struct cert_files *f)
{
	free(f->key_name);
	free(f->crt_name);
	free(f->key_path);
	free(f->crt_path);
	memset(f, 0, sizeof(*f));
}

struct crypto_key *
storage_read_key(const char *path)
{
	struct crypto_key *k;
	struct buf pem;

	buf_init(&pem, STORAGE_FILE_MAX);
	if (buf_read_regular(&pem, path) == -1) {
		buf_free_secure(&pem);
		return NULL;
	}
	k = crypto_key_from_pem(pem.data, pem.len);
	buf_free_secure(&pem);
	if (k == NULL)
		err_prefix("%s", path);
	return k;
}

static void	storage_sweep(const char *, const char *);

#define STORAGE_REVOKED_SUFFIX	".revoked"

static int
storage_revoked_path(const struct cert_files *f, struct buf *path)
{
	buf_init(path, 8192);
	return buf_printf(path, "%s%s", f->crt_path, STORAGE_REVOKED_SUFFIX);
}

int
storage_mark_revoked(const struct cert_files *f, const char *reason,
    const char *serial)
{
	struct afile_opts o = { 0600, (uid_t)-1, (gid_t)-1 };
	struct buf path, text;
	int rc;

	buf_init(&text, 512);
	/* Swept first, like every other write there: a sweep of the folder
	 * later in this process would take the marker's temporary file. */
	storage_sweep(f->crt_path, "revocation");
	if ((rc = storage_revoked_path(f, &path)) == 0 &&
	    (rc = buf_printf(&text, "%s %s\n", reason, serial)) == 0)
		rc = afile_write(buf_str(&path), text.data, text.len, &o);
	buf_free(&path);
	buf_free(&text);
	return rc;
}

int
storage_revoked(const struct cert_files *f, char *reason, size_t rn,
    char *serial, size_t sn)
{
	struct buf path, text;
	struct stat st;
	const char *t;
	size_t len;
	int rc = -1;

	buf_init(&text, 512);
	if (storage_revoked_path(f, &path) == -1)
		goto out;
	if (lstat(buf_str(&path), &st) == -1 && errno == ENOENT) {
		rc = 0;
		goto out;
	}
	if (buf_read_regular(&text, buf_str(&path)) == -1)
		goto out;
	t = buf_str(&text);
	len = strcspn(t, " \n");
	if (t[len] != ' ' || len == 0 || len >= rn ||
	    strcspn(t + len + 1, " \n") >= sn) {
		err_set("%s: not \"<reason> <serial>\"", buf_str(&path));
		goto out;
	}
	snprintf(reason, rn, "%.*s", (int)len, t);
	t += len + 1;
	snprintf(serial, sn, "%.*s", (int)strcspn(t, " \n"), t);
	rc = 1;
out:
	buf_free(&path);
	buf_free(&text);
	return rc;
}

void
storage_unmark_revoked(const struct cert_files *f)
{
	struct buf path;

	if (storage_revoked_path(f, &path) == 0 &&
	    unlink(buf_str(&path)) == -1 && errno != ENOENT)
		log_warn("%s: %s: the certificate it marks as revoked has been "
		    "replaced", buf_str(&path), strerror(errno));
	buf_free(&path);
}

#define STORAGE_PENDING_SUFFIX	".order"

/* "<folder>/.<name><suffix>" for file "<folder>/<name>". */
static int
storage_hidden_path(const char *file, const char *suffix, struct buf *path)
{
	/* The files' paths are absolute: each has a last "/".  A file's
	 * name may hold a "/" of its own (file_name_format): the folder is
	 * the one the file is in. */
	const char *slash = strrchr(file, '/');

	buf_init(path, 8192);
	return buf_printf(path, "%.*s/.%s%s", (int)(slash - file), file,
	    slash + 1, suffix);
}

int
storage_pending_path(const struct cert_files *f, struct buf *path)
{
	return storage_hidden_path(f->key_path, STORAGE_PENDING_SUFFIX, path);
}

int
storage_save_pending(const struct config *cfg, const struct cert_files *f,
    const void *data, size_t len)
{
	/* 0600 whatever pk_file_mode says: a key file's group may be a
	 * service's that reads the key, and this file is for acmed only. */
	struct afile_opts o = { 0600, cfg->global.pk_file_uid,
	    cfg->global.pk_file_gid };
	struct buf path;
	int rc;

	/* Swept first, like every other write there. */
	storage_sweep(f->key_path, "kept order");
	if ((rc = storage_pending_path(f, &path)) == 0)
		rc = afile_write(buf_str(&path), data, len, &o);
	buf_free(&path);
	return rc;
}

int
storage_read_pending(const struct config *cfg, const struct cert_files *f,
    struct buf *out)
{
	struct buf path;
	struct stat st;
	uid_t pk_uid = cfg->global.pk_file_uid;
	int rc = -1;

	if (storage_pending_path(f, &path) == -1)
		goto out;
	if (buf_read_regular_stat(out, buf_str(&path), &st) == -1) {
		if (errno == ENOENT) {
			err_clear();
			rc = 0;
		}
		goto out;
	}
	/* Only acmed writes it, as its own user or as the key file's
	 * owner; and never readable by others: a file that is, was not
	 * written by acmed, and its key may have been read. */
	if (st.st_uid != geteuid() && (pk_uid == (uid_t)-1 ||
	    st.st_uid != pk_uid)) {
		err_set("%s: belongs to user %u, neither acmed's user nor the "
		    "key files' owner", buf_str(&path), (unsigned)st.st_uid);
		goto out;
	}
	if (st.st_mode & 077) {
		err_set("%s: mode %04o: others than its owner may read or "
		    "write it", buf_str(&path), (unsigned)(st.st_mode & 07777));
		goto out;
	}
	rc = 1;
out:
	if (rc != 1)
		buf_reset(out);
	buf_free(&path);
	return rc;
}

int
storage_remove_pending(const struct cert_files *f)
{
	struct buf path;
	int rc;

	if ((rc = storage_pending_path(f, &path)) == 0 &&
	    unlink(buf_str(&path)) == -1 && errno != ENOENT)
		rc = err_sys("%s: cannot remove it", buf_str(&path));
	buf_free(&path);
	return rc;
}

#define STORAGE_ARI_SUFFIX	".ari"
#define STORAGE_ARI_MAX		(16u * 1024)

int
storage_save_ari(const struct cert_files *f, const void *data, size_t len)
{
	/* Public, but only acmed's: acmed's user and group, 0600. */
	struct afile_opts o = { 0600, (uid_t)-1, (gid_t)-1 };
	struct buf path;
	int rc;

	storage_sweep(f->crt_path, "renewal information");
	if ((rc = storage_hidden_path(f->crt_path, STORAGE_ARI_SUFFIX,
	    &path)) == 0)
		rc = afile_write(buf_str(&path), data, len, &o);
	buf_free(&path);
	return rc;
}

int
storage_read_ari(const struct cert_files *f, struct buf *out)
{
	struct buf path;
	int rc = -1;

	buf_init(out, STORAGE_ARI_MAX);
	if (storage_hidden_path(f->crt_path, STORAGE_ARI_SUFFIX, &path) == 0) {
		if (buf_read_regular(out, buf_str(&path)) == 0)
			rc = 1;
		else if (errno == ENOENT) {
			err_clear();
			rc = 0;
		}
	}
	buf_free(&path);
	return rc;
}

/* The variables of the file-* hooks. */
static struct tmpl_value *
storage_file_vars(const char *dir, const char *name, const char *path)
{
	struct tmpl_value *v = tmpl_value_map();

	if (v == NULL || tmpl_map_set(v, "file_name", tmpl_value_str(name)) ==
	    -1 || tmpl_map_set(v, "file_directory", tmpl_value_str(dir)) ==
	    -1 || tmpl_map_set(v, "file_path", tmpl_value_str(path)) == -1) {
		tmpl_value_free(v);
		return NULL;
	}
	return v;
}

static int
storage_exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* One file being replaced, with its hooks. */
struct storage_job {
	const char		*path;
	struct tmpl_value	*vars;
	int			 existed;
	struct afile		 staged;
};

static int
storage_hooks(const struct config_hook_list *hooks,
    const struct config_env *env, struct storage_job *j, int post,
    const char *who)
{
	const struct config_env *layers[1] = { env };
	enum config_hook_type t;

	if (post)
		t = j->existed ? CONFIG_HOOK_FILE_POST_EDIT :
		    CONFIG_HOOK_FILE_POST_CREATE;
	else
		t = j->existed ? CONFIG_HOOK_FILE_PRE_EDIT :
		    CONFIG_HOOK_FILE_PRE_CREATE;
	if (hook_run(hooks, t, j->vars, layers, 1, who) == -1)
		return err_prefix("%s", j->path);
	return 0;
}

/*
 * The folders this process has swept of the temporary files that a killed
 * acmed left (one may hold a key).  Each folder is swept once, before this
 * process writes anything there (every write, of certificates and of
 * accounts, passes here first, under the lock): a sweep per write would
 * read the whole folder for every certificate (quadratic with thousands of
 * them), and a later sweep could remove a file another worker is writing.
 * Folders are told apart by device and inode, not by how a path spells
 * them.
 */
struct swept_dir {
	dev_t	dev;
	ino_t	ino;
};

static pthread_mutex_t	  sweep_mu = PTHREAD_MUTEX_INITIALIZER;
static struct swept_dir	 *swept;
static size_t		  nswept;

static void
storage_sweep(const char *path, const char *who)
{
	const char *slash = strrchr(path, '/');
	struct swept_dir *nv;
	struct stat sb;
	char *dir;
	size_t i;
	int n;

	if ((dir = slash ? strndup(path, (size_t)(slash - path) + 1) :
	    strdup("./")) == NULL)
		return;		/* the write itself will say so */
	pthread_mutex_lock(&sweep_mu);
	if (stat(dir, &sb) == -1)
		goto out;	/* likewise */
	for (i = 0; i < nswept; i++)
		if (swept[i].dev == sb.st_dev && swept[i].ino == sb.st_ino)
			goto out;
	if ((nv = reallocarray(swept, nswept + 1, sizeof(*nv))) == NULL)
		goto out;
	swept = nv;
	swept[nswept].dev = sb.st_dev;
	swept[nswept].ino = sb.st_ino;
	nswept++;
	if ((n = afile_remove_stale(dir)) > 0)
		log_info("%s: removed %d temporary file%s that an interrupted "
		    "write left in %s", who, n, n > 1 ? "s" : "", dir);
	else if (n == -1)
		log_warn("%s: %s", who, err_msg());
out:
	pthread_mutex_unlock(&sweep_mu);
	free(dir);
}

/* A key kept (kp_reuse) is not written again: the configured owner and
 * mode are given to it in place, as a written file would have them.
 * Warns on failure: the certificate is stored all the same. */
static void
storage_key_perms(const char *path, const struct afile_opts *o,
    const char *who)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1)
		goto fail;
	if ((o->uid != (uid_t)-1 && o->uid != st.st_uid) ||
	    (o->gid != (gid_t)-1 && o->gid != st.st_gid)) {
		if (fchown(fd, o->uid, o->gid) == -1)
			goto fail;
		log_info("%s: %s: owner set to %d:%d", who, path,
		    (int)o->uid, (int)o->gid);
	}
	/* Also after fchown(), which may clear set-id bits. */
	if ((st.st_mode & 07777) != (o->mode & 07777)) {
		if (fchmod(fd, o->mode & 07777) == -1)
			goto fail;
		log_info("%s: %s: mode set to %04o", who, path,
		    (unsigned)(o->mode & 07777));
	}
	close(fd);
	return;
fail:
	log_warn("%s: %s: cannot give the kept key its owner and mode: %s",
	    who, path, strerror(errno));
	if (fd != -1)
		close(fd);
}

/*
 * Writes that run file hooks take turns, daemon-wide: the shipped git
 * group runs `git init`, `add` and `commit` in the certificates' folder,
 * and two certificates stored at once failed on git's lock files (ACMEd
 * ran every hook one at a time).  Writes without file hooks do not wait.
 */
static pthread_mutex_t file_hooks_mu = PTHREAD_MUTEX_INITIALIZER;

static int
storage_file_hooks_lock(const struct config_hook_list *hooks)
{
	if (!hook_any(hooks, CONFIG_HOOK_FILE_PRE_CREATE) &&
	    !hook_any(hooks, CONFIG_HOOK_FILE_POST_CREATE) &&
	    !hook_any(hooks, CONFIG_HOOK_FILE_PRE_EDIT) &&
	    !hook_any(hooks, CONFIG_HOOK_FILE_POST_EDIT))
		return 0;
	pthread_mutex_lock(&file_hooks_mu);
	return 1;
}

int
storage_store(const struct config *cfg, const struct config_certificate *c,
    const struct cert_files *f, const struct crypto_key *new_key,
    const void *chain, size_t len, const char *who, int *stored)
{
	const struct config_global *g = &cfg->global;
	struct afile_opts key_opts, crt_opts;
	struct storage_job jobs[2];
	struct afile *staged[2];
	struct buf pem;
	size_t n = 0, i;
	int rc = -1, locked = 0;

	*stored = 0;
	memset(jobs, 0, sizeof(jobs));
	buf_init(&pem, STORAGE_FILE_MAX);
	storage_sweep(f->key_path, who);
	storage_sweep(f->crt_path, who);
	/* Also for a key kept (kp_reuse): given in place below. */
	storage_file_opts(f->key_path, g->pk_file_mode, g->pk_file_mode_set,
	    g->pk_file_uid, g->pk_file_gid, 1, new_key == NULL,
	    "pk_file_user and pk_file_group choose them", who, &key_opts);
	storage_file_opts(f->crt_path, g->cert_file_mode,
	    g->cert_file_mode_set, g->cert_file_uid, g->cert_file_gid, 0, 0,
	    "cert_file_user and cert_file_group choose them", who,
	    &crt_opts);
	if (new_key != NULL) {
		if (crypto_key_to_pem(new_key, &pem) == -1)
			goto out;
		jobs[n].path = f->key_path;
		jobs[n].vars = storage_file_vars(c->directory, f->key_name,
		    f->key_path);
		if (jobs[n].vars == NULL)
			goto out;
		jobs[n].existed = storage_exists(f->key_path);
		n++;
	}
	jobs[n].path = f->crt_path;
	jobs[n].vars = storage_file_vars(c->directory, f->crt_name,
	    f->crt_path);
	if (jobs[n].vars == NULL)
		goto out;
	jobs[n].existed = storage_exists(f->crt_path);
	n++;

	/* Both files are written and synced under temporary names first:
	 * a full disk or a failing hook leaves the old pair in place. */
	if (new_key != NULL && afile_stage(&jobs[0].staged, f->key_path,
	    pem.data, pem.len, &key_opts) == -1)
		goto out;
	if (afile_stage(&jobs[n - 1].staged, f->crt_path, chain, len,
	    &crt_opts) == -1)
		goto out;
	locked = storage_file_hooks_lock(&c->hooks);
	for (i = 0; i < n; i++)
		if (storage_hooks(&c->hooks, &c->env, &jobs[i], 0, who) == -1)
			goto out;
	/* Renamed one right after the other: the pair is never seen
	 * half-replaced for longer than between two rename() calls. */
	staged[0] = &jobs[0].staged;
	staged[1] = &jobs[1].staged;
	if (afile_commit_all(staged, n) == -1)
		goto out;
	*stored = 1;
	for (i = 0; i < n; i++)
		log_debug("%s: %s written", who, jobs[i].path);
	if (new_key == NULL)
		storage_key_perms(f->key_path, &key_opts, who);
	for (i = 0; i < n; i++)
		if (storage_hooks(&c->hooks, &c->env, &jobs[i], 1, who) == -1)
			goto out;
	rc = 0;
out:
	if (locked)
		pthread_mutex_unlock(&file_hooks_mu);
	for (i = 0; i < 2; i++) {
		afile_discard(&jobs[i].staged);
		tmpl_value_free(jobs[i].vars);
	}
	buf_free_secure(&pem);
	return rc;
}

int
storage_save_account(void *arg, const char *path, const void *data,
    size_t len)
{
	const struct storage_account *sa = arg;
	const struct config_account *a = sa->account;
	const struct config_env *layers[1] = { &a->env };
	struct afile_opts o;
	struct tmpl_value *vars;
	char who[512], *dir, *slash;
	int existed, locked, rc = -1;

	snprintf(who, sizeof(who), "account \"%s\"", a->name);
	if ((dir = strdup(path)) == NULL)
		return err_set("out of memory");
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	vars = storage_file_vars(dir, slash ? slash + 1 : path, path);
	storage_sweep(path, who);
	/* ACMEd wrote it in place, 0600 when new, and never gave it an
	 * owner: one replacing it keeps mode, owner and group. */
	storage_file_opts(path, CONFIG_DEFAULT_ACCOUNT_MODE, 0, (uid_t)-1,
	    (gid_t)-1, 1, 0, NULL, who, &o);
	locked = storage_file_hooks_lock(&a->hooks);
	existed = storage_exists(path);
	if (vars == NULL ||
	    hook_run(&a->hooks, existed ? CONFIG_HOOK_FILE_PRE_EDIT :
	    CONFIG_HOOK_FILE_PRE_CREATE, vars, layers, 1, who) == -1 ||
	    afile_write(path, data, len, &o) == -1 ||
	    hook_run(&a->hooks, existed ? CONFIG_HOOK_FILE_POST_EDIT :
	    CONFIG_HOOK_FILE_POST_CREATE, vars, layers, 1, who) == -1)
		goto out;
	rc = 0;
out:
	if (locked)
		pthread_mutex_unlock(&file_hooks_mu);
	tmpl_value_free(vars);
	free(dir);
	return rc;
}

int
storage_mkdirs(const char *path, mode_t mode)
{
	char *p, *s;
	int rc = 0;

	if ((p = strdup(path)) == NULL)
		return err_set("out of memory");
	for (s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, c == '\0' ? mode : 0755) == -1 && errno != EEXIST)
			rc = err_sys("cannot create folder %s", p);
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

int
storage_check_dir(const char *path, const char *what, int warn)
{
	struct stat sb;

	if (stat(path, &sb) == -1)
		return err_sys("%s %s", what, path);
	if (!S_ISDIR(sb.st_mode))
		return err_set("%s %s is not a folder", what, path);
	/* Even with the sticky bit: anybody could create the key files
	 * before acmed does. */
	if (sb.st_mode & S_IWOTH)
		return err_set("%s %s is writable by all users (mode %04o): "
		    "refusing to keep keys there", what, path,
		    (unsigned)(sb.st_mode & 07777));
	if (sb.st_uid != 0 && sb.st_uid != geteuid())
		return err_set("%s %s belongs to user %u, neither acmed's "
		    "user nor root: refusing to keep keys there", what, path,
		    (unsigned)sb.st_uid);
	/* A group of its own (acmed's, root's) is the usual way to share
	 * the files; another one's members could replace them. */
	if (warn && (sb.st_mode & S_IWGRP) && sb.st_gid != 0 &&
	    sb.st_gid != getegid())
		log_warn("%s %s can be written by group %u (mode %04o): its "
		    "members can replace the keys and certificates there",
		    what, path, (unsigned)sb.st_gid,
		    (unsigned)(sb.st_mode & 07777));
	return 0;
}
