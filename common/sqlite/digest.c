/*
 * The SQLite backend's queries behind the digest job.
 */
#include <string.h>

#include "../log.h"
#include "../store_digest.h"
#include "sqlite.h"

int
sqlite_digest_due_users(struct store *st, int64_t partner_id,
    const char *frequency, int64_t slot_at, const char *period,
    int64_t after_id, int limit,
    int (*fn)(const struct user *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT " STORE_USER_ROW " FROM users u "
	    "WHERE u.partner_id = ?1 AND u.active = 1 "
	    "AND u.role IN ('admin', 'bookkeeper') "
	    "AND EXISTS (SELECT 1 FROM notification_preferences p "
	    "WHERE p.user_id = u.id AND p.frequency = ?2 AND p.email = 1 "
	    "AND p.starts_at <= ?3) "
	    "AND NOT EXISTS (SELECT 1 FROM digests d WHERE d.user_id = u.id "
	    "AND d.frequency = ?2 AND d.period = ?4) "
	    "AND u.id > ?5 ORDER BY u.id LIMIT ?6";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	sqlite3_bind_text(stmt, 2, frequency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, slot_at);
	sqlite3_bind_text(stmt, 4, period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, after_id);
	sqlite3_bind_int(stmt, 6, limit);
	return sqlite_user_each(st, stmt, "digest users", fn, arg);
}

struct digest_walk {
	int	(*fn)(const struct digest_item *, void *);
	void	*arg;
};

static int
digest_item_row(sqlite3_stmt *stmt, void *arg)
{
	struct digest_walk	*w = arg;
	struct digest_item	 it;

	it.client_id = sqlite3_column_int64(stmt, 0);
	it.name = (const char *)sqlite3_column_text(stmt, 1);
	it.balance_minor = sqlite3_column_int64(stmt, 2);
	it.currency = (const char *)sqlite3_column_text(stmt, 3);
	it.missing_receipts = sqlite3_column_int64(stmt, 4);
	it.export_ready = sqlite3_column_int64(stmt, 5);
	it.alerts = (unsigned)sqlite3_column_int(stmt, 6);
	it.alerts_seen = (unsigned)sqlite3_column_int(stmt, 7);
	it.alerts_only = sqlite3_column_int(stmt, 8);
	if (it.name == NULL || it.currency == NULL)
		return -1;
	return w->fn(&it, w->arg);
}

int
sqlite_digest_items(struct store *st, int64_t user_id, const char *frequency,
    int64_t slot_at, int (*fn)(const struct digest_item *, void *),
    void *arg)
{
	/*
	 * The same visibility as the API: admins all, bookkeepers assigned.
	 * CROSS JOIN keeps the order: from the user's few preferences out,
	 * never a walk over every client of the firm.
	 */
	static const char sql[] =
	    "SELECT c.id, c.name, c.balance_minor, c.currency, "
	    "c.missing_receipts, c.export_ready, c.alerts, p.alerts_seen, "
	    "p.alerts_only "
	    "FROM notification_preferences p "
	    "CROSS JOIN users u ON u.id = p.user_id "
	    "CROSS JOIN clients c ON c.id = p.client_id "
	    "WHERE p.user_id = ?1 AND p.frequency = ?2 AND p.email = 1 "
	    "AND p.starts_at <= ?3 AND u.active = 1 "
	    "AND c.partner_id = u.partner_id AND c.status = 'active' "
	    "AND (u.role = 'admin' OR EXISTS (SELECT 1 FROM assignments a "
	    "WHERE a.client_id = c.id AND a.user_id = u.id)) "
	    "ORDER BY c.attention, c.sort_key, c.id";
	sqlite3_stmt		*stmt;
	struct digest_walk	 w = { fn, arg };

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, frequency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, slot_at);
	return sqlite_rows(st, stmt, "digest items", digest_item_row, &w);
}

int
sqlite_digest_record(struct store *st, int64_t user_id, const char *frequency,
    const char *period, int64_t slot_at, int clients, int64_t outbox_id)
{
	static const char sql[] =
	    "INSERT INTO digests (user_id, frequency, period, slot_at, status, "
	    "clients, outbox_id, created_at) "
	    "VALUES (?1, ?2, ?3, ?4, CASE WHEN ?6 = 0 THEN 'skipped' "
	    "ELSE 'queued' END, ?5, NULLIF(?6, 0), ?7)";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, frequency, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, slot_at);
	sqlite3_bind_int(stmt, 5, clients);
	sqlite3_bind_int64(stmt, 6, outbox_id);
	sqlite3_bind_int64(stmt, 7, store_now());
	return sqlite_step_unique(st, stmt, "digest record");
}

/* One machine: the digests' unique rows keep two workers apart. */
int
sqlite_digest_pass_begin(struct store *st, int64_t partner_id)
{
	(void)st;
	(void)partner_id;
	return STORE_OK;
}

void
sqlite_digest_pass_end(struct store *st)
{
	(void)st;
}

int
sqlite_digest_seen(struct store *st, int64_t user_id, int64_t client_id,
    unsigned alerts)
{
	static const char sql[] =
	    "UPDATE notification_preferences SET alerts_seen = ?3 "
	    "WHERE user_id = ?1 AND client_id = ?2";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int64(stmt, 2, client_id);
	sqlite3_bind_int(stmt, 3, (int)alerts);
	return sqlite_step_done(st, stmt, "digest seen");
}
