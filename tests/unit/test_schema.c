/*
 * Unit tests for schema.sql: released sections stay as released, a
 * database migrated from any released state ends like a fresh one, and
 * the list rank layout (version 8) fits together, and version 9 writes
 * the grams of the clients it finds as the store writes them.
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
#include <openssl/sha.h>
#include <sqlite3.h>

#include "../../common/buf.h"
#include "../../common/sqlite/grams.h"
#include "../../common/sqlite/sqlite.h"
#include "../../common/store.h"

/* scripts/embed makes these from schema.sql at build time. */
extern const char	schema_sql[];
extern const size_t	schema_sql_len;

/*
 * SHA-256 of each released section, from its "-- version N" line up to
 * the next one. A section is never edited once released: an existing
 * database would keep the old text, so a change goes into a new section.
 * Add the hash of a new section here when it is released.
 */
static const char *const released[] = {
	NULL,
	/* 1 */ "5c0f404607917811fb24eb2a3901c366ba6c1ea7f945374f442efe32c33c923f",
	/* 2 */ "2172526fc3d0c227b9dcad2dd45541c98cc6b8da0b76624b6b3a2439b2cde2f8",
	/* 3 */ "821b8a0142004e4142c1b236f5b210342010a158683d55b27c97883abaf56daf",
	/* 4 */ "746609aeb6067682beec031180916eee541771b7d0df161c6c7f0acac0f2bce4",
	/* 5 */ "97e525e2c550124c8a25afd83c13386404b0bb4be23adf137fae431ed7da81a5",
	/* 6 */ "a15b1905cdd3ee28b487955d2833bfb5e09469adfcb25c730a8df93ae8177e53",
	/* 7 */ "f7a94c9e21335fe4f41ea3aaf3548e0cbdd6bd827b9db23d9273e7092561de5c",
	/* 8 */ "e35dda300444d3e8e51444c1b5c656ac4bdd47af4b09c2a431ae934d3f551002",
	/* 9 */ "931e481f367e2eabda61a13feb6c9286c03cf3aa5b71b985e00f8edfbb6e559e",
	/* 10 */ "0e6fd4dbf1d352daf2b2ac49df4ee887c78e6e8530b7420ada0dedd74633b200",
	/* 11 */ "0d341756219c9d0f75811fdb2e636a9db698c673ce2ab44356b258808a84ab9a",
	/* 12 */ "b584ccd5ef0bf3f1bb3578161bcd103b0fced8654de4278674741f55f2c43a9d",
	/* 13 */ "fcd6789f13ececaf5ddfadf812acded3a69ce623d62bfd17b61bcd79504e941e",
	/* 14 */ "85593a6c8eb1871e566c013f8b35d612c633c298d09366900aa741072246a9db",
	/* 15 */ "b9f680e35111ebf92721547b5e7af6754c844ce79da88fccc3af8edcbf7951ff",
	/* 16 */ "c0cdaccf1cd660658e2eedff0169317416f1bf50b8e602301a828e49a5be4889",
	/* 17 */ "01988a7d9d113cd8ff568df596f0411f5ed3723d9e2d03f3dd1c0205c255a128",
	/* 18 */ "aaa96923d66edeca60170df8911a1e6af1ea4506af69c9bbe4fd5ddcafabfc57",
	/* 19 */ "6f7686aed171727ce858f3dec82e73ded8379f7c1be473a6738fc0409a5cd5c3",
	/* 20 */ "9d29ad96888abeb51d869715bf9d095d5c07ce3569035e433265c176938b3fe8",
	/* 21 */ "6f72c9a20aeffd234493d9d96596aea9b8564931f50157f39595e3691d8a40e7",
	/* 22 */ "fcdd639c1031a9819229eb8093f4879c41e503dc37bf5dc99656cab12da92d6b",
	/* 23 */ "2a13f9e7f9a3176629f6f8de218becdb136ec0cde489356751409d13f6682323",
	/* 24 */ "cbf355f6cbe208ab42eec0ea40e583277546a31fe092b6daebe57ce0cb2c76d7",
	/* 25 */ "970d2c07ea54243e0b32f7ef7a4854b245eee7bd5f8966d6a6eadb6807b8fb3a",
	/* 26 */ "cd1ccc679ace40730dbc437de171e52fa967ec890ca9be100624435fee518b81",
	/* 27 */ "4c21f4a41ffdbf75b1684f3426a9e8aa3525ef89cb11e25650f291f33739347d",
};
#define N_RELEASED	((int)(sizeof(released) / sizeof(released[0])) - 1)

/*
 * Version 6 as it stood from commit 5709840 until version 8 took its
 * later edits out of it: databases built in that time ran this text.
 */
#define SCHEMA_V6_EDITED	"tests/unit/data/schema_v6_edited.sql"

/*
 * The section of version v in schema.sql: its start and length, split as
 * store_migrate() splits it (a marker at the start of a line). -1 when
 * there is none.
 */
static int
section_find(int v, const char **start, size_t *len)
{
	static const char	 marker[] = "-- version ";
	const char		*p = schema_sql, *q, *end;
	int			 n;

	*start = NULL;
	for (; (q = strstr(p, marker)) != NULL; p = q + 1) {
		if (q != schema_sql && q[-1] != '\n')
			continue;
		n = (int)strtol(q + sizeof(marker) - 1, NULL, 10);
		if (*start != NULL) {
			*len = (size_t)(q - *start);
			return 0;
		}
		if (n == v)
			*start = q;
	}
	if (*start == NULL)
		return -1;
	end = schema_sql + schema_sql_len;
	*len = (size_t)(end - *start);
	return 0;
}

