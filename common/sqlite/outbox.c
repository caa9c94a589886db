/*
 * The SQLite backend's queries on the outbox.
 */
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../store_outbox.h"
#include "sqlite.h"

int
sqlite_outbox_add(struct store *st, const char *kind, int64_t user_id,
    const char *recipient, const char *payload, const char *message_id,
    int64_t *id)
{
	static const char sql[] =
	    "INSERT INTO outbox (kind, user_id, recipient, payload, "
	    "message_id, next_attempt_at, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT (message_id) DO NOTHING";
	sqlite3_stmt	*stmt;
	int64_t		 now = store_now();
	int		 rc = STORE_OK;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_text(stmt, 3, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, payload, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, now);
	sqlite3_bind_int64(stmt, 7, now);
	if ((rc = sqlite_step_done(st, stmt, "outbox insert")) != STORE_OK)
		return rc;
	if (sqlite3_changes(sqlite_db(st)) == 0)
		return STORE_CONFLICT;
	*id = sqlite3_last_insert_rowid(sqlite_db(st));
	return STORE_OK;
}

/*
 * Whether the user of the outbox row may read what client `client` is:
 * the API's visibility, admins all of their firm, others assigned.
 */
#define OUTBOX_VISIBLE(client)						\
	"EXISTS (SELECT 1 FROM users u JOIN clients c "			\
	"ON c.partner_id = u.partner_id WHERE u.id = outbox.user_id "	\
	"AND c.id = " client " AND (u.role = 'admin' OR EXISTS "	\
	"(SELECT 1 FROM assignments a WHERE a.client_id = c.id "	\
	"AND a.user_id = u.id)))"

/* Reads the claimed row into m. */
static int
sqlite_outbox_read(struct store *st, int64_t id, struct outbox_msg *m)
{
	static const char sql[] =
	    "SELECT id, kind, user_id, recipient, payload, message_id, "
	    "attempts, coalesce(cancel_reason, '') FROM outbox WHERE id = ?";
	sqlite3_stmt	*stmt;
	const char	*p;
	int		 rc = STORE_ERROR;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		m->id = sqlite3_column_int64(stmt, 0);
		m->user_id = sqlite3_column_int64(stmt, 2);
		m->attempts = sqlite3_column_int(stmt, 6);
		p = (const char *)sqlite3_column_text(stmt, 4);
		if (sqlite_column_text(stmt, 1, m->kind,
		    sizeof(m->kind)) == 0 &&
		    sqlite_column_text(stmt, 3, m->recipient,
		    sizeof(m->recipient)) == 0 &&
		    sqlite_column_text(stmt, 5, m->message_id,
		    sizeof(m->message_id)) == 0 &&
		    sqlite_column_text(stmt, 7, m->cancel_reason,
		    sizeof(m->cancel_reason)) == 0 && p != NULL &&
		    (m->payload = strdup(p)) != NULL)
			rc = STORE_OK;
	} else
		sqlite_log_error(st, "outbox read");
	sqlite_reset(stmt);
	return rc;
}

/* The ids due, oldest first, as sqlite_rows() reads them. */
struct outbox_due {
	int64_t	*ids;
	int	 max;
	int	 n;
};

static int
outbox_due_id(sqlite3_stmt *stmt, void *arg)
{
	struct outbox_due	*d = arg;

	if (d->n < d->max)
		d->ids[d->n++] = sqlite3_column_int64(stmt, 0);
	return 0;
}

/*
 * Claims row id: 'sending' with a lease until `until`, a digest narrowed
 * to the clients its reader still sees, or cancelled; then read into m.
 */
