/*
 * The SQLite backend's queries on the audit trail.
 */
#include "../log.h"
#include "../store_audit.h"
#include "sqlite.h"

int
sqlite_audit_add(struct store *st, int64_t partner_id, int64_t user_id,
    int64_t client_id, const char *action, const char *remote_addr)
{
	static const char sql[] =
	    "INSERT INTO audit_events (partner_id, user_id, client_id, "
	    "action, remote_addr, created_at) "
	    "VALUES (?, ?, NULLIF(?, 0), ?, ?, ?)";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_int64(stmt, 3, client_id);
	sqlite3_bind_text(stmt, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, remote_addr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, store_now());
	return sqlite_step_done(st, stmt, "audit insert");
}

struct audit_walk {
	int	(*fn)(const struct audit_event *, void *);
	void	*arg;
};

static int
audit_row(sqlite3_stmt *stmt, void *arg)
{
	struct audit_walk	*w = arg;
	struct audit_event	 ev;

	ev.id = sqlite3_column_int64(stmt, 0);
	ev.user_id = sqlite3_column_int64(stmt, 1);
	ev.user_name = (const char *)sqlite3_column_text(stmt, 2);
	ev.client_id = sqlite3_column_int64(stmt, 3);
	ev.action = (const char *)sqlite3_column_text(stmt, 4);
	ev.remote_addr = (const char *)sqlite3_column_text(stmt, 5);
	ev.created_at = sqlite3_column_int64(stmt, 6);
	if (ev.user_name == NULL || ev.action == NULL ||
	    ev.remote_addr == NULL)
		return -1;
	return w->fn(&ev, w->arg);
}

int
sqlite_audit_list(struct store *st, int64_t partner_id, int64_t client_id,
    int64_t before_id, int limit,
    int (*fn)(const struct audit_event *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT e.id, e.user_id, u.name, coalesce(e.client_id, 0), "
	    "e.action, e.remote_addr, e.created_at "
	    "FROM audit_events e JOIN users u ON u.id = e.user_id "
	    "WHERE e.partner_id = ?1 AND (?2 = 0 OR e.client_id = ?2) "
	    "AND e.id < ?3 ORDER BY e.id DESC LIMIT ?4";
	sqlite3_stmt		*stmt;
	struct audit_walk	 w = { fn, arg };

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	sqlite3_bind_int64(stmt, 2, client_id);
	sqlite3_bind_int64(stmt, 3, before_id > 0 ? before_id : INT64_MAX);
	sqlite3_bind_int(stmt, 4, limit);
	return sqlite_rows(st, stmt, "audit list", audit_row, &w);
}