static void
sha256_hex(const char *s, size_t len, char hex[65])
{
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	int		 i;

	SHA256((const unsigned char *)s, len, md);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
		(void)snprintf(hex + i * 2, 3, "%02x", md[i]);
}

static void
test_released_sections_unchanged(void **state)
{
	const char	*start;
	size_t		 len;
	char		 hex[65];
	int		 v;

	(void)state;
	for (v = 1; v <= N_RELEASED; v++) {
		if (section_find(v, &start, &len) == -1)
			fail_msg("schema.sql has no version %d", v);
		sha256_hex(start, len, hex);
		if (strcmp(hex, released[v]) != 0)
			fail_msg("schema.sql version %d changed (sha256 %s): "
			    "released sections are never edited: add a new "
			    "section", v, hex);
	}
	/* Every section there is must be in the table once released. */
	if (section_find(N_RELEASED + 1, &start, &len) == 0)
		fail_msg("schema.sql version %d is not in this test's table",
		    N_RELEASED + 1);
}

/*
 * Sections count up from 1 by one: a line that starts like a marker
 * inside a section ("-- version 6 ...") would cut it short.
 */
static void
test_sections_in_order(void **state)
{
	static const char	 marker[] = "-- version ";
	const char		*q;
	int			 want = 1;

	(void)state;
	for (q = schema_sql; (q = strstr(q, marker)) != NULL; q++) {
		if (q != schema_sql && q[-1] != '\n')
			continue;
		if (strtol(q + sizeof(marker) - 1, NULL, 10) != want)
			fail_msg("schema.sql: \"%.20s\" where version %d "
			    "should start", q, want);
		want++;
	}
}

/* Runs text on db, failing the test with SQLite's message. */
static void
exec_or_fail(sqlite3 *db, const char *text, size_t len)
{
	char	*sql, *msg = NULL;

	assert_non_null(sql = strndup(text, len));
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s", msg ? msg : "sqlite3_exec failed");
	free(sql);
}

static void
exec_section(sqlite3 *db, int v)
{
	const char	*start;
	size_t		 len;

	assert_int_equal(section_find(v, &start, &len), 0);
	exec_or_fail(db, start, len);
}

static char *
file_read(const char *path)
{
	struct buf	 b;
	char		 chunk[4096];
	size_t		 n, len;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s: cannot open (run from the top directory)", path);
	buf_init(&b, 1 << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_add(&b, chunk, n), 0);
	(void)fclose(f);
	return buf_steal(&b, &len);
}

