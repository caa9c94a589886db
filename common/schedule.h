/*
 * When digests are due: slots at 10:00 wall-clock time in the firm's zone,
 * and the period (day, ISO week, month) each slot belongs to. Pure: no
 * database and no clock; "now" is always an argument. The worker writes
 * digests by it and the API answers next_delivery_at with it.
 */
#ifndef COMMON_SCHEDULE_H
#define COMMON_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

/* Local hour and minute of every slot. */
#define SCHEDULE_HOUR		10
#define SCHEDULE_MINUTE		0

/* Longest period key plus NUL: "2026-03-30", "2026-W14", "2026-04". */
#define SCHEDULE_PERIOD_MAX	16

/*
 * daily: every Monday to Friday at 10:00; weekly: every Monday at 10:00;
 * monthly: the first Monday of each month at 10:00.
 */
enum schedule_freq {
	SCHEDULE_DAILY,
	SCHEDULE_WEEKLY,
	SCHEDULE_MONTHLY
};

/* "daily", "weekly" or "monthly". 0, or -1 for anything else. */
int	schedule_freq_parse(const char *, enum schedule_freq *);
/* The name schedule_freq_parse() reads, or NULL for a value not in the enum. */
const char	*schedule_freq_name(enum schedule_freq);

/*
 * All times are UTC seconds; zone is an IANA name (tz_valid()). Every
 * function returns -1 for an invalid zone or frequency.
 */

/* A subscription set at set_at starts at the first Monday 10:00 after it. */
int	schedule_start(const char *zone, int64_t set_at, int64_t *start);

/* The first slot strictly after `after`. 0 or -1. */
int	schedule_next_slot(const char *zone, enum schedule_freq,
	    int64_t after, int64_t *slot);

/*
 * The first slot at or after start. From a start schedule_start() gave,
 * the first delivery of that subscription: the start itself for daily and
 * weekly, the first first-Monday-of-a-month from it for monthly.
 */
int	schedule_first_slot(const char *zone, enum schedule_freq,
	    int64_t start, int64_t *slot);

/*
 * The slot of the period now is in (its local date, ISO week or month) if
 * that slot has come (slot <= now): 0 with *slot. 1 when it has not come
 * yet or the period has none (daily on Saturday and Sunday), -1 on error.
 * A worker that was down at 10:00 sends this period when it is back, and
 * never an earlier one.
 */
int	schedule_current_slot(const char *zone, enum schedule_freq,
	    int64_t now, int64_t *slot);

/*
 * The key of the period that holds the instant slot, in local time:
 * daily "2026-03-30", weekly the ISO 8601 week "2026-W14" (week-based year,
 * so 2027-01-01 is "2026-W53"), monthly "2026-04". 0, or -1 when out is
 * too small (SCHEDULE_PERIOD_MAX is enough).
 */
int	schedule_period(const char *zone, enum schedule_freq, int64_t slot,
	    char *out, size_t outlen);

#endif
