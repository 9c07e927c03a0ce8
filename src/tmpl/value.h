/*
 * value.h - the template value type, internal view.
 *
 * A value is reference counted and immutable once built, with two
 * exceptions that only exist while one rendering runs: namespaces (the
 * only assignable objects) and loop objects.  Values owned by a compiled
 * template (its literals) are immortal: taking and dropping references to
 * them touches nothing, so renderings in several threads never write to
 * the shared tree.
 *
 * Integers are 128-bit like MiniJinja's (i128, plus u128 for the range
 * above i128's maximum, which only literals can produce).
 */
#ifndef ACMED_TMPL_VALUE_H
#define ACMED_TMPL_VALUE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "tmpl/tmpl.h"
#include "util/buf.h"

/* GCC and Clang extension, available on every 64-bit target we build. */
__extension__ typedef __int128 tint;
__extension__ typedef unsigned __int128 tuint;

#define TINT_MAX	((tint)(~(tuint)0 >> 1))
#define TINT_MIN	(-TINT_MAX - 1)

enum tkind {
	TK_UNDEF,
	TK_NONE,
	TK_BOOL,
	TK_INT,
	TK_U128,	/* an integer above TINT_MAX */
	TK_FLOAT,
	TK_STR,
	TK_LIST,	/* also tuples and (sized) iterables, see flags */
	TK_MAP,		/* also namespaces */
	TK_FUNC,	/* a built-in or caller-supplied function */
	TK_LOOP,	/* the "loop" object of a for loop */
	TK_ONESHOT,	/* an iterator that can be consumed once */
	TK_MACRO,	/* a {% macro %} or the caller of a {% call %} */
};

/* flags */
#define TF_IMMORTAL	0x01	/* owned by a template; no refcounting */
#define TF_SAFE		0x02	/* TK_STR: not escaped by autoescaping */
#define TF_TUPLE	0x04	/* TK_LIST: prints as (a, b) */
#define TF_ITER		0x08	/* TK_LIST: an iterable, not a sequence */
#define TF_NS		0x10	/* TK_MAP: a namespace() object */
#define TF_GROUP	0x20	/* TK_LIST: groupby's (grouper, list) */

/* Deepest nesting of lists and maps; keeps every walker's recursion
 * (printing, comparing, freeing) bounded. */
#define TV_MAX_DEPTH	100

struct tloop;
struct tbuiltin;
struct tnode;

struct tmpl_value {
	atomic_uint	 refs;
	unsigned char	 kind;
	unsigned char	 flags;
	unsigned short	 depth;		/* 1 for scalars */
	union {
		int		 b;
		tint		 i;
		tuint		 u;
		double		 f;
		struct {
			char	*p;	/* NUL-terminated, may contain NULs */
			size_t	 len;
		} s;
		struct {
			struct tmpl_value **v;
			size_t	 n, cap;
		} l;
		struct {
			struct tmpl_value **k, **v;
			size_t	 n, cap;
		} m;
		struct {
			const struct tbuiltin	*bi;	/* or ... */
			const struct tmpl_func	*user;	/* ... this */
		} fn;
		struct tloop	*loop;
		struct {
			tint	 next, end;
		} *os;
		struct {
			/* S_MACRO, borrowed from the template */
			const struct tnode	*node;
			struct tmpl_value	*closure; /* map, reference */
		} mac;
	} u;
};

/* Shared constants (immortal). */
extern struct tmpl_value tv_undef_v, tv_none_v, tv_true_v, tv_false_v;

struct tmpl_value *tv_new(enum tkind kind);
struct tmpl_value *tv_ref(const struct tmpl_value *v);
void	 tv_unref(struct tmpl_value *v);
/* Marks v, and everything inside it, as owned by a template. */
void	 tv_make_immortal(struct tmpl_value *v);
/* Frees an immortal value tree (only tmpl_free does this). */
void	 tv_free_immortal(struct tmpl_value *v);

struct tmpl_value *tv_undef(void);
struct tmpl_value *tv_none(void);
struct tmpl_value *tv_bool(int b);
struct tmpl_value *tv_int(tint i);
struct tmpl_value *tv_uint(tuint u);	/* TK_INT or TK_U128 */
struct tmpl_value *tv_float(double f);
/* Copies len bytes, after checking the size limit of this rendering. */
struct tmpl_value *tv_strn(const char *s, size_t len);
struct tmpl_value *tv_str(const char *s);
/* Takes over the contents of b (emptying it). */
struct tmpl_value *tv_str_buf(struct buf *b);
struct tmpl_value *tv_list(size_t cap);
struct tmpl_value *tv_map(size_t cap);

