/*
 * A lane's rate control (reconcile/pace.c) against a simulated vendor
 * that counts requests in a sliding window of one second, on simulated
 * time: whether a one-second window ever holds more than the limit, and
 * what share of the limit a lane gets, do not depend on the machine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/testutil.h"

#include "reconcile/pace.h"

#define STEP	 0.0005 /* seconds a simulation step */
#define MAX_REQS 20000
#define MAX_CONN 64

struct req {
	unsigned long ticket;
	double count_at, answer_at;
	int conn;
	long status; /* 0 until counted */
};

struct sim {
	/* the vendor */
	double limit;	       /* requests in any window (t - 1, t] */
	double latency;	       /* a round trip */
	double handshake;      /* more for a request on a new connection */
	bool count_on_arrival; /* else when it answers (the emulator) */
	double retry_after;
	/* the lane */
	struct pace pace;
	double now;
	size_t queued; /* requests still to send */
	struct req reqs[MAX_REQS];
	size_t nreqs;
	double idle_at[MAX_CONN]; /* < 0: busy */
	int nconn, inflight;
	/* what the vendor saw */
	double admitted[MAX_REQS];
	size_t nadmitted, limited;
};

static void sim_init(struct sim *s, double declared, int concurrency,
		     double limit, size_t requests)
{
	memset(s, 0, sizeof(*s));
	s->limit = limit;
	s->latency = 0.05;
	s->handshake = 0.05;
	s->retry_after = 1.0;
	s->queued = requests;
	pace_init(&s->pace, declared, concurrency, 0);
}

static bool window_full(const struct sim *s, double at)
{
	size_t i, in = 0;

	for (i = s->nadmitted; i-- > 0 && s->admitted[i] > at - 1.0;)
		in++;
	return (double)in >= s->limit;
}

static void send_one(struct sim *s)
{
	struct req *r = &s->reqs[s->nreqs++];
	double delay = s->latency;
	int c;

	assert_true(s->nreqs < MAX_REQS);
	for (c = 0; c < s->nconn && s->idle_at[c] < 0; c++)
		;
	if (c == s->nconn) {
		assert_true(s->nconn < MAX_CONN);
		s->nconn++;
		delay += s->handshake;
	}
	s->idle_at[c] = -1;
	r->conn = c;
	r->ticket = pace_sent(&s->pace, s->now);
	r->answer_at = s->now + delay;
	r->count_at = s->count_on_arrival ? r->answer_at - s->latency / 2
					  : r->answer_at - 0.0001;
	s->queued--;
	s->inflight++;
}

/* The vendor counts what arrived by now, in the order it arrived. */
static void vendor_counts(struct sim *s)
{
	for (;;) {
		struct req *first = NULL;
		size_t i;

		for (i = 0; i < s->nreqs; i++)
			if (!s->reqs[i].status &&
			    s->reqs[i].count_at <= s->now &&
			    (!first || s->reqs[i].count_at < first->count_at))
				first = &s->reqs[i];
		if (!first)
			return;
		if (window_full(s, first->count_at)) {
			first->status = 429;
			s->limited++;
		} else {
			first->status = 204;
			s->admitted[s->nadmitted++] = first->count_at;
		}
	}
}

static void lane_reads_answers(struct sim *s)
{
	size_t i;

	for (i = 0; i < s->nreqs; i++) {
		struct req *r = &s->reqs[i];

		if (!r->status || r->answer_at > s->now || r->answer_at < 0)
			continue;
		pace_answered(&s->pace, r->ticket, s->now, r->status);
		if (r->status == 429) {
			pace_limited(&s->pace, s->now);
			pace_pause(&s->pace, s->now + s->retry_after);
			s->queued++; /* retried */
		}
		s->idle_at[r->conn] = s->now;
		r->answer_at = -1;
		s->inflight--;
	}
}

static void run(struct sim *s, double seconds)
{
	double end = s->now + seconds;

	for (; s->now < end; s->now += STEP) {
		vendor_counts(s);
		lane_reads_answers(s);
		while (s->queued && s->inflight < (int)s->pace.window &&
		       pace_ready_at(&s->pace, s->now) <= s->now)
			send_one(s);
	}
}

/* Requests the vendor admitted in [from, to), a second's worth. */
static double admitted_rate(const struct sim *s, double from, double to)
{
	size_t i, n = 0;

	for (i = 0; i < s->nadmitted; i++)
		n += s->admitted[i] >= from && s->admitted[i] < to;
	return (double)n / (to - from);
}

static void test_declared_limit_holds_every_window(void **state)
{
	static const double limits[] = { 5, 20, 200 };
	struct sim *s = malloc(sizeof(*s));
	size_t i;
	int arrival;

	(void)state;
	/*
	 * Every request on a new connection reaches the vendor a handshake
	 * later than the ones after it on connections already open: counted
	 * in the window of its send time, the first second would hold more
	 * than the limit.
	 */
	for (arrival = 0; arrival < 2; arrival++) {
		for (i = 0; i < sizeof(limits) / sizeof(*limits); i++) {
			sim_init(s, limits[i], 16, limits[i], MAX_REQS - 100);
			s->count_on_arrival = arrival;
			run(s, 10);
			assert_int_equal(s->limited, 0);
			assert_true(admitted_rate(s, 1, 9) >= 0.98 * limits[i]);
			pace_release(&s->pace);
		}
	}
	free(s);
}

