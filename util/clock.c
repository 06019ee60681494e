#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"

double clock_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double clock_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * An ISO 8601 UTC time with or without seconds and their fraction, as
 * epoch seconds into *when; -1 when s is not one.
 */
static int parse_iso(const char *s, double *when)
{
	struct tm tm;
	double frac = 0;
	char *end;
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &n) != 5 ||
	    n <= 0)
		return -1;
	s += n;
	if (*s == ':') {
		tm.tm_sec = (int)strtol(s + 1, &end, 10);
		if (end == s + 1)
			return -1;
		s = end;
		if (*s == '.') {
			frac = strtod(s, &end);
			s = end;
		}
	}
	if (*s && strcmp(s, "Z") && strcmp(s, "+00:00"))
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*when = (double)timegm(&tm) + frac;
	return 0;
}

double clock_from_iso(const char *s)
{
	double when;

	return s && parse_iso(s, &when) == 0 ? when : -1;
}

double clock_reset_in(const char *s, double now_real)
{
	double when;
	char *end;

	if (parse_iso(s, &when) == 0) {
		when -= now_real;
		return when > 0 ? when : 0;
	}
	when = strtod(s, &end);
	if (end == s || *end || !(when >= 0))
		return -1;
	if (when > 1000000000.0) {
		when -= now_real;
		return when > 0 ? when : 0;
	}
	return when;
}
