/* Unit tests for common/json.h: strict parsing, schema checks, output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/json.h"

/*
 * Parses a NUL-terminated literal as a request body; json_parse_strict()
 * relies on the NUL the body reader adds after len bytes.
 */
static enum json_fault
parse_len(const char *s, size_t len)
{
	/* Not NULL, so that the reset to NULL is seen. */
	cJSON		*doc = (cJSON *)&doc;
	enum json_fault	 f;

	f = json_parse_strict(s, len, &doc);
	if (f == JSON_OK)
		assert_non_null(doc);
	else
		assert_null(doc);
	cJSON_Delete(doc);
	return f;
}

static enum json_fault
parse(const char *s)
{
	return parse_len(s, strlen(s));
}

/* A string of n copies of unit, in a new buffer the caller frees. */
static char *
repeat(const char *unit, size_t n)
{
	size_t	 ulen = strlen(unit), i;
	char	*s;

	s = malloc(ulen * n + 1);
	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * ulen, unit, ulen);
	s[ulen * n] = '\0';
	return s;
}

/* open, n times, then close, n times, around an optional middle. */
static char *
nest(const char *open, const char *close, size_t n, const char *mid)
{
	char	*a, *b, *s;
	size_t	 len;

	a = repeat(open, n);
	b = repeat(close, n);
	len = strlen(a) + strlen(mid) + strlen(b) + 1;
	s = malloc(len);
	assert_non_null(s);
	(void)snprintf(s, len, "%s%s%s", a, mid, b);
	free(a);
	free(b);
	return s;
}

static void
test_parse_ok(void **state)
{
	cJSON		*doc = NULL;
	const char	*body = "{\"a\": [1, 2.5, "
			    "\"x\\u00e5\\ud83d\\ude00\"],"
			    " \"b\": {\"c\": null, \"d\": true}}\r\n";

	(void)state;
	assert_int_equal(json_parse_strict(body, strlen(body), &doc),
	    JSON_OK);
	assert_non_null(doc);
	/* Escapes decode to UTF-8, a surrogate pair to four bytes. */
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "a"),
	    2)->valuestring, "x\xc3\xa5\xf0\x9f\x98\x80");
	cJSON_Delete(doc);
	assert_int_equal(parse("1"), JSON_OK);
	assert_int_equal(parse("\"s\""), JSON_OK);
	assert_int_equal(parse("  []  "), JSON_OK);
	assert_int_equal(parse("{\"\xc3\xa5\": \"\xe2\x82\xac\"}"), JSON_OK);
	/* DEL is no C0 control and JSON lets it through raw. */
	assert_int_equal(parse("[\"\x7f\"]"), JSON_OK);
}

static void
test_parse_empty(void **state)
{
	(void)state;
	assert_int_equal(parse(""), JSON_EMPTY);
	assert_int_equal(parse(" "), JSON_EMPTY);
	assert_int_equal(parse(" \t\r\n "), JSON_EMPTY);
}

static void
test_parse_nul(void **state)
{
	(void)state;
	assert_int_equal(parse_len("\0", 1), JSON_NUL);
	assert_int_equal(parse_len("{}\0", 3), JSON_NUL);
	assert_int_equal(parse_len(" \0{}", 4), JSON_NUL);
	assert_int_equal(parse_len("{\"a\":\"x\0y\"}", 11), JSON_NUL);
}

static void
test_parse_bad_utf8(void **state)
{
	(void)state;
	assert_int_equal(parse("\"\xff\""), JSON_BAD_UTF8);
	assert_int_equal(parse("[\"\xc0\xaf\"]"), JSON_BAD_UTF8);
	assert_int_equal(parse("[\"\xed\xa0\x80\"]"), JSON_BAD_UTF8);
	assert_int_equal(parse("[\"\xf4\x90\x80\x80\"]"), JSON_BAD_UTF8);
	assert_int_equal(parse("[\"\xe2\x82\"]"), JSON_BAD_UTF8);
	assert_int_equal(parse("{\"k\xc3\": 1}"), JSON_BAD_UTF8);
	/* Outside any string, too. */
	assert_int_equal(parse("[1]\xc3"), JSON_BAD_UTF8);
	assert_int_equal(parse("\xef\xbb\xbf\xc0{}"), JSON_BAD_UTF8);
}

static void
test_parse_control(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"a\":\"x\ty\"}"), JSON_CONTROL);
	assert_int_equal(parse("{\"a\":\"x\ny\"}"), JSON_CONTROL);
	assert_int_equal(parse("[\"\x01\"]"), JSON_CONTROL);
	assert_int_equal(parse("[\"\x1f\"]"), JSON_CONTROL);
	assert_int_equal(parse("{\"k\ry\":1}"), JSON_CONTROL);
	/* Escaped they are fine, and raw whitespace between tokens too. */
	assert_int_equal(parse("{\"a\":\"x\\ty\\n\\r\\u0001\"}"), JSON_OK);
	assert_int_equal(parse("{\n\t\"a\":\r\n1}"), JSON_OK);
}

