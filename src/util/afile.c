/*
 * afile.c - atomic file replacement (see afile.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/afile.h"
#include "util/err.h"
#include "util/log.h"

#define AFILE_RND_HEX	12	/* the random part of a temporary name */

/* A fresh temporary name "<dir>/.<base>.<12 hex digits>.tmp" next to
 * path.  NULL with err. */
static char *
afile_tmp_name(const char *path)
{
	unsigned char rnd[6];
	const char *slash, *base;
	char *tmp;
	size_t dirlen;

	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	if (*base == '\0') {
		err_set("%s: not a file name", path);
		return NULL;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		err_sys("getrandom");
		return NULL;
	}
	if (asprintf(&tmp, "%.*s.%s.%02x%02x%02x%02x%02x%02x.tmp",
	    (int)dirlen, path, base, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
	    rnd[5]) == -1) {
		err_set("out of memory");
		return NULL;
	}
	return tmp;
}

/* Opens a fresh temporary file next to path. */
static int
afile_open_tmp(const char *path, mode_t mode, char **tmpp)
{
	char *tmp;
	int fd, tries;

	for (tries = 0; tries < 16; tries++) {
		if ((tmp = afile_tmp_name(path)) == NULL)
			return -1;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode & 0777);
		if (fd >= 0) {
			*tmpp = tmp;
			return fd;
		}
		free(tmp);
		if (errno != EEXIST)
			return err_sys("%s: cannot create a temporary file",
			    path);
	}
	return err_set("%s: cannot create a temporary file", path);
}

/* A second name (a hard link) for the file at path, under a temporary
 * name, in *tmpp; NULL when there is no file.  -1 with err when there is
 * one that cannot be linked (EPERM under fs.protected_hardlinks for a
 * file of another user, a file system without hard links). */
static int
afile_keep_old(const char *path, char **tmpp)
{
	char *tmp;
	int tries;

	*tmpp = NULL;
	for (tries = 0; tries < 16; tries++) {
		if ((tmp = afile_tmp_name(path)) == NULL)
			return -1;
		if (link(path, tmp) == 0) {
			*tmpp = tmp;
			return 0;
		}
		free(tmp);
		if (errno == ENOENT)
			return 0;
		if (errno != EEXIST)
			break;
	}
	return err_sys("%s: cannot give it a second name", path);
}

static int
afile_write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Syncs the folder holding path, so the rename survives a crash. */
static int
afile_sync_dir(const char *path)
{
	char *copy, *dir;
	int fd, rc = 0;

	if ((copy = strdup(path)) == NULL)
		return err_set("out of memory");
	dir = dirname(copy);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || fsync(fd) == -1)
		rc = err_sys("%s: cannot sync folder", dir);
	if (fd != -1)
		close(fd);
	free(copy);
	return rc;
}

int
afile_stage(struct afile *f, const char *path, const void *data, size_t len,
    const struct afile_opts *opts)
{
	int fd;

	f->path = NULL;
	f->tmp = NULL;
	if ((f->path = strdup(path)) == NULL)
		return err_set("out of memory");
	/* The owner's bits only until owner and group are set: a group
	 * read bit must not let acmed's own group read a key meant for
	 * another group. */
	if ((fd = afile_open_tmp(path, opts->mode & 0700, &f->tmp)) == -1)
		goto fail;
	if (afile_write_all(fd, data, len) == -1) {
		err_sys("%s: write", path);
		goto fail_fd;
	}
	if ((opts->uid != (uid_t)-1 || opts->gid != (gid_t)-1) &&
	    fchown(fd, opts->uid, opts->gid) == -1) {
		err_sys("%s: cannot set owner %d:%d", path, (int)opts->uid,
		    (int)opts->gid);
		goto fail_fd;
	}
	/* After fchown, which may clear set-id bits; and because the umask
	 * may have narrowed the mode given to open(). */
	if (fchmod(fd, opts->mode & 07777) == -1) {
		err_sys("%s: cannot set mode %04o", path,
		    (unsigned)opts->mode);
		goto fail_fd;
	}
	/* Last, so that owner and mode reach the disk with the data: the
	 * folder's sync after the rename does not carry the inode's. */
	if (fsync(fd) == -1) {
		err_sys("%s: fsync", path);
		goto fail_fd;
	}
	if (close(fd) == -1) {
		fd = -1;
		err_sys("%s: close", path);
		goto fail;
	}
	return 0;
fail_fd:
	close(fd);
fail:
	afile_discard(f);
	return -1;
}

/* The length of the folder part of path ("" for a bare name). */
static size_t
afile_dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (size_t)(slash - path) : 0;
}

static int
afile_rename(struct afile *f)
{
	if (f->tmp == NULL)
		return err_set("%s: nothing staged", f->path ? f->path : "?");
	if (rename(f->tmp, f->path) == -1)
		return err_sys("%s: cannot rename into place", f->path);
	free(f->tmp);
	f->tmp = NULL;
	return 0;
}

/* A folder that cannot be synced once the renames are done: the files
 * are in place, and failing now would only tell the caller (who would
 * then skip what follows a write: hooks, say) something untrue. */
