/*
 * Unit tests for common/csv.h and common/money.h: RFC 4180 quoting, CRLF
 * records, the byte order mark, formula cells neutralised in text but not
 * in numbers, Swedish letters kept byte for byte, and amounts as decimals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/csv.h"
#include "../../common/money.h"

struct out {
	struct buf	 b;
	struct csv	 c;
};

static void
out_open(struct out *o, size_t max)
{
	buf_init(&o->b, max);
	csv_init(&o->c, &o->b);
}

static const char *
out_text(struct out *o)
{
	assert_false(o->c.error);
	return o->b.data != NULL ? o->b.data : "";
}

/* One text field as its own record: what csv_string() made of s. */
static void
assert_field(const char *s, const char *want)
{
	struct out	 o;

	out_open(&o, 1024);
	csv_string(&o.c, s);
	assert_string_equal(out_text(&o), want);
	buf_cleanup(&o.b);
}

static void
test_plain_fields_are_not_quoted(void **state)
{
	(void)state;
	assert_field("Aronsson AB", "Aronsson AB");
	assert_field("", "");
	assert_field("semi;colon", "semi;colon");
}

static void
test_swedish_letters_pass_byte_for_byte(void **state)
{
	(void)state;
	assert_field("Åkesson Bygg AB", "Åkesson Bygg AB");
	assert_field("Bäckström & Öberg", "Bäckström & Öberg");
	assert_field("Ærø Ølbryggeri", "Ærø Ølbryggeri");
}

static void
test_commas_quotes_and_line_breaks_are_quoted(void **state)
{
	(void)state;
	assert_field("Berg, Bo", "\"Berg, Bo\"");
	assert_field("The \"best\" AB", "\"The \"\"best\"\" AB\"");
	assert_field("\"", "\"\"\"\"");
	assert_field("two\nlines", "\"two\nlines\"");
	assert_field("two\r\nlines", "\"two\r\nlines\"");
	assert_field("end\r", "\"end\r\"");
}

static void
test_each_formula_start_is_neutralised(void **state)
{
	(void)state;
	assert_field("=HYPERLINK(\"http://x\",\"y\")",
	    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	assert_field("=1+1", "'=1+1");
	assert_field("+1", "'+1");
	assert_field("-2", "'-2");
	assert_field("@x", "'@x");
	assert_field("\t=1", "'\t=1");
	/* A CR needs the quotes as well. */
	assert_field("\r=1", "\"'\r=1\"");
	/* Only the first character counts. */
	assert_field("A=1", "A=1");
	assert_field("Bo - Berg", "Bo - Berg");
	assert_field("'=1", "'=1");
}

static void
test_records_end_in_crlf_with_commas_between(void **state)
{
	struct out	 o;

	(void)state;
	out_open(&o, 1024);
	csv_bom(&o.c);
	csv_string(&o.c, "id");
	csv_string(&o.c, "name");
	csv_empty(&o.c);
	csv_record_end(&o.c);
	csv_int(&o.c, 42);
	csv_string(&o.c, "Ö, AB");
	csv_number(&o.c, "-12.50");
	csv_record_end(&o.c);
	assert_string_equal(out_text(&o), "\xef\xbb\xbfid,name,\r\n"
	    "42,\"Ö, AB\",-12.50\r\n");
	buf_cleanup(&o.b);
}

static void
test_numbers_are_never_neutralised(void **state)
{
	struct out	 o;

	(void)state;
	out_open(&o, 1024);
	csv_number(&o.c, "-1250.50");
	csv_int(&o.c, -3);
	csv_int(&o.c, INT64_MIN);
	assert_string_equal(out_text(&o),
	    "-1250.50,-3,-9223372036854775808");
	buf_cleanup(&o.b);
}

static void
test_what_is_not_a_number_is_an_error(void **state)
{
	static const char *const bad[] = { "", "-", "1.", ".5", "1e3",
	    "=1", "1,5", "--1", "1.2.3" };
	struct out	 o;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out_open(&o, 1024);
		csv_number(&o.c, bad[i]);
		assert_true(o.c.error);
		buf_cleanup(&o.b);
	}
}

static void
test_nul_bytes_are_left_out(void **state)
{
	struct out	 o;

	(void)state;
	out_open(&o, 1024);
	csv_text(&o.c, "a\0b\"", 4);
	assert_int_equal(o.b.len, 6);
	assert_memory_equal(o.b.data, "\"ab\"\"\"", 6);
	buf_cleanup(&o.b);
}

static void
test_errors_stick(void **state)
{
	struct out	 o;

	(void)state;
	out_open(&o, 8);
	csv_string(&o.c, "longer than eight bytes");
	assert_true(o.c.error);
	csv_record_end(&o.c);
	assert_true(o.c.error);
	buf_cleanup(&o.b);
}

static void
assert_decimal(int64_t minor, const char *currency, const char *want)
{
	char	 out[MONEY_DECIMAL_MAX];

	assert_int_equal(money_decimal(minor, currency, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void
test_amounts_are_decimals_of_major_units(void **state)
{
	char	 small[4];

	(void)state;
	assert_decimal(0, "SEK", "0.00");
	assert_decimal(-125050, "SEK", "-1250.50");
	assert_decimal(5, "EUR", "0.05");
	assert_decimal(-5, "EUR", "-0.05");
	assert_decimal(1234, "JPY", "1234");
	assert_decimal(-1234, "ISK", "-1234");
	assert_decimal(1234, "KWD", "1.234");
	assert_decimal(INT64_MIN, "SEK", "-92233720368547758.08");
	assert_int_equal(money_decimal(1, "sek", small, sizeof(small)), -1);
	assert_int_equal(money_decimal(1, NULL, small, sizeof(small)), -1);
	assert_int_equal(money_decimal(100000, "SEK", small, sizeof(small)),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_plain_fields_are_not_quoted),
		cmocka_unit_test(test_swedish_letters_pass_byte_for_byte),
		cmocka_unit_test(test_commas_quotes_and_line_breaks_are_quoted),
		cmocka_unit_test(test_each_formula_start_is_neutralised),
		cmocka_unit_test(test_records_end_in_crlf_with_commas_between),
		cmocka_unit_test(test_numbers_are_never_neutralised),
		cmocka_unit_test(test_what_is_not_a_number_is_an_error),
		cmocka_unit_test(test_nul_bytes_are_left_out),
		cmocka_unit_test(test_errors_stick),
		cmocka_unit_test(test_amounts_are_decimals_of_major_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
