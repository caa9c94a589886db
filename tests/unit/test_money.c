/*
 * Unit tests for common/money.h's amounts written as people read them:
 * each locale's separators, signs and currency names, the currencies'
 * decimals, and the locale tags a firm may carry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/money.h"

/* --- amounts ----------------------------------------------------------- */

static void
money_is(enum money_locale l, int64_t minor, const char *cur, const char *want)
{
	char	 out[MONEY_FORMAT_MAX];

	assert_int_equal(money_format(l, minor, cur, out, sizeof(out)),
	    0);
	assert_string_equal(out, want);
}

static void
test_money_sv(void **state)
{
	(void)state;
	money_is(MONEY_LOCALE_SV, 123450, "SEK", "1 234,50 kr");
	money_is(MONEY_LOCALE_SV, 0, "SEK", "0,00 kr");
	money_is(MONEY_LOCALE_SV, 5, "SEK", "0,05 kr");
	money_is(MONEY_LOCALE_SV, 99999, "SEK", "999,99 kr");
	money_is(MONEY_LOCALE_SV, 100000, "SEK", "1 000,00 kr");
	money_is(MONEY_LOCALE_SV, 123456789012LL, "SEK", "1 234 567 890,12 kr");
	/* U+2212 MINUS SIGN, as Swedish typesetting has it. */
	money_is(MONEY_LOCALE_SV, -123450, "SEK", "\xe2\x88\x92" "1 234,50 kr");
	money_is(MONEY_LOCALE_SV, -1, "SEK", "\xe2\x88\x92" "0,01 kr");
	money_is(MONEY_LOCALE_SV, 123450, "EUR", "1 234,50 EUR");
	money_is(MONEY_LOCALE_SV, 123450, "DKK", "1 234,50 DKK");
}

static void
test_money_da_nb(void **state)
{
	(void)state;
	money_is(MONEY_LOCALE_DA, 123450, "DKK", "1.234,50 kr.");
	money_is(MONEY_LOCALE_DA, 0, "DKK", "0,00 kr.");
	money_is(MONEY_LOCALE_DA, -123450, "DKK", "-1.234,50 kr.");
	money_is(MONEY_LOCALE_DA, 123456789012LL, "DKK", "1.234.567.890,12 kr.");
	money_is(MONEY_LOCALE_DA, 123450, "SEK", "1.234,50 SEK");
	money_is(MONEY_LOCALE_NB, 123450, "NOK", "1 234,50 kr");
	money_is(MONEY_LOCALE_NB, -123450, "NOK", "\xe2\x88\x92" "1 234,50 kr");
	money_is(MONEY_LOCALE_NB, 123450, "SEK", "1 234,50 SEK");
}

static void
test_money_en(void **state)
{
	(void)state;
	money_is(MONEY_LOCALE_EN, 123450, "SEK", "SEK 1,234.50");
	money_is(MONEY_LOCALE_EN, 0, "SEK", "SEK 0.00");
	money_is(MONEY_LOCALE_EN, -123450, "SEK", "-SEK 1,234.50");
	money_is(MONEY_LOCALE_EN, 100000000, "EUR", "EUR 1,000,000.00");
	money_is(MONEY_LOCALE_EN, 999, "USD", "USD 9.99");
}

static void
test_money_extremes(void **state)
{
	(void)state;
	money_is(MONEY_LOCALE_SV, INT64_MAX, "SEK",
	    "92 233 720 368 547 758,07 kr");
	/* Its magnitude does not fit in int64_t. */
	money_is(MONEY_LOCALE_SV, INT64_MIN, "SEK",
	    "\xe2\x88\x92" "92 233 720 368 547 758,08 kr");
	money_is(MONEY_LOCALE_EN, INT64_MIN, "USD",
	    "-USD 92,233,720,368,547,758.08");
}

