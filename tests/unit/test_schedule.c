/*
 * Unit tests for common/schedule.h: digest slots at 10:00 local time across
 * weekdays, month and year ends, daylight-saving changes and zones. Every
 * expected UTC time was checked with GNU date against the system tzdata.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../common/schedule.h"

#define CPH	"Europe/Copenhagen"
#define NYC	"America/New_York"
#define TYO	"Asia/Tokyo"
#define SYD	"Australia/Sydney"

#define D	SCHEDULE_DAILY
#define W	SCHEDULE_WEEKLY
#define M	SCHEDULE_MONTHLY

#define NROWS(a)	(sizeof(a) / sizeof((a)[0]))

/* A time, its expected answer, and what the row is about. */
struct row {
	const char		*zone;
	enum schedule_freq	 freq;
	const char		*at;	/* UTC, "2026-03-30T08:00:00Z" */
	const char		*want;	/* UTC, or a period key, or NULL */
	const char		*what;
};

/* "YYYY-MM-DDTHH:MM:SSZ" to UTC seconds; a malformed one fails the test. */
static int64_t
utc(const char *s)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		fail_msg("bad time in test: %s", s);
	return (int64_t)timegm(&tm);
}

static const char *
fmt(int64_t t, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	assert_non_null(gmtime_r(&tt, &tm));
	assert_int_not_equal(strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm),
	    0);
	return buf;
}

static void
check_time(const struct row *r, const char *fn, int rc, int64_t got)
{
	char	 buf[32];

	if (rc != 0)
		fail_msg("%s %s %s at %s (%s): returned %d", fn, r->zone,
		    schedule_freq_name(r->freq), r->at, r->what, rc);
	fmt(got, buf, sizeof(buf));
	if (strcmp(buf, r->want) != 0)
		fail_msg("%s %s %s at %s (%s): %s, want %s", fn, r->zone,
		    schedule_freq_name(r->freq), r->at, r->what, buf,
		    r->want);
}

static void
run_next(const struct row *rows, size_t n)
{
	int64_t	 slot = 0;
	size_t	 i;
	int	 rc;

	for (i = 0; i < n; i++) {
		rc = schedule_next_slot(rows[i].zone, rows[i].freq,
		    utc(rows[i].at), &slot);
		check_time(&rows[i], "next_slot", rc, slot);
	}
}

static void
run_start(const struct row *rows, size_t n)
{
	int64_t	 slot = 0;
	size_t	 i;
	int	 rc;

	for (i = 0; i < n; i++) {
		rc = schedule_start(rows[i].zone, utc(rows[i].at), &slot);
		check_time(&rows[i], "start", rc, slot);
	}
}

static void
run_first(const struct row *rows, size_t n)
{
	int64_t	 slot = 0, start;
	size_t	 i;
	int	 rc;

	/* The API's way: the first slot from the start it stored. */
	for (i = 0; i < n; i++) {
		rc = schedule_start(rows[i].zone, utc(rows[i].at), &start);
		if (rc == 0)
			rc = schedule_first_slot(rows[i].zone, rows[i].freq,
			    start, &slot);
		check_time(&rows[i], "first_delivery", rc, slot);
	}
}

/* want NULL: the period has no slot yet, or none at all (1). */
static void
run_current(const struct row *rows, size_t n)
{
	int64_t	 slot = 0;
	size_t	 i;
	int	 rc;

	for (i = 0; i < n; i++) {
		rc = schedule_current_slot(rows[i].zone, rows[i].freq,
		    utc(rows[i].at), &slot);
		if (rows[i].want == NULL) {
			if (rc != 1)
				fail_msg("current_slot %s %s at %s (%s): "
				    "returned %d, want 1", rows[i].zone,
				    schedule_freq_name(rows[i].freq),
				    rows[i].at, rows[i].what, rc);
			continue;
		}
		check_time(&rows[i], "current_slot", rc, slot);
	}
}