/* A fresh database file in a directory of its own; path is its name. */
static void
db_path_new(char *dir, size_t dirlen, char *path, size_t pathlen)
{
	(void)snprintf(dir, dirlen, "%s/test_schema.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	(void)snprintf(path, pathlen, "%s/portal.db", dir);
}

static void
db_path_remove(const char *dir, const char *path)
{
	char	 side[600];

	(void)unlink(path);
	(void)snprintf(side, sizeof(side), "%s-wal", path);
	(void)unlink(side);
	(void)snprintf(side, sizeof(side), "%s-shm", path);
	(void)unlink(side);
	(void)rmdir(dir);
}

/* Migrates the file at path to the latest version, as the programs do. */
static void
db_migrate(const char *path)
{
	struct store	*st;

	assert_non_null(st = store_open(path, 1));
	assert_int_equal(store_migrate(st), 0);
	assert_int_equal(store_schema_version(st), store_schema_latest(st));
	store_close(st);
}

/* The schema of the file at path, every object in a fixed order. */
static char *
db_schema_dump(const char *path)
{
	static const char sql[] =
	    "SELECT type, name, tbl_name, coalesce(sql, '') "
	    "FROM sqlite_master ORDER BY type, name";
	struct buf	 b;
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	size_t		 len;
	int		 i;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	buf_init(&b, 1 << 22);
	while (sqlite3_step(stmt) == SQLITE_ROW)
		for (i = 0; i < 4; i++)
			assert_int_equal(buf_printf(&b, "%s%c",
			    (const char *)sqlite3_column_text(stmt, i),
			    i == 3 ? '\n' : '|'), 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return buf_steal(&b, &len);
}

/*
 * The schema a database gets when it was built up to version 7 by
 * sections 1 to 5, then v6 (NULL: schema.sql's own), then 7 of
 * schema.sql, and migrated from there.
 */
static char *
schema_from_v7(const char *v6)
{
	char	 dir[512], path[600], *dump;
	sqlite3	*db;

	db_path_new(dir, sizeof(dir), path, sizeof(path));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec_or_fail(db, "BEGIN", strlen("BEGIN"));
	exec_section(db, 1);
	exec_section(db, 2);
	exec_section(db, 3);
	exec_section(db, 4);
	exec_section(db, 5);
	if (v6 != NULL)
		exec_or_fail(db, v6, strlen(v6));
	else
		exec_section(db, 6);
	exec_section(db, 7);
	exec_or_fail(db, "PRAGMA user_version = 7; COMMIT",
	    strlen("PRAGMA user_version = 7; COMMIT"));
	sqlite3_close(db);
	db_migrate(path);
	dump = db_schema_dump(path);
	db_path_remove(dir, path);
	return dump;
}

static char *
schema_fresh(void)
{
	char	 dir[512], path[600], *dump;

	db_path_new(dir, sizeof(dir), path, sizeof(path));
	db_migrate(path);
	dump = db_schema_dump(path);
	db_path_remove(dir, path);
	return dump;
}

/*
 * Version 6 was edited in place after its release; version 8 holds those
 * edits now. A database that ran version 6 as first released, and one
 * that ran the edited text, both end like a fresh one.
 */
static void
test_migrations_end_alike(void **state)
{
	char	*fresh, *original, *edited, *v6;

	(void)state;
	fresh = schema_fresh();
	original = schema_from_v7(NULL);
	v6 = file_read(SCHEMA_V6_EDITED);
	edited = schema_from_v7(v6);
	assert_string_equal(original, fresh);
	assert_string_equal(edited, fresh);
	/* The edited version 6 is a different state to start from. */
	assert_true(strstr(v6, "client_rank_spread") != NULL);
	free(v6);
	free(fresh);
	free(original);
	free(edited);
}

/*
 * Names whose search text holds two-byte and four-byte letters, spaces,
 * an '&' and the line before the organisation number.
 */
static const char *const gram_texts[] = {
	"berg & s\xc3\xb6ner ab\n556677-1234",
	"\xc3\xa5ke \xc3\xa5ker\xc3\xad ab\n5566",
	"x\n1",
	"\xf0\x9f\x98\x80 emoji hb\n2",
	"aaaa\n33",
};

/* Whether the index holds gram (hex) for client id, under its key. */
static int
grams_indexed(sqlite3 *db, const char *gram, int id)
{
	sqlite3_stmt	*stmt;
	int		 found;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "client_grams g JOIN clients c USING (partner_id, status, "
	    "sort_key, id) WHERE g.gram = ? AND g.id = ?", -1, &stmt, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(stmt, 1, gram, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, id);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	found = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return found;
}

/*
 * A new database file at path, with sections 1 to version run in a
 * transaction left open for the rows of a test.
 */
static sqlite3 *
db_new_at(char *dir, size_t dirlen, char *path, size_t pathlen, int version)
{
	sqlite3	*db;
	int	 v;

	db_path_new(dir, dirlen, path, pathlen);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite_functions_add(db), 0);
	exec_or_fail(db, "BEGIN", strlen("BEGIN"));
	for (v = 1; v <= version; v++)
		exec_section(db, v);
	return db;
}

/*
 * Commits what db_new_at() began as version, migrates the file as the
 * programs do, and opens it again.
 */
static sqlite3 *
db_migrate_from(sqlite3 *db, const char *path, int version)
{
	char	 sql[64];

	(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; COMMIT",
	    version);
	exec_or_fail(db, sql, strlen(sql));
	sqlite3_close(db);
	db_migrate(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	return db;
}

/*
 * The grams the migrations wrote for the client at text's index are
 * grams.c's, and the index holds each of them under the client's key.
 */
static void
grams_check(sqlite3 *db, int i)
{
	sqlite3_stmt	*stmt;
	char		*want, *gram, *last;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT search_grams "
	    "FROM clients WHERE id = ?", -1, &stmt, NULL), SQLITE_OK);
	sqlite3_bind_int(stmt, 1, i + 1);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_non_null(want = search_grams(gram_texts[i]));
	assert_string_equal((const char *)sqlite3_column_text(stmt, 0), want);
	sqlite3_finalize(stmt);
	for (gram = strtok_r(want, " ", &last); gram != NULL;
	    gram = strtok_r(NULL, " ", &last))
		assert_int_equal(grams_indexed(db, gram, i + 1), 1);
	free(want);
}

/*
 * Clients written before version 9 get the grams grams.c would give
 * their search text (version 14 writes them again, up to three
 * characters), and the index holds them under their ranks.
 */
