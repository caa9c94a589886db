/* Unit tests for common/text.h: integers, UTF-8, controls, hex, compare. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/text.h"

/* Checks a parse that must succeed with the value want. */
static void
parse_ok(const char *s, long long min, long long max, long long want)
{
	long long	 v = 12345;

	assert_int_equal(text_parse_int(s, min, max, &v), 0);
	assert_true(v == want);
}

/* Checks a parse that must fail and leave the output alone. */
static void
parse_bad(const char *s, long long min, long long max)
{
	long long	 v = 12345;

	assert_int_equal(text_parse_int(s, min, max, &v), -1);
	assert_true(v == 12345);
}

static void
test_parse_int_valid(void **state)
{
	(void)state;
	parse_ok("0", 0, 10, 0);
	parse_ok("7", 0, 10, 7);
	parse_ok("10", 0, 10, 10);
	parse_ok("-5", -10, 10, -5);
	parse_ok("-0", 0, 0, 0);
	parse_ok("007", 0, 10, 7);
	parse_ok("9223372036854775807", 0, INT64_MAX, INT64_MAX);
	parse_ok("-9223372036854775808", INT64_MIN, 0, INT64_MIN);
}

static void
test_parse_int_bounds(void **state)
{
	(void)state;
	parse_bad("11", 0, 10);
	parse_bad("-1", 0, 10);
	parse_bad("0", 1, 10);
	parse_ok("1", 1, 1, 1);
	parse_bad("2", 1, 1);
}

static void
test_parse_int_garbage(void **state)
{
	(void)state;
	parse_bad(NULL, 0, 10);
	parse_bad("", 0, 10);
	parse_bad(" 5", 0, 10);
	parse_bad("5 ", 0, 10);
	parse_bad("5\n", 0, 10);
	parse_bad("\t5", 0, 10);
	parse_bad("5x", 0, 10);
	parse_bad("x5", 0, 10);
	parse_bad("0x5", 0, 100);
	parse_bad("1.0", 0, 10);
	parse_bad("1e2", 0, 1000);
	parse_bad("abc", 0, 10);
	parse_bad("\xd9\xa3", 0, 10);	/* Arabic-Indic three */
}

static void
test_parse_int_sign(void **state)
{
	(void)state;
	parse_bad("+5", 0, 10);
	parse_bad("-", -10, 10);
	parse_bad("--5", -10, 10);
	parse_bad("-+5", -10, 10);
	parse_bad("+-5", -10, 10);
	parse_bad("- 5", -10, 10);
	parse_bad("5-", -10, 10);
}

static void
test_parse_int_overflow(void **state)
{
	(void)state;
	parse_bad("9223372036854775808", 0, INT64_MAX);
	parse_bad("-9223372036854775809", INT64_MIN, 0);
	parse_bad("99999999999999999999999999", 0, INT64_MAX);
	parse_bad("-99999999999999999999999999", INT64_MIN, INT64_MAX);
}

/* Valid UTF-8 for the given bytes, counted without the literal's NUL. */
#define UTF8_VALID(lit)	text_utf8_valid((lit), sizeof(lit) - 1)

static void
test_utf8_valid_forms(void **state)
{
	(void)state;
	assert_true(text_utf8_valid("", 0));
	assert_true(UTF8_VALID("plain ascii"));
	assert_true(UTF8_VALID("\x7f"));
	/* Two bytes: U+0080, U+00E5 (å), U+07FF. */
	assert_true(UTF8_VALID("\xc2\x80"));
	assert_true(UTF8_VALID("\xc3\xa5"));
	assert_true(UTF8_VALID("\xdf\xbf"));
	/* Three bytes: U+0800, U+20AC (€), U+D7FF, U+E000, U+FFFF. */
	assert_true(UTF8_VALID("\xe0\xa0\x80"));
	assert_true(UTF8_VALID("\xe2\x82\xac"));
	assert_true(UTF8_VALID("\xed\x9f\xbf"));
	assert_true(UTF8_VALID("\xee\x80\x80"));
	assert_true(UTF8_VALID("\xef\xbf\xbf"));
	/* Four bytes: U+10000, U+1F600, U+10FFFF. */
	assert_true(UTF8_VALID("\xf0\x90\x80\x80"));
	assert_true(UTF8_VALID("\xf0\x9f\x98\x80"));
	assert_true(UTF8_VALID("\xf4\x8f\xbf\xbf"));
	assert_true(UTF8_VALID("a\xc3\xa5" "b\xe2\x82\xac"
	    "c\xf0\x9f\x98\x80"));
	/* An embedded NUL is a valid code point; the length decides. */
	assert_true(text_utf8_valid("a\0b", 3));
}

