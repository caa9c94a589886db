/*
 * Queries on the outbox.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_outbox.h"

void
outbox_msg_cleanup(struct outbox_msg *m)
{
	free(m->payload);
	m->payload = NULL;
}

int
store_outbox_add(struct store *st, const char *kind, int64_t user_id,
    const char *recipient, const char *payload, const char *message_id,
    int64_t *id)
{
	static const char sql[] =
	    "INSERT INTO outbox (kind, user_id, recipient, payload, "
	    "message_id, next_attempt_at, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt	*stmt;
	int64_t		 now = store_now();
	int		 rc = STORE_OK;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_text(stmt, 3, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, payload, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, now);
	sqlite3_bind_int64(stmt, 7, now);
	if ((rc = store_step_done(st, stmt, "outbox insert")) == STORE_OK)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int
store_outbox_claim(struct store *st, int64_t now, int64_t lease,
    struct outbox_msg *m)
{
	/*
	 * One statement: two workers cannot claim the same row, since the
	 * write lock orders them and the second sees it taken.
	 */
	static const char sql[] =
	    "UPDATE outbox SET status = 'sending', attempts = attempts + 1, "
	    "next_attempt_at = ?2 + ?3 WHERE id = (SELECT id FROM outbox "
	    "WHERE status IN ('queued', 'sending') AND next_attempt_at <= ?2 "
	    "ORDER BY next_attempt_at, id LIMIT 1) "
	    "RETURNING id, kind, user_id, recipient, payload, message_id, "
	    "attempts";
	sqlite3_stmt	*stmt;
	const char	*p;
	int		 rc;

	memset(m, 0, sizeof(*m));
	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 2, now);
	sqlite3_bind_int64(stmt, 3, lease);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		m->id = sqlite3_column_int64(stmt, 0);
		m->user_id = sqlite3_column_int64(stmt, 2);
		m->attempts = sqlite3_column_int(stmt, 6);
		p = (const char *)sqlite3_column_text(stmt, 4);
		rc = STORE_OK;
		if (store_column_text(stmt, 1, m->kind, sizeof(m->kind)) ||
		    store_column_text(stmt, 3, m->recipient,
		    sizeof(m->recipient)) ||
		    store_column_text(stmt, 5, m->message_id,
		    sizeof(m->message_id)) || p == NULL ||
		    (m->payload = strdup(p)) == NULL)
			rc = STORE_ERROR;
		/* RETURNING rows are all produced by the first step. */
		if (sqlite3_step(stmt) != SQLITE_DONE)
			rc = STORE_ERROR;
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "outbox claim");
		rc = STORE_ERROR;
	}
	store_reset(stmt);
	if (rc == STORE_ERROR)
		outbox_msg_cleanup(m);
	return rc;
}

static int
store_outbox_set(struct store *st, const char *sql, int64_t id,
    int64_t t, const char *error)
{
	sqlite3_stmt	*stmt;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, t);
	if (error != NULL)
		sqlite3_bind_text(stmt, 3, error, -1, SQLITE_STATIC);
	return store_step_done(st, stmt, "outbox update");
}

int
store_outbox_sent(struct store *st, int64_t id, int64_t now)
{
	static const char sql[] =
	    "UPDATE outbox SET status = 'sent', sent_at = ?2, "
	    "last_error = NULL WHERE id = ?1";

	return store_outbox_set(st, sql, id, now, NULL);
}

int
store_outbox_retry(struct store *st, int64_t id, int64_t next_at,
    const char *error)
{
	static const char sql[] =
	    "UPDATE outbox SET status = 'queued', next_attempt_at = ?2, "
	    "last_error = substr(?3, 1, 256) WHERE id = ?1";

	return store_outbox_set(st, sql, id, next_at, error);
}

int
store_outbox_failed(struct store *st, int64_t id, const char *error)
{
	static const char sql[] =
	    "UPDATE outbox SET status = 'failed', next_attempt_at = ?2, "
	    "last_error = substr(?3, 1, 256) WHERE id = ?1";

	return store_outbox_set(st, sql, id, store_now(), error);
}

int
store_outbox_backlog(struct store *st, int64_t *queued, int64_t *failed)
{
	static const char sql[] =
	    "SELECT (SELECT count(*) FROM outbox WHERE status IN ('queued', "
	    "'sending')), (SELECT count(*) FROM outbox WHERE status = 'failed')";
	sqlite3_stmt	*stmt;
	int		 rc = STORE_OK;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*queued = sqlite3_column_int64(stmt, 0);
		*failed = sqlite3_column_int64(stmt, 1);
	} else {
		store_log_error(st, "outbox backlog");
		rc = STORE_ERROR;
	}
	store_reset(stmt);
	return rc;
}

int
store_outbox_next_due(struct store *st, int64_t *at)
{
	static const char sql[] =
	    "SELECT min(next_attempt_at) FROM outbox "
	    "WHERE status IN ('queued', 'sending')";
	sqlite3_stmt	*stmt;
	int		 rc = STORE_NOTFOUND;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		if (sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
			*at = sqlite3_column_int64(stmt, 0);
			rc = STORE_OK;
		}
	} else {
		store_log_error(st, "outbox next");
		rc = STORE_ERROR;
	}
	store_reset(stmt);
	return rc;
}
