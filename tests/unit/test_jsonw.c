/*
 * Unit tests for common/jsonw.h: commas, escaping, numbers, sticky errors,
 * and a stored object extended with more members.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <cJSON.h>

#include "../../common/jsonw.h"

struct out {
	struct buf	 b;
	struct jsonw	 w;
};

static void
out_open(struct out *o, size_t max)
{
	buf_init(&o->b, max);
	jsonw_init(&o->w, &o->b);
}

/* The text written so far (a buf keeps its data NUL-terminated). */
static const char *
out_text(struct out *o)
{
	assert_non_null(o->b.data);
	return o->b.data;
}

static void
test_members_and_arrays_take_commas(void **state)
{
	struct out	 o;

	(void)state;
	out_open(&o, 1024);
	jsonw_object_open(&o.w);
	jsonw_key(&o.w, "a");
	jsonw_int(&o.w, -9007199254740993LL);
	jsonw_key(&o.w, "b");
	jsonw_array_open(&o.w);
	jsonw_bool(&o.w, 1);
	jsonw_null(&o.w);
	jsonw_object_open(&o.w);
	jsonw_object_close(&o.w);
	jsonw_array_close(&o.w);
	jsonw_key(&o.w, "c");
	jsonw_time(&o.w, 0);
	jsonw_object_close(&o.w);
	assert_false(o.w.error);
	assert_string_equal(out_text(&o), "{\"a\":-9007199254740993,"
	    "\"b\":[true,null,{}],\"c\":\"1970-01-01T00:00:00Z\"}");
	buf_cleanup(&o.b);
}

static void
test_strings_are_escaped(void **state)
{
	struct out	 o;

	(void)state;
	out_open(&o, 1024);
	jsonw_string(&o.w, "q\"b\\n\nr\rt\t\x01/\xc3\xa5");
	assert_string_equal(out_text(&o),
	    "\"q\\\"b\\\\n\\nr\\rt\\t\\u0001/\xc3\xa5\"");
	buf_cleanup(&o.b);
}

/*
 * Strings and keys written in one piece (short, nothing to escape) and
 * those escaped take the same commas: in arrays, as keys and values, at
 * the length where one turns into the other, with an escape anywhere.
 */
static void
test_short_and_long_strings_read_alike(void **state)
{
	static const char *const	 texts[] = { "", "kr", "1 234,50 kr",
	    "x\"y", "\\", "\x1f", "tab\t",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"" };
	struct out	 o;
	cJSON		*doc, *arr, *obj;
	size_t		 i, n = sizeof(texts) / sizeof(texts[0]);

	(void)state;
	out_open(&o, 8192);
	jsonw_object_open(&o.w);
	jsonw_key(&o.w, "list");
	jsonw_array_open(&o.w);
	for (i = 0; i < n; i++)
		jsonw_string(&o.w, texts[i]);
	jsonw_array_close(&o.w);
	jsonw_key(&o.w, "keys");
	jsonw_object_open(&o.w);
	for (i = 0; i < n; i++) {
		jsonw_key(&o.w, texts[i]);
		jsonw_string(&o.w, texts[n - 1 - i]);
	}
	jsonw_object_close(&o.w);
	jsonw_object_close(&o.w);
	assert_false(o.w.error);
	assert_non_null(doc = cJSON_Parse(out_text(&o)));
	arr = cJSON_GetObjectItemCaseSensitive(doc, "list");
	obj = cJSON_GetObjectItemCaseSensitive(doc, "keys");
	assert_int_equal(cJSON_GetArraySize(arr), (int)n);
	assert_int_equal(cJSON_GetArraySize(obj), (int)n);
	for (i = 0; i < n; i++) {
		assert_string_equal(cJSON_GetArrayItem(arr, (int)i)->valuestring,
		    texts[i]);
		assert_string_equal(cJSON_GetArrayItem(obj, (int)i)->string,
		    texts[i]);
		assert_string_equal(cJSON_GetArrayItem(obj, (int)i)->valuestring,
		    texts[n - 1 - i]);
	}
	cJSON_Delete(doc);
	buf_cleanup(&o.b);
}

static void
test_a_stored_object_takes_more_members(void **state)
{
	struct out	 o;
	const char	*row = "{\"id\":7,\"name\":\"x\"}";

	(void)state;
	out_open(&o, 1024);
	jsonw_array_open(&o.w);
	jsonw_int(&o.w, 1);
	jsonw_object_extend(&o.w, row, strlen(row));
	jsonw_key(&o.w, "more");
	jsonw_int(&o.w, 2);
	jsonw_object_close(&o.w);
	jsonw_object_extend(&o.w, "{}", 2);
	jsonw_key(&o.w, "only");
	jsonw_null(&o.w);
	jsonw_object_close(&o.w);
	jsonw_array_close(&o.w);
	assert_false(o.w.error);
	assert_string_equal(out_text(&o), "[1,{\"id\":7,\"name\":\"x\","
	    "\"more\":2},{\"only\":null}]");
	buf_cleanup(&o.b);
}

static void
test_what_is_not_an_object_is_an_error(void **state)
{
	static const char *const	 bad[] = { "", "{", "}", "[1]", "{x" };
	struct out			 o;
	size_t				 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out_open(&o, 1024);
		jsonw_object_extend(&o.w, bad[i], strlen(bad[i]));
		assert_true(o.w.error);
		buf_cleanup(&o.b);
	}
}

static void
test_errors_stick(void **state)
{
	struct out	 o;

	(void)state;
	out_open(&o, 8);
	jsonw_string(&o.w, "longer than eight bytes");
	assert_true(o.w.error);
	jsonw_null(&o.w);
	assert_true(o.w.error);
	buf_cleanup(&o.b);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_members_and_arrays_take_commas),
		cmocka_unit_test(test_strings_are_escaped),
		cmocka_unit_test(test_short_and_long_strings_read_alike),
		cmocka_unit_test(test_a_stored_object_takes_more_members),
		cmocka_unit_test(test_what_is_not_an_object_is_an_error),
		cmocka_unit_test(test_errors_stick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
