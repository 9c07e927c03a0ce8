/*
 * spawn_child.c - a program for test_spawn to run: its first argument
 * names a behaviour.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int
fcntl_is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Waits (20 s at most) for the test to create path: it does once
 * spawn_run() has returned.  0 when it came. */
static int
wait_for(const char *path)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (access(path, F_OK) == 0)
			return 0;
		nap_ms(10);
	}
	return -1;
}

/* Writes what the test waits for, whole (a rename). */
static void
marker(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fputs(text, f);
	if (fclose(f) == 0)
		rename(tmp, path);
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
	if (strcmp(argv[1], "floodwait") == 0) {
		/* 32 MiB to stdout, then a wait (10 s at most) until what the
		 * file holds is back under 1 MiB: the parent drops what is
		 * past its cap while we run. */
		struct stat sb;

		memset(buf, 'y', sizeof(buf));
		for (i = 0; i < 8192; i++)
			if (write(1, buf, sizeof(buf)) < 0)
				return 4;
		for (i = 0; i < 1000; i++) {
			if (fstat(1, &sb) == -1)
				return 5;
			if ((long long)sb.st_blocks * 512 < 1024 * 1024)
				return 0;
			nap_ms(10);
		}
		return 6;
	}
	if (strcmp(argv[1], "bgwrite") == 0 && argc == 4) {
		/* A grandchild that writes to the stdout and stderr it
		 * inherited after we exited and after spawn_run() returned
		 * (argv[2] appears), then tells how it went in argv[3]. */
		char res[256];
		struct stat sb;
		long long before;

		if (fork() == 0) {
			/* A failed write is reported, not fatal. */
			signal(SIGPIPE, SIG_IGN);
			if (wait_for(argv[2]) == -1)
				_exit(5);
			before = fstat(1, &sb) == 0 ? (long long)sb.st_size : -1;
			memset(buf, 'b', sizeof(buf));
			snprintf(res, sizeof(res), "ok %lld", before);
			/* 256 KiB each: more than a pipe holds. */
			for (i = 0; i < 64; i++)
				if (write(1, buf, sizeof(buf)) < 0 ||
				    write(2, buf, sizeof(buf)) < 0) {
					snprintf(res, sizeof(res), "write: %s",
					    strerror(errno));
					break;
				}
			marker(argv[3], res);
			_exit(0);
		}
		printf("child out\n");
		fprintf(stderr, "child err\n");
		return 0;
	}
	if (strcmp(argv[1], "bgread") == 0 && argc == 4) {
		/* A grandchild that reads the stdin it inherited after we
		 * exited and after spawn_run() returned. */
		char res[256];
		long long total = 0;

		if (fork() == 0) {
			if (wait_for(argv[2]) == -1)
				_exit(5);
			while ((n = read(0, buf, sizeof(buf))) > 0)
				total += n;
			if (n < 0)
				snprintf(res, sizeof(res), "read: %s",
				    strerror(errno));
			else
				snprintf(res, sizeof(res), "ok %lld", total);
			marker(argv[3], res);
			_exit(0);
		}
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
