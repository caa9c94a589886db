/*
 * Unit tests for common/netaddr.c: networks as PORTAL_TRUSTED_PROXIES
 * names them, and the client's address read from X-Forwarded-For only
 * behind a trusted proxy, never further left than the proxies wrote.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/netaddr.h"

static int
parse(const char *s, struct netaddr_net *net)
{
	return netaddr_parse_net(s, strlen(s), net);
}

static void
test_networks_parsed(void **state)
{
	struct netaddr_net	 n;

	(void)state;
	assert_int_equal(parse("10.0.0.5", &n), 0);
	assert_int_equal(n.bits, 32);
	assert_int_equal(parse("10.0.0.0/8", &n), 0);
	assert_int_equal(n.bits, 8);
	assert_int_equal(parse("::1", &n), 0);
	assert_int_equal(n.bits, 128);
	assert_int_equal(parse("fd00::/8", &n), 0);
	assert_int_equal(parse("0.0.0.0/0", &n), 0);
	assert_int_equal(parse("::ffff:192.0.2.1", &n), 0);
	assert_int_equal(n.bits, 32);	/* read as the IPv4 address */
}

static void
test_bad_networks_refused(void **state)
{
	struct netaddr_net	 n;

	(void)state;
	assert_int_equal(parse("", &n), -1);
	assert_int_equal(parse("localhost", &n), -1);
	assert_int_equal(parse("10.0.0", &n), -1);
	assert_int_equal(parse("10.0.0.0/", &n), -1);
	assert_int_equal(parse("10.0.0.0/33", &n), -1);
	assert_int_equal(parse("10.0.0.0/8x", &n), -1);
	assert_int_equal(parse("10.0.0.0/-1", &n), -1);
	assert_int_equal(parse("::/129", &n), -1);
	/* Bits past the prefix: a typo for a host or for the network. */
	assert_int_equal(parse("10.0.0.1/8", &n), -1);
	assert_int_equal(parse("1.2.3.4:80", &n), -1);
}

static void
test_membership(void **state)
{
	struct netaddr_net	 n[2];

	(void)state;
	assert_int_equal(parse("10.0.0.0/8", &n[0]), 0);
	assert_int_equal(parse("fd00::/8", &n[1]), 0);
	assert_true(netaddr_in(n, 2, "10.1.2.3"));
	assert_true(netaddr_in(n, 2, "::ffff:10.1.2.3"));
	assert_true(netaddr_in(n, 2, "fd12::1"));
	assert_false(netaddr_in(n, 2, "11.0.0.1"));
	assert_false(netaddr_in(n, 2, "fe80::1"));
	assert_false(netaddr_in(n, 2, "nonsense"));
	assert_false(netaddr_in(n, 0, "10.1.2.3"));
	assert_int_equal(parse("192.168.1.128/25", &n[0]), 0);
	assert_true(netaddr_in(n, 1, "192.168.1.200"));
	assert_false(netaddr_in(n, 1, "192.168.1.127"));
}

static const char *
client(const char *peer, const char *xff, const char *trusted)
{
	static char		 out[NETADDR_TEXT_MAX];
	struct netaddr_net	 n[4];
	size_t			 nn = 0;
	const char		*p = trusted, *comma;

	while (p != NULL && *p != '\0') {
		comma = strchr(p, ',');
		assert_int_equal(netaddr_parse_net(p, comma ? (size_t)(comma -
		    p) : strlen(p), &n[nn++]), 0);
		p = comma ? comma + 1 : NULL;
	}
	netaddr_client(peer, xff, n, nn, out, sizeof(out));
	return out;
}

static void
test_client_behind_trusted_proxies(void **state)
{
	(void)state;
	/* No proxy trusted: the peer, whatever the header says. */
	assert_string_equal(client("203.0.113.9", "198.51.100.1", NULL),
	    "203.0.113.9");
	/* A peer not trusted writes what it likes: ignored. */
	assert_string_equal(client("203.0.113.9", "198.51.100.1",
	    "127.0.0.1"), "203.0.113.9");
	/* The trusted proxy's entry: the client. */
	assert_string_equal(client("127.0.0.1", "198.51.100.1",
	    "127.0.0.1"), "198.51.100.1");
	/* What the client wrote itself, left of it, is not believed. */
	assert_string_equal(client("127.0.0.1", "6.6.6.6, 198.51.100.1",
	    "127.0.0.1"), "198.51.100.1");
	/* Two trusted hops: the first address left of them. */
	assert_string_equal(client("127.0.0.1",
	    "6.6.6.6,198.51.100.1, 10.0.0.7", "127.0.0.1,10.0.0.0/8"),
	    "198.51.100.1");
	/* Every entry trusted: the leftmost. */
	assert_string_equal(client("127.0.0.1", "10.0.0.7, 10.0.0.8",
	    "127.0.0.1,10.0.0.0/8"), "10.0.0.7");
	/* No header, or an empty one: the peer. */
	assert_string_equal(client("127.0.0.1", NULL, "127.0.0.1"),
	    "127.0.0.1");
	assert_string_equal(client("127.0.0.1", " , ", "127.0.0.1"),
	    "127.0.0.1");
	/* An entry that is no address stops the walk where it is. */
	assert_string_equal(client("127.0.0.1", "198.51.100.1, unknown",
	    "127.0.0.1"), "127.0.0.1");
	assert_string_equal(client("127.0.0.1",
	    "garbage, 198.51.100.1, 10.0.0.7", "127.0.0.1,10.0.0.0/8"),
	    "198.51.100.1");
	assert_string_equal(client("127.0.0.1", "x, 10.0.0.7",
	    "127.0.0.1,10.0.0.0/8"), "10.0.0.7");
	/* IPv6 behind an IPv4 proxy. */
	assert_string_equal(client("127.0.0.1", "2001:db8::7", "127.0.0.1"),
	    "2001:db8::7");
}

static void
test_loopback_hosts(void **state)
{
	(void)state;
	assert_true(netaddr_host_loopback("localhost"));
	assert_true(netaddr_host_loopback("127.0.0.1"));
	assert_true(netaddr_host_loopback("127.255.0.3"));
	assert_true(netaddr_host_loopback("[::1]"));
	assert_true(netaddr_host_loopback("::1"));
	assert_false(netaddr_host_loopback("128.0.0.1"));
	assert_false(netaddr_host_loopback("[::2]"));
	assert_false(netaddr_host_loopback("localhost.example.com"));
	assert_false(netaddr_host_loopback("["));
	assert_false(netaddr_host_loopback(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_networks_parsed),
		cmocka_unit_test(test_bad_networks_refused),
		cmocka_unit_test(test_membership),
		cmocka_unit_test(test_client_behind_trusted_proxies),
		cmocka_unit_test(test_loopback_hosts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
