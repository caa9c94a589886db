/* Unit tests for common/config.h: PORTAL_* environment, defaults, checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../common/config.h"

extern char	**environ;

#define SECRET32	"0123456789abcdef0123456789abcdef"

/* The key file of the running test, removed by the teardown too. */
static char	 secret_path[256];

static void
secret_file_remove(void)
{
	if (secret_path[0] != '\0')
		(void)unlink(secret_path);
	secret_path[0] = '\0';
}

/* Unsets every PORTAL_* variable, before and after each test. */
static int
env_clear(void **state)
{
	char	 name[256];
	char	**e;
	size_t	 len;
	int	 again = 1;

	(void)state;
	/* unsetenv() changes environ: start over after each removal. */
	while (again) {
		again = 0;
		for (e = environ; *e != NULL; e++) {
			if (strncmp(*e, "PORTAL_", 7) != 0)
				continue;
			len = strcspn(*e, "=");
			if (len >= sizeof(name))
				continue;
			memcpy(name, *e, len);
			name[len] = '\0';
			if (unsetenv(name) == 0)
				again = 1;
			break;
		}
	}
	return 0;
}

static int
env_teardown(void **state)
{
	secret_file_remove();
	return env_clear(state);
}

static void
set(const char *name, const char *value)
{
	assert_int_equal(setenv(name, value, 1), 0);
}

/* Loads and expects failure with an error that mentions want. */
static void
load_fails(int need_secret, const char *want)
{
	struct config	 cfg;
	char		 err[256] = "";

	assert_int_equal(config_load(&cfg, need_secret, err, sizeof(err)),
	    -1);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not mention %s", err, want);
	/* Nothing is left to free, and cleaning up again is harmless. */
	assert_null(cfg.db_path);
	assert_int_equal(cfg.n_cors_origins, 0);
	assert_int_equal(cfg.secret_len, 0);
	config_cleanup(&cfg);
}

static void
load_ok(struct config *cfg, int need_secret)
{
	char	 err[256] = "";

	if (config_load(cfg, need_secret, err, sizeof(err)) != 0)
		fail_msg("config_load failed: %s", err);
}

/* PORTAL_JWT_SECRET_FILE names a new file of len bytes. */
static void
secret_file(const void *data, size_t len)
{
	const char	*dir = getenv("TMPDIR");
	int		 fd;

	secret_file_remove();
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	(void)snprintf(secret_path, sizeof(secret_path),
	    "%s/test_config.XXXXXX", dir);
	fd = mkstemp(secret_path);
	if (fd == -1) {
		secret_path[0] = '\0';
		fail_msg("mkstemp failed");
	}
	assert_true(write(fd, data, len) == (ssize_t)len);
	assert_int_equal(close(fd), 0);
	set("PORTAL_JWT_SECRET_FILE", secret_path);
}

static void
test_defaults(void **state)
{
	struct config	 cfg;

	(void)state;
	load_ok(&cfg, 0);
	assert_string_equal(cfg.db_path, "var/portal.db");
	assert_string_equal(cfg.listen, "127.0.0.1:8080");
	assert_string_equal(cfg.app_url, "http://127.0.0.1:3000");
	assert_string_equal(cfg.public_url, "http://127.0.0.1:8080");
	assert_string_equal(cfg.smtp_url, "smtp://127.0.0.1:1025");
	assert_null(cfg.smtp_user);
	assert_null(cfg.smtp_password);
	assert_string_equal(cfg.mail_from, "portal@localhost");
	assert_int_equal(cfg.log_level, LOG_LEVEL_INFO);
	assert_int_equal(cfg.n_cors_origins, 0);
	assert_true(cfg.token_ttl == 3600);
	assert_true(cfg.access_token_ttl == 300);
	assert_true(cfg.threads == 64);
	assert_true(cfg.max_body == 1048576);
	assert_true(cfg.request_timeout_ms == 5000);
	assert_true(cfg.login_max_failures == 5);
	assert_true(cfg.login_lockout == 300);
	assert_true(cfg.worker_poll == 5);
	assert_true(cfg.notify_per_client_hour == 10);
	assert_true(cfg.notify_per_sender_hour == 30);
	assert_int_equal(cfg.secret_len, 0);
	config_cleanup(&cfg);
	assert_null(cfg.db_path);
}

