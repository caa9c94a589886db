/*
 * Queries on idempotency keys.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_idempotency.h"

void
idempotent_reply_cleanup(struct idempotent_reply *r)
{
	free(r->body);
	r->body = NULL;
}

static int
idempotency_load(struct store *st, int64_t user_id, const char *key,
    int64_t now, struct idempotent_reply *r)
{
	static const char sql[] =
	    "SELECT request_hash, coalesce(status, 0), "
	    "coalesce(content_type, ''), coalesce(location, ''), body "
	    "FROM idempotency_keys WHERE user_id = ? AND key = ? "
	    "AND created_at > ?";
	sqlite3_stmt	*stmt;
	const void	*b;
	int		 rc;

	memset(r, 0, sizeof(*r));
	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now - IDEMPOTENCY_TTL);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		rc = STORE_OK;
		r->status = sqlite3_column_int(stmt, 1);
		if (store_column_text(stmt, 0, r->request_hash,
		    sizeof(r->request_hash)) ||
		    store_column_text(stmt, 2, r->content_type,
		    sizeof(r->content_type)) ||
		    store_column_text(stmt, 3, r->location,
		    sizeof(r->location)))
			rc = STORE_ERROR;
		r->body_len = (size_t)sqlite3_column_bytes(stmt, 4);
		b = sqlite3_column_blob(stmt, 4);
		if (rc == STORE_OK &&
		    (r->body = malloc(r->body_len + 1)) != NULL) {
			if (r->body_len > 0)
				memcpy(r->body, b, r->body_len);
			r->body[r->body_len] = '\0';
		} else
			rc = STORE_ERROR;
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "idempotency load");
		rc = STORE_ERROR;
	}
	store_reset(stmt);
	return rc;
}

int
store_idempotency_claim(struct store *st, int64_t user_id, const char *key,
    const char *hash, struct idempotent_reply *prev)
{
	/* Takes the key when it is free or its last use has expired. */
	static const char sql[] =
	    "INSERT INTO idempotency_keys (user_id, key, request_hash, "
	    "created_at) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (user_id, key) DO UPDATE SET "
	    "request_hash = excluded.request_hash, status = NULL, "
	    "content_type = NULL, location = NULL, body = NULL, "
	    "created_at = excluded.created_at "
	    "WHERE created_at <= ?4 - ?5";
	sqlite3_stmt	*stmt;
	int64_t		 now = store_now();
	int		 rc;

	memset(prev, 0, sizeof(*prev));
	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	sqlite3_bind_int(stmt, 5, IDEMPOTENCY_TTL);
	if (store_step_done(st, stmt, "idempotency claim") != STORE_OK)
		return STORE_ERROR;
	rc = sqlite3_changes(st->db) == 1 ? STORE_OK : STORE_CONFLICT;
	if (rc == STORE_CONFLICT) {
		rc = idempotency_load(st, user_id, key, now, prev);
		if (rc == STORE_OK)
			rc = STORE_CONFLICT;
		else if (rc == STORE_NOTFOUND)
			rc = STORE_ERROR;	/* expired between the two */
	}
	return rc;
}

int
store_idempotency_finish(struct store *st, int64_t user_id, const char *key,
    int status, const char *content_type, const char *location,
    const char *body, size_t len)
{
	static const char sql[] =
	    "UPDATE idempotency_keys SET status = ?, content_type = ?, "
	    "location = ?, body = ? WHERE user_id = ? AND key = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int(stmt, 1, status);
	sqlite3_bind_text(stmt, 2, content_type ? content_type : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, location ? location : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 4, body ? body : "", (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, user_id);
	sqlite3_bind_text(stmt, 6, key, -1, SQLITE_STATIC);
	return store_step_done(st, stmt, "idempotency finish");
}

int
store_idempotency_release(struct store *st, int64_t user_id, const char *key)
{
	static const char sql[] =
	    "DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? "
	    "AND status IS NULL";
	sqlite3_stmt	*stmt;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
	return store_step_done(st, stmt, "idempotency release");
}