static void
run_period(const struct row *rows, size_t n)
{
	char	 key[SCHEDULE_PERIOD_MAX];
	size_t	 i;
	int	 rc;

	for (i = 0; i < n; i++) {
		rc = schedule_period(rows[i].zone, rows[i].freq,
		    utc(rows[i].at), key, sizeof(key));
		if (rc != 0 || strcmp(key, rows[i].want) != 0)
			fail_msg("period %s %s at %s (%s): %d \"%s\", want "
			    "\"%s\"", rows[i].zone,
			    schedule_freq_name(rows[i].freq), rows[i].at,
			    rows[i].what, rc, rc == 0 ? key : "",
			    rows[i].want);
	}
}

static void
test_freq_parse_and_name(void **state)
{
	enum schedule_freq	 f = M;

	(void)state;
	assert_int_equal(schedule_freq_parse("daily", &f), 0);
	assert_int_equal(f, SCHEDULE_DAILY);
	assert_int_equal(schedule_freq_parse("weekly", &f), 0);
	assert_int_equal(f, SCHEDULE_WEEKLY);
	assert_int_equal(schedule_freq_parse("monthly", &f), 0);
	assert_int_equal(f, SCHEDULE_MONTHLY);
	f = W;
	assert_int_equal(schedule_freq_parse("Daily", &f), -1);
	assert_int_equal(schedule_freq_parse("yearly", &f), -1);
	assert_int_equal(schedule_freq_parse("", &f), -1);
	assert_int_equal(schedule_freq_parse("daily ", &f), -1);
	assert_int_equal(schedule_freq_parse(NULL, &f), -1);
	assert_int_equal(f, SCHEDULE_WEEKLY);	/* untouched on failure */

	assert_string_equal(schedule_freq_name(D), "daily");
	assert_string_equal(schedule_freq_name(W), "weekly");
	assert_string_equal(schedule_freq_name(M), "monthly");
	assert_null(schedule_freq_name((enum schedule_freq)7));
}

/* Winter week 2026-03-02 (Mon) to 03-08 (Sun); CET is UTC+1. */
static void
test_start_each_weekday(void **state)
{
	static const struct row	 rows[] = {
		{ CPH, W, "2026-03-01T23:00:00Z", "2026-03-02T09:00:00Z",
		    "Mon 00:00 local, still Sunday in UTC" },
		{ CPH, W, "2026-03-02T08:59:00Z", "2026-03-02T09:00:00Z",
		    "Mon 09:59" },
		{ CPH, W, "2026-03-02T08:59:59Z", "2026-03-02T09:00:00Z",
		    "Mon 09:59:59" },
		{ CPH, W, "2026-03-02T09:00:00Z", "2026-03-09T09:00:00Z",
		    "Mon 10:00:00 exactly: strictly after" },
		{ CPH, W, "2026-03-02T09:00:01Z", "2026-03-09T09:00:00Z",
		    "Mon 10:00:01" },
		{ CPH, W, "2026-03-02T09:01:00Z", "2026-03-09T09:00:00Z",
		    "Mon 10:01" },
		{ CPH, W, "2026-03-03T11:00:00Z", "2026-03-09T09:00:00Z",
		    "Tue 12:00" },
		{ CPH, W, "2026-03-04T11:00:00Z", "2026-03-09T09:00:00Z",
		    "Wed 12:00" },
		{ CPH, W, "2026-03-05T11:00:00Z", "2026-03-09T09:00:00Z",
		    "Thu 12:00" },
		{ CPH, W, "2026-03-06T08:00:00Z", "2026-03-09T09:00:00Z",
		    "Fri 09:00, before a daily slot: still Monday" },
		{ CPH, W, "2026-03-07T11:00:00Z", "2026-03-09T09:00:00Z",
		    "Sat 12:00" },
		{ CPH, W, "2026-03-08T11:00:00Z", "2026-03-09T09:00:00Z",
		    "Sun 12:00" },
		{ CPH, W, "2026-03-08T22:59:00Z", "2026-03-09T09:00:00Z",
		    "Sun 23:59 local, Sunday 22:59 UTC" },
		/* Around the changes: the start is at the new offset. */
		{ CPH, W, "2026-03-25T11:00:00Z", "2026-03-30T08:00:00Z",
		    "Wed before the March change" },
		{ CPH, W, "2026-03-29T10:00:00Z", "2026-03-30T08:00:00Z",
		    "Sun of the March change, after it" },
		{ CPH, W, "2026-10-21T10:00:00Z", "2026-10-26T09:00:00Z",
		    "Wed before the October change" },
		{ CPH, W, "2026-10-25T11:00:00Z", "2026-10-26T09:00:00Z",
		    "Sun of the October change, after it" },
	};

	(void)state;
	run_start(rows, NROWS(rows));
}