static void
test_utf8_overlong(void **state)
{
	(void)state;
	/* "/" and NUL in two bytes, U+07FF in three, U+FFFF in four. */
	assert_false(UTF8_VALID("\xc0\xaf"));
	assert_false(UTF8_VALID("\xc0\x80"));
	assert_false(UTF8_VALID("\xc1\xbf"));
	assert_false(UTF8_VALID("\xe0\x80\xaf"));
	assert_false(UTF8_VALID("\xe0\x9f\xbf"));
	assert_false(UTF8_VALID("\xf0\x80\x80\xaf"));
	assert_false(UTF8_VALID("\xf0\x8f\xbf\xbf"));
}

static void
test_utf8_surrogates(void **state)
{
	(void)state;
	assert_false(UTF8_VALID("\xed\xa0\x80"));	/* U+D800 */
	assert_false(UTF8_VALID("\xed\xaf\xbf"));	/* U+DBFF */
	assert_false(UTF8_VALID("\xed\xb0\x80"));	/* U+DC00 */
	assert_false(UTF8_VALID("\xed\xbf\xbf"));	/* U+DFFF */
	/* A CESU-8 pair for U+10000. */
	assert_false(UTF8_VALID("\xed\xa0\x80\xed\xb0\x80"));
}

static void
test_utf8_beyond_max(void **state)
{
	(void)state;
	assert_false(UTF8_VALID("\xf4\x90\x80\x80"));	/* U+110000 */
	assert_false(UTF8_VALID("\xf5\x80\x80\x80"));
	assert_false(UTF8_VALID("\xf7\xbf\xbf\xbf"));
	assert_false(UTF8_VALID("\xf8\x88\x80\x80\x80"));
	assert_false(UTF8_VALID("\xfc\x84\x80\x80\x80\x80"));
	assert_false(UTF8_VALID("\xfe"));
	assert_false(UTF8_VALID("\xff"));
}

static void
test_utf8_truncated(void **state)
{
	(void)state;
	assert_false(UTF8_VALID("\xc3"));
	assert_false(UTF8_VALID("a\xc3"));
	assert_false(UTF8_VALID("\xe2\x82"));
	assert_false(UTF8_VALID("\xe2"));
	assert_false(UTF8_VALID("\xf0\x9f\x98"));
	assert_false(UTF8_VALID("\xf0\x9f"));
	/* A lead byte whose continuation is cut off by len, not by data. */
	assert_false(text_utf8_valid("\xc3\xa5", 1));
	assert_false(text_utf8_valid("\xf0\x9f\x98\x80", 3));
	/* A lead byte followed by something other than a continuation. */
	assert_false(UTF8_VALID("\xc3" "a"));
	assert_false(UTF8_VALID("\xe2\x82" "a"));
	assert_false(UTF8_VALID("\xf0\x9f\x98" "a"));
	assert_false(UTF8_VALID("\xe2\xc3\xa5"));
	/* Stray continuation bytes. */
	assert_false(UTF8_VALID("\x80"));
	assert_false(UTF8_VALID("a\xbf"));
	assert_false(UTF8_VALID("\xc3\xa5\xa5"));
}

static void
test_utf8_length(void **state)
{
	(void)state;
	assert_int_equal(text_utf8_length("", 0), 0);
	assert_int_equal(text_utf8_length("abc", 3), 3);
	assert_int_equal(text_utf8_length("\xc3\xa5", 2), 1);
	assert_int_equal(text_utf8_length("\xe2\x82\xac", 3), 1);
	assert_int_equal(text_utf8_length("\xf0\x9f\x98\x80", 4), 1);
	/* "åke €1 😀" */
	assert_int_equal(text_utf8_length("\xc3\xa5ke \xe2\x82\xac" "1 "
	    "\xf0\x9f\x98\x80", 13), 8);
	/* Only len bytes are looked at. */
	assert_int_equal(text_utf8_length("abcdef", 2), 2);
}