static void test_unknown_limit_is_learnt(void **state)
{
	struct sim *s = malloc(sizeof(*s));
	size_t early;

	(void)state;
	/* nothing declared, 100 a second enforced, 32 in flight allowed */
	sim_init(s, 0, 32, 100, MAX_REQS - 100);
	run(s, 5);
	early = s->limited;
	assert_true(early > 0);
	/* the first second's 429s taught the limit: no more after them */
	assert_true(early < 60);
	assert_true(s->pace.rate >= 0.95 * 100 && s->pace.rate <= 100);
	run(s, 25);
	assert_int_equal(s->limited, early);
	assert_true(admitted_rate(s, 5, 30) >= 0.97 * 100);
	pace_release(&s->pace);
	free(s);
}

static void test_a_stray_429_is_waited_out(void **state)
{
	struct pace p;
	unsigned long t;
	double now = 100;
	int i;

	(void)state;
	pace_init(&p, 20, 4, now);
	/* a second of requests at the rate, all taken */
	for (i = 0; i < 20; i++, now += 0.05) {
		t = pace_sent(&p, now);
		pace_answered(&p, t, now + 0.01, 204);
	}
	/* then a 429 although the vendor took them all: another client */
	t = pace_sent(&p, now);
	pace_answered(&p, t, now, 429);
	assert_false(pace_limited(&p, now));
	assert_true(p.rate == 0.99 * 20);
	assert_true(p.window == 4);
	/* again a few seconds later: a tenth lower */
	now += 3;
	for (i = 0; i < 20; i++, now += 0.05) {
		t = pace_sent(&p, now);
		pace_answered(&p, t, now + 0.01, 204);
	}
	assert_true(pace_limited(&p, now));
	assert_true(fabs(p.rate - 0.9 * 0.99 * 20) < 1e-9);
	pace_release(&p);
}

static void test_a_refusing_vendor_sets_the_rate(void **state)
{
	struct pace p;
	unsigned long t;
	double now = 100;
	int i;

	(void)state;
	/* declared 100 a second, but the vendor takes 10 of 30 sent */
	pace_init(&p, 100, 4, now);
	for (i = 0; i < 30; i++, now += 0.01) {
		t = pace_sent(&p, now);
		pace_answered(&p, t, now + 0.005, i < 10 ? 204 : 429);
	}
	assert_true(pace_limited(&p, now));
	assert_true(fabs(p.rate - 0.99 * 10) < 1e-9);
	assert_true(p.window == 2);
	/* a second 429 of the same burst is no new signal */
	assert_false(pace_limited(&p, now + 0.5));
	pace_release(&p);
}

static void test_a_full_vendor_window(void **state)
{
	struct pace p;
	unsigned long t;
	double now = 100, start;
	int i;

	(void)state;
	/* the lane's own requests fill the window the vendor counts */
	pace_init(&p, 10, 4, now);
	for (i = 0; i < 10; i++, now += 0.101) {
		t = pace_sent(&p, now);
		pace_answered(&p, t, now + 0.05, 204);
	}
	start = now;
	pace_vendor_full(&p, now - 0.051, 10, now + 0.5);
	assert_true(p.paused_until == 0);
	/* a vendor limit below the lane's: the lane waits for the reset */
	pace_vendor_full(&p, now - 0.051, 8, now + 0.5);
	assert_true(p.paused_until == start + 0.5);
	assert_true(pace_ready_at(&p, now) >= start + 0.5);
	pace_release(&p);
	/* not paced, or a window of other clients' requests: it waits */
	pace_init(&p, 10, 4, now);
	t = pace_sent(&p, now);
	pace_answered(&p, t, now + 0.05, 204);
	pace_vendor_full(&p, now + 0.05, 10, now + 0.7);
	assert_true(p.paused_until == now + 0.7);
	pace_release(&p);
}

static void test_a_long_vendor_window_is_waited_for(void **state)
{
	struct pace p;
	unsigned long t;
	double now = 100, start;
	int i;

	(void)state;
	/*
	 * The lane sent the vendor's limit in its last second, but the
	 * vendor counts in a window of minutes (UiPath: per 5 minutes):
	 * a reset that far away is no one-second window the lane's pacing
	 * keeps to, and every request before it would be refused.
	 */
	pace_init(&p, 10, 4, now);
	for (i = 0; i < 10; i++, now += 0.101) {
		t = pace_sent(&p, now);
		pace_answered(&p, t, now + 0.05, 204);
	}
	start = now;
	pace_vendor_full(&p, now - 0.051, 10, start + 300);
	assert_true(p.paused_until == start + 300);
	assert_true(pace_ready_at(&p, now) >= start + 300);
	pace_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_declared_limit_holds_every_window),
		cmocka_unit_test(test_unknown_limit_is_learnt),
		cmocka_unit_test(test_a_stray_429_is_waited_out),
		cmocka_unit_test(test_a_refusing_vendor_sets_the_rate),
		cmocka_unit_test(test_a_full_vendor_window),
		cmocka_unit_test(test_a_long_vendor_window_is_waited_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