static void
test_next_daily(void **state)
{
	static const struct row	 rows[] = {
		{ CPH, D, "2026-03-02T08:59:00Z", "2026-03-02T09:00:00Z",
		    "Mon 09:59 -> Mon" },
		{ CPH, D, "2026-03-02T09:00:00Z", "2026-03-03T09:00:00Z",
		    "Mon 10:00 -> Tue" },
		{ CPH, D, "2026-03-03T11:00:00Z", "2026-03-04T09:00:00Z",
		    "Tue 12:00 -> Wed" },
		{ CPH, D, "2026-03-05T09:00:00Z", "2026-03-06T09:00:00Z",
		    "Thu 10:00 -> Fri" },
		{ CPH, D, "2026-03-06T09:00:00Z", "2026-03-09T09:00:00Z",
		    "Fri 10:00 -> Mon, no weekend slots" },
		{ CPH, D, "2026-03-07T11:00:00Z", "2026-03-09T09:00:00Z",
		    "Sat -> Mon" },
		{ CPH, D, "2026-03-08T11:00:00Z", "2026-03-09T09:00:00Z",
		    "Sun -> Mon" },
		{ CPH, D, "2026-03-27T11:00:00Z", "2026-03-30T08:00:00Z",
		    "Fri before the March change -> Mon in CEST" },
		{ CPH, D, "2026-10-22T08:00:00Z", "2026-10-23T08:00:00Z",
		    "Thu 10:00 CEST -> Fri, still CEST" },
		{ CPH, D, "2026-10-23T10:00:00Z", "2026-10-26T09:00:00Z",
		    "Fri before the October change -> Mon in CET" },
		{ CPH, D, "2026-12-31T11:00:00Z", "2027-01-01T09:00:00Z",
		    "New Year's Eve -> New Year's Day, a Friday" },
	};

	(void)state;
	run_next(rows, NROWS(rows));
}

static void
test_next_weekly(void **state)
{
	static const struct row	 rows[] = {
		{ CPH, W, "2026-03-02T09:00:00Z", "2026-03-09T09:00:00Z",
		    "winter Monday -> next Monday" },
		{ CPH, W, "2026-03-04T11:00:00Z", "2026-03-09T09:00:00Z",
		    "Wednesday -> Monday" },
		{ CPH, W, "2026-03-23T09:00:00Z", "2026-03-30T08:00:00Z",
		    "last CET Monday -> first CEST Monday" },
		{ CPH, W, "2026-10-19T08:00:00Z", "2026-10-26T09:00:00Z",
		    "last CEST Monday -> first CET Monday" },
		{ CPH, W, "2027-03-22T09:00:00Z", "2027-03-29T08:00:00Z",
		    "2027: March change" },
		{ CPH, W, "2027-10-25T08:00:00Z", "2027-11-01T09:00:00Z",
		    "2027: October change" },
		{ CPH, W, "2026-12-28T09:00:00Z", "2027-01-04T09:00:00Z",
		    "across New Year" },
	};

	(void)state;
	run_next(rows, NROWS(rows));
}

