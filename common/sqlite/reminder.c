/*
 * The SQLite backend's queries on reminders and their recipients.
 */
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../store_reminder.h"
#include "sqlite.h"

/*
 * Numbers the reminder after the client's last and the sender's last
 * (schema.sql, version 10), and dates it no earlier than either: a clock
 * that steps back, or a request that took its time before another
 * committed, must not put it before them in (created_at, id). Scalar
 * subqueries, not joins or RETURNING: those would build a temporary
 * table for each reminder.
 */
int
sqlite_reminder_add(struct store *st, struct reminder *r)
{
	static const char sql[] =
	    "INSERT INTO reminders (partner_id, client_id, sender_id, tasks, "
	    "comment, created_at, client_seq, sender_seq) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, max(?6, "
	    "coalesce((SELECT max(created_at) FROM reminders "
	    "WHERE client_id = ?2), 0), "
	    "coalesce((SELECT max(created_at) FROM reminders "
	    "WHERE sender_id = ?3), 0)), "
	    "coalesce((SELECT client_seq FROM reminders WHERE client_id = ?2 "
	    "ORDER BY created_at DESC, id DESC LIMIT 1), 0) + 1, "
	    "coalesce((SELECT sender_seq FROM reminders WHERE sender_id = ?3 "
	    "ORDER BY created_at DESC, id DESC LIMIT 1), 0) + 1)";
	static const char dated[] =
	    "SELECT created_at FROM reminders WHERE id = ?";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, r->partner_id);
	sqlite3_bind_int64(stmt, 2, r->client_id);
	sqlite3_bind_int64(stmt, 3, r->sender_id);
	sqlite3_bind_text(stmt, 4, r->tasks_json, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, r->comment ? r->comment : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, r->created_at);
	if ((rc = sqlite_step_done(st, stmt, "reminder insert")) != STORE_OK)
		return rc;
	r->id = sqlite3_last_insert_rowid(sqlite_db(st));
	if ((stmt = sqlite_stmt(st, dated)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, r->id);
	return sqlite_row_only(st, stmt, "reminder date", sqlite_int64_read,
	    &r->created_at);
}

int
sqlite_reminder_add_recipient(struct store *st, int64_t reminder_id,
    int64_t user_id, int64_t outbox_id)
{
	static const char sql[] =
	    "INSERT INTO reminder_recipients (reminder_id, user_id, outbox_id) "
	    "VALUES (?, ?, ?)";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, reminder_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_int64(stmt, 3, outbox_id);
	return sqlite_step_done(st, stmt, "reminder recipient");
}

/* A sqlite_row() reader into the struct reminder at arg, zeroed. */
static int
reminder_from_row(sqlite3_stmt *stmt, void *arg)
{
	struct reminder	*r = arg;
	const char	*t, *c;

	r->id = sqlite3_column_int64(stmt, 0);
	r->partner_id = sqlite3_column_int64(stmt, 1);
	r->client_id = sqlite3_column_int64(stmt, 2);
	r->sender_id = sqlite3_column_int64(stmt, 3);
	r->created_at = sqlite3_column_int64(stmt, 7);
	t = (const char *)sqlite3_column_text(stmt, 5);
	c = (const char *)sqlite3_column_text(stmt, 6);
	if (sqlite_column_text(stmt, 4, r->sender_name,
	    sizeof(r->sender_name)) == -1 || t == NULL ||
	    (r->tasks_json = strdup(t)) == NULL ||
	    (r->comment = strdup(c ? c : "")) == NULL) {
		reminder_cleanup(r);
		return STORE_ERROR;
	}
	return STORE_OK;
}

int
sqlite_reminder_get(struct store *st, int64_t partner_id, int64_t id,
    struct reminder *out)
{
	static const char sql[] =
	    "SELECT r.id, r.partner_id, r.client_id, r.sender_id, u.name, "
	    "r.tasks, r.comment, r.created_at FROM reminders r "
	    "JOIN users u ON u.id = r.sender_id "
	    "WHERE r.id = ? AND r.partner_id = ?";
	sqlite3_stmt	*stmt;

	memset(out, 0, sizeof(*out));
	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, partner_id);
	return sqlite_row(st, stmt, "reminder get", reminder_from_row, out);
}

struct recipient_walk {
	int	(*fn)(const struct reminder_recipient *, void *);
	void	*arg;
};

