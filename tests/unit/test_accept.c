/*
 * Unit tests for common/accept.h: q-values, the most specific range
 * deciding, and what is not a valid range left out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/accept.h"

static void
test_no_header_accepts_anything(void **state)
{
	(void)state;
	assert_int_equal(accept_quality(NULL, "text/csv"), 1000);
	assert_int_equal(accept_quality("", "text/csv"), 1000);
	assert_int_equal(accept_quality("  ", "application/json"), 1000);
}

static void
test_exact_types_and_wildcards(void **state)
{
	(void)state;
	assert_int_equal(accept_quality("text/csv", "text/csv"), 1000);
	assert_int_equal(accept_quality("text/csv", "application/json"), 0);
	assert_int_equal(accept_quality("TEXT/CSV", "text/csv"), 1000);
	assert_int_equal(accept_quality("*/*", "application/json"), 1000);
	assert_int_equal(accept_quality("text/*", "text/csv"), 1000);
	assert_int_equal(accept_quality("text/*", "application/json"), 0);
	assert_int_equal(accept_quality("text/csvx", "text/csv"), 0);
	assert_int_equal(accept_quality("text/cs", "text/csv"), 0);
}

static void
test_q_values_are_read(void **state)
{
	const char	*a = "application/json;q=0.5, text/csv; q=0.9";

	(void)state;
	assert_int_equal(accept_quality(a, "text/csv"), 900);
	assert_int_equal(accept_quality(a, "application/json"), 500);
	assert_int_equal(accept_quality("text/csv;q=0", "text/csv"), 0);
	assert_int_equal(accept_quality("text/csv;q=1.000", "text/csv"), 1000);
	assert_int_equal(accept_quality("text/csv;q=0.001", "text/csv"), 1);
	assert_int_equal(accept_quality("text/csv;charset=utf-8;q=0.3",
	    "text/csv"), 300);
	assert_int_equal(accept_quality("text/csv;q=0.3 ,*/*;q=0.1",
	    "application/json"), 100);
}

static void
test_the_most_specific_range_decides(void **state)
{
	(void)state;
	/* text/csv is refused even though the wider ranges take it. */
	assert_int_equal(accept_quality("*/*, text/*;q=0.8, text/csv;q=0",
	    "text/csv"), 0);
	assert_int_equal(accept_quality("text/csv;q=0.2, text/*",
	    "text/csv"), 200);
	assert_int_equal(accept_quality("*/*;q=0.1, text/*;q=0.7",
	    "text/csv"), 700);
}

static void
test_bad_q_values_are_skipped(void **state)
{
	(void)state;
	assert_int_equal(accept_quality("text/csv;q=2", "text/csv"), 0);
	assert_int_equal(accept_quality("text/csv;q=1.5", "text/csv"), 0);
	assert_int_equal(accept_quality("text/csv;q=0.0001", "text/csv"), 0);
	assert_int_equal(accept_quality("text/csv;q=x, */*;q=0.4",
	    "text/csv"), 400);
	assert_int_equal(accept_quality(",,;,", "text/csv"), 0);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_no_header_accepts_anything),
		cmocka_unit_test(test_exact_types_and_wildcards),
		cmocka_unit_test(test_q_values_are_read),
		cmocka_unit_test(test_the_most_specific_range_decides),
		cmocka_unit_test(test_bad_q_values_are_skipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