static void
test_money_minor_units(void **state)
{
	(void)state;
	money_is(MONEY_LOCALE_EN, 1234, "JPY", "JPY 1,234");
	money_is(MONEY_LOCALE_SV, 1234, "ISK", "1 234 ISK");
	money_is(MONEY_LOCALE_EN, 1234, "KWD", "KWD 1.234");
	money_is(MONEY_LOCALE_DA, -5, "KWD", "-0,005 KWD");
}

/* Each code of the table, its ends and their neighbours, by search. */
static void
test_currency_digits(void **state)
{
	static const struct {
		const char	*code;
		int		 digits;
	} rows[] = {
		{ "BHD", 3 }, { "BIF", 0 }, { "CLF", 4 }, { "CLP", 0 },
		{ "DJF", 0 }, { "GNF", 0 }, { "IQD", 3 }, { "ISK", 0 },
		{ "JOD", 3 }, { "JPY", 0 }, { "KMF", 0 }, { "KRW", 0 },
		{ "KWD", 3 }, { "LYD", 3 }, { "OMR", 3 }, { "PYG", 0 },
		{ "RWF", 0 }, { "TND", 3 }, { "UGX", 0 }, { "UYI", 0 },
		{ "UYW", 4 }, { "VND", 0 }, { "VUV", 0 }, { "XAF", 0 },
		{ "XOF", 0 }, { "XPF", 0 },
		{ "AAA", 2 }, { "BHC", 2 }, { "BHE", 2 }, { "SEK", 2 },
		{ "EUR", 2 }, { "XPG", 2 }, { "ZZZ", 2 }, { "", 2 },
		{ "JP", 2 }, { "JPYX", 2 },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(money_currency_digits(rows[i].code),
		    rows[i].digits);
}

static void
test_money_refused(void **state)
{
	char	 out[MONEY_FORMAT_MAX], tiny[8];

	(void)state;
	assert_int_equal(money_format(MONEY_LOCALE_SV, 1, "sek", out,
	    sizeof(out)), -1);
	assert_int_equal(money_format(MONEY_LOCALE_SV, 1, "SE", out,
	    sizeof(out)), -1);
	assert_int_equal(money_format(MONEY_LOCALE_SV, 1, "SEKK", out,
	    sizeof(out)), -1);
	assert_int_equal(money_format(MONEY_LOCALE_SV, 1, "S\xc3\x85", out,
	    sizeof(out)), -1);
	assert_int_equal(money_format(MONEY_LOCALE_SV, 1, NULL, out,
	    sizeof(out)), -1);
	assert_int_equal(money_format(MONEY_LOCALE_SV, 123450, "SEK", tiny,
	    sizeof(tiny)), -1);
}

static void
test_locale_parse(void **state)
{
	(void)state;
	assert_int_equal(money_locale_parse("sv"), MONEY_LOCALE_SV);
	assert_int_equal(money_locale_parse("sv-SE"), MONEY_LOCALE_SV);
	assert_int_equal(money_locale_parse("sv_SE"), MONEY_LOCALE_SV);
	assert_int_equal(money_locale_parse("da"), MONEY_LOCALE_DA);
	assert_int_equal(money_locale_parse("nb"), MONEY_LOCALE_NB);
	assert_int_equal(money_locale_parse("no"), MONEY_LOCALE_NB);
	assert_int_equal(money_locale_parse("en"), MONEY_LOCALE_EN);
	assert_int_equal(money_locale_parse("fi"), MONEY_LOCALE_EN);
	assert_int_equal(money_locale_parse("svenska"), MONEY_LOCALE_EN);
	assert_int_equal(money_locale_parse(""), MONEY_LOCALE_EN);
	assert_int_equal(money_locale_parse(NULL), MONEY_LOCALE_EN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money_sv),
		cmocka_unit_test(test_money_da_nb),
		cmocka_unit_test(test_money_en),
		cmocka_unit_test(test_money_extremes),
		cmocka_unit_test(test_money_minor_units),
		cmocka_unit_test(test_currency_digits),
		cmocka_unit_test(test_money_refused),
		cmocka_unit_test(test_locale_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
