/*
 * Unit tests for common/org_number.h: each country's format and check
 * digit, normalisation, and the rule an error names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/org_number.h"

/* Checks that s is valid in country and normalises to want. */
static void
org_ok(const char *country, const char *s, const char *want)
{
	char	 out[ORG_NUMBER_MAX + 1];

	if (org_number_normalise(country, s, out, sizeof(out)) != NULL)
		fail_msg("%s %s refused: %s", country, s,
		    org_number_normalise(country, s, out, sizeof(out)));
	assert_string_equal(out, want);
}

/* Checks that s is refused in country with an error containing rule. */
static void
org_bad(const char *country, const char *s, const char *rule)
{
	char		 out[ORG_NUMBER_MAX + 1] = "untouched";
	const char	*err;

	err = org_number_normalise(country, s, out, sizeof(out));
	if (err == NULL)
		fail_msg("%s %s accepted as %s", country, s, out);
	if (strstr(err, rule) == NULL)
		fail_msg("%s %s: \"%s\" does not name \"%s\"", country, s,
		    err, rule);
}

static void
test_swedish(void **state)
{
	(void)state;
	/* Volvo AB, IKEA of Sweden AB, Spotify AB: published numbers. */
	org_ok("SE", "556012-5790", "5560125790");
	org_ok("SE", "556074-7569", "5560747569");
	org_ok("SE", "556703-7485", "5567037485");
	org_ok("SE", "5560125790", "5560125790");
	org_ok("SE", " 556012 5790 ", "5560125790");
	/* The century prefix of a legal person, 16, is dropped. */
	org_ok("SE", "16556012-5790", "5560125790");
	org_bad("SE", "556012-5791", "Luhn");
	org_bad("SE", "556012-579", "10 digits");
	org_bad("SE", "55601257901", "10 digits");
	org_bad("SE", "1", "10 digits");
	org_bad("SE", "556012-579X", "10 digits");
	org_bad("SE", "19556012-5790", "10 digits");
}

static void
test_danish(void **state)
{
	(void)state;
	/* Novo Nordisk A/S and Carlsberg A/S. */
	org_ok("DK", "24256790", "24256790");
	org_ok("DK", "61056416", "61056416");
	org_ok("DK", "24 25 67 90", "24256790");
	org_bad("DK", "24256791", "modulus 11");
	org_bad("DK", "2425679", "8 digits");
	org_bad("DK", "04256790", "8 digits");
	org_bad("DK", "DK24256790", "8 digits");
}

static void
test_norwegian(void **state)
{
	(void)state;
	/* Equinor ASA and DNB Bank ASA. */
	org_ok("NO", "923609016", "923609016");
	org_ok("NO", "984851006", "984851006");
	org_ok("NO", "923 609 016", "923609016");
	org_bad("NO", "923609017", "modulus 11");
	org_bad("NO", "92360901", "9 digits");
	org_bad("NO", "123609016", "8 or 9");
}

static void
test_uk(void **state)
{
	(void)state;
	org_ok("GB", "00445790", "00445790");
	org_ok("GB", "SC123456", "SC123456");
	org_ok("GB", "sc 123456", "SC123456");
	org_ok("GB", "OC-301234", "OC301234");
	org_bad("GB", "445790", "8 digits");
	org_bad("GB", "S1234567", "8 digits");
	org_bad("GB", "SC12345", "8 digits");
	org_bad("GB", "123456789", "8 digits");
}

static void
test_country_and_limits(void **state)
{
	char	 small[4];

	(void)state;
	org_bad("US", "556012-5790", "SE, DK, NO");
	org_bad("se", "556012-5790", "SE, DK, NO");
	org_bad("SE", "", "10 digits");
	org_bad("SE", "556012.5790", "10 digits");
	assert_non_null(org_number_normalise("SE", "556012-5790", small,
	    sizeof(small)));
	assert_true(org_number_country_known("DK"));
	assert_false(org_number_country_known("DE"));
	assert_string_equal(org_number_country_of_locale("sv"), "SE");
	assert_string_equal(org_number_country_of_locale("da"), "DK");
	assert_string_equal(org_number_country_of_locale("nb"), "NO");
	assert_string_equal(org_number_country_of_locale("en"), "GB");
}

static void
test_written(void **state)
{
	char	 out[16];

	(void)state;
	assert_string_equal(org_number_written("SE", "5560125790", out,
	    sizeof(out)), "556012-5790");
	assert_string_equal(org_number_written("NO", "923609016", out,
	    sizeof(out)), "923 609 016");
	assert_null(org_number_written("DK", "24256790", out, sizeof(out)));
	assert_null(org_number_written("GB", "SC123456", out, sizeof(out)));
	/* Numbers from before the checks are left as they were written. */
	assert_null(org_number_written("SE", "556677-8899", out,
	    sizeof(out)));
	assert_null(org_number_written("SE", "5560125790", out, 11));
}

static void
test_key(void **state)
{
	char	 out[12];

	(void)state;
	assert_int_equal(org_number_key("556012-5790", out, sizeof(out)), 0);
	assert_string_equal(out, "5560125790");
	assert_int_equal(org_number_key(" sc 12-34 56", out, sizeof(out)), 0);
	assert_string_equal(out, "SC123456");
	assert_int_equal(org_number_key(" - ", out, sizeof(out)), -1);
	assert_int_equal(org_number_key("123456789012", out, sizeof(out)),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swedish),
		cmocka_unit_test(test_danish),
		cmocka_unit_test(test_norwegian),
		cmocka_unit_test(test_uk),
		cmocka_unit_test(test_country_and_limits),
		cmocka_unit_test(test_written),
		cmocka_unit_test(test_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