static void
test_values(void **state)
{
	struct config	 cfg;

	(void)state;
	set("PORTAL_DB", "/srv/portal/portal.db");
	set("PORTAL_LISTEN", "0.0.0.0:9000");
	set("PORTAL_SMTP_USER", "mailer");
	set("PORTAL_SMTP_PASSWORD", "hunter2");
	set("PORTAL_TOKEN_TTL", "600");
	set("PORTAL_THREADS", "8");
	/* Empty is the same as unset. */
	set("PORTAL_MAIL_FROM", "");
	set("PORTAL_MAX_BODY", "");
	set("PORTAL_LOG_LEVEL", "");
	load_ok(&cfg, 0);
	assert_string_equal(cfg.db_path, "/srv/portal/portal.db");
	assert_string_equal(cfg.listen, "0.0.0.0:9000");
	assert_string_equal(cfg.smtp_user, "mailer");
	assert_string_equal(cfg.smtp_password, "hunter2");
	assert_true(cfg.token_ttl == 600);
	assert_true(cfg.threads == 8);
	/* README: a sixteenth of the threads, at least 1. */
	assert_true(cfg.exports_max == 1);
	assert_string_equal(cfg.mail_from, "portal@localhost");
	assert_true(cfg.max_body == 1048576);
	assert_int_equal(cfg.log_level, LOG_LEVEL_INFO);
	config_cleanup(&cfg);
}

static void
test_control_chars(void **state)
{
	(void)state;
	set("PORTAL_DB", "var/portal.db\n");
	load_fails(0, "PORTAL_DB");
	env_clear(NULL);
	set("PORTAL_MAIL_FROM", "a@b\r\nBcc: victim@example.com");
	load_fails(0, "PORTAL_MAIL_FROM");
}

static void
test_secret_missing(void **state)
{
	struct config	 cfg;

	(void)state;
	load_fails(1, "PORTAL_JWT_SECRET");
	set("PORTAL_JWT_SECRET", "");
	load_fails(1, "PORTAL_JWT_SECRET");
	/* Not needed: fine without. */
	load_ok(&cfg, 0);
	assert_int_equal(cfg.secret_len, 0);
	config_cleanup(&cfg);
}

static void
test_secret_length(void **state)
{
	struct config	 cfg;
	char		 big[CONFIG_SECRET_MAX + 2];

	(void)state;
	set("PORTAL_JWT_SECRET", "0123456789abcdef0123456789abcde");
	load_fails(1, "32");
	set("PORTAL_JWT_SECRET", SECRET32);
	load_ok(&cfg, 1);
	assert_int_equal(cfg.secret_len, 32);
	assert_memory_equal(cfg.secret, SECRET32, 32);
	config_cleanup(&cfg);
	assert_int_equal(cfg.secret_len, 0);
	assert_int_equal(cfg.secret[0], 0);
	memset(big, 's', CONFIG_SECRET_MAX);
	big[CONFIG_SECRET_MAX] = '\0';
	set("PORTAL_JWT_SECRET", big);
	load_ok(&cfg, 1);
	assert_int_equal(cfg.secret_len, CONFIG_SECRET_MAX);
	config_cleanup(&cfg);
	big[CONFIG_SECRET_MAX] = 's';
	big[CONFIG_SECRET_MAX + 1] = '\0';
	set("PORTAL_JWT_SECRET", big);
	load_fails(1, "PORTAL_JWT_SECRET");
	load_fails(0, "PORTAL_JWT_SECRET");
}

