/*
 * Unit tests for common/tz.h: zone names, conversions through the system
 * tzdata (expected values checked with GNU date), skipped and repeated
 * wall times, calendar arithmetic, and use from many threads at once.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../common/tz.h"

#define CPH	"Europe/Copenhagen"

#define NROWS(a)	(sizeof(a) / sizeof((a)[0]))

static void
test_valid(void **state)
{
	static const char	*good[] = {
		CPH, "America/New_York", "Asia/Tokyo", "Australia/Sydney",
		"UTC", "Etc/GMT+5", "Etc/GMT-14", "America/Port-au-Prince",
		"America/Argentina/Buenos_Aires"
	};
	static const char	*bad[] = {
		"../etc/passwd", "/etc/localtime", "Nope/Zone", "",
		"Europe",			/* a directory */
		"Europe/", "Europe//Copenhagen", "Europe/../Europe/Paris",
		"zone.tab", "tzdata.zi",	/* not zones, and '.' */
		"Europe/Copenhagen ", "Europe/Copenhagen\n", "europe\\x",
		"CET;rm", "EST5EDT,M3.2.0,M11.1.0",	/* POSIX TZ rules */
		":Europe/Copenhagen",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	};
	size_t			 i;

	(void)state;
	for (i = 0; i < NROWS(good); i++)
		if (!tz_valid(good[i]))
			fail_msg("refused %s", good[i]);
	for (i = 0; i < NROWS(bad); i++)
		if (tz_valid(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
	assert_false(tz_valid(NULL));
}

static void
test_local(void **state)
{
	struct tm	 tm;

	(void)state;
	/* 2026-03-30T08:00:00Z: Monday 10:00 CEST. */
	assert_int_equal(tz_local(CPH, 1774857600, &tm), 0);
	assert_int_equal(tm.tm_year, 126);
	assert_int_equal(tm.tm_mon, 2);
	assert_int_equal(tm.tm_mday, 30);
	assert_int_equal(tm.tm_hour, 10);
	assert_int_equal(tm.tm_min, 0);
	assert_int_equal(tm.tm_wday, 1);
	assert_int_equal(tm.tm_isdst, 1);
	assert_int_equal(tm.tm_gmtoff, 7200);
	assert_string_equal(tm.tm_zone, "CEST");
	/* 2026-03-23T09:00:00Z: Monday 10:00 CET. */
	assert_int_equal(tz_local(CPH, 1774256400, &tm), 0);
	assert_int_equal(tm.tm_hour, 10);
	assert_int_equal(tm.tm_isdst, 0);
	assert_int_equal(tm.tm_gmtoff, 3600);
	/* 2026-01-04T16:00:00Z is already Monday in Tokyo. */
	assert_int_equal(tz_local("Asia/Tokyo", 1767542400, &tm), 0);
	assert_int_equal(tm.tm_mday, 5);
	assert_int_equal(tm.tm_hour, 1);
	assert_int_equal(tm.tm_wday, 1);

	assert_int_equal(tz_local("Nope/Zone", 0, &tm), -1);
	assert_int_equal(tz_local(NULL, 0, &tm), -1);
	/* Past what struct tm's int year holds. */
	assert_int_equal(tz_local(CPH, INT64_MAX, &tm), -1);
}

struct utc_row {
	const char	*zone;
	int		 y, mon, d, h, min;
	int64_t		 want;
	const char	*what;
};

static void
test_utc(void **state)
{
	static const struct utc_row	 rows[] = {
		{ CPH, 2026, 3, 23, 10, 0, 1774256400, "CET: 09:00Z" },
		{ CPH, 2026, 3, 30, 10, 0, 1774857600, "CEST: 08:00Z" },
		{ CPH, 2026, 10, 26, 10, 0, 1793005200, "CET again: 09:00Z" },
		{ CPH, 2027, 11, 1, 10, 0, 1825059600, "2027-11-01 09:00Z" },
		{ "America/New_York", 2026, 3, 2, 10, 0, 1772463600,
		    "EST: 15:00Z" },
		{ "America/New_York", 2026, 3, 9, 10, 0, 1773064800,
		    "EDT: 14:00Z" },
		{ "Asia/Tokyo", 2026, 7, 6, 10, 0, 1783299600, "JST: 01:00Z" },
		{ "Australia/Sydney", 2026, 1, 5, 10, 0, 1767567600,
		    "AEDT: the day before in UTC" },
		{ "Australia/Sydney", 2026, 7, 6, 10, 0, 1783296000,
		    "AEST: 00:00Z" },
		/* Skipped: moved forward by the gap (03:30 CEST, 01:30Z). */
		{ CPH, 2026, 3, 29, 2, 30, 1774747800, "spring gap" },
		{ CPH, 2026, 3, 29, 2, 0, 1774746000, "start of the gap" },
		{ CPH, 2026, 3, 29, 3, 0, 1774746000, "end of the gap" },
		{ "America/New_York", 2026, 3, 8, 2, 30, 1772955000,
		    "US spring gap: 03:30 EDT, 07:30Z" },
		/* Shown twice: the first, in summer time (00:30Z). */
		{ CPH, 2026, 10, 25, 2, 30, 1792888200, "autumn repeat" },
		{ "America/New_York", 2026, 11, 1, 1, 30, 1793511000,
		    "US autumn repeat: 01:30 EDT, 05:30Z" },
		/* Either side of the repeated hour. */
		{ CPH, 2026, 10, 25, 1, 59, 1792886340, "01:59 CEST" },
		{ CPH, 2026, 10, 25, 3, 0, 1792893600, "03:00 CET" },
		/* Epoch and leap day. */
		{ "UTC", 1970, 1, 1, 0, 0, 0, "epoch" },
		{ CPH, 2028, 2, 29, 10, 0, 1835427600, "leap day" },
	};
	int64_t				 t;
	size_t				 i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		t = -1;
		if (tz_utc(rows[i].zone, rows[i].y, rows[i].mon, rows[i].d,
		    rows[i].h, rows[i].min, &t) != 0 || t != rows[i].want)
			fail_msg("%s %04d-%02d-%02d %02d:%02d (%s): %lld, "
			    "want %lld", rows[i].zone, rows[i].y, rows[i].mon,
			    rows[i].d, rows[i].h, rows[i].min, rows[i].what,
			    (long long)t, (long long)rows[i].want);
	}
}