/*
 * json.h: cJSON "on its own accepts raw control characters". It also takes
 * every byte below 0x20 for whitespace between tokens, where JSON allows
 * only space, tab, LF and CR (RFC 8259, section 2).
 */
static void
test_parse_control_between_tokens(void **state)
{
	static const char *const	 bodies[] = {
		"[1,\x01 2]",
		"{\x0b\"a\":1}",
		"{\"a\":\x0c" "1}",
		"\x1f{}",
		"{}\x1b",
	};
	size_t				 i;
	enum json_fault			 f;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		f = parse(bodies[i]);
		if (f != JSON_CONTROL && f != JSON_SYNTAX)
			fail_msg("body %zu: fault %d", i, (int)f);
	}
}

static void
test_parse_escaped_nul(void **state)
{
	cJSON		*doc = NULL;
	const char	*body = "[\"\\\\u0000\"]";

	(void)state;
	assert_int_equal(parse("[\"\\u0000\"]"), JSON_ESCAPED_NUL);
	assert_int_equal(parse("{\"a\":\"x\\u0000y\"}"), JSON_ESCAPED_NUL);
	assert_int_equal(parse("{\"a\\u0000\":1}"), JSON_ESCAPED_NUL);
	/* An escaped backslash, then a real "\u0000". */
	assert_int_equal(parse("[\"\\\\\\u0000\"]"), JSON_ESCAPED_NUL);
	/* An escaped backslash followed by the text u0000 is harmless. */
	assert_int_equal(json_parse_strict(body, strlen(body), &doc),
	    JSON_OK);
	assert_string_equal(cJSON_GetArrayItem(doc, 0)->valuestring,
	    "\\u0000");
	cJSON_Delete(doc);
	assert_int_equal(parse("[\"\\\\\\\\u0000\"]"), JSON_OK);
	/* Other escapes of low code points are no NUL. */
	assert_int_equal(parse("[\"\\u0001\\u0010\\u0100\"]"), JSON_OK);
}

static void
test_parse_depth(void **state)
{
	char	*s;

	(void)state;
	s = nest("[", "]", JSON_DEPTH_MAX, "");
	assert_int_equal(parse(s), JSON_OK);
	free(s);
	s = nest("[", "]", JSON_DEPTH_MAX + 1, "");
	assert_int_equal(parse(s), JSON_TOO_DEEP);
	free(s);
	s = nest("{\"a\":", "}", JSON_DEPTH_MAX, "1");
	assert_int_equal(parse(s), JSON_OK);
	free(s);
	s = nest("{\"a\":", "}", JSON_DEPTH_MAX + 1, "1");
	assert_int_equal(parse(s), JSON_TOO_DEEP);
	free(s);
	s = nest("[{\"a\":", "}]", JSON_DEPTH_MAX / 2, "0");
	assert_int_equal(parse(s), JSON_OK);
	free(s);
	s = nest("[{\"a\":", "}]", JSON_DEPTH_MAX / 2, "[]");
	assert_int_equal(parse(s), JSON_TOO_DEEP);
	free(s);
	/* Siblings do not add up; brackets inside strings do not count. */
	assert_int_equal(parse("[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]],"
	    "[[[[[[[[[[[[[[[]]]]]]]]]]]]]]],"
	    "{\"a\":[[[[[[[[[[[[[[]]]]]]]]]]]]]]}]"), JSON_OK);
	assert_int_equal(parse("[\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"]"),
	    JSON_OK);
	assert_int_equal(parse("[\"\\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"]"),
	    JSON_OK);
}

static void
test_parse_many_brackets(void **state)
{
	char	*s;

	(void)state;
	s = repeat("[", 10000);
	assert_int_equal(parse(s), JSON_TOO_DEEP);
	free(s);
	s = nest("[", "]", 10000, "");
	assert_int_equal(parse(s), JSON_TOO_DEEP);
	free(s);
	s = repeat("{\"a\":", 10000);
	assert_int_equal(parse(s), JSON_TOO_DEEP);
	free(s);
}

