/*
 * The SQLite backend's queries on assignments; the triggers in schema.sql
 * keep the counters and each client's list of assignee names in step.
 */
#include <string.h>

#include "../log.h"
#include "../store_assignee.h"
#include "sqlite.h"

int
sqlite_assignee_list(struct store *st, int64_t client_id,
    int (*fn)(const struct user *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT " STORE_USER_ROW " FROM assignments a "
	    "JOIN users u ON u.id = a.user_id "
	    "WHERE a.client_id = ? ORDER BY u.name, u.id";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, client_id);
	return sqlite_user_each(st, stmt, "assignee list", fn, arg);
}

int
sqlite_assignee_check(struct store *st, int64_t partner_id, int64_t user_id)
{
	static const char sql[] =
	    "SELECT 1 FROM users WHERE id = ? AND partner_id = ? "
	    "AND active = 1 AND role IN ('admin', 'bookkeeper')";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int64(stmt, 2, partner_id);
	return sqlite_row(st, stmt, "assignee check", NULL, NULL);
}

int
sqlite_assignee_add(struct store *st, int64_t client_id, int64_t user_id)
{
	/* With the copies of the client's sort columns the lists read. */
	static const char sql[] =
	    "INSERT INTO assignments (client_id, user_id, created_at, status, "
	    "sort_key, missing_receipts) SELECT id, ?2, ?3, status, sort_key, "
	    "missing_receipts FROM clients WHERE id = ?1 "
	    "ON CONFLICT DO NOTHING";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, client_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_int64(stmt, 3, store_now());
	return sqlite_step_done(st, stmt, "assignee add");
}

int
sqlite_assignee_remove(struct store *st, int64_t client_id, int64_t user_id)
{
	static const char sql[] =
	    "DELETE FROM assignments WHERE client_id = ? AND user_id = ?";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, client_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	if ((rc = sqlite_step_done(st, stmt, "assignee remove")) == STORE_OK &&
	    sqlite3_changes(sqlite_db(st)) != 1)
		rc = STORE_NOTFOUND;
	return rc;
}

int
sqlite_assignee_clear(struct store *st, int64_t client_id)
{
	static const char sql[] = "DELETE FROM assignments WHERE client_id = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, client_id);
	return sqlite_step_done(st, stmt, "assignee clear");
}