static void
test_utc_invalid(void **state)
{
	int64_t	 t = 42;

	(void)state;
	assert_int_equal(tz_utc(CPH, 2026, 2, 29, 10, 0, &t), -1);
	assert_int_equal(tz_utc(CPH, 2026, 4, 31, 10, 0, &t), -1);
	assert_int_equal(tz_utc(CPH, 2026, 0, 1, 10, 0, &t), -1);
	assert_int_equal(tz_utc(CPH, 2026, 13, 1, 10, 0, &t), -1);
	assert_int_equal(tz_utc(CPH, 2026, 1, 0, 10, 0, &t), -1);
	assert_int_equal(tz_utc(CPH, 2026, 1, 1, 24, 0, &t), -1);
	assert_int_equal(tz_utc(CPH, 2026, 1, 1, -1, 0, &t), -1);
	assert_int_equal(tz_utc(CPH, 2026, 1, 1, 10, 60, &t), -1);
	assert_int_equal(tz_utc(CPH, 0, 1, 1, 10, 0, &t), -1);
	assert_int_equal(tz_utc(CPH, 10000, 1, 1, 10, 0, &t), -1);
	assert_int_equal(tz_utc("Nope/Zone", 2026, 1, 1, 10, 0, &t), -1);
	assert_int_equal(tz_utc("../etc/passwd", 2026, 1, 1, 10, 0, &t),
	    -1);
	assert_int_equal(t, 42);
}

/*
 * TZ is the module's: it stays at the last zone converted (glibc parses a
 * zone's file at each change), and a caller's own change of it is seen,
 * never taken for the zone asked.
 */
static void
test_tz_left_at_last_zone(void **state)
{
	struct tm	 tm;
	int64_t		 t;

	(void)state;
	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	tzset();
	assert_int_equal(tz_local(CPH, 1774857600, &tm), 0);
	assert_int_equal(tm.tm_hour, 10);	/* 08:00Z in summer time */
	assert_string_equal(getenv("TZ"),
	    ":/usr/share/zoneinfo/Europe/Copenhagen");
	assert_int_equal(tz_utc(CPH, 2026, 3, 30, 10, 0, &t), 0);
	assert_int_equal(t, 1774857600);

	/* The caller points TZ elsewhere: the next conversion still holds. */
	assert_int_equal(setenv("TZ", "Asia/Tokyo", 1), 0);
	tzset();
	assert_int_equal(tz_local(CPH, 1774857600, &tm), 0);
	assert_int_equal(tm.tm_hour, 10);
	assert_int_equal(unsetenv("TZ"), 0);
	tzset();
	assert_int_equal(tz_local(CPH, 1774857600, &tm), 0);
	assert_int_equal(tm.tm_hour, 10);

	/* A refused zone changes nothing. */
	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	assert_int_equal(tz_local("Nope/Zone", 0, &tm), -1);
	assert_string_equal(getenv("TZ"), "UTC");
	assert_int_equal(unsetenv("TZ"), 0);
}

/* A zone found valid once is not read from the disk again. */
static void
test_tz_valid_cached(void **state)
{
	(void)state;
	assert_true(tz_valid("America/New_York"));
	assert_true(tz_valid("America/New_York"));
	assert_false(tz_valid("America/Nowhere"));
	assert_false(tz_valid("America/Nowhere"));
}

