/*
 * Unit tests for common/address.h: the mailbox rule the API stores by and
 * the worker sends by, as a table of addresses and why each is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/address.h"
#include "../../common/store_user.h"

static const char *const good[] = {
	"a@b.c",
	"bo@firm.example",
	"first.last@sub.example.com",
	"first.last+tag@example.se",
	"o'brien@example.ie",
	"UPPER.Case@Example.COM",		/* case: the API lower-cases */
	"x-y_z@a-b.example",
	"1234@example.com",
	"a@1.example",				/* an all-digit label, not last */
	"a@example.c0m",
	/* Every atext symbol. */
	"!#$%&'*+-/=?^_`{|}~@example.com",
	"a@xn--kesson-gua.se",			/* an IDN as A-label */
};

static const char *const bad[] = {
	NULL,
	"",
	"@",
	"a",
	"a@",
	"@b.c",
	"a@b",					/* one label */
	"portal@localhost",
	"a@@b.c",
	"a@b@c.d",
	"a@b.c.",				/* an empty last label */
	"a@.b.c",
	"a@b..c",
	".a@b.c",
	"a.@b.c",
	"a..b@c.d",
	"a@-b.c",
	"a@b-.c",
	"a@b.-c",
	"a@b_c.d",
	"a@1.2.3.4",				/* a bare IPv4 address */
	"a@example.123",
	"a@[127.0.0.1]",			/* IP literal */
	"a@[IPv6:::1]",
	"\"a b\"@c.d",				/* quoted local part */
	"\"a\"@c.d",
	"a b@c.d",
	" a@c.d",
	"a@c.d ",
	"a\t@c.d",
	"a@c.d\r\nRCPT TO:<x@y.z>",
	"a\n@c.d",
	"<a@c.d>",
	"a<b@c.d",
	"a>b@c.d",
	"a,b@c.d",
	"a@c.d,e@f.g",
	"a;b@c.d",
	"a:b@c.d",
	"a(b)@c.d",
	"a\\b@c.d",
	"a[b]@c.d",
	"a\x7f@c.d",
	"\xc3\xa5@b.se",			/* non-ASCII local part */
	"a@\xc3\xa5kesson.se",			/* IDN as a U-label */
	"a@b.c\xc2\xa0",
};

static void
test_good_addresses(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!address_valid(good[i]))
			fail_msg("refused: %s", good[i]);
}

static void
test_bad_addresses(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (address_valid(bad[i]))
			fail_msg("accepted: %s", bad[i]);
}

/* Fills dst with n copies of c and a NUL. */
static char *
repeat(char *dst, char c, size_t n)
{
	memset(dst, c, n);
	dst[n] = '\0';
	return dst;
}

static void
test_lengths(void **state)
{
	char	 part[300], addr[600];

	(void)state;
	/* Local part: 64 octets pass, 65 do not. */
	(void)snprintf(addr, sizeof(addr), "%s@b.c", repeat(part, 'a', 64));
	assert_true(address_valid(addr));
	(void)snprintf(addr, sizeof(addr), "%s@b.c", repeat(part, 'a', 65));
	assert_false(address_valid(addr));

	/* A label: 63 octets pass, 64 do not. */
	(void)snprintf(addr, sizeof(addr), "a@%s.se", repeat(part, 'b', 63));
	assert_true(address_valid(addr));
	(void)snprintf(addr, sizeof(addr), "a@%s.se", repeat(part, 'b', 64));
	assert_false(address_valid(addr));

	/*
	 * The whole: 254 octets pass, 255 do not. 64 + 1 + a domain of
	 * three 60-octet labels and one of 6 (189 octets), then of 7.
	 */
	(void)snprintf(addr, sizeof(addr), "%.64s@%.60s.%.60s.%.60s.eeeeee",
	    repeat(part, 'a', 80), part, part, part);
	assert_int_equal(strlen(addr), 254);
	assert_true(address_valid(addr));
	(void)snprintf(addr, sizeof(addr), "%.64s@%.60s.%.60s.%.60s.eeeeeee",
	    part, part, part, part);
	assert_int_equal(strlen(addr), 255);
	assert_false(address_valid(addr));
	assert_int_equal(ADDRESS_MAX, USER_EMAIL_MAX);
}

/* What the API stores: lower-cased, and only what address_valid takes. */
static void
test_user_email_accept(void **state)
{
	char	 s[USER_EMAIL_MAX + 1];
	size_t	 i;

	(void)state;
	(void)snprintf(s, sizeof(s), "%s", "Bo.Bokforare@Firm.Example");
	assert_int_equal(user_email_accept(s), 0);
	assert_string_equal(s, "bo.bokforare@firm.example");
	for (i = 1; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(s, sizeof(s), "%s", bad[i]);
		if (user_email_accept(s) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
	/* A login still finds a row stored before the rule. */
	(void)snprintf(s, sizeof(s), "%s", "Portal@LocalHost");
	assert_int_equal(user_email_normalize(s), 0);
	assert_string_equal(s, "portal@localhost");
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_good_addresses),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_user_email_accept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