static void
test_secret_file(void **state)
{
	struct config	 cfg;

	(void)state;
	secret_file(SECRET32 "XYZ\n", 36);
	load_ok(&cfg, 1);
	assert_int_equal(cfg.secret_len, 35);
	assert_memory_equal(cfg.secret, SECRET32 "XYZ", 35);
	config_cleanup(&cfg);
	/* CRLF too; no newline at all is fine. */
	secret_file(SECRET32 "\r\n", 34);
	load_ok(&cfg, 1);
	assert_int_equal(cfg.secret_len, 32);
	config_cleanup(&cfg);
	secret_file(SECRET32, 32);
	load_ok(&cfg, 1);
	assert_int_equal(cfg.secret_len, 32);
	assert_memory_equal(cfg.secret, SECRET32, 32);
	config_cleanup(&cfg);
	/* The newline does not count towards the 32 bytes. */
	secret_file("0123456789abcdef0123456789abcde\n", 32);
	load_fails(1, "32");
	secret_file("", 0);
	load_fails(1, "PORTAL_JWT_SECRET");
	/* A file that is not there is an error, needed or not. */
	secret_file_remove();
	load_fails(1, "PORTAL_JWT_SECRET_FILE");
	load_fails(0, "PORTAL_JWT_SECRET_FILE");
}

/*
 * PORTAL_JWT_SECRET longer than CONFIG_SECRET_MAX is refused; the same key
 * in a file must not be cut to its first CONFIG_SECRET_MAX bytes instead.
 */
static void
test_secret_file_too_long(void **state)
{
	struct config	 cfg;
	char		 err[256], data[CONFIG_SECRET_MAX + 2];
	size_t		 len;
	int		 rc;

	(void)state;
	memset(data, 'k', sizeof(data));
	data[CONFIG_SECRET_MAX] = '\n';
	secret_file(data, CONFIG_SECRET_MAX + 1);
	load_ok(&cfg, 1);
	assert_int_equal(cfg.secret_len, CONFIG_SECRET_MAX);
	config_cleanup(&cfg);
	memset(data, 'k', sizeof(data));
	secret_file(data, sizeof(data));
	rc = config_load(&cfg, 1, err, sizeof(err));
	if (rc == 0) {
		len = cfg.secret_len;
		config_cleanup(&cfg);
		fail_msg("a %zu-byte key file was accepted as %zu bytes",
		    sizeof(data), len);
	}
}

static void
test_token_ttl(void **state)
{
	static const char *const	 bad[] = {
		"abc", "59", "0", "-3600", "86401", "3600s", " 3600", "3600 ",
		"+3600", "1e3", "3600.0", "0x100", "99999999999999999999",
	};
	struct config			 cfg;
	size_t				 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set("PORTAL_TOKEN_TTL", bad[i]);
		load_fails(0, "PORTAL_TOKEN_TTL");
	}
	set("PORTAL_TOKEN_TTL", "60");
	load_ok(&cfg, 0);
	assert_true(cfg.token_ttl == 60);
	config_cleanup(&cfg);
	set("PORTAL_TOKEN_TTL", "86400");
	load_ok(&cfg, 0);
	assert_true(cfg.token_ttl == 86400);
	config_cleanup(&cfg);
}

