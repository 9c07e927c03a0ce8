/*
 * usock.h - Unix stream sockets at a path in the file system: the
 * daemon's control socket, tacd's listener, acmectl's connection.
 */
#ifndef ACMED_UTIL_USOCK_H
#define ACMED_UTIL_USOCK_H

#include <sys/un.h>

/* Fills sa with the address of path.  -1 with err when the path does not
 * fit (107 bytes at most on Linux). */
int	 usock_addr(struct sockaddr_un *sa, const char *path);

/* Clears the way for a socket of ours at path: nothing there, or a
 * socket nobody accepts on any more (left by a process that died), which
 * is removed.  -1 with err for anything else there, a socket somebody
 * listens on included. */
int	 usock_clear(const char *path);

#endif