static void
test_next_monthly(void **state)
{
	static const struct row	 rows[] = {
		{ CPH, M, "2026-03-02T09:00:00Z", "2026-04-06T08:00:00Z",
		    "March slot -> April, now in CEST" },
		{ CPH, M, "2026-03-09T09:00:00Z", "2026-04-06T08:00:00Z",
		    "second Monday -> next month's first" },
		{ CPH, M, "2026-05-04T08:00:00Z", "2026-06-01T08:00:00Z",
		    "June's first Monday is the 1st" },
		{ CPH, M, "2026-05-31T20:00:00Z", "2026-06-01T08:00:00Z",
		    "the evening before a 1st" },
		{ CPH, M, "2026-08-03T08:00:00Z", "2026-09-07T08:00:00Z",
		    "September's first Monday is the 7th" },
		{ CPH, M, "2026-09-01T10:00:00Z", "2026-09-07T08:00:00Z",
		    "early in a month whose first Monday is the 7th" },
		{ CPH, M, "2026-10-05T08:00:00Z", "2026-11-02T09:00:00Z",
		    "October (CEST) -> November (CET)" },
		{ CPH, M, "2026-11-02T09:00:00Z", "2026-12-07T09:00:00Z",
		    "November -> December the 7th" },
		{ CPH, M, "2026-12-07T09:00:00Z", "2027-01-04T09:00:00Z",
		    "December -> January, year change" },
		{ CPH, M, "2026-12-20T11:00:00Z", "2027-01-04T09:00:00Z",
		    "late December -> January" },
		{ CPH, M, "2027-01-04T08:59:00Z", "2027-01-04T09:00:00Z",
		    "09:59 on a first Monday -> that day" },
		{ CPH, M, "2027-02-01T09:00:00Z", "2027-03-01T09:00:00Z",
		    "February 1st -> March 1st" },
		{ CPH, M, "2027-10-04T08:00:00Z", "2027-11-01T09:00:00Z",
		    "2027: October -> November the 1st" },
	};

	(void)state;
	run_next(rows, NROWS(rows));
}

static void
test_first_delivery(void **state)
{
	static const struct row	 rows[] = {
		/* Daily and weekly: the start itself. */
		{ CPH, D, "2026-03-03T11:00:00Z", "2026-03-09T09:00:00Z",
		    "daily set on Tue starts on Mon, not Wed" },
		{ CPH, D, "2026-03-25T11:00:00Z", "2026-03-30T08:00:00Z",
		    "daily, start after the March change" },
		{ CPH, W, "2026-03-25T11:00:00Z", "2026-03-30T08:00:00Z",
		    "weekly, start after the March change" },
		{ CPH, D, "2026-03-02T08:59:00Z", "2026-03-02T09:00:00Z",
		    "daily set Mon 09:59" },
		/* Monthly: the first first-Monday at or after the start. */
		{ CPH, M, "2026-03-25T11:00:00Z", "2026-04-06T08:00:00Z",
		    "start 03-30, late in March -> April" },
		{ CPH, M, "2026-05-27T10:00:00Z", "2026-06-01T08:00:00Z",
		    "start 06-01 is a first Monday" },
		{ CPH, M, "2026-06-01T07:59:00Z", "2026-06-01T08:00:00Z",
		    "set at 09:59 on a first Monday" },
		{ CPH, M, "2026-06-01T08:00:00Z", "2026-07-06T08:00:00Z",
		    "set at 10:00 on a first Monday: start 06-08" },
		{ CPH, M, "2026-08-31T10:00:00Z", "2026-09-07T08:00:00Z",
		    "start 09-07 is a first Monday (the 7th)" },
		{ CPH, M, "2026-11-30T08:59:00Z", "2026-12-07T09:00:00Z",
		    "start 11-30 -> December the 7th" },
		{ CPH, M, "2026-12-15T11:00:00Z", "2027-01-04T09:00:00Z",
		    "start 12-21 -> January, year change" },
	};

	(void)state;
	run_first(rows, NROWS(rows));
}

