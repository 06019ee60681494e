/*
 * clock: the monotonic clock, in seconds, for timeouts, pacing, token
 * expiry and fsync intervals (never for times shown to people).
 */
#ifndef USERPRUNE_CLOCK_H
#define USERPRUNE_CLOCK_H

double clock_mono(void);

#endif