static int
recipient_row(sqlite3_stmt *stmt, void *arg)
{
	struct recipient_walk		*w = arg;
	struct reminder_recipient	 r;

	r.user_id = sqlite3_column_int64(stmt, 0);
	r.name = (const char *)sqlite3_column_text(stmt, 1);
	r.email = (const char *)sqlite3_column_text(stmt, 2);
	r.status = (const char *)sqlite3_column_text(stmt, 3);
	r.error = (const char *)sqlite3_column_text(stmt, 4);
	r.sent_at = sqlite3_column_int64(stmt, 5);
	r.reason = (const char *)sqlite3_column_text(stmt, 6);
	if (r.name == NULL || r.email == NULL || r.status == NULL)
		return -1;
	return w->fn(&r, w->arg);
}

int
sqlite_reminder_recipients(struct store *st, int64_t reminder_id,
    int (*fn)(const struct reminder_recipient *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT u.id, u.name, o.recipient, "
	    "CASE o.status WHEN 'sending' THEN 'queued' ELSE o.status END, "
	    "o.last_error, coalesce(o.sent_at, 0), o.cancel_reason "
	    "FROM reminder_recipients rr JOIN users u ON u.id = rr.user_id "
	    "JOIN outbox o ON o.id = rr.outbox_id "
	    "WHERE rr.reminder_id = ? ORDER BY u.name, u.id";
	sqlite3_stmt		*stmt;
	struct recipient_walk	 w = { fn, arg };

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, reminder_id);
	return sqlite_rows(st, stmt, "reminder recipients", recipient_row, &w);
}

struct reminder_id_walk {
	int	(*fn)(int64_t, void *);
	void	*arg;
};

static int
reminder_id_row(sqlite3_stmt *stmt, void *arg)
{
	struct reminder_id_walk	*w = arg;

	return w->fn(sqlite3_column_int64(stmt, 0), w->arg);
}

int
sqlite_reminder_list(struct store *st, int64_t client_id, int limit,
    int (*fn)(int64_t, void *), void *arg)
{
	static const char sql[] =
	    "SELECT id FROM reminders WHERE client_id = ? "
	    "ORDER BY created_at DESC, id DESC LIMIT ?";
	sqlite3_stmt		*stmt;
	struct reminder_id_walk	 w = { fn, arg };

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, client_id);
	sqlite3_bind_int(stmt, 2, limit);
	return sqlite_rows(st, stmt, "reminder list", reminder_id_row, &w);
}

/*
 * The hour's counts from the reminders' numbers (schema.sql, version
 * 10): the last one's number minus the first's of the hour, plus one.
 */
static int
reminder_recent(struct store *st, int64_t client_id, int64_t sender_id,
    int64_t since, struct reminder_recent *out)
{
	static const char sql[] =
	    "SELECT coalesce((SELECT client_seq FROM reminders "
	    "WHERE client_id = ?1 ORDER BY created_at DESC, id DESC LIMIT 1) "
	    "- (SELECT client_seq FROM reminders WHERE client_id = ?1 "
	    "AND created_at > ?3 ORDER BY created_at, id LIMIT 1) + 1, 0), "
	    "coalesce((SELECT min(created_at) FROM reminders "
	    "WHERE client_id = ?1 AND created_at > ?3), 0), "
	    "coalesce((SELECT sender_seq FROM reminders "
	    "WHERE sender_id = ?2 ORDER BY created_at DESC, id DESC LIMIT 1) "
	    "- (SELECT sender_seq FROM reminders WHERE sender_id = ?2 "
	    "AND created_at > ?3 ORDER BY created_at, id LIMIT 1) + 1, 0), "
	    "coalesce((SELECT min(created_at) FROM reminders "
	    "WHERE sender_id = ?2 AND created_at > ?3), 0)";
	sqlite3_stmt	*stmt;
	int		 rc = STORE_OK;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, client_id);
	sqlite3_bind_int64(stmt, 2, sender_id);
	sqlite3_bind_int64(stmt, 3, since);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		out->by_client = sqlite3_column_int64(stmt, 0);
		out->client_oldest = sqlite3_column_int64(stmt, 1);
		out->by_sender = sqlite3_column_int64(stmt, 2);
		out->sender_oldest = sqlite3_column_int64(stmt, 3);
	} else {
		sqlite_log_error(st, "reminder recent");
		rc = STORE_ERROR;
	}
	sqlite_reset(stmt);
	return rc;
}


int
sqlite_reminder_context(struct store *st, int64_t partner_id,
    int64_t client_id, int64_t sender_id, int64_t since,
    struct partner *firm, struct reminder_recent *recent,
    int (*fn)(const struct user *, void *), void *arg)
{
	int	 rc;

	if ((rc = sqlite_partner_get(st, partner_id, firm)) != STORE_OK ||
	    (rc = reminder_recent(st, client_id, sender_id, since,
	    recent)) != STORE_OK)
		return rc;
	/* Every assignee: the caller applies the recipient rule. */
	return sqlite_assignee_list(st, client_id, fn, arg);
}