/* 10:00 local is 09:00 UTC in winter and 08:00 UTC in summer. */
static void
test_copenhagen_dst(void **state)
{
	/* Each Monday slot from the Sunday noon before it. */
	static const struct row	 rows[] = {
		{ CPH, W, "2026-03-22T11:00:00Z", "2026-03-23T09:00:00Z",
		    "2026-03-23, before the change" },
		{ CPH, W, "2026-03-29T10:00:00Z", "2026-03-30T08:00:00Z",
		    "2026-03-30, the day after the change" },
		{ CPH, W, "2026-10-18T10:00:00Z", "2026-10-19T08:00:00Z",
		    "2026-10-19, before the change" },
		{ CPH, W, "2026-10-25T11:00:00Z", "2026-10-26T09:00:00Z",
		    "2026-10-26, the day after the change" },
		{ CPH, W, "2027-03-21T11:00:00Z", "2027-03-22T09:00:00Z",
		    "2027-03-22" },
		{ CPH, W, "2027-03-28T10:00:00Z", "2027-03-29T08:00:00Z",
		    "2027-03-29, the day after the change" },
		{ CPH, W, "2027-10-24T10:00:00Z", "2027-10-25T08:00:00Z",
		    "2027-10-25" },
		{ CPH, W, "2027-10-31T11:00:00Z", "2027-11-01T09:00:00Z",
		    "2027-11-01, the day after the change" },
		{ CPH, W, "2026-01-04T11:00:00Z", "2026-01-05T09:00:00Z",
		    "deep winter" },
		{ CPH, W, "2026-06-28T10:00:00Z", "2026-06-29T08:00:00Z",
		    "deep summer" },
		/* From the night of the change itself, both ways. */
		{ CPH, W, "2026-03-29T00:30:00Z", "2026-03-30T08:00:00Z",
		    "01:30 CET just before the spring jump" },
		{ CPH, W, "2026-10-25T00:30:00Z", "2026-10-26T09:00:00Z",
		    "first 02:30 (CEST) of the autumn night" },
		{ CPH, W, "2026-10-25T01:30:00Z", "2026-10-26T09:00:00Z",
		    "second 02:30 (CET) of the autumn night" },
	};

	(void)state;
	run_next(rows, NROWS(rows));
}

static void
test_other_zones(void **state)
{
	static const struct row	 rows[] = {
		/* New York: 10:00 EST = 15:00Z, EDT = 14:00Z (from 03-08). */
		{ NYC, W, "2026-03-02T14:59:00Z", "2026-03-02T15:00:00Z",
		    "Mon 09:59 EST (15:59 in Copenhagen)" },
		{ NYC, W, "2026-03-02T15:00:00Z", "2026-03-09T14:00:00Z",
		    "first Monday after the US March change" },
		{ NYC, D, "2026-03-06T15:00:00Z", "2026-03-09T14:00:00Z",
		    "Fri EST -> Mon EDT" },
		{ NYC, W, "2026-10-26T14:00:00Z", "2026-11-02T15:00:00Z",
		    "first Monday after the US November change" },
		{ NYC, M, "2026-10-26T14:00:00Z", "2026-11-02T15:00:00Z",
		    "monthly November" },
		/* Tokyo: no DST, 10:00 JST = 01:00Z all year. */
		{ TYO, W, "2026-01-04T16:00:00Z", "2026-01-05T01:00:00Z",
		    "Mon 01:00 JST, still Sunday in UTC" },
		{ TYO, W, "2026-01-05T00:59:00Z", "2026-01-05T01:00:00Z",
		    "Mon 09:59 JST" },
		{ TYO, W, "2026-07-01T00:00:00Z", "2026-07-06T01:00:00Z",
		    "summer, same offset" },
		/* Sydney: DST in the southern summer, AEDT +11, AEST +10. */
		{ SYD, W, "2026-01-01T00:00:00Z", "2026-01-04T23:00:00Z",
		    "Mon 10:00 AEDT is Sunday in UTC" },
		{ SYD, W, "2026-03-29T23:00:00Z", "2026-04-06T00:00:00Z",
		    "DST ends 04-05: AEDT Monday -> AEST Monday" },
		{ SYD, W, "2026-09-28T00:00:00Z", "2026-10-04T23:00:00Z",
		    "DST starts 10-04: AEST Monday -> AEDT Monday" },
		{ SYD, M, "2026-09-28T00:00:00Z", "2026-10-04T23:00:00Z",
		    "monthly October the 5th local, the 4th in UTC" },
		{ SYD, D, "2026-07-03T00:00:00Z", "2026-07-06T00:00:00Z",
		    "daily in winter" },
	};

	(void)state;
	run_next(rows, NROWS(rows));
}