static void
test_calendar(void **state)
{
	struct tm	 tm;
	time_t		 tt;
	int64_t		 days;
	int		 y, m, d;

	(void)state;
	assert_int_equal(tz_days_from_date(1970, 1, 1), 0);
	assert_int_equal(tz_days_from_date(1969, 12, 31), -1);
	assert_int_equal(tz_days_from_date(2000, 3, 1), 11017);
	assert_int_equal(tz_days_from_date(2026, 3, 30), 20542);
	tz_date_from_days(-719468, &y, &m, &d);
	assert_int_equal(y, 0);
	assert_int_equal(m, 3);
	assert_int_equal(d, 1);
	/* Every day from 1600 to 2400 against gmtime_r. */
	for (days = -135140; days < 157054; days++) {
		tt = (time_t)(days * 86400);
		assert_non_null(gmtime_r(&tt, &tm));
		tz_date_from_days(days, &y, &m, &d);
		if (y != tm.tm_year + 1900 || m != tm.tm_mon + 1 ||
		    d != tm.tm_mday ||
		    tz_days_from_date(y, m, d) != days)
			fail_msg("day %lld: %04d-%02d-%02d", (long long)days,
			    y, m, d);
	}
	assert_int_equal(tz_month_days(2026, 2), 28);
	assert_int_equal(tz_month_days(2028, 2), 29);
	assert_int_equal(tz_month_days(2000, 2), 29);
	assert_int_equal(tz_month_days(2100, 2), 28);
	assert_int_equal(tz_month_days(2026, 4), 30);
	assert_int_equal(tz_month_days(2026, 12), 31);
	assert_int_equal(tz_month_days(2026, 0), 0);
	assert_int_equal(tz_month_days(2026, 13), 0);
	assert_int_equal(tz_month_add(202601, -1), 202512);
	assert_int_equal(tz_month_add(202612, 1), 202701);
	assert_int_equal(tz_month_add(202612, -11), 202601);
	assert_int_equal(tz_month_add(202612, -12), 202512);
	assert_int_equal(tz_month_add(202603, 0), 202603);
}

/*
 * An expense's month is its firm's: 23:30 UTC on the last day of a month
 * is the next month in Copenhagen (UTC+1 in winter, +2 in summer), and
 * still the same month in New York.
 */
static void
test_month(void **state)
{
	(void)state;
	/* 2026-01-31T23:30:00Z */
	assert_int_equal(tz_month(CPH, 1769902200), 202602);
	assert_int_equal(tz_month("America/New_York", 1769902200), 202601);
	assert_int_equal(tz_month("UTC", 1769902200), 202601);
	/* 2026-06-30T21:59:59Z and 22:00:00Z: midnight in summer time. */
	assert_int_equal(tz_month(CPH, 1782856799), 202606);
	assert_int_equal(tz_month(CPH, 1782856800), 202607);
	/* 2026-12-31T23:00:00Z is New Year in Copenhagen. */
	assert_int_equal(tz_month(CPH, 1798758000), 202701);
	assert_int_equal(tz_month("Nowhere/Atlantis", 1798758000), -1);
}

/*
 * Threads converting in different zones at once each get their own zone's
 * answer: without the lock one thread's TZ leaks into another's result.
 */
#define TZ_THREADS	8
#define TZ_ROUNDS	300

struct job {
	const char	*zone;
	int64_t		 want;	/* 10:00 on 2026-03-30 in zone */
	int		 errors;
};

static void *
convert_loop(void *arg)
{
	struct job	*j = arg;
	struct tm	 tm;
	int64_t		 t;
	int		 i;

	for (i = 0; i < TZ_ROUNDS; i++) {
		if (tz_utc(j->zone, 2026, 3, 30, 10, 0, &t) != 0 ||
		    t != j->want)
			j->errors++;
		if (tz_local(j->zone, j->want, &tm) != 0 ||
		    tm.tm_hour != 10 || tm.tm_min != 0)
			j->errors++;
	}
	return NULL;
}

static void
test_threads(void **state)
{
	static const struct job	 kinds[] = {
		{ CPH, 1774857600, 0 },			/* 08:00Z */
		{ "America/New_York", 1774879200, 0 },	/* 14:00Z */
		{ "Asia/Tokyo", 1774832400, 0 },		/* 01:00Z */
		{ "Australia/Sydney", 1774825200, 0 },	/* 03-29 23:00Z */
	};
	struct job		 jobs[TZ_THREADS];
	pthread_t		 th[TZ_THREADS];
	int			 i;

	(void)state;
	for (i = 0; i < TZ_THREADS; i++) {
		jobs[i] = kinds[i % NROWS(kinds)];
		assert_int_equal(pthread_create(&th[i], NULL, convert_loop,
		    &jobs[i]), 0);
	}
	for (i = 0; i < TZ_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		if (jobs[i].errors != 0)
			fail_msg("%s: %d wrong answers", jobs[i].zone,
			    jobs[i].errors);
	}
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_utc),
		cmocka_unit_test(test_utc_invalid),
		cmocka_unit_test(test_tz_left_at_last_zone),
		cmocka_unit_test(test_tz_valid_cached),
		cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_month),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
