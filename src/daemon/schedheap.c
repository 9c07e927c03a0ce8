/*
 * schedheap.c - the scheduler's min-heap of items (see schedheap.h).
 */
#include <stdlib.h>

#include "daemon/schedheap.h"
#include "util/err.h"

time_t
sched_item_at(const struct sched_item *it)
{
	return it->check != 0 && it->check < it->due ? it->check : it->due;
}

void
sched_item_due(struct sched_item *it, time_t due, int rel)
{
	it->due = due;
	if (rel)
		it->rel |= SCHED_REL_DUE;
	else
		it->rel &= (unsigned char)~SCHED_REL_DUE;
}

static void
heap_swap(struct sched_item *v, size_t a, size_t b)
{
	struct sched_item t = v[a];

	v[a] = v[b];
	v[b] = t;
}

static void
heap_up(struct sched_heap *h, size_t i)
{
	while (i > 0 && sched_item_at(&h->v[(i - 1) / 2]) >
	    sched_item_at(&h->v[i])) {
		heap_swap(h->v, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(struct sched_heap *h, size_t i)
{
	size_t l, r, m;

	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < h->n && sched_item_at(&h->v[l]) <
		    sched_item_at(&h->v[m]))
			m = l;
		if (r < h->n && sched_item_at(&h->v[r]) <
		    sched_item_at(&h->v[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(h->v, i, m);
		i = m;
	}
}

int
sched_heap_push(struct sched_heap *h, struct sched_item it)
{
	struct sched_item *nv;
	size_t i;

	if (h->n == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 64;

		if ((nv = realloc(h->v, ncap * sizeof(*nv))) == NULL)
			return err_set("out of memory");
		h->v = nv;
		h->cap = ncap;
	}
	i = h->n++;
	h->v[i] = it;
	heap_up(h, i);
	return 0;
}

struct sched_item
sched_heap_remove(struct sched_heap *h, size_t i)
{
	struct sched_item it = h->v[i];

	h->v[i] = h->v[--h->n];
	if (i < h->n)
		sched_heap_fix(h, i);
	return it;
}

struct sched_item
sched_heap_pop(struct sched_heap *h)
{
	return sched_heap_remove(h, 0);
}

void
sched_heap_fix(struct sched_heap *h, size_t i)
{
	heap_down(h, i);
	heap_up(h, i);
}

void
sched_heap_order(struct sched_heap *h)
{
	size_t i;

	for (i = h->n / 2 + 1; i-- > 0; )
		heap_down(h, i);
}

void
sched_item_step(struct sched_item *it, time_t delta)
{
	if (it->rel & SCHED_REL_DUE)
		it->due += delta;
	if ((it->rel & SCHED_REL_ARI) && it->ari_due != 0)
		it->ari_due += delta;
	if (it->check != 0)
		it->check += delta;
}

void
sched_heap_step(struct sched_heap *h, time_t delta)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		sched_item_step(&h->v[i], delta);
	sched_heap_order(h);
}