static void
test_parse_syntax(void **state)
{
	(void)state;
	assert_int_equal(parse("{"), JSON_SYNTAX);
	assert_int_equal(parse("}"), JSON_SYNTAX);
	assert_int_equal(parse("{\"a\":}"), JSON_SYNTAX);
	assert_int_equal(parse("{\"a\" 1}"), JSON_SYNTAX);
	assert_int_equal(parse("{a:1}"), JSON_SYNTAX);
	assert_int_equal(parse("{'a':1}"), JSON_SYNTAX);
	assert_int_equal(parse("[1,]"), JSON_SYNTAX);
	assert_int_equal(parse("{\"a\":1,}"), JSON_SYNTAX);
	assert_int_equal(parse("[\"unterminated]"), JSON_SYNTAX);
	assert_int_equal(parse("[\"bad escape \\x\"]"), JSON_SYNTAX);
	assert_int_equal(parse("nul"), JSON_SYNTAX);
	assert_int_equal(parse("NaN"), JSON_SYNTAX);
	assert_int_equal(parse("+1"), JSON_SYNTAX);
	assert_int_equal(parse("[1 2]"), JSON_SYNTAX);
}

static void
test_parse_trailing(void **state)
{
	(void)state;
	assert_int_equal(parse("{} x"), JSON_SYNTAX);
	assert_int_equal(parse("{}{}"), JSON_SYNTAX);
	assert_int_equal(parse("1 2"), JSON_SYNTAX);
	assert_int_equal(parse("[]]"), JSON_SYNTAX);
	assert_int_equal(parse("[1]\xc3\xa5"), JSON_SYNTAX);
	assert_int_equal(parse("{}\n\t "), JSON_OK);
}

static void
test_parse_duplicates(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"a\":1,\"a\":2}"), JSON_DUPLICATE_KEY);
	assert_int_equal(parse("{\"a\":1,\"b\":2,\"a\":1}"),
	    JSON_DUPLICATE_KEY);
	assert_int_equal(parse("{\"o\":{\"b\":1,\"b\":2}}"),
	    JSON_DUPLICATE_KEY);
	assert_int_equal(parse("[1,{\"x\":{\"c\":[{\"d\":1,\"d\":1}]}}]"),
	    JSON_DUPLICATE_KEY);
	/* The same key once escaped, once not. */
	assert_int_equal(parse("{\"a\":1,\"\\u0061\":2}"), JSON_DUPLICATE_KEY);
	/* Keys differing in case, or in separate objects, are distinct. */
	assert_int_equal(parse("{\"a\":1,\"A\":2}"), JSON_OK);
	assert_int_equal(parse("[{\"a\":1},{\"a\":2}]"), JSON_OK);
	assert_int_equal(parse("{\"a\":{\"a\":{\"a\":1}}}"), JSON_OK);
}

static void
test_parse_lone_surrogate(void **state)
{
	static const char *const	 bodies[] = {
		"[\"\\ud800\"]",
		"[\"\\udbff\"]",
		"[\"\\udc00\"]",
		"[\"\\udfff x\"]",
		"[\"\\ud800\\u0041\"]",
		"[\"\\ude00\\ud83d\"]",
		"{\"\\ud800\":1}",
	};
	size_t				 i;
	enum json_fault			 f;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		f = parse(bodies[i]);
		if (f != JSON_BAD_UTF8 && f != JSON_SYNTAX)
			fail_msg("%s: fault %d", bodies[i], (int)f);
	}
}

static void
test_fault_text(void **state)
{
	enum json_fault	 f, g;

	(void)state;
	for (f = JSON_OK; f <= JSON_DUPLICATE_KEY; f++) {
		assert_non_null(json_fault_text(f));
		assert_true(strlen(json_fault_text(f)) > 0);
		for (g = JSON_OK; g < f; g++)
			assert_string_not_equal(json_fault_text(f),
			    json_fault_text(g));
	}
}

/* The schema the checks below run against. */
static const char *const	 status_values[] = { "open", "closed", NULL };
static const char *const	 tag_values[] = { "a", "b", "c", NULL };
static const struct json_field	 test_fields[] = {
	{ "name", JSON_KIND_STRING, 1, 1, 200, NULL },
	{ "note", JSON_KIND_TEXT, 0, 0, 1000, NULL },
	{ "status", JSON_KIND_STRING, 0, 1, 20, status_values },
	{ "amount", JSON_KIND_INT, 0, 1, 1000000, NULL },
	{ "delta", JSON_KIND_INT, 0, -5, 5, NULL },
	{ "id", JSON_KIND_INT, 0, 1, INT64_MAX, NULL },
	{ "active", JSON_KIND_BOOL, 0, 0, 0, NULL },
	{ "ids", JSON_KIND_INT_ARRAY, 0, 0, 3, NULL },
	{ "tags", JSON_KIND_STRING_ARRAY, 0, 1, 3, tag_values },
	{ "extra", JSON_KIND_OBJECT, 0, 0, 0, NULL },
	{ "limit", JSON_KIND_INT_OR_NULL, 0, 0, 10, NULL },
	{ "line", JSON_KIND_OBJECT_OR_NULL, 0, 0, 0, NULL },
	{ "lines", JSON_KIND_ARRAY, 0, 0, 2, NULL },
};
static const struct json_schema	 test_schema = {
	test_fields, sizeof(test_fields) / sizeof(test_fields[0])
};