static void
test_other_ints(void **state)
{
	static const char *const	 names[] = {
		"PORTAL_ACCESS_TOKEN_TTL", "PORTAL_THREADS", "PORTAL_MAX_BODY",
		"PORTAL_REQUEST_TIMEOUT_MS", "PORTAL_LOGIN_MAX_FAILURES",
		"PORTAL_LOGIN_LOCKOUT", "PORTAL_WORKER_POLL",
		"PORTAL_NOTIFY_PER_CLIENT_HOUR", "PORTAL_NOTIFY_PER_SENDER_HOUR",
		"PORTAL_EXPORTS_MAX",
	};
	struct config			 cfg;
	size_t				 i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		set(names[i], "many");
		load_fails(0, names[i]);
		set(names[i], "-1");
		load_fails(0, names[i]);
		set(names[i], "0");
		load_fails(0, names[i]);
		assert_int_equal(unsetenv(names[i]), 0);
	}
	/* README: 4 of the default 64 threads; at most every thread. */
	load_ok(&cfg, 0);
	assert_true(cfg.exports_max == 4);
	config_cleanup(&cfg);
	set("PORTAL_THREADS", "10");
	set("PORTAL_EXPORTS_MAX", "11");
	load_fails(0, "PORTAL_EXPORTS_MAX");
	set("PORTAL_EXPORTS_MAX", "10");
	load_ok(&cfg, 0);
	assert_true(cfg.exports_max == 10);
	config_cleanup(&cfg);
	assert_int_equal(unsetenv("PORTAL_THREADS"), 0);
	assert_int_equal(unsetenv("PORTAL_EXPORTS_MAX"), 0);
	/* README: 30 to 3600. */
	set("PORTAL_ACCESS_TOKEN_TTL", "29");
	load_fails(0, "PORTAL_ACCESS_TOKEN_TTL");
	set("PORTAL_ACCESS_TOKEN_TTL", "3601");
	load_fails(0, "PORTAL_ACCESS_TOKEN_TTL");
	set("PORTAL_ACCESS_TOKEN_TTL", "30");
	load_ok(&cfg, 0);
	assert_true(cfg.access_token_ttl == 30);
	config_cleanup(&cfg);
	/* README: 1 to 1000000 reminders an hour. */
	set("PORTAL_NOTIFY_PER_CLIENT_HOUR", "1000001");
	load_fails(0, "PORTAL_NOTIFY_PER_CLIENT_HOUR");
	set("PORTAL_NOTIFY_PER_CLIENT_HOUR", "1000000");
	set("PORTAL_NOTIFY_PER_SENDER_HOUR", "1");
	load_ok(&cfg, 0);
	assert_true(cfg.notify_per_client_hour == 1000000);
	assert_true(cfg.notify_per_sender_hour == 1);
	config_cleanup(&cfg);
}

static void
test_cors_origins(void **state)
{
	struct config	 cfg;

	(void)state;
	set("PORTAL_CORS_ORIGINS", "https://a.example, https://b.example ,"
	    "  http://127.0.0.1:3000  ");
	load_ok(&cfg, 0);
	assert_int_equal(cfg.n_cors_origins, 3);
	assert_string_equal(cfg.cors_origins[0], "https://a.example");
	assert_string_equal(cfg.cors_origins[1], "https://b.example");
	assert_string_equal(cfg.cors_origins[2], "http://127.0.0.1:3000");
	config_cleanup(&cfg);
	/* Empty items are skipped. */
	set("PORTAL_CORS_ORIGINS", " , ,https://a.example,,  ");
	load_ok(&cfg, 0);
	assert_int_equal(cfg.n_cors_origins, 1);
	assert_string_equal(cfg.cors_origins[0], "https://a.example");
	config_cleanup(&cfg);
	set("PORTAL_CORS_ORIGINS", "");
	load_ok(&cfg, 0);
	assert_int_equal(cfg.n_cors_origins, 0);
	config_cleanup(&cfg);
	set("PORTAL_CORS_ORIGINS", " ");
	load_ok(&cfg, 0);
	assert_int_equal(cfg.n_cors_origins, 0);
	config_cleanup(&cfg);
}

static void
test_cors_star(void **state)
{
	(void)state;
	set("PORTAL_CORS_ORIGINS", "*");
	load_fails(0, "PORTAL_CORS_ORIGINS");
	set("PORTAL_CORS_ORIGINS", " * ");
	load_fails(0, "PORTAL_CORS_ORIGINS");
	set("PORTAL_CORS_ORIGINS", "https://a.example, *");
	load_fails(0, "PORTAL_CORS_ORIGINS");
	set("PORTAL_CORS_ORIGINS", "*,https://a.example");
	load_fails(0, "PORTAL_CORS_ORIGINS");
}

static void
test_cors_max(void **state)
{
	struct config	 cfg;
	char		 list[CONFIG_ORIGINS_MAX * 32];
	size_t		 i, o = 0;

	(void)state;
	for (i = 0; i < CONFIG_ORIGINS_MAX; i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o,
		    "%shttps://h%zu.example", i ? "," : "", i);
	set("PORTAL_CORS_ORIGINS", list);
	load_ok(&cfg, 0);
	assert_int_equal(cfg.n_cors_origins, CONFIG_ORIGINS_MAX);
	config_cleanup(&cfg);
	(void)snprintf(list + o, sizeof(list) - o, ",https://one.more");
	set("PORTAL_CORS_ORIGINS", list);
	load_fails(0, "PORTAL_CORS_ORIGINS");
}

