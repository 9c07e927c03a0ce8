/*
 * usock.c - Unix socket addresses and stale sockets (see usock.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"
#include "util/usock.h"

int
usock_addr(struct sockaddr_un *sa, const char *path)
{
	size_t len = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (len >= sizeof(sa->sun_path))
		return err_set("%s: path too long for a socket (%zu bytes at "
		    "most)", path, sizeof(sa->sun_path) - 1);
	memcpy(sa->sun_path, path, len + 1);
	return 0;
}

int
usock_clear(const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, rc;

	if (usock_addr(&sa, path) == -1)
		return -1;
	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : err_sys("%s", path);
	if (!S_ISSOCK(st.st_mode))
		return err_set("%s: exists and is not a socket; refusing to "
		    "replace it", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return err_sys("socket");
	rc = connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 :
	    errno;
	close(fd);
	if (rc == 0)
		return err_set("%s: another process is listening on this "
		    "socket", path);
	/* Refused: nobody listens.  Anything else is not for us to judge. */
	if (rc != ECONNREFUSED)
		return err_set("%s: %s", path, strerror(rc));
	log_info("%s: removing a stale socket", path);
	if (unlink(path) == -1 && errno != ENOENT)
		return err_sys("%s: cannot remove the stale socket", path);
	return 0;
}