/*
 * Checks body against test_schema with prefix; *errorsp gets the errors
 * array (caller deletes). Returns the count, which must match the array.
 */
static int
check(const char *body, const char *prefix, cJSON **errorsp)
{
	cJSON	*doc = NULL, *errors;
	int	 n;

	if (json_parse_strict(body, strlen(body), &doc) != JSON_OK)
		fail_msg("does not parse: %s", body);
	errors = cJSON_CreateArray();
	assert_non_null(errors);
	n = json_schema_check(doc, &test_schema, prefix, errors);
	assert_int_equal(n, cJSON_GetArraySize(errors));
	cJSON_Delete(doc);
	*errorsp = errors;
	return n;
}

/* Nonzero when errors holds exactly {"field": field, "message": message}. */
static int
has_error(const cJSON *errors, const char *field, const char *message)
{
	const cJSON	*e, *f, *m;

	cJSON_ArrayForEach(e, errors) {
		f = cJSON_GetObjectItemCaseSensitive(e, "field");
		m = cJSON_GetObjectItemCaseSensitive(e, "message");
		if (cJSON_IsString(f) && cJSON_IsString(m) &&
		    cJSON_GetArraySize(e) == 2 &&
		    strcmp(f->valuestring, field) == 0 &&
		    (message == NULL || strcmp(m->valuestring, message) == 0))
			return 1;
	}
	return 0;
}

/* Prints errors into out and deletes it, before a failure jumps out. */
static void
print_errors(cJSON *errors, char *out, size_t outlen)
{
	char	*s = cJSON_PrintUnformatted(errors);

	(void)snprintf(out, outlen, "%s", s != NULL ? s : "?");
	free(s);
	cJSON_Delete(errors);
}

/* Expects exactly one error, on field, with message (NULL: any). */
static void
expect_one(const char *body, const char *field, const char *message)
{
	cJSON	*errors;
	char	 got[1024];
	int	 n;

	n = check(body, NULL, &errors);
	if (n != 1 || !has_error(errors, field, message)) {
		print_errors(errors, got, sizeof(got));
		fail_msg("%s: want one error on %s (%s), got %d: %s", body,
		    field, message ? message : "any", n, got);
	}
	cJSON_Delete(errors);
}

static void
expect_none(const char *body)
{
	cJSON	*errors;
	char	 got[1024];
	int	 n;

	n = check(body, NULL, &errors);
	if (n != 0) {
		print_errors(errors, got, sizeof(got));
		fail_msg("%s: want no error, got %d: %s", body, n, got);
	}
	cJSON_Delete(errors);
}

static void
test_schema_valid(void **state)
{
	(void)state;
	expect_none("{\"name\":\"x\"}");
	expect_none("{\"name\":\"x\",\"note\":\"line\\nline\\r\\n\\ttab\","
	    "\"status\":\"open\",\"amount\":1000000,\"delta\":-5,"
	    "\"id\":9007199254740991,\"active\":false,\"ids\":[1,2,3],"
	    "\"tags\":[\"c\",\"a\"],\"extra\":{\"anything\":[1]}}");
	expect_none("{\"name\":\"x\",\"note\":\"\",\"ids\":[]}");
}

static void
test_schema_unknown_field(void **state)
{
	cJSON	*errors;

	(void)state;
	expect_one("{\"name\":\"x\",\"bogus\":1}", "bogus",
	    "is not a known field");
	/* Field names are case-sensitive. */
	expect_one("{\"name\":\"x\",\"Name\":\"y\"}", "Name",
	    "is not a known field");
	assert_int_equal(check("{\"name\":\"x\",\"u1\":1,\"u2\":2}", NULL,
	    &errors), 2);
	assert_true(has_error(errors, "u1", "is not a known field"));
	assert_true(has_error(errors, "u2", "is not a known field"));
	cJSON_Delete(errors);
}

/* null where a kind allows it, and the kind's own checks otherwise. */
static void
test_schema_nullable_and_arrays(void **state)
{
	(void)state;
	expect_none("{\"name\":\"x\",\"limit\":null,\"line\":null}");
	expect_none("{\"name\":\"x\",\"limit\":10,\"line\":{}}");
	expect_one("{\"name\":\"x\",\"limit\":11}", "limit",
	    "must be an integer within the allowed range");
	expect_one("{\"name\":\"x\",\"limit\":\"1\"}", "limit",
	    "must be an integer");
	expect_one("{\"name\":\"x\",\"line\":[]}", "line",
	    "must be an object");
	expect_none("{\"name\":\"x\",\"lines\":[{}, 1]}");
	expect_one("{\"name\":\"x\",\"lines\":null}", "lines",
	    "must be an array");
	expect_one("{\"name\":\"x\",\"lines\":[1, 2, 3]}", "lines",
	    "has too many items");
}