/* Appends, taking over item (even on failure); checks nesting depth. */
int	 tv_list_push(struct tmpl_value *l, struct tmpl_value *item);
/* Inserts or replaces, taking over key and val (even on failure). */
int	 tv_map_set(struct tmpl_value *m, struct tmpl_value *key,
	    struct tmpl_value *val);
/* Borrowed value for key, or NULL. */
struct tmpl_value *tv_map_get(const struct tmpl_value *m,
	    const struct tmpl_value *key);
struct tmpl_value *tv_map_gets(const struct tmpl_value *m, const char *key,
	    size_t klen);
/* Drops every entry (namespaces, to break reference cycles). */
void	 tv_map_clear(struct tmpl_value *m);

/* "sequence", "map", "number", ... as MiniJinja names kinds in errors. */
const char *tv_kind_name(const struct tmpl_value *v);
int	 tv_is_seq(const struct tmpl_value *v);	/* a list, not an iterable */
int	 tv_is_number(const struct tmpl_value *v);
int	 tv_is_callable(const struct tmpl_value *v);
int	 tv_truthy(const struct tmpl_value *v);
/* Converts ints, bools and (u)int-valued floats... to tint; -1 if not
 * an integer-like value. */
int	 tv_to_int(const struct tmpl_value *v, tint *out);
int	 tv_to_double(const struct tmpl_value *v, double *out);

/* Equality as ==, and a total order for sorting and < >. */
int	 tv_eq(const struct tmpl_value *a, const struct tmpl_value *b);
int	 tv_cmp(const struct tmpl_value *a, const struct tmpl_value *b);
/* Case-insensitive for strings (sort, unique, dictsort). */
int	 tv_cmp_ci(const struct tmpl_value *a, const struct tmpl_value *b);

/* Printing (fmt.c).  All return -1 with err (output cap, nesting). */
int	 tv_display(struct buf *b, const struct tmpl_value *v);
int	 tv_repr(struct buf *b, const struct tmpl_value *v);
int	 tv_pprint(struct buf *b, const struct tmpl_value *v);
/* pprint of a value that stands at nesting level depth (4 spaces each). */
int	 tv_pprint_at(struct buf *b, const struct tmpl_value *v, int depth);
int	 tv_tojson(struct buf *b, const struct tmpl_value *v, int indent);
int	 tv_html_escape(struct buf *b, const char *s, size_t len);
/* A new string value holding the display form of v (v itself when it is
 * a string already). */
struct tmpl_value *tv_to_str(const struct tmpl_value *v);
void	 fmt_tint(char *out, tint i);
void	 fmt_tuint(char *out, tuint u);

/*
 * Iteration over anything iterable: lists, maps (keys), strings (chars),
 * none and undefined (nothing), one-shot iterators.  Items come out as
 * new references.
 */
struct titer {
	struct tmpl_value	*src;	/* reference held */
	struct tmpl_value	*chars;	/* list of a string's characters */
	size_t			 pos;
	size_t			 len;	/* SIZE_MAX when unknown */
	struct tmpl_value	*peeked;
};

#define TITER_UNKNOWN	SIZE_MAX

/* -1 with err "<kind> is not iterable". */
int	 titer_init(struct titer *it, const struct tmpl_value *v);
/* 1 with *out (new reference), 0 at the end, -1 on error. */
int	 titer_next(struct titer *it, struct tmpl_value **out);
/* Like titer_next but leaves the item to be returned next; borrowed. */
int	 titer_peek(struct titer *it, struct tmpl_value **out);
void	 titer_done(struct titer *it);
/* Collects everything into a new list (flags 0). */
struct tmpl_value *titer_collect(const struct tmpl_value *v);

/*
 * Limits of the rendering running in this thread (render.c).  Value code
 * charges work to it; outside a rendering nothing is limited.
 */
struct tlimits {
	unsigned long	 steps;		/* left */
	size_t		 max_str;	/* longest string */
	int		 jinja2_literals; /* True/False/None, not true... */
};

extern _Thread_local struct tlimits *tlimits_cur;

/* Charges n steps; -1 with err when the budget is spent. */
int	 tcharge(unsigned long n);
size_t	 tmax_str(void);

#endif
