/*
 * SQLite housekeeping: expiry of idempotency keys and login attempts in
 * bounded batches, and the row counts that /metrics reports.
 */
#include "../log.h"
#include "../store_idempotency.h"
#include "sqlite.h"
#include "../store_tidy.h"

/* Runs one bounded DELETE of rows expired before "before", alone. */
static int
tidy_delete(struct store *st, const char *sql, const char *what,
    int64_t before, int max, int *deleted)
{
	sqlite3_stmt	*stmt;

	*deleted = 0;
	if (store_begin(st) == -1)
		return STORE_ERROR;
	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, before);
	sqlite3_bind_int(stmt, 2, max);
	if (sqlite_step_done(st, stmt, what) != STORE_OK)
		goto fail;
	*deleted = sqlite3_changes(sqlite_db(st));
	if (store_commit(st) == -1) {
		*deleted = 0;
		return STORE_ERROR;
	}
	return STORE_OK;
fail:
	store_rollback(st);
	return STORE_ERROR;
}

int
sqlite_tidy_idempotency(struct store *st, int64_t now, int max, int *deleted)
{
	/*
	 * By key, as the table has no rowid; the index on created_at finds
	 * a batch without reading the live keys. A key is live while
	 * created_at > now - IDEMPOTENCY_TTL (sqlite_idempotency_find).
	 */
	static const char sql[] =
	    "DELETE FROM idempotency_keys WHERE (user_id, key) IN "
	    "(SELECT user_id, key FROM idempotency_keys "
	    "WHERE created_at <= ?1 ORDER BY created_at LIMIT ?2)";

	return tidy_delete(st, sql, "idempotency expiry",
	    now - IDEMPOTENCY_TTL, max, deleted);
}

int
sqlite_tidy_events(struct store *st, int64_t now, int max, int *deleted)
{
	/* By the index on created_at: the feed's pages never read these. */
	static const char sql[] =
	    "DELETE FROM events WHERE id IN (SELECT id FROM events "
	    "WHERE created_at <= ?1 ORDER BY created_at LIMIT ?2)";

	return tidy_delete(st, sql, "events expiry", now - EVENT_KEEP, max,
	    deleted);
}

int
sqlite_tidy_logins(struct store *st, int64_t now, int max, int *deleted)
{
	/* A row counts while window_end > now (sqlite_login_claim). */
	static const char sql[] =
	    "DELETE FROM login_attempts WHERE (email, source) IN "
	    "(SELECT email, source FROM login_attempts "
	    "WHERE window_end <= ?1 ORDER BY window_end LIMIT ?2)";

	return tidy_delete(st, sql, "login attempts expiry", now, max,
	    deleted);
}

int
sqlite_tidy_count(struct store *st, struct table_rows *out)
{
	/* In the order of the columns below. */
	static const char *const tables[STORE_TIDY_TABLES] = {
		"idempotency_keys", "login_attempts", "outbox", "digests",
		"reminders", "reminder_recipients", "audit_events",
	};
	static const char sql[] =
	    "SELECT (SELECT count(*) FROM idempotency_keys), "
	    "(SELECT count(*) FROM login_attempts), "
	    "(SELECT count(*) FROM outbox), "
	    "(SELECT count(*) FROM digests), "
	    "(SELECT count(*) FROM reminders), "
	    "(SELECT count(*) FROM reminder_recipients), "
	    "(SELECT count(*) FROM audit_events)";
	sqlite3_stmt	*stmt;
	int		 i, rc = STORE_OK;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		for (i = 0; i < STORE_TIDY_TABLES; i++) {
			out[i].table = tables[i];
			out[i].rows = sqlite3_column_int64(stmt, i);
		}
	} else {
		sqlite_log_error(st, "table rows");
		rc = STORE_ERROR;
	}
	sqlite_reset(stmt);
	return rc;
}