static void
afile_sync_dir_after(const char *path)
{
	if (afile_sync_dir(path) == -1) {
		log_warn("%s (the file is in place, but may not survive a "
		    "crash)", err_msg());
		err_clear();
	}
}

int
afile_commit(struct afile *f)
{
	if (afile_rename(f) == -1)
		return -1;
	afile_sync_dir_after(f->path);
	return 0;
}

/* What a file being replaced becomes until the set is in place. */
struct afile_old {
	char	*tmp;		/* its second name; NULL: none */
	int	 lost;		/* it was there, and has none */
};

int
afile_commit_all(struct afile *const *f, size_t n)
{
	struct afile_old *old;
	size_t *ord, i, j, k, done;
	int rc = -1, lost = 0;

	old = calloc(n ? n : 1, sizeof(*old));
	ord = calloc(n ? n : 1, sizeof(*ord));
	if (old == NULL || ord == NULL) {
		free(old);
		free(ord);
		return err_set("out of memory");
	}
	/* The files being replaced keep a second name until every rename
	 * is done: one that fails puts the earlier ones back, so that a
	 * key is never replaced without its certificate.  (A file alone
	 * has nothing to be put back for.)  One that cannot have a second
	 * name is replaced all the same, last: refusing would throw away
	 * what was to be written (a certificate the CA has issued), and a
	 * failing rename before it still puts everything back. */
	for (i = 0; i < n && n > 1; i++)
		if (f[i]->tmp != NULL && afile_keep_old(f[i]->path,
		    &old[i].tmp) == -1) {
			log_warn("%s (it is replaced all the same)", err_msg());
			old[i].lost = 1;
		}
	for (k = 0, j = 0; j < 2; j++)
		for (i = 0; i < n; i++)
			if (old[i].lost == (int)j)
				ord[k++] = i;
	for (done = 0; done < n; done++)
		if (afile_rename(f[ord[done]]) == -1)
			break;
	if (done < n) {
		for (k = 0; k < done; k++) {
			i = ord[k];
			if (old[i].lost) {
				log_error("%s: replaced, and the file it "
				    "replaced could not be put back",
				    f[i]->path);
				lost = 1;
			} else if (old[i].tmp == NULL)
				unlink(f[i]->path);
			else if (rename(old[i].tmp, f[i]->path) == 0) {
				free(old[i].tmp);
				old[i].tmp = NULL;
			} else {
				/* The only copy left of the file as it was:
				 * kept, and named. */
				log_error("%s: cannot put back the file it "
				    "replaced, which is now %s (%s): move it "
				    "back by hand, acmed's next start would "
				    "remove it", f[i]->path, old[i].tmp,
				    strerror(errno));
				free(old[i].tmp);
				old[i].tmp = NULL;
				lost = 1;
			}
		}
		err_prefix(lost ? "not all replaced" : "nothing replaced");
		goto out;
	}
	/* Files of one folder need one sync (the usual case: a key and its
	 * certificate). */
	for (i = 0; i < n; i++) {
		size_t len = afile_dir_len(f[i]->path);

		if (i > 0 && len == afile_dir_len(f[i - 1]->path) &&
		    strncmp(f[i]->path, f[i - 1]->path, len) == 0)
			continue;
		afile_sync_dir_after(f[i]->path);
	}
	rc = 0;
out:
	for (i = 0; i < n; i++) {
		if (old[i].tmp != NULL)
			unlink(old[i].tmp);
		free(old[i].tmp);
	}
	free(old);
	free(ord);
	return rc;
}

/* 1 when name is ".<base>.<12 hex digits>.tmp" for a non-empty base. */
static int
afile_is_tmp(const char *name)
{
	size_t len = strlen(name), i;
	const char *rnd;

	if (name[0] != '.' || len < 1 + 1 + 1 + AFILE_RND_HEX + 4 ||
	    strcmp(name + len - 4, ".tmp") != 0)
		return 0;
	rnd = name + len - 4 - AFILE_RND_HEX;
	if (rnd[-1] != '.')
		return 0;
	for (i = 0; i < AFILE_RND_HEX; i++)
		if (!((rnd[i] >= '0' && rnd[i] <= '9') ||
		    (rnd[i] >= 'a' && rnd[i] <= 'f')))
			return 0;
	return 1;
}

int
afile_remove_stale(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return err_sys("%s: cannot read the folder", dir);
	while ((de = readdir(d)) != NULL)
		if (afile_is_tmp(de->d_name) &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			n++;
	closedir(d);
	return n;
}

void
afile_discard(struct afile *f)
{
	if (f->tmp != NULL) {
		unlink(f->tmp);
		free(f->tmp);
		f->tmp = NULL;
	}
	free(f->path);
	f->path = NULL;
}

int
afile_write(const char *path, const void *data, size_t len,
    const struct afile_opts *opts)
{
	struct afile f;
	int rc;

	if (afile_stage(&f, path, data, len, opts) == -1)
		return -1;
	rc = afile_commit(&f);
	afile_discard(&f);
	return rc;
}