static void
test_has_control(void **state)
{
	(void)state;
	assert_false(text_has_control(""));
	assert_false(text_has_control("Plain text, with ~ and space."));
	assert_false(text_has_control("\xc3\xa5\xe2\x82\xac"));
	/* U+0080..U+009F are C1 controls but not C0 or DEL. */
	assert_false(text_has_control("\xc2\x85"));
	assert_true(text_has_control("\x01"));
	assert_true(text_has_control("a\tb"));
	assert_true(text_has_control("a\nb"));
	assert_true(text_has_control("a\rb"));
	assert_true(text_has_control("end\x1f"));
	assert_true(text_has_control("\x1b[31m"));
	assert_true(text_has_control("del\x7f"));
}

/* Every bidirectional control and separator, alone and inside a name. */
static void
test_has_control_bidi(void **state)
{
	static const char *const refused[] = {
		"\xe2\x80\xa8",		/* U+2028 LINE SEPARATOR */
		"\xe2\x80\xa9",		/* U+2029 PARAGRAPH SEPARATOR */
		"\xe2\x80\xaa",		/* U+202A LRE */
		"\xe2\x80\xab",		/* U+202B RLE */
		"\xe2\x80\xac",		/* U+202C PDF */
		"\xe2\x80\xad",		/* U+202D LRO */
		"\xe2\x80\xae",		/* U+202E RLO */
		"\xe2\x81\xa6",		/* U+2066 LRI */
		"\xe2\x81\xa7",		/* U+2067 RLI */
		"\xe2\x81\xa8",		/* U+2068 FSI */
		"\xe2\x81\xa9",		/* U+2069 PDI */
	};
	/* Neighbours that stay allowed, and cut forms of the above. */
	static const char *const allowed[] = {
		"\xe2\x80\xa7",		/* U+2027 HYPHENATION POINT */
		"\xe2\x80\xaf",		/* U+202F NARROW NBSP */
		"\xe2\x81\xa5",		/* U+2065, unassigned */
		"\xe2\x81\xaa",		/* U+206A */
		"\xe2\x80\x8f",		/* U+200F RLM, a mark */
		"\xe2\x80\x93",		/* U+2013 EN DASH */
		"\xe2\x82\xac",		/* U+20AC EURO SIGN */
		"\xe2\x80",		/* truncated */
		"\xe2",
		"\xe3\x80\xae",		/* U+302E */
		"\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",	/* Hebrew text */
	};
	char	 name[64];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_true(text_has_control(refused[i]));
		(void)snprintf(name, sizeof(name), "Acme %s AB", refused[i]);
		assert_true(text_has_control(name));
		(void)snprintf(name, sizeof(name), "Acme AB%s", refused[i]);
		assert_true(text_has_control(name));
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		assert_false(text_has_control(allowed[i]));
		(void)snprintf(name, sizeof(name), "Acme %s AB", allowed[i]);
		assert_false(text_has_control(name));
	}
}

