/*
 * Unit tests for the backend-neutral part of common/store.h: what a log
 * line may show of PORTAL_DB, and the refusal of a backend this build
 * lacks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/store.h"

static void
test_a_log_never_shows_a_uris_user_or_query(void **state)
{
	static const struct {
		const char	*db, *want;
	} rows[] = {
		{ "/var/lib/portal/portal.db", "/var/lib/portal/portal.db" },
		{ "var/portal.db", "var/portal.db" },
		{ "postgresql://portal:s3cret@db.example:5432/portal",
		    "postgresql://db.example:5432/portal" },
		{ "postgres://portal@127.0.0.1/portal?sslmode=require&"
		    "password=s3cret", "postgres://127.0.0.1/portal" },
		{ "postgresql://portal:s3cret@/portal?host=/run/pg",
		    "postgresql:///portal" },
		{ "postgresql://h?password=s3cret", "postgresql://h" },
		{ "postgresql://", "postgresql://" },
	};
	char	 out[128];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		store_db_for_log(rows[i].db, out, sizeof(out));
		assert_string_equal(out, rows[i].want);
		assert_null(strstr(out, "s3cret"));
	}
}

static void
test_a_short_buffer_is_cut_never_overrun(void **state)
{
	char	 out[8];

	(void)state;
	memset(out, 'x', sizeof(out));
	store_db_for_log("postgresql://u:s3cret@host/db", out, sizeof(out));
	assert_string_equal(out, "postgre");
}

static void
test_a_postgresql_uri_is_refused_by_this_build(void **state)
{
	(void)state;
	store_global_init(&(struct store_settings){ .pool = 4,
	    .timeout_ms = 5000 });
	assert_null(store_open("postgresql://u:p@127.0.0.1:1/portal", 0));
	assert_null(store_open("postgres://127.0.0.1/portal", 0));
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_a_log_never_shows_a_uris_user_or_query),
		cmocka_unit_test(test_a_short_buffer_is_cut_never_overrun),
		cmocka_unit_test(test_a_postgresql_uri_is_refused_by_this_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
