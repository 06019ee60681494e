/*
 * clock: the monotonic clock, in seconds, for timeouts, pacing, token
 * expiry and fsync intervals (never for times shown to people); the wall
 * clock for times servers give.
 */
#ifndef USERPRUNE_CLOCK_H
#define USERPRUNE_CLOCK_H

double clock_mono(void);
/* The wall clock (seconds since the epoch, to the microsecond). */
double clock_real(void);
/*
 * Seconds from now (the wall clock's now_real) to a rate-limit reset as
 * servers write it: an ISO 8601 UTC time with or without seconds and
 * their fraction ("2026-01-01T01:01Z", "2026-01-01T01:01:01.250Z"),
 * epoch seconds, or seconds from now. 0 when it has passed; -1 when s is
 * none of these.
 */
double clock_reset_in(const char *s, double now_real);
/*
 * An ISO 8601 UTC time as above ("2026-11-22T17:38:00Z", journals'
 * "...:00.250Z") in seconds since the epoch; -1 when s (or NULL) is not
 * one.
 */
double clock_from_iso(const char *s);

#endif
