/*
 * spawn_child.c - a program for test_spawn to run: its first argument
 * names a behaviour.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static int
fcntl_is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

int
main(int argc, char **argv)
{
	char buf[4096];
	ssize_t n;
	int i;

	if (argc < 2)
		return 100;
	if (strcmp(argv[1], "args") == 0) {
		for (i = 2; i < argc; i++)
			printf("[%s]\n", argv[i]);
		return 0;
	}
	if (strcmp(argv[1], "env") == 0) {
		for (i = 0; environ[i] != NULL; i++)
			printf("%s\n", environ[i]);
		return 0;
	}
	if (strcmp(argv[1], "cat") == 0) {
		while ((n = read(0, buf, sizeof(buf))) > 0)
			if (write(1, buf, (size_t)n) != n)
				return 2;
		fprintf(stderr, "done\n");
		return 0;
	}
	if (strcmp(argv[1], "fds") == 0) {
		/* Only 0, 1 and 2 may be open. */
		for (i = 3; i < 1024; i++)
			if (fcntl_is_open(i))
				return 3;
		return 0;
	}
	if (strcmp(argv[1], "exit") == 0)
		return atoi(argv[2]);
	if (strcmp(argv[1], "kill") == 0) {
		raise(atoi(argv[2]));
		return 0;
	}
	if (strcmp(argv[1], "flood") == 0) {
		memset(buf, 'y', sizeof(buf));
		for (i = 0; i < 2560; i++)	/* 10 MiB */
			if (write(2, buf, sizeof(buf)) < 0)
				return 4;
		return 0;
	}
	if (strcmp(argv[1], "hang") == 0) {
		/* A grandchild in the same group, and a child deaf to TERM. */
		pid_t pid = fork();
		if (pid == 0) {
			for (;;)
				pause();
		}
		printf("%d\n", (int)pid);
		fflush(stdout);
		if (argc > 2 && strcmp(argv[2], "deaf") == 0)
			signal(SIGTERM, SIG_IGN);
		for (;;)
			pause();
	}
	if (strcmp(argv[1], "daemon") == 0) {
		/* Leaves a child holding stdout open, as a careless hook
		 * starting a server would. */
		if (fork() == 0) {
			sleep(30);
			_exit(0);
		}
		return 0;
	}
	return 101;
}