static int
sqlite_outbox_claim_one(struct store *st, int64_t id, int64_t now,
    int64_t until, struct outbox_msg *m)
{
	static const char claim[] =
	    "UPDATE outbox SET status = 'sending', attempts = attempts + 1, "
	    "next_attempt_at = ?2 WHERE id = ?1";
	/* A digest keeps only the clients its reader can still see. */
	static const char narrow[] =
	    "UPDATE outbox SET payload = json_set(payload, '$.clients', "
	    "(SELECT json_group_array(json(j.value)) "
	    "FROM json_each(outbox.payload, '$.clients') j WHERE "
	    OUTBOX_VISIBLE("j.value ->> 'id'") ")) "
	    "WHERE id = ?1 AND kind = 'digest' AND EXISTS (SELECT 1 "
	    "FROM json_each(outbox.payload, '$.clients') j WHERE NOT "
	    OUTBOX_VISIBLE("j.value ->> 'id'") ")";
	/*
	 * Mail only to people who may still read it: an inactive user gets
	 * nothing, a reminder needs its reader still assigned to its
	 * client, a digest some client left.
	 */
	static const char cancel[] =
	    "UPDATE outbox SET status = 'cancelled', next_attempt_at = ?2, "
	    "cancel_reason = CASE WHEN NOT EXISTS (SELECT 1 FROM users u "
	    "WHERE u.id = outbox.user_id AND u.active = 1) "
	    "THEN 'recipient_inactive' ELSE 'recipient_unassigned' END "
	    "WHERE id = ?1 AND (NOT EXISTS (SELECT 1 FROM users u "
	    "WHERE u.id = outbox.user_id AND u.active = 1) "
	    "OR (kind = 'reminder' AND NOT EXISTS (SELECT 1 "
	    "FROM reminder_recipients rr JOIN reminders r "
	    "ON r.id = rr.reminder_id JOIN assignments a "
	    "ON a.client_id = r.client_id AND a.user_id = outbox.user_id "
	    "WHERE rr.outbox_id = outbox.id)) "
	    "OR (kind = 'digest' AND "
	    "json_array_length(payload, '$.clients') = 0))";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, claim)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, until);
	if (sqlite_step_done(st, stmt, "outbox claim") != STORE_OK ||
	    (stmt = sqlite_stmt(st, narrow)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite_step_done(st, stmt, "outbox narrow") != STORE_OK ||
	    (stmt = sqlite_stmt(st, cancel)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, now);
	if (sqlite_step_done(st, stmt, "outbox cancel") != STORE_OK)
		return STORE_ERROR;
	return sqlite_outbox_read(st, id, m);
}

int
sqlite_outbox_claim(struct store *st, int64_t now, int64_t until,
    struct outbox_msg *ms, int max, int *n)
{
	/*
	 * Read and claimed in one write transaction: two workers cannot
	 * claim the same row, since the write lock orders them and the
	 * second sees it taken.
	 */
	static const char due[] =
	    "SELECT id FROM outbox "
	    "WHERE status IN ('queued', 'sending') AND next_attempt_at <= ?1 "
	    "ORDER BY next_attempt_at, id LIMIT ?2";
	struct outbox_due	 d;
	sqlite3_stmt		*stmt;
	int			 i;

	*n = 0;
	if (max < 1)
		return STORE_NOTFOUND;
	memset(ms, 0, (size_t)max * sizeof(*ms));
	if ((d.ids = calloc((size_t)max, sizeof(*d.ids))) == NULL) {
		log_warn("calloc");
		return STORE_ERROR;
	}
	d.max = max;
	d.n = 0;
	if (store_begin(st) == -1)
		goto fail;
	if ((stmt = sqlite_stmt(st, due)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int(stmt, 2, max);
	if (sqlite_rows(st, stmt, "outbox due", outbox_due_id, &d) != STORE_OK)
		goto fail;
	if (d.n == 0) {
		store_rollback(st);
		free(d.ids);
		return STORE_NOTFOUND;
	}
	for (i = 0; i < d.n; i++)
		if (sqlite_outbox_claim_one(st, d.ids[i], now, until,
		    &ms[i]) != STORE_OK)
			goto fail;
	if (store_commit(st) == -1)
		goto fail;
	*n = d.n;
	free(d.ids);
	return STORE_OK;
fail:
	store_rollback(st);
	for (i = 0; i < d.n; i++)
		outbox_msg_cleanup(&ms[i]);
	free(d.ids);
	return STORE_ERROR;
}

int
sqlite_outbox_renew(struct store *st, int64_t id, int attempts,
    int64_t until)
{
	static const char sql[] =
	    "UPDATE outbox SET next_attempt_at = ?3 WHERE id = ?1 "
	    "AND status = 'sending' AND attempts = ?2";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int(stmt, 2, attempts);
	sqlite3_bind_int64(stmt, 3, until);
	if (sqlite_step_done(st, stmt, "outbox renew") != STORE_OK)
		return STORE_ERROR;
	return sqlite3_changes(sqlite_db(st)) == 1 ? STORE_OK : STORE_CONFLICT;
}

/*
 * The end of a claim: only the claim in hand (same attempt, still
 * sending) is marked, never one a later claimer has taken over.
 */
static int
sqlite_outbox_set(struct store *st, const char *sql,
    const struct outbox_msg *m, int64_t t, const char *error)
{
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, m->id);
	sqlite3_bind_int64(stmt, 2, t);
	sqlite3_bind_int(stmt, 4, m->attempts);
	if (error != NULL)
		sqlite3_bind_text(stmt, 3, error, -1, SQLITE_STATIC);
	if (sqlite_step_done(st, stmt, "outbox update") != STORE_OK)
		return STORE_ERROR;
	return sqlite3_changes(sqlite_db(st)) == 1 ? STORE_OK : STORE_CONFLICT;
}

int
sqlite_outbox_sent(struct store *st, const struct outbox_msg *m, int64_t now)
{
	static const char sql[] =
	    "UPDATE outbox SET status = 'sent', sent_at = ?2, "
	    "last_error = NULL WHERE id = ?1 AND status = 'sending' "
	    "AND attempts = ?4";

	return sqlite_outbox_set(st, sql, m, now, NULL);
}

int
sqlite_outbox_retry(struct store *st, const struct outbox_msg *m,
    int64_t next_at, const char *error)
{
	static const char sql[] =
	    "UPDATE outbox SET status = 'queued', next_attempt_at = ?2, "
	    "last_error = substr(?3, 1, 256) WHERE id = ?1 "
	    "AND status = 'sending' AND attempts = ?4";

	return sqlite_outbox_set(st, sql, m, next_at, error);
}

int
sqlite_outbox_failed(struct store *st, const struct outbox_msg *m,
    const char *error)
{
	static const char sql[] =
	    "UPDATE outbox SET status = 'failed', next_attempt_at = ?2, "
	    "last_error = substr(?3, 1, 256) WHERE id = ?1 "
	    "AND status = 'sending' AND attempts = ?4";

	return sqlite_outbox_set(st, sql, m, store_now(), error);
}

int
sqlite_outbox_backlog(struct store *st, int64_t *queued, int64_t *failed)
{
	static const char sql[] =
	    "SELECT (SELECT count(*) FROM outbox WHERE status IN ('queued', "
	    "'sending')), (SELECT count(*) FROM outbox WHERE status = 'failed')";
	sqlite3_stmt	*stmt;
	int		 rc = STORE_OK;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*queued = sqlite3_column_int64(stmt, 0);
		*failed = sqlite3_column_int64(stmt, 1);
	} else {
		sqlite_log_error(st, "outbox backlog");
		rc = STORE_ERROR;
	}
	sqlite_reset(stmt);
	return rc;
}

int
sqlite_outbox_next_due(struct store *st, int64_t *at)
{
	static const char sql[] =
	    "SELECT min(next_attempt_at) FROM outbox "
	    "WHERE status IN ('queued', 'sending')";
	sqlite3_stmt	*stmt;
	int		 rc = STORE_NOTFOUND;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		if (sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
			*at = sqlite3_column_int64(stmt, 0);
			rc = STORE_OK;
		}
	} else {
		sqlite_log_error(st, "outbox next");
		rc = STORE_ERROR;
	}
	sqlite_reset(stmt);
	return rc;
}
