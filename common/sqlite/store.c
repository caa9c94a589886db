/*
 * Connection set-up, migrations, statement cache and transactions.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../log.h"
#include "../store.h"
#include "sqlite.h"

/* scripts/embed makes these from schema.sql at build time. */
extern const char	schema_sql[];
extern const size_t	schema_sql_len;

#define STORE_BUSY_TIMEOUT_MS	10000

/* The write turn of this process's connections (see store_begin). */
static pthread_mutex_t	store_write_turn = PTHREAD_MUTEX_INITIALIZER;

/*
 * How long this process's writers may follow one another without a gap,
 * and the gap then left: another process (the worker) waiting for the
 * lock polls every STORE_BUSY_POLL_MS and would otherwise never find it
 * free while request after request takes it.
 */
#define STORE_CHAIN_MS		100
#define STORE_BUSY_POLL_MS	4
static struct timespec	store_chain_start;	/* under store_write_turn */

/* Seconds added to the clock: the worker's --now replays another time. */
static int64_t	store_clock_shift;

int
store_busy(const struct store *st)
{
	return st->busy;
}

void
store_busy_clear(struct store *st)
{
	st->busy = 0;
}

static void
store_note_busy(struct store *st)
{
	int	 code = sqlite3_errcode(st->db);

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		st->busy = 1;
}

void
store_log_error(struct store *st, const char *what)
{
	store_note_busy(st);
	log_warnx("database %s: %s (%d)", what, sqlite3_errmsg(st->db),
	    sqlite3_extended_errcode(st->db));
}

static int
store_exec(struct store *st, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		store_note_busy(st);
		log_warnx("database: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

void
store_global_init(void)
{
	/*
	 * Allocation statistics take a global mutex on every malloc inside
	 * SQLite, which request threads then queue on. Nothing reads them.
	 */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int64_t
store_ms_between(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * 1000 +
	    (b->tv_nsec - a->tv_nsec) / 1000000;
}

/*
 * SQLite's own busy handler sleeps up to 100 ms between looks at the
 * lock: short polls find the short gaps between another process's writes.
 */
static int
store_busy_wait(void *arg, int n)
{
	struct timespec	 t = { 0, STORE_BUSY_POLL_MS * 1000000L };

	(void)arg;
	if ((int64_t)n * STORE_BUSY_POLL_MS >= STORE_BUSY_TIMEOUT_MS)
		return 0;
	nanosleep(&t, NULL);
	return 1;
}

struct store *
store_open(const char *path, int create)
{
	struct store	*st;
	int		 flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		log_warn("calloc");
		return NULL;
	}
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		log_warnx("cannot open database %s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_handler(st->db, store_busy_wait, NULL);
	/*
	 * synchronous=FULL: a 2xx or an email marked sent must survive a
	 * power cut, which NORMAL does not promise in WAL mode.
	 * mmap_size: reads map the file, so that the API's many connections
	 * share the system's copy of each page instead of each keeping its
	 * own in a cache (a search costs a third less). The price: a commit
	 * makes the other connections map the file again, and a disk error
	 * on a mapped page is a signal instead of an error code.
	 */
	if (store_exec(st, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA cache_size = -16384;"
	    "PRAGMA mmap_size = 1073741824;"
	    "PRAGMA temp_store = MEMORY;") == -1)
		goto fail;
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	int	 i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n_cached; i++)
		sqlite3_finalize(st->cache[i].stmt);
	/*
	 * SQLite's advice for every closing connection: refresh the planner's
	 * statistics where the queries it saw would profit. Cheap when not.
	 */
	(void)sqlite3_exec(st->db, "PRAGMA optimize", NULL, NULL, NULL);
	sqlite3_close(st->db);
	free(st);
}

sqlite3_stmt *
store_stmt(struct store *st, const char *sql)
{
	sqlite3_stmt	*stmt;
	int		 i;

	for (i = 0; i < st->n_cached; i++) {
		if (st->cache[i].sql == sql) {
			stmt = st->cache[i].stmt;
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			return stmt;
		}
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &stmt, NULL) != SQLITE_OK) {
		store_log_error(st, "prepare");
		return NULL;
	}
	if (st->n_cached == STORE_STMT_MAX) {
		/*
		 * The queries are a fixed set smaller than the cache; evicting
		 * one could finalize a statement a caller is stepping.
		 */
		log_warnx("statement cache full: raise STORE_STMT_MAX");
		sqlite3_finalize(stmt);
		return NULL;
	}
	st->cache[st->n_cached].sql = sql;
	st->cache[st->n_cached].stmt = stmt;
	st->n_cached++;
	return stmt;
}

void
store_reset(sqlite3_stmt *stmt)
{
	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
	}
}