static void
test_grams_migrated_as_the_store_writes_them(void **state)
{
	char		 dir[512], path[600];
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	size_t		 i;

	(void)state;
	db = db_new_at(dir, sizeof(dir), path, sizeof(path), 8);
	exec_or_fail(db, "INSERT INTO partners (id, name, created_at) "
	    "VALUES (1, 'a', 0)", strlen("INSERT INTO partners (id, name, "
	    "created_at) VALUES (1, 'a', 0)"));
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO clients "
	    "(id, partner_id, name, org_number, status, sort_key, "
	    "search_text, created_at, updated_at) "
	    "VALUES (?1, 1, ?2, '1', 'active', CAST(?2 AS BLOB), ?2, 0, 0)",
	    -1, &stmt, NULL), SQLITE_OK);
	for (i = 0; i < sizeof(gram_texts) / sizeof(gram_texts[0]); i++) {
		sqlite3_bind_int(stmt, 1, (int)i + 1);
		sqlite3_bind_text(stmt, 2, gram_texts[i], -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			fail_msg("insert: %s", sqlite3_errmsg(db));
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	db = db_migrate_from(db, path, 8);
	for (i = 0; i < sizeof(gram_texts) / sizeof(gram_texts[0]); i++)
		grams_check(db, (int)i);
	sqlite3_close(db);
	db_path_remove(dir, path);
}

/*
 * Reminders written before version 10 get their numbers among their
 * client's and among their sender's, in the order of (created_at, id),
 * whatever order their ids came in.
 */
static void
test_reminders_numbered_by_migration(void **state)
{
	/* client, sender, created_at; then the numbers version 10 gives. */
	static const int	 rows[][5] = {
		{ 1, 1, 105, 3, 3 }, { 2, 1, 100, 1, 1 }, { 1, 2, 100, 1, 1 },
		{ 1, 1, 100, 2, 2 }, { 2, 2, 105, 2, 2 }, { 1, 1, 105, 4, 4 },
	};
	char		 dir[512], path[600];
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	size_t		 i;

	(void)state;
	db = db_new_at(dir, sizeof(dir), path, sizeof(path), 9);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO reminders "
	    "(id, partner_id, client_id, sender_id, tasks, created_at) "
	    "VALUES (?, 1, ?, ?, '[]', ?)", -1, &stmt, NULL), SQLITE_OK);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sqlite3_bind_int(stmt, 1, (int)i + 1);
		sqlite3_bind_int(stmt, 2, rows[i][0]);
		sqlite3_bind_int(stmt, 3, rows[i][1]);
		sqlite3_bind_int(stmt, 4, rows[i][2]);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			fail_msg("insert: %s", sqlite3_errmsg(db));
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	db = db_migrate_from(db, path, 9);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT client_seq, "
	    "sender_seq FROM reminders ORDER BY id", -1, &stmt, NULL),
	    SQLITE_OK);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(stmt, 0), rows[i][3]);
		assert_int_equal(sqlite3_column_int(stmt, 1), rows[i][4]);
	}
	assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	db_path_remove(dir, path);
}

