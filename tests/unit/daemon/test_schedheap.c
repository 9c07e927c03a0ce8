/*
 * test_schedheap.c - the scheduler's heap: items come out by the moment
 * each is next taken (its renewal or its check, whichever is first); a
 * removal in the middle keeps the order; a step of the wall clock moves
 * the times that count from when they were set (a backoff, "now", a
 * check, the "renew now" streak's backoff) and leaves the dates (a
 * certificate's due date, the CA's window).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "daemon/schedheap.h"

#define NOW	1800000000LL

static struct sched_heap h;

static int
teardown(void **state)
{
	(void)state;
	free(h.v);
	h.v = NULL;
	h.n = h.cap = 0;
	return 0;
}

static void
push(size_t cert, time_t due, int rel, time_t check)
{
	struct sched_item it = { .cert = cert, .check = check };

	sched_item_due(&it, due, rel);
	assert_int_equal(sched_heap_push(&h, it), 0);
}

/* Pops every item: their certificates, in order; the times never go
 * down. */
static void
assert_pops(const size_t *certs, size_t n)
{
	struct sched_item it;
	time_t last = 0;
	size_t i;

	assert_int_equal(h.n, n);
	for (i = 0; i < n; i++) {
		it = sched_heap_pop(&h);
		assert_true(sched_item_at(&it) >= last);
		last = sched_item_at(&it);
		assert_int_equal(it.cert, certs[i]);
	}
	assert_int_equal(h.n, 0);
}

static void
test_order(void **state)
{
	const size_t want[] = { 4, 2, 0, 3, 1 };
	size_t i;

	(void)state;
	push(0, NOW + 300, 0, 0);
	push(1, NOW + 900, 0, 0);
	push(2, NOW + 800, 0, NOW + 100);	/* its check comes first */
	push(3, NOW + 400, 1, 0);
	push(4, NOW, 1, 0);
	/* More than the first allocation holds. */
	for (i = 5; i < 200; i++)
		push(i, NOW + 1000 + (time_t)((i * 7919) % 1000), 0, 0);
	for (i = 0; i < 5; i++) {
		struct sched_item it = sched_heap_pop(&h);

		assert_int_equal(it.cert, want[i]);
	}
	for (i = 0; i < 195; i++) {
		struct sched_item it = sched_heap_pop(&h);

		assert_true(it.cert >= 5);
		assert_true(h.n == 0 || sched_item_at(&h.v[0]) >=
		    sched_item_at(&it));
	}
	assert_int_equal(h.n, 0);
}

static void
test_remove_and_fix(void **state)
{
	const size_t want[] = { 5, 0, 1, 3, 4, 6 };
	struct sched_item it;
	size_t i;

	(void)state;
	for (i = 0; i < 7; i++)
		push(i, NOW + (time_t)i * 100, 0, 0);
	for (i = 0; i < h.n && h.v[i].cert != 2; i++)
		;
	it = sched_heap_remove(&h, i);
	assert_int_equal(it.cert, 2);
	/* Renewal asked for: due now, ahead of all. */
	for (i = 0; i < h.n && h.v[i].cert != 5; i++)
		;
	sched_item_due(&h.v[i], NOW - 1, 1);
	sched_heap_fix(&h, i);
	assert_pops(want, 6);
}

/* Set back by a month: the one-minute backoff is still a minute away, the
 * due date a month further; the check, an hour away, still is. */
static void
test_step_back(void **state)
{
	const time_t month = 30 * 86400;
	const size_t want[] = { 1, 2, 0 };
	struct sched_item it;

	(void)state;
	push(0, NOW + 86400, 0, 0);		/* the certificate's date */
	push(1, NOW + 60, 1, 0);		/* a backoff */
	push(2, NOW + 86400 * 2, 0, NOW + 3600);	/* checked in an hour */
	sched_heap_step(&h, -month);
	it = h.v[0];
	assert_int_equal(it.cert, 1);
	assert_int_equal(it.due, NOW - month + 60);
	for (size_t i = 0; i < h.n; i++) {
		if (h.v[i].cert == 0)
			assert_int_equal(h.v[i].due, NOW + 86400);
		if (h.v[i].cert == 2) {
			assert_int_equal(h.v[i].due, NOW + 86400 * 2);
			assert_int_equal(h.v[i].check, NOW - month + 3600);
		}
	}
	assert_pops(want, 3);
}

/* Set forward by a day: the backoff of ten minutes stays ten minutes, a
 * due date a week off is six days off; the CA's moment stays, the
 * streak's backoff moves. */
static void
test_step_forward(void **state)
{
	struct sched_item it = { .cert = 0 };
	struct sched_item ari = { .cert = 1, .check = NOW + 7200 };
	struct sched_item win = { .cert = 2, .check = NOW + 7200 };

	(void)state;
	sched_item_due(&it, NOW + 600, 1);
	assert_int_equal(sched_heap_push(&h, it), 0);
	ari.ari_due = NOW + 7200;
	ari.rel = SCHED_REL_ARI;
	sched_item_due(&ari, ari.ari_due, 1);
	assert_int_equal(sched_heap_push(&h, ari), 0);
	win.ari_due = NOW + 7200;
	sched_item_due(&win, win.ari_due, 0);
	assert_int_equal(sched_heap_push(&h, win), 0);
	push(3, NOW + 7 * 86400, 0, 0);
	sched_heap_step(&h, 86400);
	for (size_t i = 0; i < h.n; i++) {
		const struct sched_item *x = &h.v[i];

		switch (x->cert) {
		case 0:
			assert_int_equal(x->due, NOW + 86400 + 600);
			break;
		case 1:
			assert_int_equal(x->ari_due, NOW + 86400 + 7200);
			assert_int_equal(x->due, NOW + 86400 + 7200);
			break;
		case 2:
			assert_int_equal(x->ari_due, NOW + 7200);
			assert_int_equal(x->due, NOW + 7200);
			assert_int_equal(x->check, NOW + 86400 + 7200);
			break;
		default:
			assert_int_equal(x->due, NOW + 7 * 86400);
		}
	}
	/* The CA's moment, then its check, then the others. */
	assert_int_equal(h.v[0].cert, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_order, teardown),
		cmocka_unit_test_teardown(test_remove_and_fix, teardown),
		cmocka_unit_test_teardown(test_step_back, teardown),
		cmocka_unit_test_teardown(test_step_forward, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