/* Transaction control through cached statements: no parse per request. */
static int
store_step_control(struct store *st, const char *sql)
{
	sqlite3_stmt	*stmt;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return -1;
	return store_step_done(st, stmt, sql) == STORE_OK ? 0 : -1;
}

int
store_step_done(struct store *st, sqlite3_stmt *stmt, const char *what)
{
	int	 rc = STORE_OK;

	if (sqlite3_step(stmt) != SQLITE_DONE) {
		store_log_error(st, what);
		rc = STORE_ERROR;
	}
	store_reset(stmt);
	return rc;
}

int
store_step_unique(struct store *st, sqlite3_stmt *stmt, const char *what)
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
		store_log_error(st, what);
		rc = STORE_ERROR;
	}
	store_reset(stmt);
	return rc;
}

int
store_rows(struct store *st, sqlite3_stmt *stmt, const char *what,
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
		store_log_error(st, what);
		rc = STORE_ERROR;
	}
	store_reset(stmt);
	return rc;
}

/* store_row() and, with only set, store_row_only(). */
static int
store_row_first(struct store *st, sqlite3_stmt *stmt, const char *what,
    int (*row)(sqlite3_stmt *, void *), void *arg, int only)
{
	int	 rc;

	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		rc = STORE_OK;
		if (row != NULL && row(stmt, arg) == -1)
			rc = STORE_ERROR;
		else if (only && sqlite3_step(stmt) != SQLITE_DONE) {
			store_log_error(st, what);
			rc = STORE_ERROR;
		}
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, what);
		rc = STORE_ERROR;
	}
	store_reset(stmt);
	return rc;
}

int
store_row(struct store *st, sqlite3_stmt *stmt, const char *what,
    int (*row)(sqlite3_stmt *, void *), void *arg)
{
	return store_row_first(st, stmt, what, row, arg, 0);
}

int
store_row_only(struct store *st, sqlite3_stmt *stmt, const char *what,
    int (*row)(sqlite3_stmt *, void *), void *arg)
{
	return store_row_first(st, stmt, what, row, arg, 1);
}

static void
store_write_turn_end(struct store *st)
{
	if (st->writing) {
		st->writing = 0;
		pthread_mutex_unlock(&store_write_turn);
	}
}

int
store_begin(struct store *st)
{
	struct timespec	 until, now;
	struct timespec	 gap = { 0, 2 * STORE_BUSY_POLL_MS * 1000000L };

	if (st->joined)
		return 0;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += STORE_BUSY_TIMEOUT_MS / 1000;
	if (pthread_mutex_trylock(&store_write_turn) == 0)
		clock_gettime(CLOCK_MONOTONIC, &store_chain_start);
	else if (pthread_mutex_timedlock(&store_write_turn, &until) != 0) {
		log_warnx("database: no write turn within %d ms",
		    STORE_BUSY_TIMEOUT_MS);
		st->busy = 1;
		return -1;
	} else {
		/* Queued behind another writer of ours: a chain goes on. */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (store_ms_between(&store_chain_start, &now) >=
		    STORE_CHAIN_MS) {
			nanosleep(&gap, NULL);
			clock_gettime(CLOCK_MONOTONIC, &store_chain_start);
		}
	}
	st->writing = 1;
	if (store_step_control(st, "BEGIN IMMEDIATE") == -1) {
		store_write_turn_end(st);
		return -1;
	}
	return 0;
}

