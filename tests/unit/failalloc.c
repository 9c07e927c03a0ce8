/*
 * failalloc.c - an LD_PRELOAD library for allocation-failure runs
 * (tests/unit/failalloc.sh): the n-th allocation of the process fails.
 *
 *	FAILALLOC_N=n	the n-th call (1-based) of malloc, calloc, realloc,
 *			reallocarray or an aligned allocator returns NULL
 *			with errno ENOMEM; 0 or unset: none fails
 *	FAILALLOC_LOG=path
 *			appends "failed <n>" when the failure is injected,
 *			and "total <count>" at exit
 *	FAILALLOC_PROG=name
 *			only the process whose program is called name
 *			counts and fails (valgrind's launcher, env and
 *			timeout pass the variables on unharmed)
 *	FAILALLOC_PAUSED=1
 *			nothing counts until the program calls
 *			failalloc_pause(0) (tests/fuzz/standalone.c, so
 *			that the libraries' start-up is left alone)
 *
 * malloc itself is replaced, not our calls to it: libc's strdup, asprintf,
 * OpenSSL, libcurl and Jansson all allocate through it (glibc documents
 * that its internal calls go to a replaced malloc), so a failure reaches
 * every allocation the code under test depends on.  The real allocator is
 * reached through glibc's __libc_* entry points, which allocate nothing.
 *
 * The variables and LD_PRELOAD are removed from the environment when that
 * process starts: its children (the openssl tool, a hook) run unharmed.
 *
 * Why not AddressSanitizer: ASan replaces malloc too, and two replacements
 * cannot both win.  Leaks are counted here instead: failalloc_live() is
 * the number of blocks allocated and not yet freed, which a driver reads
 * around each input (tests/fuzz/standalone.c); valgrind then says whether
 * a block that stayed is really lost or only cached by a library.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void	*__libc_malloc(size_t);
void	*__libc_calloc(size_t, size_t);
void	*__libc_realloc(void *, size_t);
void	 __libc_free(void *);
void	*__libc_memalign(size_t, size_t);

/* The driver's interface. */
long long	failalloc_live(void);
void		failalloc_pause(int);

void	*malloc(size_t);
void	*calloc(size_t, size_t);
void	*realloc(void *, size_t);
void	*reallocarray(void *, size_t, size_t);
void	 free(void *);
int	 posix_memalign(void **, size_t, size_t);
void	*aligned_alloc(size_t, size_t);
void	*memalign(size_t, size_t);
void	*valloc(size_t);
void	*pvalloc(size_t);

static long long		fail_at;	/* 0: never */
static const char		*log_path;
static atomic_llong		count;		/* allocation calls */
static atomic_llong		live;		/* blocks not yet freed */
static atomic_int		paused;
static atomic_int		ready;
static int			active;

static void
log_line(const char *what, long long n)
{
	char line[64];
	int fd, len;

	if (log_path == NULL)
		return;
	len = snprintf(line, sizeof(line), "%s %lld\n", what, n);
	if ((fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1)
		return;
	(void)!write(fd, line, (size_t)len);
	close(fd);
}

/* Reads the environment once libc has set the program's name (the loader
 * allocates before); getenv() allocates nothing. */
static void
init(void)
{
	const char *s, *prog;

	if (atomic_load(&ready) || program_invocation_short_name == NULL)
		return;
	prog = getenv("FAILALLOC_PROG");
	active = prog == NULL ||
	    strcmp(prog, program_invocation_short_name) == 0;
	if (active && (s = getenv("FAILALLOC_N")) != NULL)
		fail_at = strtoll(s, NULL, 10);
	if (active) {
		log_path = getenv("FAILALLOC_LOG");
		if (getenv("FAILALLOC_PAUSED") != NULL)
			atomic_store(&paused, 1);
	}
	atomic_store(&ready, 1);
}

__attribute__((constructor)) static void
failalloc_start(void)
{
	init();
	if (!active)
		return;
	/* The strings stay valid: unsetenv() only unlinks them. */
	unsetenv("FAILALLOC_N");
	unsetenv("FAILALLOC_LOG");
	unsetenv("FAILALLOC_PROG");
	unsetenv("FAILALLOC_PAUSED");
	unsetenv("LD_PRELOAD");
}

__attribute__((destructor)) static void
failalloc_end(void)
{
	if (active)
		log_line("total", atomic_load(&count));
}

/* 1 when this allocation is the one to fail. */
static int
fail_now(void)
{
	long long n;

	init();
	if (!active || atomic_load(&paused))
		return 0;
	n = atomic_fetch_add(&count, 1) + 1;
	if (n != fail_at)
		return 0;
	log_line("failed", n);
	errno = ENOMEM;
	return 1;
}

static void *
counted(void *p)
{
	if (p != NULL)
		atomic_fetch_add(&live, 1);
	return p;
}

long long
failalloc_live(void)
{
	return atomic_load(&live);
}

void
failalloc_pause(int on)
{
	atomic_store(&paused, on);
}

void *
malloc(size_t n)
{
	return fail_now() ? NULL : counted(__libc_malloc(n));
}

void *
calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : counted(__libc_calloc(n, size));
}

