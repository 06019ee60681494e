#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/pace.h"
#include "util/xalloc.h"

/*
 * The share of a declared limit a lane paces at: a vendor's one-second
 * window then holds 1% fewer requests than its limit, room for 10 ms of
 * jitter (a 429 costs far more than 1%).
 */
#define PACE 0.99
/* The window the limit is kept in: as long as the limit's requests take. */
#define WINDOW (1.0 / PACE)
/*
 * A token may be spent when 80% of it has accrued: a wait ends up to a
 * millisecond late, and a bucket of one token would lose that time at
 * every request. The balance goes negative, so the average stays exact.
 */
#define TOKEN_READY 0.8
/*
 * The bucket holds two tokens: a request that went a little late (a wait
 * ends on a whole millisecond, 0.2 of the gap at 200 a second) lets the
 * next one catch up. Vendors reject bursts above their rate, but two is
 * no burst, and the window below keeps every second to the limit anyway.
 */
#define TOKEN_BURST 2.0
/*
 * After a 429 that found the limit the rate stays at what the vendor
 * accepted for this long before it probes beyond, by 0.1% a second: a
 * limit is learnt exactly from a sliding window, and every probe that
 * finds it again costs a pause.
 */
#define PROBE_AFTER 60.0

void pace_init(struct pace *p, double requests_per_second, int concurrency,
	       double now)
{
	memset(p, 0, sizeof(*p));
	p->limit = requests_per_second > 0 ? requests_per_second : 0;
	p->rate = PACE * p->limit;
	p->concurrency = concurrency < 1 ? 1 : concurrency;
	p->window = p->concurrency;
	p->tokens = 1;
	p->refilled = now;
}

void pace_release(struct pace *p)
{
	free(p->log);
	p->log = NULL;
}

static struct pace_send *entry(const struct pace *p, unsigned long ticket)
{
	return &p->log[ticket % p->cap];
}

/*
 * The latest time a send may have been counted at, on the send clock: an
 * answer slower than the fastest one says that the request may have
 * reached the vendor that much later.
 */
static double counted_by(const struct pace *p, const struct pace_send *s,
			 double now)
{
	double late = (s->answered ? s->answered : now) - s->sent;

	if (!s->answered && !p->fastest)
		return now; /* no answer yet to compare with */
	late -= p->fastest;
	return late > 0 ? s->sent + late : s->sent;
}

/* Requests the vendor's window may hold: the limit (known or learnt). */
static size_t allowance(const struct pace *p)
{
	double n = floor(p->rate / PACE + 1e-9);

	return n < 1 ? 1 : (size_t)n;
}

/*
 * When the window has room for one more: now, or the time the earliest
 * answered request leaves it (later ones are waited for, as is an
 * answer, which brings its own wake-up).
 */
static double window_ready_at(struct pace *p, double now)
{
	size_t in = 0, need = allowance(p);
	double leaves = HUGE_VAL;
	unsigned long t;

	/* sends out of every window need not be looked at again */
	while (p->first < p->next && entry(p, p->first)->answered &&
	       counted_by(p, entry(p, p->first), now) <= now - WINDOW)
		p->first++;
	for (t = p->first; t < p->next; t++) {
		const struct pace_send *s = entry(p, t);
		double at = counted_by(p, s, now);

		if (at <= now - WINDOW)
			continue;
		in++;
		if (s->answered && at + WINDOW < leaves)
			leaves = at + WINDOW;
	}
	return in < need ? now : leaves;
}

static void refill(struct pace *p, double now)
{
	/* nothing to catch up after a pause: one request, then wait */
	double most = p->paused_until > p->refilled ? 1 : TOKEN_BURST;

	if (p->rate > 0) {
		p->tokens += (now - p->refilled) * p->rate;
		if (p->tokens > most)
			p->tokens = most;
	}
	p->refilled = now;
}

double pace_ready_at(struct pace *p, double now)
{
	double at = now, w;

	refill(p, now);
	if (p->paused_until > at)
		at = p->paused_until;
	if (p->rate > 0 && p->tokens < TOKEN_READY &&
	    now + (TOKEN_READY - p->tokens) / p->rate > at)
		at = now + (TOKEN_READY - p->tokens) / p->rate;
	if (p->rate > 0 && (w = window_ready_at(p, now)) > at)
		at = w;
	return at;
}

unsigned long pace_sent(struct pace *p, double now)
{
	struct pace_send *s;

	if (p->next - p->first == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		struct pace_send *log = xmalloc(cap * sizeof(*log));
		unsigned long t;

		for (t = p->first; t < p->next; t++)
			log[t % cap] = *entry(p, t);
		free(p->log);
		p->log = log;
		p->cap = cap;
	}
	s = entry(p, p->next);
	s->sent = now;
	s->answered = 0;
	refill(p, now);
	if (p->rate > 0)
		p->tokens -= 1;
	return p->next++;
}

/* Answers other than 429 in the last second: what the vendor took. */
static double accepted(const struct pace *p, double now)
{
	unsigned i, n = p->noks < PACE_OK_RING ? p->noks : PACE_OK_RING, c = 0;

	for (i = 0; i < n; i++)
		if (now - p->oks[i] <= 1.0)
			c++;
	return (double)c;
}

