/*
 * The SQLite backend's queries of the admin's view of reminders: the
 * firm's reminders a page at a time, and the failed recipients a resend
 * sends to again.
 */
#include <stdint.h>

#include "../store_reminder.h"
#include "sqlite.h"

/*
 * One statement per index a page walks: the client's, the sender's, the
 * firm's by state, or the firm's (schema.sql, versions 3 and 20), each
 * in (created_at, id) order, newest first; the other filters are checked
 * on the rows it meets. The unary + keeps the planner off the firm's
 * index where the client's or the sender's is the narrower walk. The
 * page's reminders are chosen first, then joined to their recipients.
 * ?5 and ?6 bound created_at, one bound each way (with two upper ones
 * the planner leaves the state's index for the firm's), and ?7 breaks
 * the tie at ?6.
 */
#define REMINDER_PAGE_SQL(key)						\
	"SELECT r.id, r.client_id, c.name, r.sender_id, s.name, r.tasks, "	\
	"r.comment, r.state, r.created_at, u.id, u.name, o.recipient, "	\
	"CASE o.status WHEN 'sending' THEN 'queued' ELSE o.status END, "	\
	"o.last_error, coalesce(o.sent_at, 0), o.cancel_reason "		\
	"FROM (SELECT id, client_id, sender_id, tasks, comment, state, "	\
	"created_at FROM reminders WHERE " key " "			\
	"AND created_at >= ?5 AND created_at <= ?6 "			\
	"AND (created_at < ?6 OR id < ?7) "				\
	"AND (?2 = 0 OR client_id = ?2) AND (?3 = 0 OR sender_id = ?3) "	\
	"AND (?4 IS NULL OR state = ?4) "				\
	"ORDER BY created_at DESC, id DESC LIMIT ?8) AS r "		\
	"JOIN clients c ON c.id = r.client_id "				\
	"JOIN users s ON s.id = r.sender_id "				\
	"LEFT JOIN reminder_recipients rr ON rr.reminder_id = r.id "	\
	"LEFT JOIN users u ON u.id = rr.user_id "			\
	"LEFT JOIN outbox o ON o.id = rr.outbox_id "			\
	"ORDER BY r.created_at DESC, r.id DESC, u.name, u.id"

struct page_walk {
	int	(*fn)(const struct reminder_item *,
		    const struct reminder_recipient *, void *);
	void	*arg;
};

static int
page_row(sqlite3_stmt *stmt, void *arg)
{
	struct page_walk		*w = arg;
	struct reminder_item		 it;
	struct reminder_recipient	 rec;

	it.id = sqlite3_column_int64(stmt, 0);
	it.client_id = sqlite3_column_int64(stmt, 1);
	it.client_name = (const char *)sqlite3_column_text(stmt, 2);
	it.sender_id = sqlite3_column_int64(stmt, 3);
	it.sender_name = (const char *)sqlite3_column_text(stmt, 4);
	it.tasks_json = (const char *)sqlite3_column_text(stmt, 5);
	it.comment = (const char *)sqlite3_column_text(stmt, 6);
	it.state = (const char *)sqlite3_column_text(stmt, 7);
	it.created_at = sqlite3_column_int64(stmt, 8);
	if (it.client_name == NULL || it.sender_name == NULL ||
	    it.tasks_json == NULL || it.comment == NULL || it.state == NULL)
		return -1;
	if (sqlite3_column_type(stmt, 9) == SQLITE_NULL)
		return w->fn(&it, NULL, w->arg);
	rec.user_id = sqlite3_column_int64(stmt, 9);
	rec.name = (const char *)sqlite3_column_text(stmt, 10);
	rec.email = (const char *)sqlite3_column_text(stmt, 11);
	rec.status = (const char *)sqlite3_column_text(stmt, 12);
	rec.error = (const char *)sqlite3_column_text(stmt, 13);
	rec.sent_at = sqlite3_column_int64(stmt, 14);
	rec.reason = (const char *)sqlite3_column_text(stmt, 15);
	if (rec.name == NULL || rec.email == NULL || rec.status == NULL)
		return -1;
	return w->fn(&it, &rec, w->arg);
}