/*
 * Reads nest: a handler's read inside the request's own (see
 * api/server.c) shares its snapshot, and only the outermost ends it.
 */
int
store_begin_read(struct store *st)
{
	if (st->reading > 0 || st->joined) {
		st->reading++;
		return 0;
	}
	if (store_step_control(st, "BEGIN") == -1)
		return -1;
	st->reading = 1;
	return 0;
}

int
store_commit(struct store *st)
{
	if (st->joined)
		return 0;
	if (store_step_control(st, "COMMIT") == -1) {
		store_rollback(st);
		return -1;
	}
	store_write_turn_end(st);
	return 0;
}

void
store_rollback(struct store *st)
{
	if (st->joined) {
		/* A handler's own end: the request's transaction decides. */
		if (st->reading > 0)
			st->reading--;
		return;
	}
	if (st->reading > 1) {
		st->reading--;
		return;
	}
	st->reading = 0;
	if (!sqlite3_get_autocommit(st->db))
		(void)store_step_control(st, "ROLLBACK");
	store_write_turn_end(st);
}

int
store_begin_request(struct store *st)
{
	if (store_begin(st) == -1)
		return -1;
	st->joined = 1;
	return 0;
}

int
store_commit_request(struct store *st)
{
	st->joined = 0;
	st->reading = 0;
	return store_commit(st);
}

void
store_rollback_request(struct store *st)
{
	st->joined = 0;
	st->reading = 0;
	store_rollback(st);
}

int
store_in_transaction(struct store *st)
{
	return !sqlite3_get_autocommit(st->db);
}

int
store_schema_version(struct store *st)
{
	sqlite3_stmt	*stmt;
	int		 v = -1;

	if ((stmt = store_stmt(st, "PRAGMA user_version")) == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	store_reset(stmt);
	return v;
}

int
store_ping(struct store *st)
{
	return store_schema_version(st) > 0 ? 0 : -1;
}

/*
 * Finds the "-- version N" marker at or after p; returns its line start or
 * NULL, with N in *version.
 */
static const char *
store_next_section(const char *p, int *version)
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
store_schema_latest(void)
{
	const char	*p = schema_sql;
	int		 v, latest = 0;

	while ((p = store_next_section(p, &v)) != NULL) {
		latest = v;
		p++;
	}
	return latest;
}

int
store_migrate(struct store *st)
{
	const char	*p, *next;
	char		*section = NULL, pragma[64];
	int		 v, nextv, current;

	if (store_begin(st) == -1)
		return -1;
	if ((current = store_schema_version(st)) == -1)
		goto fail;
	p = store_next_section(schema_sql, &v);
	for (; p != NULL; p = next, v = nextv) {
		next = store_next_section(p + 1, &nextv);
		if (v <= current)
			continue;
		section = strndup(p, next ? (size_t)(next - p) :
		    strlen(p));
		if (section == NULL)
			goto fail;
		(void)snprintf(pragma, sizeof(pragma),
		    "PRAGMA user_version = %d", v);
		if (store_exec(st, section) == -1 ||
		    store_exec(st, pragma) == -1)
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
store_column_text(sqlite3_stmt *stmt, int col, char *dst, size_t dstlen)
{
	const unsigned char	*s = sqlite3_column_text(stmt, col);
	int			 n;

	n = snprintf(dst, dstlen, "%s", s ? (const char *)s : "");
	return (n < 0 || (size_t)n >= dstlen) ? -1 : 0;
}

int64_t
store_now(void)
{
	return (int64_t)time(NULL) + store_clock_shift;
}

void
store_now_set(int64_t t)
{
	store_clock_shift = t - (int64_t)time(NULL);
}