/* The opcodes of sql's program that are op; -1 when it does not compile. */
static int
opcode_count(sqlite3 *db, const char *sql, const char *op)
{
	sqlite3_stmt	*stmt;
	char		 explain[1024];
	int		 n = 0;

	(void)snprintf(explain, sizeof(explain), "EXPLAIN %s", sql);
	if (sqlite3_prepare_v2(db, explain, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(stmt) == SQLITE_ROW)
		if (strcmp((const char *)sqlite3_column_text(stmt, 1), op) == 0)
			n++;
	sqlite3_finalize(stmt);
	return n;
}

/*
 * Preferences written before version 12 keep every column through the
 * table's remaking, a frequency outside the three is still refused, and
 * the upsert of a preference builds no temporary b-tree for its CHECK.
 */
static void
test_preferences_remade_without_in_lists(void **state)
{
	static const char upsert[] =
	    "INSERT INTO notification_preferences (user_id, client_id, "
	    "email, frequency, starts_at, updated_at) VALUES (1, 2, 1, "
	    "'daily', 5, 6) ON CONFLICT (user_id, client_id) DO UPDATE SET "
	    "email = excluded.email, frequency = excluded.frequency, "
	    "starts_at = excluded.starts_at, updated_at = excluded.updated_at";
	static const char rows[] =
	    "INSERT INTO partners (id, name, created_at) VALUES (1, 'a', 0); "
	    "INSERT INTO users (id, partner_id, email, name, role, "
	    "password_hash, created_at, updated_at) VALUES (1, 1, 'a@b.se', "
	    "'A', 'bookkeeper', 'x', 0, 0); "
	    "INSERT INTO clients (id, partner_id, name, org_number, status, "
	    "sort_key, search_text, created_at, updated_at) VALUES "
	    "(1, 1, 'a', '1', 'active', x'01', 'a', 0, 0), "
	    "(2, 1, 'b', '2', 'active', x'02', 'b', 0, 0); "
	    "INSERT INTO notification_preferences (user_id, client_id, email, "
	    "frequency, starts_at, updated_at, generation) VALUES "
	    "(1, 1, 1, 'weekly', 10, 11, 3), (1, 2, 0, 'monthly', 12, 13, 4)";
	char		 dir[512], path[600];
	sqlite3		*db;
	sqlite3_stmt	*stmt;

	(void)state;
	db = db_new_at(dir, sizeof(dir), path, sizeof(path), 11);
	assert_int_equal(opcode_count(db, upsert, "OpenEphemeral"), 2);
	exec_or_fail(db, rows, strlen(rows));
	db = db_migrate_from(db, path, 11);
	assert_int_equal(opcode_count(db, upsert, "OpenEphemeral"), 0);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(user_id "
	    "|| ',' || client_id || ',' || email || ',' || frequency || ',' "
	    "|| starts_at || ',' || updated_at || ',' || generation, ';') "
	    "FROM (SELECT * FROM notification_preferences "
	    "ORDER BY user_id, client_id)", -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(stmt, 0),
	    "1,1,1,weekly,10,11,3;1,2,0,monthly,12,13,4");
	sqlite3_finalize(stmt);
	assert_int_equal(sqlite3_exec(db, "UPDATE notification_preferences "
	    "SET frequency = 'hourly'", NULL, NULL, NULL), SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_extended_errcode(db), SQLITE_CONSTRAINT_CHECK);
	sqlite3_close(db);
	db_path_remove(dir, path);
}

/*
 * Rows of kept that recount lacks and the other way round, plus what
 * extra counts (a count(*) statement): what a table kept by triggers
 * has that a recount from its source does not.
 */
static int
rows_off(sqlite3 *db, const char *recount, const char *kept,
    const char *extra)
{
	char		 sql[1024];
	sqlite3_stmt	*stmt;
	int		 n;

	(void)snprintf(sql, sizeof(sql), "SELECT (SELECT count(*) FROM (%s "
	    "EXCEPT %s)) + (SELECT count(*) FROM (%s EXCEPT %s)) + (%s)",
	    recount, kept, kept, recount, extra);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	n = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

/* Rows of the kept gram counts that a recount of the clients lacks. */
static int
gram_counts_off(sqlite3 *db)
{
	return rows_off(db,
	    "SELECT c.partner_id, c.status, g.value, count(*) FROM clients c, "
	    "json_each('[\"' || replace(c.search_grams, ' ', '\",\"') || "
	    "'\"]') g WHERE c.search_grams <> '' GROUP BY 1, 2, 3",
	    "SELECT partner_id, status, gram, clients FROM client_gram_counts "
	    "WHERE clients <> 0",
	    "SELECT count(*) FROM client_gram_counts WHERE clients < 0");
}

/*
 * Entries of client_grams that a recount of the clients' grams under
 * their keys lacks, and the other way round; and rows of client_rows
 * whose count of missing receipts is not their client's.
 */
static int
gram_index_off(sqlite3 *db)
{
	return rows_off(db,
	    "SELECT c.partner_id, c.status, g.value, c.sort_key, c.id "
	    "FROM clients c, json_each('[\"' || replace(c.search_grams, ' ', "
	    "'\",\"') || '\"]') g WHERE c.search_grams <> ''",
	    "SELECT partner_id, status, gram, sort_key, id FROM client_grams",
	    "SELECT count(*) FROM client_rows r JOIN clients c USING (id) "
	    "WHERE r.missing_receipts <> c.missing_receipts");
}

/* Both kept from the clients: the grams' index and their counts. */
static int
grams_off(sqlite3 *db)
{
	return gram_counts_off(db) + gram_index_off(db);
}

/* Writes client id's text and the grams the store would give it. */
static void
client_text_set(sqlite3 *db, int id, const char *text)
{
	sqlite3_stmt	*stmt;
	char		*grams;

	assert_non_null(grams = search_grams(text));
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE clients SET "
	    "search_text = ?2, search_grams = ?3, sort_key = CAST(?2 AS BLOB) "
	    "WHERE id = ?1", -1, &stmt, NULL), SQLITE_OK);
	sqlite3_bind_int(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, grams, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
	sqlite3_finalize(stmt);
	free(grams);
}

/*
 * Versions 13 and 14 count and index the grams of the clients already
 * there, and their triggers keep the counts and the index equal to a
 * recount through new clients, renames, moves to another status or
 * firm, changes of counts, and deletes.
 */
static void
test_gram_counts_follow_the_clients(void **state)
{
	char		 dir[512], path[600];
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	size_t		 i;

	(void)state;
	db = db_new_at(dir, sizeof(dir), path, sizeof(path), 12);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO clients "
	    "(id, partner_id, name, org_number, status, sort_key, "
	    "search_text, created_at, updated_at) "
	    "VALUES (?1, 1, ?2, '1', 'active', CAST(?2 AS BLOB), '', 0, 0)",
	    -1, &stmt, NULL), SQLITE_OK);
	for (i = 0; i < sizeof(gram_texts) / sizeof(gram_texts[0]); i++) {
		sqlite3_bind_int(stmt, 1, (int)i + 1);
		sqlite3_bind_text(stmt, 2, gram_texts[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
		sqlite3_reset(stmt);
		client_text_set(db, (int)i + 1, gram_texts[i]);
	}
	sqlite3_finalize(stmt);
	db = db_migrate_from(db, path, 12);
	assert_int_equal(grams_off(db), 0);
	exec_or_fail(db, "INSERT INTO clients (id, partner_id, name, "
	    "org_number, status, sort_key, search_text, search_grams, "
	    "created_at, updated_at) VALUES (9, 2, 'ab', '2', 'onboarding', "
	    "x'01', 'ab', '61 6162 62', 0, 0)", strlen("INSERT INTO clients "
	    "(id, partner_id, name, org_number, status, sort_key, "
	    "search_text, search_grams, created_at, updated_at) VALUES (9, 2, "
	    "'ab', '2', 'onboarding', x'01', 'ab', '61 6162 62', 0, 0)"));
	assert_int_equal(grams_off(db), 0);
	client_text_set(db, 1, "berg & co ab\n556677-1234");
	assert_int_equal(grams_off(db), 0);
	exec_or_fail(db, "UPDATE clients SET status = 'onboarding' "
	    "WHERE id IN (2, 3)", strlen("UPDATE clients SET status = "
	    "'onboarding' WHERE id IN (2, 3)"));
	assert_int_equal(grams_off(db), 0);
	exec_or_fail(db, "UPDATE clients SET partner_id = 2 WHERE id = 4",
	    strlen("UPDATE clients SET partner_id = 2 WHERE id = 4"));
	assert_int_equal(grams_off(db), 0);
	exec_or_fail(db, "UPDATE clients SET missing_receipts = 3 "
	    "WHERE id = 2", strlen("UPDATE clients SET missing_receipts = 3 "
	    "WHERE id = 2"));
	assert_int_equal(grams_off(db), 0);
	exec_or_fail(db, "DELETE FROM clients WHERE id IN (5, 9)",
	    strlen("DELETE FROM clients WHERE id IN (5, 9)"));
	assert_int_equal(grams_off(db), 0);
	/* The count of "ab" among the firm's active clients: 1 and 2 moved. */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT clients FROM "
	    "client_gram_counts WHERE partner_id = 1 AND status = 'active' "
	    "AND gram = '6162'", -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(stmt, 0), 1);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	db_path_remove(dir, path);
}

