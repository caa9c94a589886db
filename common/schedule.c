/*
 * Digest slots as calendar arithmetic on local dates; only the step from a
 * local date's 10:00 to UTC and back goes through the tz database.
 */
#include <string.h>
#include <time.h>

#include "schedule.h"
#include "tz.h"

/* Enough days to pass from any date to the next first Monday of a month. */
#define SCHEDULE_SEARCH_DAYS	40

int
schedule_freq_parse(const char *s, enum schedule_freq *out)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "daily") == 0)
		*out = SCHEDULE_DAILY;
	else if (strcmp(s, "weekly") == 0)
		*out = SCHEDULE_WEEKLY;
	else if (strcmp(s, "monthly") == 0)
		*out = SCHEDULE_MONTHLY;
	else
		return -1;
	return 0;
}

const char *
schedule_freq_name(enum schedule_freq f)
{
	switch (f) {
	case SCHEDULE_DAILY:
		return "daily";
	case SCHEDULE_WEEKLY:
		return "weekly";
	case SCHEDULE_MONTHLY:
		return "monthly";
	}
	return NULL;
}

/* ISO weekday of a day number: Monday 1 to Sunday 7 (1970-01-01 was a 4). */
static int
schedule_weekday(int64_t days)
{
	return (int)(((days % 7) + 7 + 3) % 7) + 1;
}

/* 1 when the local date `days` has a slot at f, 0 when not, -1 for bad f. */
static int
schedule_day_has_slot(enum schedule_freq f, int64_t days)
{
	int	 wd = schedule_weekday(days), y, m, d;

	switch (f) {
	case SCHEDULE_DAILY:
		return wd <= 5;
	case SCHEDULE_WEEKLY:
		return wd == 1;
	case SCHEDULE_MONTHLY:
		tz_date_from_days(days, &y, &m, &d);
		return wd == 1 && d <= 7;
	}
	return -1;
}

/* The 10:00 of local date `days` in UTC. */
static int
schedule_slot_of_day(const char *zone, int64_t days, int64_t *slot)
{
	int	 y, m, d;

	tz_date_from_days(days, &y, &m, &d);
	return tz_utc(zone, y, m, d, SCHEDULE_HOUR, SCHEDULE_MINUTE, slot);
}

/* The local date of t as a day number. */
static int
schedule_local_day(const char *zone, int64_t t, int64_t *days)
{
	struct tm	 tm;

	/* Years 1 to 9999 only: past them tm_year + 1900 can overflow. */
	if (t < -62135596800LL || t > 253402300799LL ||
	    tz_local(zone, t, &tm) == -1)
		return -1;
	*days = tz_days_from_date(tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
	return 0;
}

int
schedule_next_slot(const char *zone, enum schedule_freq f, int64_t after,
    int64_t *slot)
{
	int64_t	 day, s;
	int	 i, has;

	if (schedule_local_day(zone, after, &day) == -1)
		return -1;
	/*
	 * From the local date of `after` itself: its 10:00 may still be
	 * ahead. No earlier date can hold a slot after it.
	 */
	for (i = 0; i < SCHEDULE_SEARCH_DAYS; i++, day++) {
		if ((has = schedule_day_has_slot(f, day)) == -1)
			return -1;
		if (!has)
			continue;
		if (schedule_slot_of_day(zone, day, &s) == -1)
			return -1;
		if (s > after) {
			*slot = s;
			return 0;
		}
	}
	return -1;
}

int
schedule_start(const char *zone, int64_t set_at, int64_t *start)
{
	return schedule_next_slot(zone, SCHEDULE_WEEKLY, set_at, start);
}

int
schedule_first_slot(const char *zone, enum schedule_freq f, int64_t start,
    int64_t *slot)
{
	/*
	 * The first slot strictly after one second before start. A start
	 * from schedule_start() is a Monday 10:00, so a daily and a weekly
	 * slot: the start itself for those, and for monthly the first
	 * first-Monday from it on.
	 */
	return schedule_next_slot(zone, f, start - 1, slot);
}

int
schedule_current_slot(const char *zone, enum schedule_freq f, int64_t now,
    int64_t *slot)
{
	int64_t	 day, first, s;
	int	 y, m, d;

	if (schedule_local_day(zone, now, &day) == -1)
		return -1;
	switch (f) {
	case SCHEDULE_DAILY:
		if (schedule_weekday(day) > 5)
			return 1;
		break;
	case SCHEDULE_WEEKLY:
		/* The Monday of the ISO week. */
		day -= schedule_weekday(day) - 1;
		break;
	case SCHEDULE_MONTHLY:
		tz_date_from_days(day, &y, &m, &d);
		first = tz_days_from_date(y, m, 1);
		day = first + (8 - schedule_weekday(first)) % 7;
		break;
	default:
		return -1;
	}
	if (schedule_slot_of_day(zone, day, &s) == -1)
		return -1;
	if (s > now)
		return 1;
	*slot = s;
	return 0;
}

int
schedule_period(const char *zone, enum schedule_freq f, int64_t slot,
    char *out, size_t outlen)
{
	struct tm	 tm;
	const char	*fmt;

	switch (f) {
	case SCHEDULE_DAILY:
		fmt = "%Y-%m-%d";
		break;
	case SCHEDULE_WEEKLY:
		/* %G is the ISO week-based year that goes with %V. */
		fmt = "%G-W%V";
		break;
	case SCHEDULE_MONTHLY:
		fmt = "%Y-%m";
		break;
	default:
		return -1;
	}
	if (tz_local(zone, slot, &tm) == -1)
		return -1;
	/* None of the keys is empty, so 0 can only mean it did not fit. */
	if (strftime(out, outlen, fmt, &tm) == 0)
		return -1;
	return 0;
}
