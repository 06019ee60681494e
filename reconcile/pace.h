/*
 * pace: how fast one tenant's requests may go; the rate control of an
 * engine lane, without I/O and without a clock of its own (the engine
 * passes the time in), so that tests can run it on simulated time.
 *
 * Vendors count requests in a window of one second (a sliding window, or
 * a token bucket that holds a second's worth). Three rules keep a lane
 * within that, and the rule that allows a request last decides:
 *
 * - a token bucket spaces requests evenly at the pacing rate: 99% of a
 *   declared requests_per_second, so that a vendor's one-second windows
 *   hold fewer requests than its limit even when they jitter by 10 ms;
 * - a window keeps every 1/0.99 s to the limit by when each request may
 *   have been counted: its send time, or later for a request whose answer
 *   took longer than the lane's fastest one (the first request on a new
 *   connection pays the handshake, a slow server answers late): at the
 *   latest, its answer time less that fastest time. A request still in
 *   flight may be counted at any moment;
 * - after a 429 that refused a good share of the last second's requests,
 *   the rate falls to what the vendor accepted in that second (its limit,
 *   when it counts in a sliding window) and the window of requests in
 *   flight halves: a limit that was never declared is learnt this way,
 *   and probed beyond only a minute later. A 429 while the vendor took
 *   about all that was sent (another client's share, a window that an
 *   earlier run left full) is only waited out; a second one within ten
 *   seconds lowers the rate by a tenth, for a while.
 *   Pauses (Retry-After, an exhausted X-RateLimit-Remaining) hold the lane.
 *
 * A struct pace is embedded by value: pace_init, pace_release.
 */
#ifndef USERPRUNE_PACE_H
#define USERPRUNE_PACE_H

#include <stdbool.h>
#include <stddef.h>

/* Answers other than 429 in the last second are counted from these. */
#define PACE_OK_RING 512

/* A request sent: when, and when answered (0: in flight). */
struct pace_send {
	double sent, answered;
};

struct pace {
	double limit;	 /* requests_per_second declared; 0: unknown */
	double rate;	 /* pacing rate now; 0: none */
	double ceiling;	 /* what the vendor accepted at the last 429 */
	double probe_at; /* when the rate may go beyond the ceiling */
	double probe;	 /* by how much a second, then */
	int concurrency; /* declared requests in flight */
	double window;	 /* requests in flight allowed now */
	double tokens, refilled;
	double paused_until;
	double last_decrease, last_increase;
	double last_stray; /* a 429 that did not find the limit */
	double oks[PACE_OK_RING];
	unsigned noks;
	double fastest; /* shortest time to an answer; 0: none yet */
	/* sends that may still count in a window: tickets [first, next) */
	struct pace_send *log;
	size_t cap;
	unsigned long first, next;
};

void pace_init(struct pace *p, double requests_per_second, int concurrency,
	       double now);
void pace_release(struct pace *p);

/*
 * When the next request may go as far as the rate and pauses go: now or
 * earlier when it may go at once. Requests in flight are the caller's
 * to compare with p->window.
 */
double pace_ready_at(struct pace *p, double now);
/* A request was sent now: returns its ticket for pace_answered. */
unsigned long pace_sent(struct pace *p, double now);
/*
 * The request of ticket was answered now: ok for any answer other than
 * 429 (status 0 for no answer: it says nothing about the vendor's time).
 */
void pace_answered(struct pace *p, unsigned long ticket, double now,
		   long status);
/*
 * A 429: returns true when it lowered the rate (one signal per two
 * seconds; the 429s of a burst are one).
 */
bool pace_limited(struct pace *p, double now);
/* Holds the lane until until (a Retry-After, a reset). */
void pace_pause(struct pace *p, double until);
/*
 * The vendor says that its window of limit requests (X-RateLimit-Limit,
 * 0: not said) is full until reset (X-RateLimit-Remaining 0): the lane
 * waits for the reset, unless its own requests fill that window and its
 * pacing keeps to that limit, which then says nothing new (a reset at most
 * a window of one second away: a later one is a longer window).
 */
void pace_vendor_full(struct pace *p, double now, long limit, double reset);

#endif
