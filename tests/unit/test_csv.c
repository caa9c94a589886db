/*
 * Unit tests for common/csv.h and common/money.h: RFC 4180 quoting, CRLF
 * records, the byte order mark, formula cells neutralised in text but not
 * in numbers, Swedish letters kept byte for byte, and amounts as decimals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/csv.h"
#include "../../common/money.h"

/* A writer into a buffer of its own: each test's state (out_setup). */
struct out {
	struct buf	 b;
	struct csv	 c;
};

static int
out_setup(void **state)
{
	struct out	*o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return -1;
	buf_init(&o->b, 1024);
	csv_init(&o->c, &o->b);
	*state = o;
	return 0;
}

static int
out_teardown(void **state)
{
	struct out	*o = *state;

	buf_cleanup(&o->b);
	free(o);
	return 0;
}

/* Empties the writer for the next case of a test. */
static void
out_reset(struct out *o)
{
	buf_reset(&o->b);
	csv_init(&o->c, &o->b);
}

static const char *
out_text(const struct out *o)
{
	assert_false(o->c.error);
	return o->b.data != NULL ? o->b.data : "";
}

/* A text field as it is given, and as the writer writes it. */
static const struct {
	const char	*in;
	const char	*out;
} fields[] = {
	/* Plain text is written as it is. */
	{ "Aronsson AB", "Aronsson AB" },
	{ "", "" },
	{ "semi;colon", "semi;colon" },
	/* UTF-8 passes byte for byte. */
	{ "Åkesson Bygg AB", "Åkesson Bygg AB" },
	{ "Bäckström & Öberg", "Bäckström & Öberg" },
	{ "Ærø Ølbryggeri", "Ærø Ølbryggeri" },
	/* A comma, a quote, CR or LF: quoted, quotes doubled. */
	{ "Berg, Bo", "\"Berg, Bo\"" },
	{ "The \"best\" AB", "\"The \"\"best\"\" AB\"" },
	{ "\"", "\"\"\"\"" },
	{ "two\nlines", "\"two\nlines\"" },
	{ "two\r\nlines", "\"two\r\nlines\"" },
	{ "end\r", "\"end\r\"" },
	/* A formula's first character: a leading "'", inside the quotes. */
	{ "=HYPERLINK(\"http://x\",\"y\")",
	    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
	{ "=1+1", "'=1+1" },
	{ "+1", "'+1" },
	{ "-2", "'-2" },
	{ "@x", "'@x" },
	{ "\t=1", "'\t=1" },
	{ "\r=1", "\"'\r=1\"" },
	/* Only the first character counts. */
	{ "A=1", "A=1" },
	{ "Bo - Berg", "Bo - Berg" },
	{ "'=1", "'=1" },
};

static void
test_text_fields(void **state)
{
	struct out	*o = *state;
	size_t		 i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		out_reset(o);
		csv_string(&o->c, fields[i].in);
		assert_string_equal(out_text(o), fields[i].out);
	}
}

static void
test_records_end_in_crlf_with_commas_between(void **state)
{
	struct out	*o = *state;

	csv_bom(&o->c);
	csv_string(&o->c, "id");
	csv_string(&o->c, "name");
	csv_empty(&o->c);
	csv_record_end(&o->c);
	csv_int(&o->c, 42);
	csv_string(&o->c, "Ö, AB");
	csv_number(&o->c, "-12.50");
	csv_record_end(&o->c);
	assert_string_equal(out_text(o), "\xef\xbb\xbfid,name,\r\n"
	    "42,\"Ö, AB\",-12.50\r\n");
}

static void
test_numbers_are_never_neutralised(void **state)
{
	struct out	*o = *state;

	csv_number(&o->c, "-1250.50");
	csv_int(&o->c, -3);
	csv_int(&o->c, INT64_MIN);
	assert_string_equal(out_text(o),
	    "-1250.50,-3,-9223372036854775808");
}

static void
test_what_is_not_a_number_is_an_error(void **state)
{
	static const char *const bad[] = { "", "-", "1.", ".5", "1e3",
	    "=1", "1,5", "--1", "1.2.3" };
	struct out	*o = *state;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out_reset(o);
		csv_number(&o->c, bad[i]);
		assert_true(o->c.error);
	}
}

static void
test_nul_bytes_are_left_out(void **state)
{
	struct out	*o = *state;

	csv_text(&o->c, "a\0b\"", 4);
	assert_int_equal(o->b.len, 6);
	assert_memory_equal(o->b.data, "\"ab\"\"\"", 6);
}

static void
test_errors_stick(void **state)
{
	struct out	*o = *state;

	o->b.max = 8;
	csv_string(&o->c, "longer than eight bytes");
	assert_true(o->c.error);
	csv_record_end(&o->c);
	assert_true(o->c.error);
}

/* Minor units, currency, and the decimal they make. */
static const struct {
	int64_t		 minor;
	const char	*currency;
	const char	*decimal;
} amounts[] = {
	{ 0, "SEK", "0.00" },
	{ -125050, "SEK", "-1250.50" },
	{ 5, "EUR", "0.05" },
	{ -5, "EUR", "-0.05" },
	{ 1234, "JPY", "1234" },
	{ -1234, "ISK", "-1234" },
	{ 1234, "KWD", "1.234" },
	{ INT64_MIN, "SEK", "-92233720368547758.08" },
};

static void
test_amounts_are_decimals_of_major_units(void **state)
{
	char	 out[MONEY_DECIMAL_MAX], small[4];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++) {
		assert_int_equal(money_decimal(amounts[i].minor,
		    amounts[i].currency, out, sizeof(out)), 0);
		assert_string_equal(out, amounts[i].decimal);
	}
	assert_int_equal(money_decimal(1, "sek", small, sizeof(small)), -1);
	assert_int_equal(money_decimal(1, NULL, small, sizeof(small)), -1);
	assert_int_equal(money_decimal(100000, "SEK", small, sizeof(small)),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test_setup_teardown(test_text_fields, out_setup,
		    out_teardown),
		cmocka_unit_test_setup_teardown(
		    test_records_end_in_crlf_with_commas_between, out_setup,
		    out_teardown),
		cmocka_unit_test_setup_teardown(
		    test_numbers_are_never_neutralised, out_setup,
		    out_teardown),
		cmocka_unit_test_setup_teardown(
		    test_what_is_not_a_number_is_an_error, out_setup,
		    out_teardown),
		cmocka_unit_test_setup_teardown(test_nul_bytes_are_left_out,
		    out_setup, out_teardown),
		cmocka_unit_test_setup_teardown(test_errors_stick, out_setup,
		    out_teardown),
		cmocka_unit_test(test_amounts_are_decimals_of_major_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