static void
test_unhex(void **state)
{
	unsigned char	 out[4];
	size_t		 n = 99;

	(void)state;
	assert_int_equal(text_unhex("00ff7a", out, sizeof(out), &n), 0);
	assert_int_equal(n, 3);
	assert_true(out[0] == 0x00 && out[1] == 0xff && out[2] == 0x7a);
	assert_int_equal(text_unhex("", out, sizeof(out), &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(text_unhex("abc", out, sizeof(out), &n), -1);
	assert_int_equal(text_unhex("AB", out, sizeof(out), &n), -1);
	assert_int_equal(text_unhex("0g", out, sizeof(out), &n), -1);
	assert_int_equal(text_unhex("0102030405", out, sizeof(out), &n), -1);
}

static void
test_hex(void **state)
{
	static const unsigned char	 in[] = { 0x00, 0x01, 0x7f, 0x80,
					     0xab, 0xff };
	char				 out[2 * sizeof(in) + 2];

	(void)state;
	memset(out, 'Z', sizeof(out));
	text_hex(in, sizeof(in), out);
	assert_string_equal(out, "00017f80abff");
	assert_int_equal(out[2 * sizeof(in) + 1], 'Z');
	text_hex(in, 0, out);
	assert_string_equal(out, "");
}

static void
test_equal_ct(void **state)
{
	(void)state;
	assert_true(text_equal_ct("abcdef", "abcdef", 6));
	assert_false(text_equal_ct("abcdef", "abcdeg", 6));
	assert_false(text_equal_ct("xbcdef", "abcdef", 6));
	/* Only n bytes are compared. */
	assert_true(text_equal_ct("abcX", "abcY", 3));
	assert_true(text_equal_ct("a", "b", 0));
	/* Bytes past NUL count too. */
	assert_false(text_equal_ct("a\0b", "a\0c", 3));
	assert_false(text_equal_ct("\x80", "\x00", 1));
}

/* Digits written before the end of a buffer, zeros making up min. */
static void
test_u64_before(void **state)
{
	char	 b[32], *end = b + sizeof(b) - 1, *p;

	(void)state;
	*end = '\0';
	assert_string_equal(text_u64_before(end, 0, 1), "0");
	assert_string_equal(text_u64_before(end, 1234, 1), "1234");
	assert_string_equal(text_u64_before(end, 5, 2), "05");
	assert_string_equal(text_u64_before(end, 0, 3), "000");
	assert_string_equal(text_u64_before(end, 1234, 2), "1234");
	p = text_u64_before(end, UINT64_MAX, 1);
	assert_string_equal(p, "18446744073709551615");
	assert_ptr_equal(p, end - 20);
}

/* The integer that starts a text, read up to where it stops. */
static void
test_i64_prefix(void **state)
{
	static const struct {
		const char	*text;
		int64_t		 value;
		size_t		 used;	/* 0: refused */
	} cases[] = {
		{ "0}", 0, 1 },
		{ "-405830,", -405830, 7 },
		{ "12345", 12345, 5 },
		{ "9223372036854775807}", INT64_MAX, 19 },
		{ "-9223372036854775808}", INT64_MIN, 20 },
		{ "007", 7, 3 },
		{ "9223372036854775808", 0, 0 },
		{ "-9223372036854775809", 0, 0 },
		{ "99999999999999999999", 0, 0 },
		{ "-", 0, 0 },
		{ "", 0, 0 },
		{ "+5", 0, 0 },
		{ " 5", 0, 0 },
		{ "x", 0, 0 },
	};
	const char	*end, *digits = "12345";
	int64_t		 v;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 42;
		end = text_i64_prefix(cases[i].text,
		    cases[i].text + strlen(cases[i].text), &v);
		if (cases[i].used == 0) {
			assert_null(end);
			assert_int_equal(v, 42);
			continue;
		}
		assert_ptr_equal(end, cases[i].text + cases[i].used);
		assert_true(v == cases[i].value);
	}
	/* The end bounds it: digits past it are not read. */
	assert_ptr_equal(text_i64_prefix(digits, digits + 2, &v), digits + 2);
	assert_int_equal(v, 12);
}

static void
test_id_list(void **state)
{
	const int64_t	 ids[] = { 1, 42, INT64_MAX };
	char		 out[64], tiny[6];

	(void)state;
	assert_int_equal(text_id_list(ids, 3, '[', ']', out, sizeof(out)), 0);
	assert_string_equal(out, "[1,42,9223372036854775807]");
	assert_int_equal(text_id_list(ids, 2, '{', '}', out, sizeof(out)), 0);
	assert_string_equal(out, "{1,42}");
	assert_int_equal(text_id_list(ids, 0, '[', ']', out, sizeof(out)), 0);
	assert_string_equal(out, "[]");
	assert_int_equal(text_id_list(ids, 2, '[', ']', tiny, sizeof(tiny)),
	    -1);
	assert_int_equal(text_id_list(ids, 1, '[', ']', tiny, 4), 0);
	assert_string_equal(tiny, "[1]");
	assert_int_equal(text_id_list(ids, 1, '[', ']', tiny, 3), -1);
	assert_int_equal(text_id_list((const int64_t []){ -7, INT64_MIN, 0 },
	    3, '[', ']', out, sizeof(out)), 0);
	assert_string_equal(out, "[-7,-9223372036854775808,0]");
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_parse_int_valid),
		cmocka_unit_test(test_parse_int_bounds),
		cmocka_unit_test(test_parse_int_garbage),
		cmocka_unit_test(test_parse_int_sign),
		cmocka_unit_test(test_parse_int_overflow),
		cmocka_unit_test(test_utf8_valid_forms),
		cmocka_unit_test(test_utf8_overlong),
		cmocka_unit_test(test_utf8_surrogates),
		cmocka_unit_test(test_utf8_beyond_max),
		cmocka_unit_test(test_utf8_truncated),
		cmocka_unit_test(test_utf8_length),
		cmocka_unit_test(test_has_control),
		cmocka_unit_test(test_has_control_bidi),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_unhex),
		cmocka_unit_test(test_equal_ct),
		cmocka_unit_test(test_u64_before),
		cmocka_unit_test(test_i64_prefix),
		cmocka_unit_test(test_id_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