static void
test_period_keys(void **state)
{
	static const struct row	 rows[] = {
		{ CPH, D, "2026-03-30T08:00:00Z", "2026-03-30", "daily" },
		{ CPH, W, "2026-03-30T08:00:00Z", "2026-W14", "weekly" },
		{ CPH, M, "2026-03-30T08:00:00Z", "2026-03", "monthly" },
		{ CPH, W, "2026-01-05T09:00:00Z", "2026-W02", "zero-padded" },
		/* ISO week-based year around New Year. */
		{ CPH, W, "2025-12-29T09:00:00Z", "2026-W01",
		    "2025-12-29 is in 2026's first week" },
		{ CPH, W, "2026-12-28T09:00:00Z", "2026-W53",
		    "2026 has 53 weeks" },
		{ CPH, W, "2027-01-01T09:00:00Z", "2026-W53",
		    "2027-01-01 is still 2026-W53" },
		{ CPH, D, "2027-01-01T09:00:00Z", "2027-01-01",
		    "but its date is 2027's" },
		{ CPH, M, "2027-01-01T09:00:00Z", "2027-01",
		    "and so is its month" },
		{ CPH, W, "2027-01-04T09:00:00Z", "2027-W01", "2027-W01" },
		/* The local date, not the UTC one. */
		{ CPH, D, "2026-03-31T22:30:00Z", "2026-04-01",
		    "00:30 CEST on April 1st" },
		{ CPH, M, "2026-03-31T22:30:00Z", "2026-04",
		    "00:30 CEST on April 1st" },
		{ SYD, D, "2026-10-04T23:00:00Z", "2026-10-05",
		    "Sydney Monday, Sunday in UTC" },
		{ SYD, W, "2026-10-04T23:00:00Z", "2026-W41", "Sydney" },
		{ TYO, W, "2026-01-04T16:00:00Z", "2026-W02",
		    "Tokyo Monday, Sunday (W01) in UTC" },
	};
	char			 key[SCHEDULE_PERIOD_MAX];
	int64_t			 t = utc("2026-03-30T08:00:00Z");

	(void)state;
	run_period(rows, NROWS(rows));
	/* "2026-03-30" needs 11 bytes. */
	assert_int_equal(schedule_period(CPH, D, t, key, 11), 0);
	assert_string_equal(key, "2026-03-30");
	assert_int_equal(schedule_period(CPH, D, t, key, 10), -1);
	assert_int_equal(schedule_period(CPH, W, t, key, 0), -1);
	assert_int_equal(schedule_period(CPH, (enum schedule_freq)7, t, key,
	    sizeof(key)), -1);
	assert_int_equal(schedule_period("Nope/Zone", D, t, key,
	    sizeof(key)), -1);
}

