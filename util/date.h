/*
 * date: calendar dates (YYYY-MM-DD, UTC) as day numbers.
 *
 * Approvals (DESIGN §1.4) expire on a date and may be at most a month
 * ahead: a day number (days since 1970-01-01, proleptic Gregorian) makes
 * both a comparison. Only the wall clock's date is read here, never a
 * time zone: every date userprune writes or reads is UTC.
 */
#ifndef USERPRUNE_DATE_H
#define USERPRUNE_DATE_H

#include <stdbool.h>

/* "YYYY-MM-DD" and its NUL */
#define DATE_LEN 11

/*
 * Parses exactly "YYYY-MM-DD" (years 1970 to 9999, a day that exists)
 * into a day number. Returns false for anything else.
 */
bool date_parse(const char *s, long *day);
/* Writes the day's "YYYY-MM-DD" into out. */
void date_format(long day, char out[DATE_LEN]);
/* Today's day number (UTC). */
long date_today(void);

#endif
