/*
 * Unit tests for api/preference_cache.c on a real SQLite store: a page
 * finds exactly the viewer's settings, a change to them (the stamp of
 * schema.sql version 26) is seen on the next page, the copy is what
 * answers while the stamp stays, and a viewer with more settings than a
 * copy holds, or more viewers than the cache keeps, still get theirs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "../../api/preference_cache.h"
#include "../../common/store.h"
#include "../../common/store_preference.h"
#include "../../common/store_user.h"

#define CLIENTS		3000
#define VIEWERS		80

struct fixture {
	char		 dir[64];
	char		 path[96];
	struct store	*st;
	sqlite3		*db;	/* the tests' own writes, beside the store */
};

/* What a page found: the setting of each client, frequency "" if none. */
struct found {
	char	 frequency[CLIENTS + 1][8];
	int	 email[CLIENTS + 1];
	size_t	 n;
};

static void
exec(sqlite3 *db, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static int
setup(void **state)
{
	struct fixture	*f;
	char		 sql[256];
	int		 i;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	(void)snprintf(f->dir, sizeof(f->dir), "/tmp/portal-unit-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	(void)snprintf(f->path, sizeof(f->path), "%s/portal.db", f->dir);
	store_global_init(&(struct store_settings){ .pool = 1,
	    .shared_reads = 1 });
	assert_non_null(f->st = store_open(f->path, 1));
	assert_int_equal(store_migrate(f->st), 0);
	assert_int_equal(sqlite3_open(f->path, &f->db), SQLITE_OK);
	sqlite3_busy_timeout(f->db, 5000);
	/* Foreign keys off on this connection: settings need no clients. */
	exec(f->db, "INSERT INTO partners (id, name, created_at) "
	    "VALUES (1, 'a', 0)");
	for (i = 1; i <= VIEWERS; i++) {
		(void)snprintf(sql, sizeof(sql), "INSERT INTO users (id, "
		    "partner_id, email, name, role, password_hash, created_at, "
		    "updated_at) VALUES (%d, 1, 'u%d@example.com', 'U', "
		    "'admin', 'x', 0, 0)", i, i);
		exec(f->db, sql);
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	sqlite3_close(f->db);
	store_close(f->st);
	(void)unlink(f->path);
	(void)snprintf(f->path, sizeof(f->path), "%s/portal.db-wal", f->dir);
	(void)unlink(f->path);
	(void)snprintf(f->path, sizeof(f->path), "%s/portal.db-shm", f->dir);
	(void)unlink(f->path);
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

static void
setting(struct fixture *f, int user, int client, const char *frequency)
{
	char	 sql[256];

	(void)snprintf(sql, sizeof(sql), "INSERT INTO notification_preferences "
	    "(user_id, client_id, email, frequency, starts_at, updated_at) "
	    "VALUES (%d, %d, 1, '%s', 0, 0) ON CONFLICT DO UPDATE "
	    "SET frequency = excluded.frequency", user, client, frequency);
	exec(f->db, sql);
}

static int
found_one(const struct client_page_fact *fact, void *arg)
{
	struct found	*out = arg;

	assert_true(fact->client_id > 0 && fact->client_id <= CLIENTS);
	assert_int_equal(fact->preference->client_id, fact->client_id);
	/* Each client of the page once. */
	assert_string_equal(out->frequency[fact->client_id], "");
	(void)snprintf(out->frequency[fact->client_id], 8, "%s",
	    fact->preference->frequency);
	out->email[fact->client_id] = fact->preference->email;
	out->n++;
	return 0;
}

/* A page of clients first..last of user, read as a request reads it. */
static struct found *
page(struct fixture *f, int user, int first, int last)
{
	struct found	*out;
	struct user	 u;
	int64_t		 ids[CLIENTS];
	size_t		 n = 0;
	int		 id;

	assert_non_null(out = calloc(1, sizeof(*out)));
	for (id = first; id <= last; id++)
		ids[n++] = id;
	assert_int_equal(store_begin_read(f->st), 0);
	assert_int_equal(store_user_get(f->st, user, &u), STORE_OK);
	assert_int_equal(preference_cache_page(f->st, &u, ids, n, found_one,
	    out), STORE_OK);
	store_rollback(f->st);
	return out;
}

static int64_t
stamp(struct fixture *f, int user)
{
	struct user	 u;

	assert_int_equal(store_user_get(f->st, user, &u), STORE_OK);
	return u.preferences_stamp;
}

static void
test_a_page_finds_exactly_the_viewers_settings(void **state)
{
	struct fixture	*f = *state;
	struct found	*p;

	p = page(f, 1, 1, 50);
	assert_int_equal(p->n, 0);
	free(p);
	setting(f, 1, 7, "daily");
	setting(f, 1, 60, "weekly");
	setting(f, 2, 8, "monthly");	/* someone else's */
	p = page(f, 1, 1, 50);
	assert_int_equal(p->n, 1);
	assert_string_equal(p->frequency[7], "daily");
	assert_int_equal(p->email[7], 1);
	free(p);
	p = page(f, 1, 51, 100);
	assert_int_equal(p->n, 1);
	assert_string_equal(p->frequency[60], "weekly");
	free(p);
}

static void
test_every_change_the_list_shows_raises_the_stamp(void **state)
{
	struct fixture	*f = *state;
	int64_t		 s;

	assert_int_equal(stamp(f, 3), 0);
	setting(f, 3, 1, "daily");
	assert_int_equal(s = stamp(f, 3), 1);
	exec(f->db, "UPDATE notification_preferences SET frequency = 'weekly' "
	    "WHERE user_id = 3");
	assert_true(stamp(f, 3) > s);
	s = stamp(f, 3);
	exec(f->db, "UPDATE notification_preferences SET email = 0, "
	    "alerts_only = 1 WHERE user_id = 3");
	assert_true(stamp(f, 3) > s);
	s = stamp(f, 3);
	exec(f->db, "UPDATE notification_preferences SET starts_at = 9, "
	    "updated_at = 9 WHERE user_id = 3");
	assert_true(stamp(f, 3) > s);
	/* The same values written again change nothing shown. */
	s = stamp(f, 3);
	exec(f->db, "UPDATE notification_preferences SET email = 0, "
	    "alerts_only = 1, starts_at = 9, updated_at = 9 "
	    "WHERE user_id = 3");
	assert_int_equal(stamp(f, 3), s);
	/* What a digest marks as seen, and a generation, show nowhere. */
	s = stamp(f, 3);
	exec(f->db, "UPDATE notification_preferences SET alerts_seen = 3, "
	    "generation = 5 WHERE user_id = 3");
	assert_int_equal(stamp(f, 3), s);
	exec(f->db, "DELETE FROM notification_preferences WHERE user_id = 3");
	assert_true(stamp(f, 3) > s);
	/* Someone else's settings leave the stamp alone. */
	s = stamp(f, 4);
	setting(f, 5, 1, "daily");
	assert_int_equal(stamp(f, 4), s);
}

static void
test_a_change_is_seen_on_the_next_page(void **state)
{
	struct fixture	*f = *state;
	struct found	*p;

	setting(f, 6, 10, "daily");
	p = page(f, 6, 1, 50);
	assert_string_equal(p->frequency[10], "daily");
	free(p);
	setting(f, 6, 10, "monthly");
	setting(f, 6, 11, "weekly");
	p = page(f, 6, 1, 50);
	assert_int_equal(p->n, 2);
	assert_string_equal(p->frequency[10], "monthly");
	assert_string_equal(p->frequency[11], "weekly");
	free(p);
	exec(f->db, "DELETE FROM notification_preferences WHERE user_id = 6 "
	    "AND client_id = 10");
	p = page(f, 6, 1, 50);
	assert_int_equal(p->n, 1);
	assert_string_equal(p->frequency[10], "");
	free(p);
}

static void
test_the_copy_answers_while_the_stamp_stays(void **state)
{
	struct fixture	*f = *state;
	struct found	*p;

	setting(f, 7, 20, "daily");
	p = page(f, 7, 1, 50);
	assert_string_equal(p->frequency[20], "daily");
	free(p);
	/* A change that raises no stamp, which no trigger allows. */
	exec(f->db, "DROP TRIGGER preferences_stamp_update; "
	    "UPDATE notification_preferences SET frequency = 'weekly' "
	    "WHERE user_id = 7");
	p = page(f, 7, 1, 50);
	assert_string_equal(p->frequency[20], "daily");
	free(p);
	exec(f->db, "UPDATE users SET preferences_stamp = "
	    "preferences_stamp + 1 WHERE id = 7");
	p = page(f, 7, 1, 50);
	assert_string_equal(p->frequency[20], "weekly");
	free(p);
}

static void
test_more_settings_than_a_copy_holds_are_read_per_page(void **state)
{
	struct fixture	*f = *state;
	struct found	*p;

	/* One setting for each client: more than a copy's 2,048. */
	exec(f->db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
	    "SELECT i + 1 FROM n WHERE i < 3000) "
	    "INSERT INTO notification_preferences (user_id, client_id, email, "
	    "frequency, starts_at, updated_at) "
	    "SELECT 8, i, i % 2, iif(i % 3 = 0, 'daily', 'weekly'), 0, 0 "
	    "FROM n");
	p = page(f, 8, 2901, 3000);
	assert_int_equal(p->n, 100);
	assert_string_equal(p->frequency[2901], "daily");
	assert_int_equal(p->email[2901], 1);
	assert_string_equal(p->frequency[2902], "weekly");
	assert_int_equal(p->email[2902], 0);
	free(p);
	/* Asked again: the copy remembers only that there are too many. */
	exec(f->db, "UPDATE notification_preferences SET frequency = 'monthly' "
	    "WHERE user_id = 8 AND client_id = 2901");
	p = page(f, 8, 2901, 2910);
	assert_int_equal(p->n, 10);
	assert_string_equal(p->frequency[2901], "monthly");
	free(p);
}

static void
test_more_viewers_than_the_cache_keeps_get_theirs(void **state)
{
	struct fixture	*f = *state;
	struct found	*p;
	int		 round, user;

	/* 70 viewers, of no other test, for a cache of 64. */
	for (user = 11; user <= VIEWERS; user++)
		setting(f, user, 1000 + user, "daily");
	for (round = 0; round < 2; round++) {
		for (user = 11; user <= VIEWERS; user++) {
			p = page(f, user, 1001, 1000 + VIEWERS);
			assert_int_equal(p->n, 1);
			assert_string_equal(p->frequency[1000 + user], "daily");
			free(p);
		}
	}
}

/*
 * One database for the group, as a process has one: the cache is the
 * process's. Each test has viewers of its own; the one that drops a
 * trigger comes last.
 */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_page_finds_exactly_the_viewers_settings),
		cmocka_unit_test(
		    test_every_change_the_list_shows_raises_the_stamp),
		cmocka_unit_test(test_a_change_is_seen_on_the_next_page),
		cmocka_unit_test(
		    test_more_settings_than_a_copy_holds_are_read_per_page),
		cmocka_unit_test(test_more_viewers_than_the_cache_keeps_get_theirs),
		cmocka_unit_test(test_the_copy_answers_while_the_stamp_stays),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