static void
test_schema_wrong_types(void **state)
{
	(void)state;
	expect_one("{\"name\":5}", "name", "must be a string");
	expect_one("{\"name\":null}", "name", "must be a string");
	expect_one("{\"name\":[\"x\"]}", "name", "must be a string");
	expect_one("{\"name\":\"x\",\"note\":false}", "note",
	    "must be a string");
	expect_one("{\"name\":\"x\",\"amount\":\"5\"}", "amount",
	    "must be an integer");
	expect_one("{\"name\":\"x\",\"amount\":true}", "amount",
	    "must be an integer");
	expect_one("{\"name\":\"x\",\"active\":1}", "active",
	    "must be true or false");
	expect_one("{\"name\":\"x\",\"active\":\"true\"}", "active",
	    "must be true or false");
	expect_one("{\"name\":\"x\",\"active\":null}", "active",
	    "must be true or false");
	expect_one("{\"name\":\"x\",\"ids\":1}", "ids", "must be an array");
	expect_one("{\"name\":\"x\",\"ids\":{}}", "ids", "must be an array");
	expect_one("{\"name\":\"x\",\"tags\":\"a\"}", "tags",
	    "must be an array");
	expect_one("{\"name\":\"x\",\"extra\":[]}", "extra",
	    "must be an object");
	expect_one("{\"name\":\"x\",\"extra\":\"{}\"}", "extra",
	    "must be an object");
}

static void
test_schema_string_length(void **state)
{
	char	*s, *body;
	size_t	 len;

	(void)state;
	/* 200 "å" are 400 bytes but 200 code points: within max 200. */
	s = repeat("\xc3\xa5", 200);
	len = strlen(s) + 32;
	body = malloc(len);
	assert_non_null(body);
	(void)snprintf(body, len, "{\"name\":\"%s\"}", s);
	expect_none(body);
	free(s);
	free(body);
	s = repeat("\xc3\xa5", 201);
	len = strlen(s) + 32;
	body = malloc(len);
	assert_non_null(body);
	(void)snprintf(body, len, "{\"name\":\"%s\"}", s);
	expect_one(body, "name", "is too long");
	free(s);
	free(body);
	/* Four-byte characters and escapes count once each too. */
	s = repeat("\xf0\x9f\x98\x80", 200);
	len = strlen(s) + 32;
	body = malloc(len);
	assert_non_null(body);
	(void)snprintf(body, len, "{\"name\":\"%s\"}", s);
	expect_none(body);
	free(s);
	free(body);
	s = repeat("\\u00e5", 201);
	len = strlen(s) + 32;
	body = malloc(len);
	assert_non_null(body);
	(void)snprintf(body, len, "{\"name\":\"%s\"}", s);
	expect_one(body, "name", "is too long");
	free(s);
	free(body);
	expect_one("{\"name\":\"\"}", "name", "must not be empty");
}

static void
test_schema_string_control(void **state)
{
	(void)state;
	expect_one("{\"name\":\"a\\nb\"}", "name",
	    "must not contain control characters");
	expect_one("{\"name\":\"a\\tb\"}", "name",
	    "must not contain control characters");
	expect_one("{\"name\":\"\\u001b[31m\"}", "name",
	    "must not contain control characters");
	expect_one("{\"name\":\"del\\u007f\"}", "name",
	    "must not contain control characters");
	/* Text fields take line breaks and tabs. */
	expect_none("{\"name\":\"x\",\"note\":\"a\\nb\\r\\n\\tc\"}");
}

/*
 * json.h: JSON_KIND_TEXT is "a string that may hold \n, \r and \t", so
 * every other control character must still be refused there.
 */
static void
test_schema_text_other_controls(void **state)
{
	(void)state;
	expect_one("{\"name\":\"x\",\"note\":\"a\\u0001b\"}", "note", NULL);
	expect_one("{\"name\":\"x\",\"note\":\"\\u001b[2J\"}", "note", NULL);
	expect_one("{\"name\":\"x\",\"note\":\"a\\bb\"}", "note", NULL);
	expect_one("{\"name\":\"x\",\"note\":\"a\\u007fb\"}", "note", NULL);
}

