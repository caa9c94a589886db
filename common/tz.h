/*
 * Wall-clock time in an IANA zone, read from the system's tz database
 * (/usr/share/zoneinfo), and the calendar arithmetic that goes with it.
 */
#ifndef COMMON_TZ_H
#define COMMON_TZ_H

#include <stdint.h>
#include <time.h>

/* Longest zone name accepted; the longest IANA name is 32 bytes. */
#define TZ_ZONE_MAX	64

/*
 * Nonzero when zone names a readable tz database file: a name of
 * [A-Za-z0-9_+-/] without "..", a leading '/' or an empty part, that is a
 * regular file starting with the TZif magic. "Europe" (a directory) and
 * "zone.tab" are refused.
 */
int	tz_valid(const char *zone);

/*
 * The conversions below hold one process-wide lock, point TZ at the zone,
 * convert, and put TZ back as it was, so they are safe from any thread.
 * Other code must not change TZ, and should not call localtime() or
 * mktime() itself while other threads may be in here: both read the
 * process's single time-zone state.
 */

/* UTC seconds to local broken-down time in zone. 0, or -1. */
int	tz_local(const char *zone, int64_t utc, struct tm *out);

/*
 * Local wall time (mon 1-12, seconds 0) in zone to UTC seconds. A time the
 * clocks show twice (autumn) gives the first of the two; a time they skip
 * (spring) is moved forward by the length of the gap, as RFC 5545 does:
 * 02:30 on the day of a one-hour jump is 03:30 in the new offset.
 * 0, or -1 for an invalid zone or date.
 */
int	tz_utc(const char *zone, int year, int mon, int mday, int hour,
	    int min, int64_t *out);

/*
 * The calendar month of UTC seconds in zone, as year * 100 + month
 * (202612), or -1 for an invalid zone or time: the month an expense
 * counts in, in its firm's overview.
 */
int	tz_month(const char *zone, int64_t utc);
/*
 * The month n months after yyyymm (n may be negative): 202601 and -1
 * give 202512.
 */
int	tz_month_add(int yyyymm, int n);

/* Days since 1970-01-01 of a proleptic Gregorian date (mon 1-12). */
int64_t	tz_days_from_date(int year, int mon, int mday);
/* The date of a day number made by tz_days_from_date. */
void	tz_date_from_days(int64_t days, int *year, int *mon, int *mday);
/* Days in a month (mon 1-12), or 0 when mon is out of range. */
int	tz_month_days(int year, int mon);

#endif
