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

/* An Accept header, a media type, and the weight it gets. */
static const struct {
	const char	*accept;
	const char	*type;
	int		 weight;
} weights[] = {
	/* No header, or an empty one, accepts anything. */
	{ NULL, "text/csv", 1000 },
	{ "", "text/csv", 1000 },
	{ "  ", "application/json", 1000 },
	/* Exact types and wildcards. */
	{ "text/csv", "text/csv", 1000 },
	{ "text/csv", "application/json", 0 },
	{ "TEXT/CSV", "text/csv", 1000 },
	{ "*/*", "application/json", 1000 },
	{ "text/*", "text/csv", 1000 },
	{ "text/*", "application/json", 0 },
	{ "text/csvx", "text/csv", 0 },
	{ "text/cs", "text/csv", 0 },
	/* q-values, with other parameters and blanks about. */
	{ "application/json;q=0.5, text/csv; q=0.9", "text/csv", 900 },
	{ "application/json;q=0.5, text/csv; q=0.9", "application/json", 500 },
	{ "text/csv;q=0", "text/csv", 0 },
	{ "text/csv;q=1.000", "text/csv", 1000 },
	{ "text/csv;q=0.001", "text/csv", 1 },
	{ "text/csv;charset=utf-8;q=0.3", "text/csv", 300 },
	{ "text/csv;q=0.3 ,*/*;q=0.1", "application/json", 100 },
	/* The most specific range decides, even with a lower q. */
	{ "*/*, text/*;q=0.8, text/csv;q=0", "text/csv", 0 },
	{ "text/csv;q=0.2, text/*", "text/csv", 200 },
	{ "*/*;q=0.1, text/*;q=0.7", "text/csv", 700 },
	/* A range whose q is no qvalue is left out. */
	{ "text/csv;q=2", "text/csv", 0 },
	{ "text/csv;q=1.5", "text/csv", 0 },
	{ "text/csv;q=0.0001", "text/csv", 0 },
	{ "text/csv;q=x, */*;q=0.4", "text/csv", 400 },
	{ ",,;,", "text/csv", 0 },
};

static void
test_weights(void **state)
{
	size_t	 i;
	int	 got;

	(void)state;
	for (i = 0; i < sizeof(weights) / sizeof(weights[0]); i++) {
		got = accept_quality(weights[i].accept, weights[i].type);
		if (got != weights[i].weight)
			fail_msg("Accept: %s gives %s %d, not %d",
			    weights[i].accept ? weights[i].accept : "(none)",
			    weights[i].type, got, weights[i].weight);
	}
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_weights),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