static void
test_schema_enum(void **state)
{
	(void)state;
	expect_none("{\"name\":\"x\",\"status\":\"open\"}");
	expect_none("{\"name\":\"x\",\"status\":\"closed\"}");
	expect_one("{\"name\":\"x\",\"status\":\"Open\"}", "status",
	    "is not one of the allowed values");
	expect_one("{\"name\":\"x\",\"status\":\"opened\"}", "status",
	    "is not one of the allowed values");
	expect_one("{\"name\":\"x\",\"status\":\"ope\"}", "status",
	    "is not one of the allowed values");
	expect_one("{\"name\":\"x\",\"status\":\"\"}", "status",
	    "must not be empty");
	expect_one("{\"name\":\"x\",\"status\":1}", "status",
	    "must be a string");
}

static void
test_schema_integers(void **state)
{
	static const char *const	 bad[] = {
		"1.5", "0.5", "1e999", "-1e999", "0", "-1", "1000001",
		"1e7", "1000000.5",
	};
	char				 body[128];
	size_t				 i;

	(void)state;
	expect_none("{\"name\":\"x\",\"amount\":1}");
	expect_none("{\"name\":\"x\",\"amount\":1000000}");
	expect_none("{\"name\":\"x\",\"delta\":0,\"amount\":999999}");
	expect_none("{\"name\":\"x\",\"delta\":-5}");
	expect_none("{\"name\":\"x\",\"delta\":5}");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(body, sizeof(body),
		    "{\"name\":\"x\",\"amount\":%s}", bad[i]);
		expect_one(body, "amount",
		    "must be an integer within the allowed range");
	}
	expect_one("{\"name\":\"x\",\"delta\":-6}", "delta",
	    "must be an integer within the allowed range");
	expect_one("{\"name\":\"x\",\"delta\":6}", "delta",
	    "must be an integer within the allowed range");
	expect_one("{\"name\":\"x\",\"delta\":-0.1}", "delta",
	    "must be an integer within the allowed range");
	/* Huge values are no integers a double holds exactly. */
	expect_one("{\"name\":\"x\",\"id\":9223372036854775807}", "id",
	    "must be an integer within the allowed range");
	expect_one("{\"name\":\"x\",\"id\":1e300}", "id",
	    "must be an integer within the allowed range");
	expect_none("{\"name\":\"x\",\"id\":9007199254740991}");
}

/*
 * 2^53 + 1 parses to the double 2^53: accepting it changes the value the
 * client sent. Only integers up to 2^53 - 1 are held exactly and without
 * ambiguity (JavaScript's Number.MAX_SAFE_INTEGER).
 */
static void
test_schema_integer_precision(void **state)
{
	(void)state;
	expect_one("{\"name\":\"x\",\"id\":9007199254740993}", "id",
	    "must be an integer within the allowed range");
	expect_one("{\"name\":\"x\",\"ids\":[9007199254740993]}", "ids",
	    "must hold positive integer ids");
}

static void
test_schema_bool(void **state)
{
	(void)state;
	expect_none("{\"name\":\"x\",\"active\":true}");
	expect_none("{\"name\":\"x\",\"active\":false}");
	expect_one("{\"name\":\"x\",\"active\":0}", "active",
	    "must be true or false");
}

static void
test_schema_int_array(void **state)
{
	(void)state;
	expect_none("{\"name\":\"x\",\"ids\":[3,1,2]}");
	expect_none("{\"name\":\"x\",\"ids\":[9007199254740991]}");
	expect_one("{\"name\":\"x\",\"ids\":[1,2,1]}", "ids",
	    "holds the same value twice");
	expect_one("{\"name\":\"x\",\"ids\":[7,7]}", "ids",
	    "holds the same value twice");
	expect_one("{\"name\":\"x\",\"ids\":[0]}", "ids",
	    "must hold positive integer ids");
	expect_one("{\"name\":\"x\",\"ids\":[-1]}", "ids",
	    "must hold positive integer ids");
	expect_one("{\"name\":\"x\",\"ids\":[1.5]}", "ids",
	    "must hold positive integer ids");
	expect_one("{\"name\":\"x\",\"ids\":[1e999]}", "ids",
	    "must hold positive integer ids");
	expect_one("{\"name\":\"x\",\"ids\":[\"1\"]}", "ids",
	    "must hold positive integer ids");
	expect_one("{\"name\":\"x\",\"ids\":[1,null]}", "ids",
	    "must hold positive integer ids");
	expect_one("{\"name\":\"x\",\"ids\":[1,2,3,4]}", "ids",
	    "has too many items");
}

