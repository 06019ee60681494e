/*
 * Day numbers from civil dates and back, after Howard Hinnant's
 * days_from_civil and civil_from_days (public domain): exact for every
 * Gregorian date, with no time zone and no table.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/date.h"

static long days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, long *m, long *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *s, size_t n, long *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (s[i] - '0');
	}
	return true;
}

bool date_parse(const char *s, long *day)
{
	long y, m, d, yy, mm, dd;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    !digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
		return false;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	*day = days_from_civil(y, m, d);
	/* 2026-02-30 is not a day: it would come back as March 2nd */
	civil_from_days(*day, &yy, &mm, &dd);
	return yy == y && mm == m && dd == d;
}

void date_format(long day, char out[DATE_LEN])
{
	char buf[64];
	long y, m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(buf, sizeof(buf), "%04ld-%02ld-%02ld", y, m, d);
	snprintf(out, DATE_LEN, "%.10s", buf);
}

long date_today(void)
{
	time_t now = time(NULL);

	/* whole days since the epoch are UTC dates: no leap seconds in it */
	return (long)(now / 86400);
}
