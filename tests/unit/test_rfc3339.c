/*
 * Unit tests for common/rfc3339.h: the API's strict rules (an expense's
 * spent_at) and the worker's lax ones (--now), the latter also checked
 * against the strptime() and sscanf() reading they were written with.
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
check_good(const struct good *g, size_t n, enum rfc3339_rules rules)
{
	int64_t	 t;
	size_t	 i;

	for (i = 0; i < n; i++) {
		t = -12345;
		if (rfc3339_parse(g[i].s, rules, &t) != 0 || t != g[i].want)
			fail_msg("\"%s\": %lld, want %lld", g[i].s,
			    (long long)t, (long long)g[i].want);
	}
}

static void
check_bad(const char *const *bad, size_t n, enum rfc3339_rules rules)
{
	int64_t	 t = -12345;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (rfc3339_parse(bad[i], rules, &t) != -1)
			fail_msg("\"%s\" taken as %lld", bad[i], (long long)t);
		assert_int_equal(t, -12345);	/* untouched */
	}
}

static void
test_strict(void **state)
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
	check_good(good, NROWS(good), RFC3339_STRICT);
	check_bad(bad, NROWS(bad), RFC3339_STRICT);
}

static void
test_lax(void **state)
{
	static const struct good	 good[] = {
		{ "2026-03-02T10:15:00Z", 1772446500 },
		{ "2026-03-02T10:15:00z", 1772446500 },
		{ "2026-03-02T11:15:00+01:00", 1772446500 },
		{ "2026-03-02T10:15:00.Z", 1772446500 },
		{ "2026-03-02T10:15:00.5Z", 1772446500 },
		{ "2026-3-2T10:15:0Z", 1772446500 },
		{ " 2026-03-02T 10:15:00Z", 1772446500 },
		{ "2026-03-02T10:14:60Z", 1772446500 },
		{ "2026-02-31T00:00:00Z", 1772496000 },	/* March 3rd */
		{ "2026-03-02T11:15:00+ 1:00", 1772446500 },
		{ "2026-03-02T10:15:00+01:0x", 1772442900 },
		{ "2026-03-02T10:15:00+-1:00", 1772450100 },
		{ "1969-12-31T23:59:58Z", -2 },
		{ "0000-01-01T00:00:00Z", -62167219200LL },
	};
	static const char *const	 bad[] = {
		"", "2026-03-02T10:15:00", "2026-03-02t10:15:00Z",
		"2026-03-02T10:15:62Z", "2026-03-02T10:15:00Z ",
		"2026-03-02T10:15:00+24:00", "2026-03-02T10:15:00+01:60",
		"2026-03-02T10:15:00+0100", "2026-03-02T10:15:00+1:00",
		"2026-03-02T10:15:00+01:  ", "1969-12-31T23:59:59Z",
		"1969-12-31T23:59:59+01:00", "2026-13-02T10:15:00Z",
	};

	(void)state;
	check_good(good, NROWS(good), RFC3339_LAX);
	check_bad(bad, NROWS(bad), RFC3339_LAX);
}

/* How the worker read --now before rfc3339_parse(): the lax rules. */
static int
ref_strptime(const char *s, int64_t *out)
{
	struct tm	 tm;
	const char	*p;
	int		 sign, oh, om;
	time_t		 t;

	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (strcmp(p, "Z") == 0 || strcmp(p, "z") == 0)
		sign = oh = om = 0;
	else if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 &&
	    p[3] == ':' && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 &&
	    oh < 24 && om < 60)
		sign = p[0] == '+' ? 1 : -1;
	else
		return -1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*out = (int64_t)t - sign * (oh * 3600 + om * 60);
	return 0;
}

static int	compared;

static void
compare_lax(const char *s)
{
	int64_t	 a = -3, b = -4;
	int	 ra, rb;

	ra = rfc3339_parse(s, RFC3339_LAX, &a);
	rb = ref_strptime(s, &b);
	if (ra != rb || (ra == 0 && a != b))
		fail_msg("\"%s\": %d %lld, strptime %d %lld", s, ra,
		    (long long)a, rb, (long long)b);
	compared++;
}

/*
 * Every string one or two edits away from the seeds, an edit being a
 * byte replaced by one of a set or removed, reads alike both ways.
 */
static void
test_lax_as_strptime(void **state)
{
	static const char *const	 seeds[] = {
		"2026-03-02T10:15:00Z", "2026-02-28T23:59:59.5+01:30",
		"1969-12-31T23:59:59-00:00", "0000-01-01T00:00:00z",
		"9999-12-31T23:59:61+23:59", "2024-2-29T1:2:3.Z",
	};
	static const char		 alphabet[] = " \t0123456789+-:.TtZz\n";
	const size_t			 na = sizeof(alphabet) - 1;
	char				 one[64], two[64];
	size_t				 i, j, k, l, n, m;

	(void)state;
	for (i = 0; i < NROWS(seeds); i++) {
		n = strlen(seeds[i]);
		for (j = 0; j < n; j++) {
			for (k = 0; k <= na; k++) {
				/* k == na: remove the byte. */
				memcpy(one, seeds[i], n + 1);
				if (k < na)
					one[j] = alphabet[k];
				else
					memmove(one + j, one + j + 1, n - j);
				compare_lax(one);
				m = strlen(one);
				for (l = j + 1; l < m; l++) {
					memcpy(two, one, m + 1);
					two[l] = alphabet[(k + l) % na];
					compare_lax(two);
				}
			}
		}
	}
	assert_true(compared > 10000);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_lax),
		cmocka_unit_test(test_lax_as_strptime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