/* The rank layout's numbers fit the comment of version 8 and each other. */
static void
test_list_rank_layout(void **state)
{
	static const char sql[] =
	    "SELECT partner_shift, status_shift, half_shift, half, "
	    "spread_start, spread_room, end_step, neighbours, min_room, "
	    "(SELECT max(code) FROM client_statuses) FROM list_rank_layout";
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	int64_t		 partner, status, half_shift, half, start, room, step;
	int64_t		 neighbours, min_room, codes;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite_functions_add(db), 0);
	exec_or_fail(db, schema_sql, schema_sql_len);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	partner = sqlite3_column_int64(stmt, 0);
	status = sqlite3_column_int64(stmt, 1);
	half_shift = sqlite3_column_int64(stmt, 2);
	half = sqlite3_column_int64(stmt, 3);
	start = sqlite3_column_int64(stmt, 4);
	room = sqlite3_column_int64(stmt, 5);
	step = sqlite3_column_int64(stmt, 6);
	neighbours = sqlite3_column_int64(stmt, 7);
	min_room = sqlite3_column_int64(stmt, 8);
	codes = sqlite3_column_int64(stmt, 9);
	sqlite3_finalize(stmt);
	sqlite3_close(db);

	/* 8 million firms: partner ids up to 2^23 stay clear of the sign. */
	assert_int_equal(partner, 40);
	assert_true(63 - partner >= 23);
	/* Each status's range ends below the next firm's. */
	assert_true(codes + 1 <= (int64_t)1 << (partner - status));
	/* A group is its two halves. */
	assert_int_equal(status - half_shift, 1);
	assert_int_equal(half, (int64_t)1 << half_shift);
	/* A whole-group spread stays inside its half, centred. */
	assert_true(start > 0 && start + room <= half);
	assert_int_equal(start * 2 + room, half);
	/* A step past an end stays well inside a half. */
	assert_true(step > 0 && step < half / 2);
	/* Half-way between two ranks needs 2 of room; a spread moves some. */
	assert_true(neighbours >= 1 && min_room >= 2);
}

/*
 * Version 15 keys the organisation numbers written before it: spaces and
 * dashes dropped, upper case; where clients of a firm not declined
 * shared one, the first keeps the key and the later ones have none, so
 * the unique index can be built. Declined clients keep theirs, and the
 * country follows the firm's locale.
 */
static void
test_org_numbers_keyed_by_migration(void **state)
{
	/* id, firm, number, status; the key and country version 15 gives. */
	static const char *const rows[][6] = {
		{ "1", "1", "556677-8899", "active", "5566778899", "SE" },
		{ "2", "1", "5566 778899", "onboarding", NULL, "SE" },
		{ "3", "1", "556677-8899", "declined", "5566778899", "SE" },
		{ "4", "2", "556677-8899", "invitation", "5566778899", "DK" },
		{ "5", "1", "sc-12", "active", "SC12", "SE" },
	};
	char		 dir[512], path[600];
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	size_t		 i;

	(void)state;
	db = db_new_at(dir, sizeof(dir), path, sizeof(path), 14);
	exec_or_fail(db, "INSERT INTO partners (id, name, locale, created_at) "
	    "VALUES (1, 'a', 'sv', 0), (2, 'b', 'da', 0)", strlen("INSERT "
	    "INTO partners (id, name, locale, created_at) VALUES (1, 'a', "
	    "'sv', 0), (2, 'b', 'da', 0)"));
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO clients "
	    "(id, partner_id, name, org_number, status, sort_key, "
	    "search_text, created_at, updated_at) "
	    "VALUES (?, ?, 'c', ?, ?, x'01', 'c', 0, 0)", -1, &stmt, NULL),
	    SQLITE_OK);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sqlite3_bind_text(stmt, 1, rows[i][0], -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, rows[i][1], -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, rows[i][2], -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, rows[i][3], -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			fail_msg("insert: %s", sqlite3_errmsg(db));
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	db = db_migrate_from(db, path, 14);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT org_number, org_key, "
	    "country FROM clients WHERE id = ?", -1, &stmt, NULL), SQLITE_OK);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sqlite3_bind_text(stmt, 1, rows[i][0], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
		assert_string_equal(sqlite3_column_text(stmt, 0), rows[i][2]);
		if (rows[i][4] == NULL)
			assert_int_equal(sqlite3_column_type(stmt, 1),
			    SQLITE_NULL);
		else
			assert_string_equal(sqlite3_column_text(stmt, 1),
			    rows[i][4]);
		assert_string_equal(sqlite3_column_text(stmt, 2), rows[i][5]);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	/* The key is unique now: another active 5566778899 is refused. */
	assert_int_equal(sqlite3_exec(db, "INSERT INTO clients (partner_id, "
	    "name, org_number, org_key, status, sort_key, search_text, "
	    "created_at, updated_at) VALUES (1, 'd', '5566778899', "
	    "'5566778899', 'active', x'02', 'd', 0, 0)", NULL, NULL, NULL),
	    SQLITE_CONSTRAINT);
	sqlite3_close(db);
	db_path_remove(dir, path);
}

