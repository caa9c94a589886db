/* Unit tests for common/password.h: yescrypt hashing and verification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/password.h"
#include "../../common/store_user.h"

#define HASH_MAX	256

static void
test_round_trip(void **state)
{
	char	 h[HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("correct horse battery", h, sizeof(h)),
	    0);
	assert_int_equal(strncmp(h, "$y$", 3), 0);
	assert_int_equal(password_verify("correct horse battery", h), 1);
	assert_int_equal(password_verify("correct horse batter", h), 0);
	assert_int_equal(password_verify("correct horse battery ", h), 0);
	assert_int_equal(password_verify("Correct horse battery", h), 0);
	assert_int_equal(password_verify("", h), 0);
}

static void
test_non_ascii(void **state)
{
	char	 h[HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("sm\xc3\xb6rg\xc3\xa5sbord "
	    "\xe2\x82\xac", h, sizeof(h)), 0);
	assert_int_equal(password_verify("sm\xc3\xb6rg\xc3\xa5sbord "
	    "\xe2\x82\xac", h), 1);
	/* The same letters decomposed are other bytes. */
	assert_int_equal(password_verify("smo\xcc\x88rg\xc3\xa5sbord "
	    "\xe2\x82\xac", h), 0);
}

static void
test_long_password(void **state)
{
	char	 pw[512], h[HASH_MAX];

	(void)state;
	memset(pw, 'p', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	assert_int_equal(password_hash(pw, h, sizeof(h)), 0);
	assert_int_equal(password_verify(pw, h), 1);
	/* Every byte counts, the last one too. */
	pw[sizeof(pw) - 2] = 'q';
	assert_int_equal(password_verify(pw, h), 0);
}

/* Past what libxcrypt takes: refused cleanly, never a match. */
static void
test_too_long_password(void **state)
{
	char	 pw[2000], h[HASH_MAX];

	(void)state;
	memset(pw, 'p', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	assert_int_equal(password_hash(pw, h, sizeof(h)), -1);
	assert_int_equal(password_hash("pw", h, sizeof(h)), 0);
	assert_int_equal(password_verify(pw, h), 0);
}

/*
 * The API takes passwords of up to USER_PASSWORD_MAX code points (see
 * api/users.c), which is up to four times as many bytes; libxcrypt refuses
 * a passphrase of CRYPT_MAX_PASSPHRASE_SIZE (512) bytes or more. A password
 * the API accepts must hash.
 */
static void
test_longest_api_password(void **state)
{
	char	 pw[USER_PASSWORD_MAX * 4 + 1], h[HASH_MAX];
	size_t	 i;

	(void)state;
	/* 256 times U+20AC, three bytes each. */
	for (i = 0; i < USER_PASSWORD_MAX; i++)
		memcpy(pw + 3 * i, "\xe2\x82\xac", 3);
	pw[3 * USER_PASSWORD_MAX] = '\0';
	assert_int_equal(password_hash(pw, h, sizeof(h)), 0);
	assert_int_equal(password_verify(pw, h), 1);
}

static void
test_salted(void **state)
{
	char	 a[HASH_MAX], b[HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("same password", a, sizeof(a)), 0);
	assert_int_equal(password_hash("same password", b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(password_verify("same password", a), 1);
	assert_int_equal(password_verify("same password", b), 1);
}

static void
test_small_output(void **state)
{
	char	 h[HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("pw", h, 10), -1);
	assert_int_equal(password_hash("pw", h, 0), -1);
}

static void
test_bad_hashes(void **state)
{
	char	 h[HASH_MAX];

	(void)state;
	assert_int_equal(password_verify("pw", ""), 0);
	assert_int_equal(password_verify("", ""), 0);
	assert_int_equal(password_verify("pw", "*"), 0);
	assert_int_equal(password_verify("pw", "*0"), 0);
	assert_int_equal(password_verify("pw", "$y$"), 0);
	assert_int_equal(password_verify("pw", "$y$j9T$"), 0);
	assert_int_equal(password_verify("pw", "!locked"), 0);
	/* A real hash cut short. */
	assert_int_equal(password_hash("pw", h, sizeof(h)), 0);
	h[strlen(h) - 1] = '\0';
	assert_int_equal(password_verify("pw", h), 0);
}

static void
test_dummy_hash(void **state)
{
	const char	*d;

	(void)state;
	d = password_dummy_hash();
	assert_non_null(d);
	assert_int_equal(strncmp(d, "$y$", 3), 0);
	/* Made once per process. */
	assert_ptr_equal(password_dummy_hash(), d);
	assert_int_equal(password_verify("", d), 0);
	assert_int_equal(password_verify("password", d), 0);
	assert_int_equal(password_verify("correct horse battery", d), 0);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_non_ascii),
		cmocka_unit_test(test_long_password),
		cmocka_unit_test(test_too_long_password),
		cmocka_unit_test(test_longest_api_password),
		cmocka_unit_test(test_salted),
		cmocka_unit_test(test_small_output),
		cmocka_unit_test(test_bad_hashes),
		cmocka_unit_test(test_dummy_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
