/*
 * afile.h - atomic file replacement.
 *
 * A file is never visible half-written and never, even for a moment, with a
 * wider mode than asked for: the data go to a temporary file in the same
 * folder, created with O_CREAT|O_EXCL|O_NOFOLLOW and the final mode, written
 * completely, fsync'd, given its owner and exact mode on the open
 * descriptor, then renamed over the target, and the folder is fsync'd.  On
 * any error the temporary file is removed and the target is untouched.
 *
 * The two-step form (afile_stage, then afile_commit or afile_discard) lets
 * the caller replace several files together: stage all, then commit all.
 */
#ifndef ACMED_UTIL_AFILE_H
#define ACMED_UTIL_AFILE_H

#include <stddef.h>
#include <sys/types.h>

struct afile_opts {
	mode_t	 mode;		/* exact final mode, e.g. 0600 */
	uid_t	 uid;		/* (uid_t)-1: leave the owner alone */
	gid_t	 gid;		/* (gid_t)-1: leave the group alone */
};

/* A staged file: written and synced under a temporary name. */
struct afile {
	char	*path;		/* target path */
	char	*tmp;		/* temporary path, NULL once committed */
};

/* Writes data to a temporary file next to path.  -1 with err naming the
 * file on error (nothing is left on disk). */
int	afile_stage(struct afile *f, const char *path, const void *data,
	    size_t len, const struct afile_opts *opts);

/* Renames the staged file over its target and syncs the folder (a sync
 * that fails once the file is in place is a warning, not an error). */
int	afile_commit(struct afile *f);

/* Renames n staged files over their targets one right after the other,
 * then syncs their folders: a process killed in between can only be killed
 * between two rename() calls, not during a folder sync.  On error, the
 * files renamed before the failing one are put back as they were (each
 * keeps a second name, a hard link, until all are in place; one that did
 * not exist is removed), so that a key is never replaced without its
 * certificate; err names the failing one.  A file that cannot be given a
 * second name is replaced all the same (with a warning), after the others:
 * only when two cannot, and the second's rename fails, does one stay new. */
int	afile_commit_all(struct afile *const *f, size_t n);

/* Removes the staged file (if any) and frees f's strings.  Safe to call
 * after afile_commit() or on a zeroed struct. */
void	afile_discard(struct afile *f);

/* Removes the temporary files that a process killed in the middle of a
 * write left in folder dir (".<base>.<12 hex digits>.tmp"): they may hold
 * a private key nobody will use.  Only for a folder in which nothing else
 * is writing at the same time.  Returns how many were removed, -1 with err
 * when the folder cannot be read. */
int	afile_remove_stale(const char *dir);

/* Stage + commit in one call. */
int	afile_write(const char *path, const void *data, size_t len,
	    const struct afile_opts *opts);

#endif