/*
 * Version 20 gives the expenses written before it their month in their
 * firm's zone and counts them into client_months; the triggers then move
 * the counters as expenses change.
 */
static void
test_months_filled_by_migration(void **state)
{
	static const char setup[] =
	    "INSERT INTO partners (id, name, locale, timezone, created_at) "
	    "VALUES (1, 'a', 'sv', 'Europe/Copenhagen', 0), "
	    "(2, 'b', 'en', 'America/New_York', 0);"
	    "INSERT INTO clients (id, partner_id, name, org_number, status, "
	    "sort_key, search_text, created_at, updated_at) VALUES "
	    "(1, 1, 'c', '1', 'active', x'01', 'c', 0, 0), "
	    "(2, 2, 'd', '2', 'active', x'02', 'd', 0, 0);"
	    /* 2026-01-31T23:30:00Z: February in Copenhagen, not New York. */
	    "INSERT INTO expenses (client_id, external_id, amount_minor, "
	    "currency, spent_at, merchant, receipt_status, export_status, "
	    "created_at, updated_at) VALUES "
	    "(1, 'a', 100, 'SEK', 1769902200, 'm', 'missing', 'ready', 0, 0), "
	    "(1, 'b', 50, 'SEK', 1769902200, 'm', 'attached', 'ready', 0, 0), "
	    "(1, 'c', 7, 'EUR', 1769902200, 'm', 'attached', 'pending', 0, 0), "
	    "(2, 'd', 9, 'USD', 1769902200, 'm', 'missing', 'exported', 0, 0);";
	static const char sql[] =
	    "SELECT group_concat(client_id || ' ' || month || ' ' || "
	    "currency || ' ' || pending || '/' || pending_minor || ' ' || "
	    "ready || '/' || ready_minor || ' ' || exported || '/' || "
	    "exported_minor || ' ' || missing_receipts, '; ') FROM "
	    "(SELECT * FROM client_months ORDER BY client_id, month, currency)";
	char		 dir[512], path[600];
	sqlite3		*db;
	sqlite3_stmt	*stmt;

	(void)state;
	db = db_new_at(dir, sizeof(dir), path, sizeof(path), 19);
	exec_or_fail(db, setup, strlen(setup));
	db = db_migrate_from(db, path, 19);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(stmt, 0),
	    "1 202602 EUR 1/7 0/0 0/0 0; "
	    "1 202602 SEK 0/0 2/150 0/0 1; "
	    "2 202601 USD 0/0 0/0 1/9 1");
	sqlite3_reset(stmt);
	/* A move to another month and state, then a delete. */
	exec_or_fail(db, "UPDATE expenses SET month = 202603, "
	    "export_status = 'exported' WHERE external_id = 'a';"
	    "DELETE FROM expenses WHERE external_id = 'c'",
	    strlen("UPDATE expenses SET month = 202603, "
	    "export_status = 'exported' WHERE external_id = 'a';"
	    "DELETE FROM expenses WHERE external_id = 'c'"));
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(stmt, 0),
	    "1 202602 EUR 0/0 0/0 0/0 0; "
	    "1 202602 SEK 0/0 1/50 0/0 0; "
	    "1 202603 SEK 0/0 0/0 1/100 1; "
	    "2 202601 USD 0/0 0/0 1/9 1");
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	db_path_remove(dir, path);
}

/*
 * Version 21 gives the clients written before it their oldest missing
 * receipt and the alerts the default thresholds raise (10 missing
 * receipts, 30 days), shows them in the row, and counts them.
 */
static void
test_alerts_worked_out_by_migration(void **state)
{
	static const char setup[] =
	    "INSERT INTO partners (id, name, locale, created_at) "
	    "VALUES (1, 'a', 'sv', 0);"
	    "INSERT INTO clients (id, partner_id, name, org_number, status, "
	    "sort_key, search_text, created_at, updated_at) VALUES "
	    "(1, 1, 'c', '1', 'active', x'01', 'c', 0, 0), "
	    "(2, 1, 'd', '2', 'active', x'02', 'd', 0, 0);"
	    /* Client 1: eleven missing receipts, the oldest of 2020. */
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	    "WHERE i < 11) INSERT INTO expenses (client_id, external_id, "
	    "amount_minor, currency, spent_at, merchant, receipt_status, "
	    "export_status, created_at, updated_at, month) "
	    "SELECT 1, 'e' || i, 1, 'SEK', 1577836800 + i, 'm', 'missing', "
	    "'pending', 0, 0, 202001 FROM n;";
	static const char sql[] =
	    "SELECT c.id, c.oldest_missing_at, c.alerts, c.list_json, "
	    "r.alerts FROM clients c JOIN client_rows r ON r.id = c.id "
	    "ORDER BY c.id";
	char		 dir[512], path[600];
	sqlite3		*db;
	sqlite3_stmt	*stmt;

	(void)state;
	db = db_new_at(dir, sizeof(dir), path, sizeof(path), 20);
	exec_or_fail(db, setup, strlen(setup));
	db = db_migrate_from(db, path, 20);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(stmt, 1), 1577836801);
	assert_int_equal(sqlite3_column_int(stmt, 2), 2 | 4);
	assert_non_null(strstr((const char *)sqlite3_column_text(stmt, 3),
	    "\"alerts\":[\"many_missing_receipts\","
	    "\"old_missing_receipts\"],"));
	assert_int_equal(sqlite3_column_int(stmt, 4), 6);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(stmt, 1), SQLITE_NULL);
	assert_int_equal(sqlite3_column_int(stmt, 2), 0);
	assert_non_null(strstr((const char *)sqlite3_column_text(stmt, 3),
	    "\"alerts\":[],"));
	sqlite3_finalize(stmt);
	/* The counts: one client of flags 6 + 8, one of 0. */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(flags "
	    "|| ':' || clients, ' ') FROM (SELECT * FROM client_alert_counts "
	    "WHERE user_id = 0 ORDER BY flags)", -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(stmt, 0), "0:1 14:1");
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	db_path_remove(dir, path);
}

