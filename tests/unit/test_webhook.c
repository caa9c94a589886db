/*
 * Unit tests for common/webhook.h: the Standard Webhooks signature (its
 * published test vector), secrets, and where a webhook may go.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/webhook.h"

static void
test_signature_matches_the_standard(void **state)
{
	static const char body[] = "{\"test\": 2432232314}";
	char	 sig[WEBHOOK_SIGNATURE_MAX + 1];

	(void)state;
	/* The example of the Standard Webhooks specification. */
	assert_int_equal(webhook_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	    "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, strlen(body),
	    sig, sizeof(sig)), 0);
	assert_string_equal(sig,
	    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	assert_int_equal(webhook_sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	    "msg", 1, body, strlen(body), sig, sizeof(sig)), -1);
	assert_int_equal(webhook_sign("whsec_!!!!", "msg", 1, body,
	    strlen(body), sig, sizeof(sig)), -1);
}

static void
test_secrets(void **state)
{
	char	 a[WEBHOOK_SECRET_MAX + 1], b[WEBHOOK_SECRET_MAX + 1];
	uint8_t	 key[WEBHOOK_KEY_MAX];
	size_t	 len = 0;

	(void)state;
	assert_int_equal(webhook_secret_generate(a, sizeof(a)), 0);
	assert_int_equal(webhook_secret_generate(b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_memory_equal(a, "whsec_", 6);
	assert_int_equal(webhook_secret_key(a, key, &len), 0);
	assert_int_equal(len, WEBHOOK_KEY_LEN);
	assert_int_equal(webhook_secret_key("whsec_YWJj", key, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(key, "abc", 3);
	assert_int_equal(webhook_secret_key("whsec_YWI=", key, &len), 0);
	assert_int_equal(len, 2);
	assert_int_equal(webhook_secret_key("whsec_", key, &len), -1);
	assert_int_equal(webhook_secret_key("sec_YWJj", key, &len), -1);
}

static void
test_addresses(void **state)
{
	(void)state;
	assert_true(webhook_address_allowed("93.184.216.34", 0));
	assert_true(webhook_address_allowed("2606:2800:220:1::1", 0));
	assert_false(webhook_address_allowed("10.1.2.3", 1));
	assert_false(webhook_address_allowed("172.20.0.1", 1));
	assert_false(webhook_address_allowed("192.168.1.1", 1));
	assert_false(webhook_address_allowed("169.254.169.254", 1));
	assert_false(webhook_address_allowed("100.64.0.1", 1));
	assert_false(webhook_address_allowed("0.0.0.0", 1));
	assert_false(webhook_address_allowed("fd00::1", 1));
	assert_false(webhook_address_allowed("fe80::1", 1));
	assert_false(webhook_address_allowed("::ffff:10.0.0.1", 1));
	assert_false(webhook_address_allowed("127.0.0.1", 0));
	assert_true(webhook_address_allowed("127.0.0.1", 1));
	assert_false(webhook_address_allowed("::1", 0));
	assert_true(webhook_address_allowed("::1", 1));
	assert_false(webhook_address_allowed("::ffff:127.0.0.1", 0));
	assert_false(webhook_address_allowed("not an address", 1));
}

static void
test_urls(void **state)
{
	(void)state;
	assert_null(webhook_url_check("https://hooks.example.com/portal", 0));
	assert_null(webhook_url_check("https://93.184.216.34:8443/x", 0));
	assert_non_null(webhook_url_check("http://hooks.example.com/", 0));
	assert_non_null(webhook_url_check("ftp://hooks.example.com/", 0));
	assert_non_null(webhook_url_check("https://10.0.0.5/", 0));
	assert_non_null(webhook_url_check("https://[fe80::1]/", 0));
	assert_non_null(webhook_url_check("https://169.254.169.254/", 0));
	assert_non_null(webhook_url_check("https://localhost/", 0));
	assert_non_null(webhook_url_check("https://u:p@hooks.example.com/",
	    0));
	assert_non_null(webhook_url_check("https://hooks.example.com/#x", 0));
	assert_non_null(webhook_url_check("/relative", 0));
	assert_non_null(webhook_url_check("", 0));
	/* Loopback, for tests, when the operator allows it. */
	assert_non_null(webhook_url_check("http://127.0.0.1:9000/", 0));
	assert_null(webhook_url_check("http://127.0.0.1:9000/hook", 1));
	assert_null(webhook_url_check("http://[::1]:9000/hook", 1));
	assert_null(webhook_url_check("http://localhost:9000/hook", 1));
	assert_non_null(webhook_url_check("http://10.0.0.1/", 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_matches_the_standard),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_urls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
