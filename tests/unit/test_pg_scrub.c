/*
 * Unit tests for pg_scrub() (common/pg/conn.c): a password never reaches
 * the log, and a password of a letter or two does not blot out every
 * word it is part of.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/pg/pg.h"

static void
scrub1(const char *msg, const char *secret, const char *want)
{
	const char	*secrets[1] = { secret };
	char		 out[PG_MESSAGE_MAX];

	pg_scrub(msg, secrets, 1, out, sizeof(out));
	assert_string_equal(out, want);
}

static void
test_long_secret_masked_everywhere(void **state)
{
	(void)state;
	scrub1("invalid URI \"postgresql://u:s3cretpw@h/d\": s3cretpw!",
	    "s3cretpw", "invalid URI \"postgresql://u:***@h/d\": ***!");
	scrub1("as3cretpwb", "s3cretpw", "a***b");
}

static void
test_short_secret_masked_as_a_word(void **state)
{
	(void)state;
	scrub1("connection to server at \"127.0.0.1\", port 1 failed: "
	    "accepting", "p",
	    "connection to server at \"127.0.0.1\", port 1 failed: "
	    "accepting");
	scrub1("missing \"=\" after \"u:p@h\"", "p",
	    "missing \"=\" after \"u:***@h\"");
	scrub1("p", "p", "***");
	scrub1("åp", "p", "åp");
}

static void
test_lines_joined_and_no_secret(void **state)
{
	(void)state;
	scrub1("first\nsecond\t third\n", NULL, "first second  third");
	scrub1("plain", "", "plain");
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_long_secret_masked_everywhere),
		cmocka_unit_test(test_short_secret_masked_as_a_word),
		cmocka_unit_test(test_lines_joined_and_no_secret),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