/*
 * Version 25 gives the clients written before it their onboarding_since
 * (the clients in onboarding or rejected, and the active ones whose
 * events say they started in onboarding) and their assignees' roles,
 * shows both and invited_at in the row, and a new role of a user then
 * shows in the rows of the clients they are assigned to.
 */
static void
test_list_row_dates_and_roles_by_migration(void **state)
{
	static const char setup[] =
	    "INSERT INTO partners (id, name, locale, created_at) "
	    "VALUES (1, 'a', 'sv', 0);"
	    "INSERT INTO users (id, partner_id, email, name, role, "
	    "password_hash, created_at, updated_at) VALUES "
	    "(1, 1, 'b@x.test', 'Bo', 'bookkeeper', 'h', 0, 0);"
	    "INSERT INTO clients (id, partner_id, name, org_number, status, "
	    "sort_key, search_text, created_at, updated_at) VALUES "
	    "(1, 1, 'c', '1', 'onboarding', x'01', 'c', 86400, 0), "
	    "(2, 1, 'd', '2', 'active', x'02', 'd', 86401, 0), "
	    "(3, 1, 'e', '3', 'active', x'03', 'e', 86402, 0), "
	    "(4, 1, 'f', '4', 'invitation', x'04', 'f', 86403, 0);"
	    /* Client 2 was created in onboarding, client 3 invited. */
	    "DELETE FROM events;"
	    "INSERT INTO events (partner_id, seq, type, client_id, data, "
	    "created_at) VALUES "
	    "(1, 1, 'client.status_changed', 2, "
	    "'{\"from\":\"onboarding\",\"to\":\"active\"}', 0), "
	    "(1, 2, 'client.created', 3, '{\"status\":\"invitation\"}', 0);"
	    "INSERT INTO assignments (client_id, user_id, created_at, status, "
	    "sort_key, missing_receipts) VALUES (2, 1, 0, 'active', x'02', 0);";
	static const char sql[] =
	    "SELECT c.id, c.onboarding_since, c.list_json, r.json "
	    "FROM clients c JOIN client_rows r ON r.id = c.id ORDER BY c.id";
	static const char *const want[] = {
	    "\"invited_at\":\"1970-01-02T00:00:00Z\","
	    "\"onboarding_since\":\"1970-01-02T00:00:00Z\"}",
	    "\"invited_at\":\"1970-01-02T00:00:01Z\","
	    "\"onboarding_since\":\"1970-01-02T00:00:01Z\"}",
	    "\"invited_at\":\"1970-01-02T00:00:02Z\","
	    "\"onboarding_since\":null}",
	    "\"invited_at\":\"1970-01-02T00:00:03Z\","
	    "\"onboarding_since\":null}",
	};
	char		 dir[512], path[600];
	const char	*row;
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	int		 i;

	(void)state;
	db = db_new_at(dir, sizeof(dir), path, sizeof(path), 23);
	exec_or_fail(db, setup, strlen(setup));
	db = db_migrate_from(db, path, 23);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	for (i = 0; i < 4; i++) {
		assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
		row = (const char *)sqlite3_column_text(stmt, 2);
		assert_non_null(strstr(row, want[i]));
		/* client_rows carries the row as it now is. */
		assert_string_equal(row, sqlite3_column_text(stmt, 3));
		if (i == 1)
			assert_non_null(strstr(row, "\"assignees\":[{\"id\":1,"
			    "\"name\":\"Bo\",\"role\":\"bookkeeper\"}]"));
	}
	sqlite3_finalize(stmt);
	/* A new role shows in the rows of the user's clients. */
	exec_or_fail(db, "UPDATE users SET role = 'admin' WHERE id = 1",
	    strlen("UPDATE users SET role = 'admin' WHERE id = 1"));
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT json FROM client_rows "
	    "WHERE id = 2", -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_non_null(strstr((const char *)sqlite3_column_text(stmt, 0),
	    "\"role\":\"admin\""));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	db_path_remove(dir, path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_released_sections_unchanged),
		cmocka_unit_test(test_sections_in_order),
		cmocka_unit_test(test_migrations_end_alike),
		cmocka_unit_test(test_grams_migrated_as_the_store_writes_them),
		cmocka_unit_test(test_reminders_numbered_by_migration),
		cmocka_unit_test(test_preferences_remade_without_in_lists),
		cmocka_unit_test(test_gram_counts_follow_the_clients),
		cmocka_unit_test(test_list_rank_layout),
		cmocka_unit_test(test_org_numbers_keyed_by_migration),
		cmocka_unit_test(test_months_filled_by_migration),
		cmocka_unit_test(test_alerts_worked_out_by_migration),
		cmocka_unit_test(test_list_row_dates_and_roles_by_migration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