static void
test_schema_string_array(void **state)
{
	(void)state;
	expect_none("{\"name\":\"x\",\"tags\":[\"b\"]}");
	expect_none("{\"name\":\"x\",\"tags\":[\"a\",\"b\",\"c\"]}");
	expect_one("{\"name\":\"x\",\"tags\":[]}", "tags",
	    "must not be empty");
	expect_one("{\"name\":\"x\",\"tags\":[\"a\",\"b\",\"c\",\"a\"]}",
	    "tags", "has too many items");
	expect_one("{\"name\":\"x\",\"tags\":[\"a\",\"a\"]}", "tags",
	    "holds the same value twice");
	expect_one("{\"name\":\"x\",\"tags\":[\"d\"]}", "tags",
	    "holds a value that is not allowed");
	expect_one("{\"name\":\"x\",\"tags\":[\"A\"]}", "tags",
	    "holds a value that is not allowed");
	expect_one("{\"name\":\"x\",\"tags\":[\"a\",1]}", "tags",
	    "holds a value that is not allowed");
	expect_one("{\"name\":\"x\",\"tags\":[null]}", "tags",
	    "holds a value that is not allowed");
}

static void
test_schema_required(void **state)
{
	cJSON	*errors;

	(void)state;
	expect_one("{}", "name", "is required");
	expect_one("{\"note\":\"n\"}", "name", "is required");
	/* A missing optional field is fine; a null one is not missing. */
	expect_none("{\"name\":\"x\"}");
	expect_one("{\"name\":\"x\",\"amount\":null}", "amount",
	    "must be an integer");
	/* Every problem is reported, not just the first. */
	assert_int_equal(check("{\"bogus\":1,\"amount\":0,\"active\":\"y\"}",
	    NULL, &errors), 4);
	assert_true(has_error(errors, "bogus", "is not a known field"));
	assert_true(has_error(errors, "name", "is required"));
	assert_true(has_error(errors, "amount",
	    "must be an integer within the allowed range"));
	assert_true(has_error(errors, "active", "must be true or false"));
	cJSON_Delete(errors);
}

static void
test_schema_prefix(void **state)
{
	cJSON	*errors;
	char	 prefix[200];

	(void)state;
	assert_int_equal(check("{\"amount\":1.5,\"x\":1}", "expenses[2]",
	    &errors), 3);
	assert_true(has_error(errors, "expenses[2].name", "is required"));
	assert_true(has_error(errors, "expenses[2].amount",
	    "must be an integer within the allowed range"));
	assert_true(has_error(errors, "expenses[2].x",
	    "is not a known field"));
	cJSON_Delete(errors);
	assert_int_equal(check("{\"name\":\"x\"}", "expenses[2]", &errors),
	    0);
	cJSON_Delete(errors);
	/* A name too long for the field buffer is not cut in two. */
	memset(prefix, 'p', sizeof(prefix) - 1);
	prefix[sizeof(prefix) - 1] = '\0';
	assert_int_equal(check("{}", prefix, &errors), 1);
	assert_true(has_error(errors, "(field name too long)",
	    "is required"));
	cJSON_Delete(errors);
}

static void
test_schema_not_object(void **state)
{
	cJSON	*errors;

	(void)state;
	assert_int_equal(check("[]", NULL, &errors), 1);
	assert_true(has_error(errors, "(body)", "must be a JSON object"));
	cJSON_Delete(errors);
	assert_int_equal(check("\"name\"", "expenses[0]", &errors), 1);
	assert_true(has_error(errors, "expenses[0]",
	    "must be a JSON object"));
	cJSON_Delete(errors);
}

static void
test_schema_errors_array(void **state)
{
	cJSON		*errors, *doc = NULL;
	const cJSON	*e;
	const char	*body = "{\"name\":7,\"extra\":1}";
	char		*s;

	(void)state;
	assert_int_equal(check(body, NULL, &errors), 2);
	/* Objects of exactly two strings, in schema order. */
	cJSON_ArrayForEach(e, errors) {
		assert_true(cJSON_IsObject(e));
		assert_int_equal(cJSON_GetArraySize(e), 2);
		assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e,
		    "field")));
		assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e,
		    "message")));
	}
	s = cJSON_PrintUnformatted(errors);
	assert_non_null(s);
	assert_string_equal(s, "[{\"field\":\"name\","
	    "\"message\":\"must be a string\"},{\"field\":\"extra\","
	    "\"message\":\"must be an object\"}]");
	free(s);
	cJSON_Delete(errors);
	/* With no errors array the count is still returned. */
	assert_int_equal(json_parse_strict(body, strlen(body), &doc), JSON_OK);
	assert_int_equal(json_schema_check(doc, &test_schema, NULL, NULL), 2);
	cJSON_Delete(doc);
	/* Appended after what the array already holds. */
	errors = cJSON_CreateArray();
	assert_non_null(errors);
	json_error_add(errors, "f", "m");
	json_error_add(NULL, "f", "m");
	assert_int_equal(cJSON_GetArraySize(errors), 1);
	assert_true(has_error(errors, "f", "m"));
	cJSON_Delete(errors);
}