void *
realloc(void *p, size_t n)
{
	void *q;

	if (p != NULL && n == 0) {
		/* glibc frees and returns NULL. */
		free(p);
		return NULL;
	}
	if (fail_now())
		return NULL;
	if ((q = __libc_realloc(p, n)) != NULL && p == NULL)
		atomic_fetch_add(&live, 1);
	return q;
}

void *
reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

void
free(void *p)
{
	if (p == NULL)
		return;
	atomic_fetch_sub(&live, 1);
	__libc_free(p);
}

void *
memalign(size_t align, size_t n)
{
	return fail_now() ? NULL : counted(__libc_memalign(align, n));
}

void *
aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)) != 0)
		return EINVAL;
	if ((p = memalign(align, n)) == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

void *
valloc(size_t n)
{
	return memalign((size_t)sysconf(_SC_PAGESIZE), n);
}

void *
pvalloc(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return memalign(page, (n + page - 1) / page * page);
}

/*
 * cmocka's string and memory assertions compare what they are given, and
 * crash on the NULL a test gets back from a call that ran out of memory
 * (assert_string_equal(buf_steal(&b), "x")).  Here they fail the test
 * instead, as assert_non_null() would have.
 */
void	_assert_string_equal(const char *, const char *, const char *, int);
void	_assert_string_not_equal(const char *, const char *, const char *,
	    int);
void	_assert_memory_equal(const void *, const void *, size_t, const char *,
	    int);
void	_assert_memory_not_equal(const void *, const void *, size_t,
	    const char *, int);

static void
cmocka_fail(const char *file, int line)
{
	void (*fail)(const char *, int);

	*(void **)&fail = dlsym(RTLD_NEXT, "_fail");
	if (fail == NULL)
		abort();
	fail(file, line);
}

#define CMOCKA_STR(name)						\
void									\
name(const char *a, const char *b, const char *file, int line)		\
{									\
	void (*real)(const char *, const char *, const char *, int);	\
									\
	if (a == NULL || b == NULL)					\
		cmocka_fail(file, line);				\
	*(void **)&real = dlsym(RTLD_NEXT, #name);			\
	real(a, b, file, line);						\
}
#define CMOCKA_MEM(name)						\
void									\
name(const void *a, const void *b, size_t n, const char *file, int line) \
{									\
	void (*real)(const void *, const void *, size_t, const char *,	\
	    int);							\
									\
	if (a == NULL || b == NULL)					\
		cmocka_fail(file, line);				\
	*(void **)&real = dlsym(RTLD_NEXT, #name);			\
	real(a, b, n, file, line);					\
}
CMOCKA_STR(_assert_string_equal)
CMOCKA_STR(_assert_string_not_equal)
CMOCKA_MEM(_assert_memory_equal)
CMOCKA_MEM(_assert_memory_not_equal)
