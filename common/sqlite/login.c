/*
 * SQLite: claims of password checks per address and client (table
 * login_attempts).
 */
#include <string.h>

#include "../log.h"
#include "../store_login.h"
#include "sqlite.h"

/* The source of the row that counts an address's checks from everyone. */
#define LOGIN_ALL_SOURCES	"*"

/* Adds one claim to the (email, source) row, starting a window if due. */
static int
login_count(struct store *st, const char *email, const char *source,
    int64_t now, int64_t limit, int64_t window)
{
	/*
	 * A row whose window has ended starts again at one; the claim that
	 * reaches the limit pushes the window's end a full window away.
	 */
	static const char sql[] =
	    "INSERT INTO login_attempts (email, source, attempts, window_end) "
	    "VALUES (?1, ?2, 1, ?3 + ?4) "
	    "ON CONFLICT (email, source) DO UPDATE SET "
	    "attempts = CASE WHEN window_end <= ?3 THEN 1 "
	    "ELSE attempts + 1 END, "
	    "window_end = CASE WHEN window_end <= ?3 OR attempts + 1 >= ?5 "
	    "THEN ?3 + ?4 ELSE window_end END";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now);
	sqlite3_bind_int64(stmt, 4, window);
	sqlite3_bind_int64(stmt, 5, limit);
	return sqlite_step_done(st, stmt, "login claim");
}

int
sqlite_login_claim(struct store *st, const char *email, const char *source,
    int64_t now, const struct login_limits *lim, int64_t *retry_after)
{
	static const char sql[] =
	    "SELECT source, attempts, window_end FROM login_attempts "
	    "WHERE email = ?1 AND source IN (?2, '" LOGIN_ALL_SOURCES "') "
	    "AND window_end > ?3";
	sqlite3_stmt	*stmt;
	const char	*who;
	int64_t		 attempts, end;
	int		 rc = STORE_ERROR, step, all;

	*retry_after = 0;
	/*
	 * Read, decide and count in one write transaction: the count of
	 * every process moves one claim at a time, so no two claims see the
	 * same last free check.
	 */
	if (store_begin(st) == -1)
		return STORE_ERROR;
	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		who = (const char *)sqlite3_column_text(stmt, 0);
		all = who != NULL && strcmp(who, LOGIN_ALL_SOURCES) == 0;
		attempts = sqlite3_column_int64(stmt, 1);
		end = sqlite3_column_int64(stmt, 2);
		if (attempts >= (all ? lim->per_address : lim->per_source) &&
		    end - now > *retry_after)
			*retry_after = end - now;
	}
	sqlite_reset(stmt);
	if (step != SQLITE_DONE) {
		sqlite_log_error(st, "login check");
		goto out;
	}
	if (*retry_after > 0) {
		rc = STORE_CONFLICT;
		goto out;
	}
	if (login_count(st, email, source, now, lim->per_source,
	    lim->window) != STORE_OK ||
	    login_count(st, email, LOGIN_ALL_SOURCES, now, lim->per_address,
	    lim->window) != STORE_OK)
		goto out;
	/* On failure store_commit() has rolled back. */
	return store_commit(st) == 0 ? STORE_OK : STORE_ERROR;
out:
	store_rollback(st);
	return rc;
}

int
sqlite_login_release(struct store *st, const char *email, const char *source)
{
	static const char clear[] =
	    "DELETE FROM login_attempts WHERE email = ? AND source = ?";
	/* A row back at zero says nothing: it goes. */
	static const char give_back[] =
	    "UPDATE login_attempts SET attempts = attempts - 1 "
	    "WHERE email = ? AND source = '" LOGIN_ALL_SOURCES "' "
	    "AND attempts > 0";
	static const char drop_empty[] =
	    "DELETE FROM login_attempts "
	    "WHERE email = ? AND source = '" LOGIN_ALL_SOURCES "' "
	    "AND attempts <= 0";
	sqlite3_stmt	*stmt;

	if (store_begin(st) == -1)
		return STORE_ERROR;
	if ((stmt = sqlite_stmt(st, clear)) == NULL)
		goto fail;
	sqlite3_bind_text(stmt, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, source, -1, SQLITE_STATIC);
	if (sqlite_step_done(st, stmt, "login clear") != STORE_OK ||
	    (stmt = sqlite_stmt(st, give_back)) == NULL)
		goto fail;
	sqlite3_bind_text(stmt, 1, email, -1, SQLITE_STATIC);
	if (sqlite_step_done(st, stmt, "login give back") != STORE_OK ||
	    (stmt = sqlite_stmt(st, drop_empty)) == NULL)
		goto fail;
	sqlite3_bind_text(stmt, 1, email, -1, SQLITE_STATIC);
	if (sqlite_step_done(st, stmt, "login drop") != STORE_OK)
		goto fail;
	return store_commit(st) == 0 ? STORE_OK : STORE_ERROR;
fail:
	store_rollback(st);
	return STORE_ERROR;
}
