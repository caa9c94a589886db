/*
 * Unit tests for common/jsonr.h: members found by name at any place, in
 * nested objects and arrays; strings decoded; integers read exactly; and
 * text that is not well-formed refused without reading past its end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/jsonr.h"

static const char row[] =
    "{\"id\":42,\"name\":\"B\\u00e4ckstr\\u00f6m \\\"& Co\\\"\","
    "\"org_number\":\"5575440000\",\"balance\":{\"amount_minor\":-125050,"
    "\"currency\":\"SEK\"},\"assignees\":[{\"id\":2,\"name\":\"Bo "
    "Berg\"},{\"id\":3,\"name\":\"\\u00c5sa {]\"}], \"tags\" : [ ] ,"
    "\"note\":null}";

static struct jsonr
span(const char *s)
{
	struct jsonr	 v = { s, strlen(s) };

	return v;
}

/* The text of member name of o, as a NUL-terminated copy in out. */
static const char *
member(const struct jsonr *o, const char *name, char *out, size_t outlen)
{
	struct jsonr	 v;

	if (jsonr_get(o, name, &v) == -1)
		return NULL;
	assert_true(v.len < outlen);
	memcpy(out, v.p, v.len);
	out[v.len] = '\0';
	return out;
}

static void
test_members_are_found_by_name(void **state)
{
	struct jsonr	 o = span(row), bal, v;
	char		 text[128];
	int64_t		 n;

	(void)state;
	assert_string_equal(member(&o, "id", text, sizeof(text)), "42");
	assert_string_equal(member(&o, "org_number", text, sizeof(text)),
	    "\"5575440000\"");
	assert_string_equal(member(&o, "tags", text, sizeof(text)), "[ ]");
	assert_string_equal(member(&o, "note", text, sizeof(text)), "null");
	assert_null(member(&o, "missing", text, sizeof(text)));
	assert_null(member(&o, "amount_minor", text, sizeof(text)));
	/* Strings that end in an escaped backslash, or hold a quote. */
	v = span("{\"a\":\"x\\\\\",\"b\":\"q\\\"r\\\\\\\"\",\"c\":3}");
	assert_string_equal(member(&v, "c", text, sizeof(text)), "3");
	assert_string_equal(member(&v, "b", text, sizeof(text)),
	    "\"q\\\"r\\\\\\\"\"");
	assert_int_equal(jsonr_get(&o, "balance", &bal), 0);
	assert_true(jsonr_is_object(&bal));
	assert_int_equal(jsonr_get(&bal, "amount_minor", &v), 0);
	assert_int_equal(jsonr_int(&v, &n), 0);
	assert_int_equal(n, -125050);
}

static void
test_arrays_are_walked(void **state)
{
	struct jsonr	 o = span(row), a, e, name;
	struct buf	 b;
	size_t		 pos = 0;
	int		 n = 0;

	(void)state;
	buf_init(&b, 256);
	assert_int_equal(jsonr_get(&o, "assignees", &a), 0);
	assert_true(jsonr_is_array(&a));
	while (jsonr_array_next(&a, &pos, &e) == 1) {
		assert_int_equal(jsonr_get(&e, "name", &name), 0);
		if (n++ > 0)
			assert_int_equal(buf_adds(&b, "; "), 0);
		assert_int_equal(jsonr_string(&name, &b), 0);
	}
	assert_int_equal(n, 2);
	assert_string_equal(b.data, "Bo Berg; Åsa {]");
	pos = 0;
	assert_int_equal(jsonr_get(&o, "tags", &a), 0);
	assert_int_equal(jsonr_array_next(&a, &pos, &e), 0);
	buf_cleanup(&b);
}

static void
test_strings_are_decoded(void **state)
{
	static const struct {
		const char	*json;
		const char	*text;
	} cases[] = {
		{ "\"plain\"", "plain" },
		{ "\"\"", "" },
		{ "\"B\\u00e4ck \\\"Co\\\"\"", "Bäck \"Co\"" },
		{ "\"a\\\\b\\/c\\n\\t\\r\\b\\f\"", "a\\b/c\n\t\r\b\f" },
		{ "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" },
		{ "\"\\u20AC\"", "€" },
		{ "\"a\\u0000b\"", "ab" },
	};
	static const char *const bad[] = { "\"\\x\"", "\"\\u12\"",
	    "\"\\ud83d\"", "\"\\ude00\\ud83d\"", "42", "\"\\" };
	struct jsonr	 v;
	struct buf	 b;
	size_t		 i;

	(void)state;
	buf_init(&b, 256);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		v = span(cases[i].json);
		assert_int_equal(jsonr_string(&v, &b), 0);
		assert_string_equal(b.data != NULL ? b.data : "",
		    cases[i].text);
		assert_int_equal(jsonr_string_plain(&v),
		    strchr(cases[i].json, '\\') == NULL);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = span(bad[i]);
		assert_int_equal(jsonr_string(&v, &b), -1);
	}
	buf_cleanup(&b);
}

static void
test_integers_are_exact(void **state)
{
	static const char *const bad[] = { "", "-", "1.5", "1e3", "01",
	    "9223372036854775808", "-9223372036854775809", "\"1\"", "true" };
	struct jsonr	 v;
	int64_t		 n;
	size_t		 i;

	(void)state;
	v = span("9223372036854775807");
	assert_int_equal(jsonr_int(&v, &n), 0);
	assert_true(n == INT64_MAX);
	v = span("-9223372036854775808");
	assert_int_equal(jsonr_int(&v, &n), 0);
	assert_true(n == INT64_MIN);
	v = span("0");
	assert_int_equal(jsonr_int(&v, &n), 0);
	assert_int_equal(n, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = span(bad[i]);
		assert_int_equal(jsonr_int(&v, &n), -1);
	}
}

static void
test_what_is_not_well_formed_is_refused(void **state)
{
	static const char *const bad[] = { "", "[]", "{", "{\"a\"}",
	    "{\"a\":}", "{\"a\":1,}", "{\"a\":\"x}", "{\"a\":[1,2}",
	    "{\"a\":1 \"b\":2}", "{a:1}" };
	struct jsonr	 o, v;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = span(bad[i]);
		assert_int_equal(jsonr_get(&o, "b", &v), -1);
	}
	/* Cut short: a length inside the text is its end. */
	o.p = row;
	o.len = 20;
	assert_int_equal(jsonr_get(&o, "org_number", &v), -1);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_members_are_found_by_name),
		cmocka_unit_test(test_arrays_are_walked),
		cmocka_unit_test(test_strings_are_decoded),
		cmocka_unit_test(test_integers_are_exact),
		cmocka_unit_test(test_what_is_not_well_formed_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
