/*
 * The SQLite connection: set-up, migrations from schema.sql, the
 * statement cache, the helpers that step statements. Writes and their
 * group commits are group_commit.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../clock.h"
#include "../log.h"
#include "../tz.h"
#include "grams.h"
#include "sqlite.h"

/* scripts/embed makes these from schema.sql at build time. */
extern const char	schema_sql[];
extern const size_t	schema_sql_len;

/* store_settings.shared_reads, for the connections opened after. */
static int	sqlite_shared_reads;

static void
sqlite_note_busy(struct store *st)
{
	int	 code = sqlite3_errcode(sqlite_db(st));

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		st->busy = 1;
}

void
sqlite_log_error(struct store *st, const char *what)
{
	sqlite3	*db = sqlite_db(st);

	sqlite_note_busy(st);
	log_warnx("database %s: %s (%d)", what, sqlite3_errmsg(db),
	    sqlite3_extended_errcode(db));
}

static int
sqlite_exec(struct store *st, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(sqlite_db(st), sql, NULL, NULL, &msg) != SQLITE_OK) {
		sqlite_note_busy(st);
		log_warnx("database: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

void
sqlite_global_init(const struct store_settings *set)
{
	sqlite_shared_reads = set->shared_reads;
	/*
	 * Allocation statistics take a global mutex on every malloc inside
	 * SQLite, which request threads then queue on. Nothing reads them.
	 */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/*
 * SQLite's own busy handler sleeps up to 100 ms between looks at the
 * lock: short polls find the short gaps between another process's writes.
 * The wait ends at the busy timeout, or sooner at the request's deadline
 * (store_set_deadline), as the wait for the write turn does.
 */
static int
sqlite_busy_wait(void *arg, int n)
{
	const struct store	*st = arg;
	struct timespec		 t = { 0, STORE_BUSY_POLL_MS * 1000000L };

	if ((int64_t)n * STORE_BUSY_POLL_MS >= STORE_BUSY_TIMEOUT_MS ||
	    (st->has_deadline && clock_ms_until(&st->deadline) <= 0))
		return 0;
	nanosleep(&t, NULL);
	return 1;
}

/*
 * search_grams(text): grams.h's grams of a search text, for the
 * statements that write search_text (client.c, copy.c) to keep
 * clients.search_grams beside it.
 */
static void
sqlite_search_grams_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char	*text = sqlite3_value_text(argv[0]);
	char			*grams;

	(void)argc;
	if (text == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if ((grams = search_grams((const char *)text)) == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_text(ctx, grams, -1, free);
}

/*
 * local_month(utc, zone): tz_month(), for schema version 20's fill of
 * the months of the expenses written before it. NULL for a bad zone.
 */
static void
sqlite_local_month_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char	*zone = sqlite3_value_text(argv[1]);
	int			 month;

	(void)argc;
	if (zone == NULL || (month = tz_month((const char *)zone,
	    sqlite3_value_int64(argv[0]))) == -1) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_int(ctx, month);
}

int
sqlite_functions_add(sqlite3 *db)
{
	if (sqlite3_create_function(db, "search_grams", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
	    sqlite_search_grams_fn, NULL, NULL) != SQLITE_OK)
		return -1;
	return sqlite3_create_function(db, "local_month", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
	    sqlite_local_month_fn, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

struct sqlite_store *
sqlite_conn_open(const char *path, int create)
{
	struct sqlite_store	*sq;
	struct store		*st;
	int			 flags;

	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if ((sq = calloc(1, sizeof(*sq))) == NULL) {
		log_warn("calloc");
		return NULL;
	}
	st = &sq->base;
	st->be = &sqlite_backend;
	if (sqlite3_open_v2(path, &sq->db, flags, NULL) != SQLITE_OK) {
		log_warnx("cannot open database %s: %s", path,
		    sq->db ? sqlite3_errmsg(sq->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(sq->db, 1);
	sqlite3_busy_handler(sq->db, sqlite_busy_wait, st);
	if (sqlite_functions_add(sq->db) == -1) {
		log_warnx("database %s: %s", path, sqlite3_errmsg(sq->db));
		goto fail;
	}
	/*
	 * synchronous=FULL: a 2xx or an email marked sent must survive a
	 * power cut, which NORMAL does not promise in WAL mode.
	 * mmap_size, for shared_reads: reads map the file, so that the API's
	 * many connections share the system's copy of each page instead of
	 * each keeping its own in a cache (a search costs a third less). The
	 * price: a commit makes the other connections map the file again
	 * (the worker's four senders went half as fast with it), and a disk
	 * error on a mapped page is a signal instead of an error code.
	 */
	if (sqlite_exec(st, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA cache_size = -16384;"
	    "PRAGMA temp_store = MEMORY;") == -1 ||
	    sqlite_exec(st, sqlite_shared_reads ?
	    "PRAGMA mmap_size = 1073741824;" : "PRAGMA mmap_size = 0;") == -1)
		goto fail;
	return sq;
fail:
	sqlite_conn_close(sq);
	return NULL;
}

void
sqlite_conn_close(struct sqlite_store *sq)
{
	int	 i;

	if (sq == NULL)
		return;
	for (i = 0; i < sq->n_cached; i++)
		sqlite3_finalize(sq->cache[i].stmt);
	/*
	 * SQLite's advice for every closing connection: refresh the planner's
	 * statistics where the queries it saw would profit. Cheap when not.
	 */
	(void)sqlite3_exec(sq->db, "PRAGMA optimize", NULL, NULL, NULL);
	sqlite3_close(sq->db);
	free(sq);
}

struct store *
sqlite_open(const char *path, int create)
{
	struct sqlite_store	*sq;

	if ((sq = sqlite_conn_open(path, create)) == NULL)
		return NULL;
	if (sqlite_writer_attach(sq, path) == -1) {
		sqlite_conn_close(sq);
		return NULL;
	}
	return &sq->base;
}

void
sqlite_close(struct store *st)
{
	struct sqlite_store	*sq = (struct sqlite_store *)st;

	if (sq == NULL)
		return;
	sqlite_writer_detach(sq);
	sqlite_conn_close(sq);
}

sqlite3_stmt *
sqlite_stmt(struct store *st, const char *sql)
{
	struct sqlite_store	*sq = sqlite_conn(st);
	sqlite3_stmt		*stmt;
	int			 i;

	for (i = 0; i < sq->n_cached; i++) {
		if (sq->cache[i].sql == sql) {
			stmt = sq->cache[i].stmt;
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			return stmt;
		}
	}
	if (sqlite3_prepare_v3(sq->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &stmt, NULL) != SQLITE_OK) {
		sqlite_log_error(st, "prepare");
		return NULL;
	}
	if (sq->n_cached == STORE_STMT_MAX) {
		/*
		 * The queries are a fixed set smaller than the cache; evicting
		 * one could finalize a statement a caller is stepping.
		 */
		log_warnx("statement cache full: raise STORE_STMT_MAX");
		sqlite3_finalize(stmt);
		return NULL;
	}
	sq->cache[sq->n_cached].sql = sql;
	sq->cache[sq->n_cached].stmt = stmt;
	sq->n_cached++;
	return stmt;
}

void
sqlite_reset(sqlite3_stmt *stmt)
{
	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
	}
}

/* Transaction control through cached statements: no parse per request. */
int
sqlite_step_control(struct store *st, const char *sql)
{
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return -1;
	return sqlite_step_done(st, stmt, sql) == STORE_OK ? 0 : -1;
}

int
sqlite_step_done(struct store *st, sqlite3_stmt *stmt, const char *what)
{
	int	 rc = STORE_OK;

	if (sqlite3_step(stmt) != SQLITE_DONE) {
		sqlite_log_error(st, what);
		rc = STORE_ERROR;
	}
	sqlite_reset(stmt);
	return rc;
}

int
sqlite_step_unique(struct store *st, sqlite3_stmt *stmt, const char *what)
{
	int	 rc;

	switch (sqlite3_step(stmt)) {
	case SQLITE_DONE:
		rc = STORE_OK;
		break;
	case SQLITE_CONSTRAINT_UNIQUE:
		rc = STORE_CONFLICT;
		break;
	default:
		sqlite_log_error(st, what);
		rc = STORE_ERROR;
	}
	sqlite_reset(stmt);
	return rc;
}

int
sqlite_rows(struct store *st, sqlite3_stmt *stmt, const char *what,
    int (*row)(sqlite3_stmt *, void *), void *arg)
{
	int	 rc = STORE_OK, step;

	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (row(stmt, arg) == -1) {
			rc = STORE_ERROR;
			break;
		}
	}
	if (rc == STORE_OK && step != SQLITE_DONE) {
		sqlite_log_error(st, what);
		rc = STORE_ERROR;
	}
	sqlite_reset(stmt);
	return rc;
}

/* sqlite_row() and, with only set, sqlite_row_only(). */
static int
sqlite_row_first(struct store *st, sqlite3_stmt *stmt, const char *what,
    int (*row)(sqlite3_stmt *, void *), void *arg, int only)
{
	int	 rc;

	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		rc = STORE_OK;
		if (row != NULL && row(stmt, arg) == -1)
			rc = STORE_ERROR;
		else if (only && sqlite3_step(stmt) != SQLITE_DONE) {
			sqlite_log_error(st, what);
			rc = STORE_ERROR;
		}
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	case SQLITE_CONSTRAINT_UNIQUE:
		rc = STORE_CONFLICT;
		break;
	default:
		sqlite_log_error(st, what);
		rc = STORE_ERROR;
	}
	sqlite_reset(stmt);
	return rc;
}

int
sqlite_int64_read(sqlite3_stmt *stmt, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(stmt, 0);
	return 0;
}

int
sqlite_row(struct store *st, sqlite3_stmt *stmt, const char *what,
    int (*row)(sqlite3_stmt *, void *), void *arg)
{
	return sqlite_row_first(st, stmt, what, row, arg, 0);
}

int
sqlite_row_only(struct store *st, sqlite3_stmt *stmt, const char *what,
    int (*row)(sqlite3_stmt *, void *), void *arg)
{
	return sqlite_row_first(st, stmt, what, row, arg, 1);
}

/* BEGIN (deferred): the snapshot starts at the first read. */
int
sqlite_begin_read(struct store *st)
{
	return sqlite_step_control(st, "BEGIN");
}

int
sqlite_in_transaction(struct store *st)
{
	/* In a write, even one whose group has already committed others. */
	return ((struct sqlite_store *)st)->via != NULL ||
	    !sqlite3_get_autocommit(sqlite_db(st));
}

int
sqlite_schema_version(struct store *st)
{
	sqlite3_stmt	*stmt;
	int		 v = -1;

	if ((stmt = sqlite_stmt(st, "PRAGMA user_version")) == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	sqlite_reset(stmt);
	return v;
}

int
sqlite_ping(struct store *st)
{
	return sqlite_schema_version(st) > 0 ? 0 : -1;
}

/*
 * Finds the "-- version N" marker at or after p; returns its line start or
 * NULL, with N in *version.
 */
static const char *
sqlite_next_section(const char *p, int *version)
{
	static const char	 marker[] = "-- version ";
	const char		*q = p;

	while ((q = strstr(q, marker)) != NULL) {
		if (q == schema_sql || q[-1] == '\n') {
			long n = strtol(q + sizeof(marker) - 1, NULL, 10);
			if (n > 0 && n < 100000) {
				*version = (int)n;
				return q;
			}
		}
		q += sizeof(marker) - 1;
	}
	return NULL;
}

int
sqlite_schema_latest(void)
{
	const char	*p = schema_sql;
	int		 v, latest = 0;

	while ((p = sqlite_next_section(p, &v)) != NULL) {
		latest = v;
		p++;
	}
	return latest;
}

int
sqlite_migrate(struct store *st)
{
	const char	*p, *next;
	char		*section = NULL, pragma[64];
	int		 v, nextv, current;

	if (store_begin(st) == -1)
		return -1;
	if ((current = sqlite_schema_version(st)) == -1)
		goto fail;
	p = sqlite_next_section(schema_sql, &v);
	for (; p != NULL; p = next, v = nextv) {
		next = sqlite_next_section(p + 1, &nextv);
		if (v <= current)
			continue;
		section = strndup(p, next ? (size_t)(next - p) :
		    strlen(p));
		if (section == NULL)
			goto fail;
		(void)snprintf(pragma, sizeof(pragma),
		    "PRAGMA user_version = %d", v);
		if (sqlite_exec(st, section) == -1 ||
		    sqlite_exec(st, pragma) == -1)
			goto fail;
		free(section);
		section = NULL;
		log_info("database migrated to schema version %d", v);
		current = v;
	}
	return store_commit(st);
fail:
	free(section);
	store_rollback(st);
	return -1;
}

int
sqlite_column_text(sqlite3_stmt *stmt, int col, char *dst, size_t dstlen)
{
	const char	*s = (const char *)sqlite3_column_text(stmt, col);
	size_t		 n;

	/* Cut as snprintf would, without its cost: rows read many. */
	if (dstlen == 0)
		return -1;
	n = s == NULL ? 0 : strlen(s);
	if (n >= dstlen) {
		memcpy(dst, s, dstlen - 1);
		dst[dstlen - 1] = '\0';
		return -1;
	}
	memcpy(dst, s, n + 1);
	return 0;
}