/* The lowest rate back-off goes to: sporadic 429s must not stall a run. */
static double rate_floor(const struct pace *p)
{
	double cfg = PACE * p->limit;

	return cfg > 0 ? (cfg / 20 > 0.2 ? cfg / 20 : 0.2) : 1.0;
}

/*
 * Twice a second without a 429: the window grows by one, and a rate held
 * under what the vendor accepted climbs back to it, then probes beyond.
 */
static void increase(struct pace *p, double now)
{
	double target = PACE * p->ceiling, step;

	if (now - p->last_increase < 0.5 || p->ceiling == 0)
		return;
	p->last_increase = now;
	if (p->window < p->concurrency)
		p->window += 1;
	if (p->rate < target) {
		step = (target - p->rate) / 2;
		p->rate += step < 0.5 ? 0.5 : step;
		if (p->rate > target)
			p->rate = target;
	} else if (now >= p->probe_at) {
		p->rate += p->probe / 2;
	}
	if (p->limit > 0 && p->rate >= PACE * p->limit) {
		p->rate = PACE * p->limit;
		p->ceiling = 0; /* fully recovered */
	}
}

void pace_answered(struct pace *p, unsigned long ticket, double now,
		   long status)
{
	if (ticket >= p->first && ticket < p->next) {
		struct pace_send *s = entry(p, ticket);
		double took = now - s->sent;

		s->answered = now > s->sent ? now : s->sent + 1e-9;
		if (status && (!p->fastest || took < p->fastest))
			p->fastest = took > 0 ? took : 1e-6;
	}
	if (!status || status == 429)
		return;
	p->oks[p->noks++ % PACE_OK_RING] = now;
	if (status < 500)
		increase(p, now);
}

/* Requests sent in the last second. */
static size_t sent_within(const struct pace *p, double now)
{
	unsigned long t;
	size_t n = 0;

	for (t = p->first; t < p->next; t++)
		n += entry(p, t)->sent > now - 1.0;
	return n;
}

bool pace_limited(struct pace *p, double now)
{
	double took, sent;

	/*
	 * One decrease per two seconds: a burst of 429s is one signal, and
	 * the new rate needs time to show whether it is enough.
	 */
	if (p->last_decrease && now - p->last_decrease < 2.0)
		return false;
	took = accepted(p, now);
	sent = (double)sent_within(p, now);
	p->last_decrease = now;
	p->last_increase = now;
	if (p->rate > 0 && sent <= took + (took / 10 > 2 ? took / 10 : 2)) {
		/*
		 * The vendor took about all that was sent: this 429 did not
		 * find the limit (another client's share, a window that an
		 * earlier run left full). Once is only waited out; again
		 * within ten seconds, the rate goes a tenth lower for a while.
		 */
		bool again = p->last_stray && now - p->last_stray < 10.0;

		p->last_stray = now;
		if (!again)
			return false;
		p->ceiling = 0.9 * p->rate / PACE;
		p->probe_at = now + 5;
		p->probe = 0.01 * p->ceiling;
	} else {
		/*
		 * The ceiling is what the vendor accepted in the last second,
		 * not what was sent (much of which it refused). It falls with
		 * each signal, but never below half of itself at once.
		 */
		if (p->rate > 0 && p->rate / PACE < took)
			took = p->rate / PACE;
		p->ceiling = took > p->ceiling / 2 ? took : p->ceiling / 2;
		p->probe_at = now + PROBE_AFTER;
		p->probe = 0.001 * p->ceiling;
		p->window = p->window / 2 < 1 ? 1 : p->window / 2;
	}
	if (p->ceiling < 1)
		p->ceiling = 1;
	p->rate = PACE * p->ceiling;
	if (p->rate < rate_floor(p))
		p->rate = rate_floor(p);
	if (p->tokens > 1)
		p->tokens = 1;
	return true;
}

void pace_pause(struct pace *p, double until)
{
	if (until > p->paused_until)
		p->paused_until = until;
}

/*
 * The lane's requests in the vendor's last second, on the send clock: a
 * request answered now was counted about the fastest answer time ago.
 */
static size_t own_in_window(const struct pace *p, double now)
{
	double end = now - p->fastest;
	unsigned long t;
	size_t n = 0;

	for (t = p->first; t < p->next; t++) {
		double at = counted_by(p, entry(p, t), now);

		n += at > end - 1.0 && at <= end;
	}
	return n;
}

void pace_vendor_full(struct pace *p, double now, long limit, double reset)
{
	/*
	 * Only a window the lane's own pacing keeps to says nothing new: a
	 * reset further away than that window is a longer one (a quota per
	 * minute or hour), full whatever the lane's last second held.
	 */
	if (reset - now <= WINDOW && p->rate > 0 && p->fastest && limit > 0 &&
	    allowance(p) <= (size_t)limit &&
	    own_in_window(p, now) >= (size_t)limit)
		return;
	pace_pause(p, reset);
}