static void
test_origin_allowed(void **state)
{
	struct config	 cfg;

	(void)state;
	load_ok(&cfg, 0);
	assert_false(config_origin_allowed(&cfg, "https://a.example"));
	assert_false(config_origin_allowed(&cfg, "*"));
	config_cleanup(&cfg);
	set("PORTAL_CORS_ORIGINS", "https://a.example,http://localhost:3000");
	load_ok(&cfg, 0);
	assert_true(config_origin_allowed(&cfg, "https://a.example"));
	assert_true(config_origin_allowed(&cfg, "http://localhost:3000"));
	assert_false(config_origin_allowed(&cfg, "https://a.example/"));
	assert_false(config_origin_allowed(&cfg, "https://a.example.evil"));
	assert_false(config_origin_allowed(&cfg, "https://A.example"));
	assert_false(config_origin_allowed(&cfg, "http://a.example"));
	assert_false(config_origin_allowed(&cfg, "http://localhost:3001"));
	assert_false(config_origin_allowed(&cfg, "http://localhost"));
	assert_false(config_origin_allowed(&cfg, "null"));
	assert_false(config_origin_allowed(&cfg, "*"));
	assert_false(config_origin_allowed(&cfg, ""));
	config_cleanup(&cfg);
}

static void
test_log_level(void **state)
{
	static const char *const	 names[] = {
		"error", "warn", "info", "debug",
	};
	static const enum log_level	 levels[] = {
		LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO,
		LOG_LEVEL_DEBUG,
	};
	static const char *const	 bad[] = {
		"verbose", "DEBUG", "Info", "warning", "3", " info", "info ",
	};
	struct config			 cfg;
	size_t				 i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		set("PORTAL_LOG_LEVEL", names[i]);
		load_ok(&cfg, 0);
		assert_int_equal(cfg.log_level, levels[i]);
		config_cleanup(&cfg);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set("PORTAL_LOG_LEVEL", bad[i]);
		load_fails(0, "PORTAL_LOG_LEVEL");
	}
}

/* README: ten times PORTAL_LOGIN_MAX_FAILURES unless set; 1 to 1000000. */
static void
test_outbox_lease(void **state)
{
	static const char *const	 bad[] = {
		"many", "-1", "0", "1", "86401", "2s",
	};
	struct config			 cfg;
	size_t				 i;

	(void)state;
	load_ok(&cfg, 0);
	assert_true(cfg.outbox_lease == 300);
	config_cleanup(&cfg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set("PORTAL_OUTBOX_LEASE_SECONDS", bad[i]);
		load_fails(0, "PORTAL_OUTBOX_LEASE_SECONDS");
	}
	/* README: 2 to 86400 seconds. */
	set("PORTAL_OUTBOX_LEASE_SECONDS", "2");
	load_ok(&cfg, 0);
	assert_true(cfg.outbox_lease == 2);
	config_cleanup(&cfg);
	set("PORTAL_OUTBOX_LEASE_SECONDS", "86400");
	load_ok(&cfg, 0);
	assert_true(cfg.outbox_lease == 86400);
	config_cleanup(&cfg);
}

static void
test_login_max_per_address(void **state)
{
	static const char *const	 bad[] = { "many", "-1", "0", "1000001",
		"5x" };
	struct config			 cfg;
	size_t				 i;

	(void)state;
	load_ok(&cfg, 0);
	assert_true(cfg.login_max_per_address == 50);
	config_cleanup(&cfg);
	set("PORTAL_LOGIN_MAX_FAILURES", "3");
	load_ok(&cfg, 0);
	assert_true(cfg.login_max_failures == 3);
	assert_true(cfg.login_max_per_address == 30);
	config_cleanup(&cfg);
	set("PORTAL_LOGIN_MAX_FAILURES_PER_ADDRESS", "7");
	load_ok(&cfg, 0);
	assert_true(cfg.login_max_failures == 3);
	assert_true(cfg.login_max_per_address == 7);
	config_cleanup(&cfg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set("PORTAL_LOGIN_MAX_FAILURES_PER_ADDRESS", bad[i]);
		load_fails(0, "PORTAL_LOGIN_MAX_FAILURES_PER_ADDRESS");
	}
}

