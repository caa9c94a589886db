/*
 * Unit tests for common/api_key.h: the text of a key, its form, its hash
 * and the scopes' names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/api_key.h"

static void
test_generated_keys_have_the_form(void **state)
{
	char	 a[API_KEY_LEN + 1], b[API_KEY_LEN + 1];
	char	 prefix[API_KEY_PREFIX_LEN + 1];

	(void)state;
	assert_int_equal(api_key_generate(a, sizeof(a)), 0);
	assert_int_equal(api_key_generate(b, sizeof(b)), 0);
	assert_int_equal(strlen(a), 52);
	assert_memory_equal(a, "ppk_live_", 9);
	assert_string_not_equal(a, b);
	assert_int_equal(api_key_parse(a, prefix, sizeof(prefix)), 0);
	assert_int_equal(strlen(prefix), 21);
	assert_memory_equal(prefix, a, 21);
	assert_int_equal(api_key_generate(a, API_KEY_LEN), -1);
}

static void
test_parse_refuses_what_is_not_a_key(void **state)
{
	char	 prefix[API_KEY_PREFIX_LEN + 1], key[API_KEY_LEN + 2];

	(void)state;
	memcpy(key, "ppk_live_", 9);
	memset(key + 9, 'A', API_KEY_LEN - 9);
	key[API_KEY_LEN] = '\0';
	assert_int_equal(api_key_parse(key, prefix, sizeof(prefix)), 0);
	key[30] = '-';
	assert_int_equal(api_key_parse(key, prefix, sizeof(prefix)), -1);
	key[30] = 'A';
	key[API_KEY_LEN] = 'A';
	key[API_KEY_LEN + 1] = '\0';
	assert_int_equal(api_key_parse(key, prefix, sizeof(prefix)), -1);
	key[API_KEY_LEN - 1] = '\0';
	assert_int_equal(api_key_parse(key, prefix, sizeof(prefix)), -1);
	assert_int_equal(api_key_parse("ppk_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAA", prefix, sizeof(prefix)), -1);
	assert_true(api_key_looks_like("ppk_live_x"));
	assert_false(api_key_looks_like("eyJhbGciOiJIUzI1NiJ9"));
}

static void
test_hash_is_sha256_of_the_text(void **state)
{
	static const uint8_t abc[API_KEY_HASH_LEN] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41,
		0x40, 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3,
		0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00,
		0x15, 0xad
	};
	uint8_t	 h[API_KEY_HASH_LEN];

	(void)state;
	assert_int_equal(api_key_hash("abc", h), 0);
	assert_memory_equal(h, abc, sizeof(abc));
}

static void
test_scopes(void **state)
{
	char	 out[128];

	(void)state;
	assert_int_equal(api_scope_parse("clients:read"), SCOPE_CLIENTS_READ);
	assert_int_equal(api_scope_parse("events:read"), SCOPE_EVENTS_READ);
	assert_int_equal(api_scope_parse("admin"), 0);
	assert_string_equal(api_scope_name(SCOPE_BALANCES_WRITE),
	    "balances:write");
	assert_null(api_scope_name(SCOPE_CLIENTS_READ | SCOPE_EVENTS_READ));
	assert_int_equal(api_scopes_format(SCOPE_EVENTS_READ |
	    SCOPE_CLIENTS_READ, out, sizeof(out)), 0);
	assert_string_equal(out, "clients:read events:read");
	assert_int_equal(api_scopes_parse(out),
	    SCOPE_CLIENTS_READ | SCOPE_EVENTS_READ);
	assert_int_equal(api_scopes_format(SCOPE_ALL, out, sizeof(out)), 0);
	assert_int_equal(api_scopes_parse(out), SCOPE_ALL);
	assert_int_equal(api_scopes_format(SCOPE_ALL, out, 20), -1);
	assert_int_equal(api_scopes_parse("clients:read  events:read"), 0);
	assert_int_equal(api_scopes_parse("clients:read nope"), 0);
	assert_int_equal(api_scopes_parse(""), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_keys_have_the_form),
		cmocka_unit_test(test_parse_refuses_what_is_not_a_key),
		cmocka_unit_test(test_hash_is_sha256_of_the_text),
		cmocka_unit_test(test_scopes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
