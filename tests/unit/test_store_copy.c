/*
 * Unit tests for copy-to's canonical row text (common/store_copy.c):
 * the COPY text line both stores' checksums hash and PostgreSQL loads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/buf.h"
#include "../../common/store_backend.h"

static void
test_fields_and_null(void **state)
{
	struct buf	 b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(store_copy_field(&b, "12", 1), 0);
	assert_int_equal(store_copy_field(&b, NULL, 0), 0);
	assert_int_equal(store_copy_field(&b, "", 0), 0);
	assert_int_equal(store_copy_field(&b, "Åkesson Bygg AB", 0), 0);
	assert_string_equal(b.data, "12\t\\N\t\tÅkesson Bygg AB");
	buf_cleanup(&b);
}

static void
test_escapes(void **state)
{
	struct buf	 b;

	(void)state;
	buf_init(&b, 1024);
	/* A bytea's \x and the characters COPY's text format escapes. */
	assert_int_equal(store_copy_field(&b, "\\x00ff", 1), 0);
	assert_int_equal(store_copy_field(&b, "a\tb\nc\rd\\N", 0), 0);
	assert_string_equal(b.data, "\\\\x00ff\ta\\tb\\nc\\rd\\\\N");
	buf_cleanup(&b);
}

static void
test_full_buffer(void **state)
{
	struct buf	 b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(store_copy_field(&b, "abcdefgh", 1), -1);
	buf_cleanup(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_null),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_full_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