static void
test_trusted_proxies(void **state)
{
	struct config	 cfg;

	(void)state;
	load_ok(&cfg, 0);
	assert_int_equal(cfg.n_trusted_proxies, 0);
	config_cleanup(&cfg);
	set("PORTAL_TRUSTED_PROXIES", " 127.0.0.1, 10.0.0.0/8 ,fd00::/8,");
	load_ok(&cfg, 0);
	assert_int_equal(cfg.n_trusted_proxies, 3);
	assert_true(netaddr_in(cfg.trusted_proxies, cfg.n_trusted_proxies,
	    "10.20.30.40"));
	assert_false(netaddr_in(cfg.trusted_proxies, cfg.n_trusted_proxies,
	    "127.0.0.2"));
	config_cleanup(&cfg);
	set("PORTAL_TRUSTED_PROXIES", "127.0.0.1, nginx.local");
	load_fails(0, "\"nginx.local\" is not an IP address");
	set("PORTAL_TRUSTED_PROXIES", "10.0.0.1/8");
	load_fails(0, "PORTAL_TRUSTED_PROXIES");
}

/* Mail links over http only to the loopback, unless allowed outright. */
static void
test_public_url(void **state)
{
	static const char *const ok[] = {
		"https://portal.example.com", "http://127.0.0.1:8080",
		"http://localhost:8080/api", "http://[::1]:8080",
		"http://127.9.9.9",
	};
	struct config	 cfg;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		set("PORTAL_PUBLIC_URL", ok[i]);
		load_ok(&cfg, 0);
		config_cleanup(&cfg);
	}
	set("PORTAL_PUBLIC_URL", "http://portal.example.com");
	load_fails(0, "PORTAL_ALLOW_INSECURE_LINKS=1");
	set("PORTAL_PUBLIC_URL", "http://10.0.0.5:8080");
	load_fails(0, "PORTAL_PUBLIC_URL must be https");
	set("PORTAL_PUBLIC_URL", "http://localhost.example.com");
	load_fails(0, "must be https");
	set("PORTAL_PUBLIC_URL", "ftp://portal.example.com");
	load_fails(0, "an http or https URL");
	set("PORTAL_PUBLIC_URL", "portal");
	load_fails(0, "an http or https URL");
	set("PORTAL_ALLOW_INSECURE_LINKS", "2");
	load_fails(0, "PORTAL_ALLOW_INSECURE_LINKS");
	set("PORTAL_ALLOW_INSECURE_LINKS", "1");
	set("PORTAL_PUBLIC_URL", "http://portal.example.com");
	load_ok(&cfg, 0);
	assert_string_equal(cfg.public_url, "http://portal.example.com");
	config_cleanup(&cfg);
}

#define ENV_TEST(f) \
	cmocka_unit_test_setup_teardown(f, env_clear, env_teardown)

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		ENV_TEST(test_defaults),
		ENV_TEST(test_values),
		ENV_TEST(test_control_chars),
		ENV_TEST(test_secret_missing),
		ENV_TEST(test_secret_length),
		ENV_TEST(test_secret_file),
		ENV_TEST(test_secret_file_too_long),
		ENV_TEST(test_token_ttl),
		ENV_TEST(test_other_ints),
		ENV_TEST(test_cors_origins),
		ENV_TEST(test_cors_star),
		ENV_TEST(test_cors_max),
		ENV_TEST(test_origin_allowed),
		ENV_TEST(test_log_level),
		ENV_TEST(test_outbox_lease),
		ENV_TEST(test_login_max_per_address),
		ENV_TEST(test_trusted_proxies),
		ENV_TEST(test_public_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