/* The slot of the period "now" is in, once it has come, and never older. */
static void
test_current_slot(void **state)
{
	static const struct row	 rows[] = {
		/* Daily: the local date's 10:00, none at weekends. */
		{ CPH, D, "2026-03-07T11:00:00Z", NULL, "Saturday: none" },
		{ CPH, D, "2026-03-08T22:59:00Z", NULL, "Sunday 23:59: none" },
		{ CPH, D, "2026-03-02T08:59:00Z", NULL,
		    "Mon 09:59: not yet, and not Friday's" },
		{ CPH, D, "2026-03-02T09:00:00Z", "2026-03-02T09:00:00Z",
		    "Mon 10:00 exactly" },
		{ CPH, D, "2026-03-06T22:59:00Z", "2026-03-06T09:00:00Z",
		    "Fri 23:59" },
		{ CPH, D, "2026-03-31T22:30:00Z", NULL,
		    "Wed 00:30 local, Tue 22:30 UTC: Wednesday's not yet" },
		/* Weekly: the Monday 10:00 of the ISO week. */
		{ CPH, W, "2026-03-02T08:59:00Z", NULL,
		    "Mon 09:59: none, not last week's" },
		{ CPH, W, "2026-03-02T09:00:00Z", "2026-03-02T09:00:00Z",
		    "Mon 10:00" },
		{ CPH, W, "2026-03-04T11:00:00Z", "2026-03-02T09:00:00Z",
		    "Wednesday" },
		{ CPH, W, "2026-03-08T22:59:00Z", "2026-03-02T09:00:00Z",
		    "Sun 23:59 local" },
		{ CPH, W, "2026-03-08T23:00:00Z", NULL,
		    "Mon 00:00 local, Sunday in UTC: new week" },
		{ CPH, W, "2027-01-03T11:00:00Z", "2026-12-28T09:00:00Z",
		    "Sun 2027-01-03 is in 2026-W53" },
		/* Weekly on the Mondays after the changes. */
		{ CPH, W, "2026-03-30T07:59:00Z", NULL, "09:59 CEST" },
		{ CPH, W, "2026-03-30T08:30:00Z", "2026-03-30T08:00:00Z",
		    "10:30 CEST" },
		{ CPH, W, "2026-10-26T08:30:00Z", NULL, "09:30 CET" },
		{ CPH, W, "2026-10-26T09:00:00Z", "2026-10-26T09:00:00Z",
		    "10:00 CET" },
		/* Monthly: the first Monday 10:00 of the local month. */
		{ CPH, M, "2026-03-09T11:00:00Z", "2026-03-02T09:00:00Z",
		    "second Monday" },
		{ CPH, M, "2026-03-31T21:59:00Z", "2026-03-02T09:00:00Z",
		    "last minute of March" },
		{ CPH, M, "2026-03-31T22:00:00Z", NULL,
		    "first minute of April (still March in UTC)" },
		{ CPH, M, "2026-04-03T10:00:00Z", NULL,
		    "April 3rd, before the first Monday" },
		{ CPH, M, "2027-01-02T11:00:00Z", NULL,
		    "2027-01-02: not December's" },
		{ CPH, M, "2026-09-07T07:59:00Z", NULL,
		    "09:59 on the 7th, a first Monday" },
		{ CPH, M, "2026-09-07T08:00:00Z", "2026-09-07T08:00:00Z",
		    "10:00 on the 7th" },
		/* Another zone. */
		{ NYC, W, "2026-03-09T13:59:00Z", NULL, "09:59 EDT" },
		{ NYC, W, "2026-03-09T14:00:00Z", "2026-03-09T14:00:00Z",
		    "10:00 EDT" },
		{ SYD, D, "2026-10-04T23:00:00Z", "2026-10-04T23:00:00Z",
		    "Monday in Sydney, Sunday in UTC" },
	};
	char			 key[SCHEDULE_PERIOD_MAX];
	int64_t			 slot;

	(void)state;
	run_current(rows, NROWS(rows));
	/* What a worker does with it: the second Monday names March. */
	assert_int_equal(schedule_current_slot(CPH, M,
	    utc("2026-03-09T11:00:00Z"), &slot), 0);
	assert_int_equal(schedule_period(CPH, M, slot, key, sizeof(key)), 0);
	assert_string_equal(key, "2026-03");
	assert_int_equal(schedule_current_slot(CPH, W,
	    utc("2027-01-03T11:00:00Z"), &slot), 0);
	assert_int_equal(schedule_period(CPH, W, slot, key, sizeof(key)), 0);
	assert_string_equal(key, "2026-W53");
}