int
sqlite_reminder_page(struct store *st, const struct reminder_query *q,
    int (*fn)(const struct reminder_item *, const struct reminder_recipient *,
    void *), void *arg)
{
	static const char by_client[] =
	    REMINDER_PAGE_SQL("client_id = ?2 AND +partner_id = ?1");
	static const char by_sender[] =
	    REMINDER_PAGE_SQL("sender_id = ?3 AND +partner_id = ?1");
	static const char by_state[] =
	    REMINDER_PAGE_SQL("partner_id = ?1 AND state = ?4");
	static const char by_firm[] = REMINDER_PAGE_SQL("partner_id = ?1");
	struct page_walk	 w = { fn, arg };
	sqlite3_stmt		*stmt;
	const char		*sql;

	sql = q->client_id != 0 ? by_client : q->sender_id != 0 ? by_sender :
	    q->state != NULL ? by_state : by_firm;
	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, q->partner_id);
	sqlite3_bind_int64(stmt, 2, q->client_id);
	sqlite3_bind_int64(stmt, 3, q->sender_id);
	if (q->state != NULL)
		sqlite3_bind_text(stmt, 4, q->state, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 4);
	sqlite3_bind_int64(stmt, 5, q->since);
	sqlite3_bind_int64(stmt, 6, q->after_at);
	sqlite3_bind_int64(stmt, 7, q->after_id);
	sqlite3_bind_int(stmt, 8, q->limit);
	return sqlite_rows(st, stmt, "reminder page", page_row, &w);
}

struct failure_walk {
	int	(*fn)(const struct reminder_failure *, void *);
	void	*arg;
};

static int
failure_row(sqlite3_stmt *stmt, void *arg)
{
	struct failure_walk		*w = arg;
	struct reminder_failure		 f;

	f.user_id = sqlite3_column_int64(stmt, 0);
	f.assigned = sqlite3_column_int(stmt, 1);
	f.outbox_id = sqlite3_column_int64(stmt, 2);
	f.payload = (const char *)sqlite3_column_text(stmt, 3);
	if (f.payload == NULL)
		return -1;
	return w->fn(&f, w->arg);
}

/* The write transaction's lock already keeps two resends apart. */
int
sqlite_reminder_failures(struct store *st, int64_t reminder_id,
    int (*fn)(const struct reminder_failure *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT rr.user_id, EXISTS (SELECT 1 FROM assignments a "
	    "WHERE a.client_id = r.client_id AND a.user_id = rr.user_id), "
	    "o.id, o.payload FROM reminder_recipients rr "
	    "JOIN reminders r ON r.id = rr.reminder_id "
	    "JOIN users u ON u.id = rr.user_id "
	    "JOIN outbox o ON o.id = rr.outbox_id "
	    "WHERE rr.reminder_id = ? AND o.status = 'failed' "
	    "ORDER BY u.name, u.id";
	struct failure_walk	 w = { fn, arg };
	sqlite3_stmt		*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, reminder_id);
	return sqlite_rows(st, stmt, "reminder failures", failure_row, &w);
}

int
sqlite_reminder_relink(struct store *st, int64_t reminder_id,
    int64_t user_id, int64_t old_outbox_id, int64_t new_outbox_id)
{
	static const char sql[] =
	    "UPDATE reminder_recipients SET outbox_id = ?4 "
	    "WHERE reminder_id = ?1 AND user_id = ?2 AND outbox_id = ?3";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, reminder_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_int64(stmt, 3, old_outbox_id);
	sqlite3_bind_int64(stmt, 4, new_outbox_id);
	if ((rc = sqlite_step_done(st, stmt, "reminder relink")) != STORE_OK)
		return rc;
	return sqlite3_changes(sqlite_db(st)) == 1 ? STORE_OK : STORE_CONFLICT;
}
