/*
 * Unit tests for common/rfc3339.h, the one reader of an expense's spent_at
 * and of the worker's --now.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../common/rfc3339.h"

#define NROWS(a)	(sizeof(a) / sizeof((a)[0]))

struct good {
	const char	*s;
	int64_t		 want;
};

static void
check_good(const struct good *g, size_t n)
{
	int64_t	 t;
	size_t	 i;

	for (i = 0; i < n; i++) {
		t = -12345;
		if (rfc3339_parse(g[i].s, &t) != 0 || t != g[i].want)
			fail_msg("\"%s\": %lld, want %lld", g[i].s,
			    (long long)t, (long long)g[i].want);
	}
}

static void
check_bad(const char *const *bad, size_t n)
{
	int64_t	 t = -12345;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (rfc3339_parse(bad[i], &t) != -1)
			fail_msg("\"%s\" taken as %lld", bad[i], (long long)t);
		assert_int_equal(t, -12345);	/* untouched */
	}
}

static void
test_rules(void **state)
{
	static const struct good	 good[] = {
		{ "2026-03-02T10:15:00Z", 1772446500 },
		{ "2026-03-02t10:15:00z", 1772446500 },
		{ "2026-03-02T10:15:00.123456Z", 1772446500 },
		{ "2026-03-02T11:15:00+01:00", 1772446500 },
		{ "2026-03-02T08:45:00-01:30", 1772446500 },
		{ "2026-03-02T10:15:00.9-00:00", 1772446500 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1970-01-01T01:00:00+01:00", 0 },
		{ "2024-02-29T12:00:00Z", 1709208000 },
		{ "2000-02-29T00:00:00Z", 951782400 },
		{ "9999-12-31T23:59:59Z", RFC3339_TIME_LAST },
		{ "9999-12-31T23:59:59.999Z", RFC3339_TIME_LAST },
	};
	static const char *const	 bad[] = {
		"", "Z", "2026-03-02", "2026-03-02T10:15:00",
		"2026-03-02T10:15Z", "2026-03-02 10:15:00Z",
		"2026-3-02T10:15:00Z", "2026-03-2T10:15:00Z",
		" 2026-03-02T10:15:00Z", "2026-03-02T 10:15:00Z",
		"2026-03-02T10:15:00Z ", "2026-03-02T10:15:00Zx",
		"2026-03-02T10:15:00.Z", "2026-03-02T10:15:00,5Z",
		"2026-03-02T10:15:60Z", "2026-03-02T10:60:00Z",
		"2026-03-02T24:00:00Z", "2026-13-01T00:00:00Z",
		"2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z",
		"2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
		"2026-04-31T00:00:00Z", "2026-02-31T00:00:00Z",
		"0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z",
		"1970-01-01T00:30:00+01:00", "9999-12-31T23:59:59-00:01",
		"10000-01-01T00:00:00Z", "+2026-03-02T10:15:00Z",
		"2026-03-02T10:15:00+24:00", "2026-03-02T10:15:00+01:60",
		"2026-03-02T10:15:00+0100", "2026-03-02T10:15:00+01",
		"2026-03-02T10:15:00+01:00x", "2026-03-02T10:15:00+ 1:00",
		"2026-03-02T10:15:00+-1:00", "2026-03-02T10:15:00+01:0x",
		"2026-03-02T10:15:00UTC",
	};

	(void)state;
	check_good(good, NROWS(good));
	check_bad(bad, NROWS(bad));
}

/*
 * The times the worker's --now is given by the tests and scripts, and
 * what it used to take besides that it now refuses.
 */
static void
test_worker_now(void **state)
{
	static const struct good	 good[] = {
		{ "2026-01-12T09:00:00Z", 1768208400 },
		{ "2000-01-03T12:00:00Z", 946900800 },
		{ "2026-01-12T10:00:00+01:00", 1768208400 },
	};
	static const char *const	 bad[] = {
		"2026-02-31T00:00:00Z", "2026-3-2T10:15:0Z",
		" 2026-03-02T10:15:00Z", "2026-03-02T10:14:60Z",
		"2026-03-02T10:15:00.Z", "2026-03-02T11:15:00+ 1:00",
		"1969-12-31T23:59:58Z", "0000-01-01T00:00:00Z",
	};

	(void)state;
	check_good(good, NROWS(good));
	check_bad(bad, NROWS(bad));
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_worker_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