/*
 * Two years of slots in each zone: each one opens a new period, is the
 * current slot from its first second on and not one second before.
 * Counted from Saturday 2025-12-20 to Saturday 2028-01-08, both at 12:00
 * UTC: a weekend day in all four zones.
 */
static void
test_two_years(void **state)
{
	static const char		*zones[] = { CPH, NYC, TYO, SYD };
	static const enum schedule_freq	 freqs[] = { D, W, M };
	static const int		 count[] = { 535, 107, 25 };
	char				 a[SCHEDULE_PERIOD_MAX];
	char				 b[SCHEDULE_PERIOD_MAX];
	int64_t				 t, slot, cur, end;
	size_t				 z, f;
	int				 n;

	(void)state;
	end = utc("2028-01-08T12:00:00Z");
	for (z = 0; z < NROWS(zones); z++) {
		for (f = 0; f < NROWS(freqs); f++) {
			t = utc("2025-12-20T12:00:00Z");
			for (n = 0;; n++) {
				assert_int_equal(schedule_next_slot(zones[z],
				    freqs[f], t, &slot), 0);
				assert_true(slot > t);
				if (slot >= end)
					break;
				assert_int_equal(schedule_current_slot(
				    zones[z], freqs[f], slot, &cur), 0);
				assert_int_equal(cur, slot);
				assert_int_equal(schedule_current_slot(
				    zones[z], freqs[f], slot - 1, &cur), 1);
				if (n > 0) {
					assert_int_equal(schedule_period(
					    zones[z], freqs[f], t, a,
					    sizeof(a)), 0);
					assert_int_equal(schedule_period(
					    zones[z], freqs[f], slot, b,
					    sizeof(b)), 0);
					assert_string_not_equal(a, b);
				}
				t = slot;
			}
			if (n != count[f])
				fail_msg("%s %s: %d slots, want %d", zones[z],
				    schedule_freq_name(freqs[f]), n,
				    count[f]);
		}
	}
}

static void
test_bad_input(void **state)
{
	static const char	*bad[] = {
		"Nope/Zone", "../etc/passwd", "/etc/localtime", "", "Europe"
	};
	int64_t			 t = utc("2026-03-04T11:00:00Z"), out = 42;
	size_t			 i;

	(void)state;
	for (i = 0; i < NROWS(bad); i++) {
		assert_int_equal(schedule_start(bad[i], t, &out), -1);
		assert_int_equal(schedule_next_slot(bad[i], D, t, &out), -1);
		assert_int_equal(schedule_first_slot(bad[i], M, t, &out), -1);
		assert_int_equal(schedule_first_slot(bad[i], W, t, &out), -1);
		assert_int_equal(schedule_current_slot(bad[i], W, t, &out),
		    -1);
	}
	assert_int_equal(schedule_start(NULL, t, &out), -1);
	assert_int_equal(schedule_next_slot(CPH, (enum schedule_freq)7, t,
	    &out), -1);
	assert_int_equal(schedule_first_slot(CPH, (enum schedule_freq)7, t,
	    &out), -1);
	assert_int_equal(schedule_current_slot(CPH, (enum schedule_freq)7, t,
	    &out), -1);
	assert_int_equal(out, 42);	/* untouched on failure */
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_freq_parse_and_name),
		cmocka_unit_test(test_start_each_weekday),
		cmocka_unit_test(test_next_daily),
		cmocka_unit_test(test_next_weekly),
		cmocka_unit_test(test_next_monthly),
		cmocka_unit_test(test_first_delivery),
		cmocka_unit_test(test_copenhagen_dst),
		cmocka_unit_test(test_other_zones),
		cmocka_unit_test(test_period_keys),
		cmocka_unit_test(test_current_slot),
		cmocka_unit_test(test_two_years),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