static void
test_getters(void **state)
{
	cJSON		*doc = NULL;
	const char	*body = "{\"s\":\"v\",\"i\":-42,\"b\":true,"
			    "\"n\":null}";

	(void)state;
	assert_int_equal(json_parse_strict(body, strlen(body), &doc), JSON_OK);
	assert_string_equal(json_get_string(doc, "s"), "v");
	assert_null(json_get_string(doc, "S"));
	assert_null(json_get_string(doc, "i"));
	assert_true(json_get_int(doc, "i", 0) == -42);
	assert_true(json_get_int(doc, "missing", 7) == 7);
	assert_true(json_get_int(doc, "s", 7) == 7);
	assert_int_equal(json_get_bool(doc, "b", 0), 1);
	assert_int_equal(json_get_bool(doc, "B", 0), 0);
	assert_int_equal(json_get_bool(doc, "s", 1), 1);
	assert_true(json_has(doc, "n"));
	assert_false(json_has(doc, "N"));
	cJSON_Delete(doc);
}

static void
test_add_int(void **state)
{
	cJSON	*obj;
	char	*s;

	(void)state;
	obj = cJSON_CreateObject();
	assert_non_null(obj);
	assert_non_null(json_add_int(obj, "max", INT64_MAX));
	assert_non_null(json_add_int(obj, "min", INT64_MIN));
	assert_non_null(json_add_int(obj, "odd", 9007199254740993LL));
	assert_non_null(json_add_int(obj, "zero", 0));
	assert_non_null(json_add_int(obj, "neg", -1));
	s = cJSON_PrintUnformatted(obj);
	assert_non_null(s);
	assert_string_equal(s, "{\"max\":9223372036854775807,"
	    "\"min\":-9223372036854775808,\"odd\":9007199254740993,"
	    "\"zero\":0,\"neg\":-1}");
	free(s);
	cJSON_Delete(obj);
}

static void
test_format_time(void **state)
{
	char	 out[21], big[64];
	cJSON	*obj;
	char	*s;

	(void)state;
	json_format_time(0, out, sizeof(out));
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	json_format_time(1700000000, out, sizeof(out));
	assert_string_equal(out, "2023-11-14T22:13:20Z");
	json_format_time(951782400, out, sizeof(out));
	assert_string_equal(out, "2000-02-29T00:00:00Z");
	json_format_time(-1, out, sizeof(out));
	assert_string_equal(out, "1969-12-31T23:59:59Z");
	json_format_time(4102444799LL, out, sizeof(out));
	assert_string_equal(out, "2099-12-31T23:59:59Z");
	json_format_time(253402300799LL, out, sizeof(out));
	assert_string_equal(out, "9999-12-31T23:59:59Z");
	json_format_time(1700000000, big, sizeof(big));
	assert_string_equal(big, "2023-11-14T22:13:20Z");
	obj = cJSON_CreateObject();
	assert_non_null(obj);
	assert_non_null(json_add_time(obj, "t", 1700000000));
	s = cJSON_PrintUnformatted(obj);
	assert_non_null(s);
	assert_string_equal(s, "{\"t\":\"2023-11-14T22:13:20Z\"}");
	free(s);
	cJSON_Delete(obj);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_nul),
		cmocka_unit_test(test_parse_bad_utf8),
		cmocka_unit_test(test_parse_control),
		cmocka_unit_test(test_parse_control_between_tokens),
		cmocka_unit_test(test_parse_escaped_nul),
		cmocka_unit_test(test_parse_depth),
		cmocka_unit_test(test_parse_many_brackets),
		cmocka_unit_test(test_parse_syntax),
		cmocka_unit_test(test_parse_trailing),
		cmocka_unit_test(test_parse_duplicates),
		cmocka_unit_test(test_parse_lone_surrogate),
		cmocka_unit_test(test_fault_text),
		cmocka_unit_test(test_schema_valid),
		cmocka_unit_test(test_schema_unknown_field),
		cmocka_unit_test(test_schema_wrong_types),
		cmocka_unit_test(test_schema_nullable_and_arrays),
		cmocka_unit_test(test_schema_string_length),
		cmocka_unit_test(test_schema_string_control),
		cmocka_unit_test(test_schema_text_other_controls),
		cmocka_unit_test(test_schema_enum),
		cmocka_unit_test(test_schema_integers),
		cmocka_unit_test(test_schema_integer_precision),
		cmocka_unit_test(test_schema_bool),
		cmocka_unit_test(test_schema_int_array),
		cmocka_unit_test(test_schema_string_array),
		cmocka_unit_test(test_schema_required),
		cmocka_unit_test(test_schema_prefix),
		cmocka_unit_test(test_schema_not_object),
		cmocka_unit_test(test_schema_errors_array),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_add_int),
		cmocka_unit_test(test_format_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
