/*
 * The SQLite backend's queries on idempotency keys.
 */
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../store_idempotency.h"
#include "sqlite.h"

/* A sqlite_row() reader into the struct idempotent_reply at arg. */
static int
idempotency_from_row(sqlite3_stmt *stmt, void *arg)
{
	struct idempotent_reply	*r = arg;
	const void		*b;

	r->status = sqlite3_column_int(stmt, 1);
	r->body_len = (size_t)sqlite3_column_bytes(stmt, 5);
	b = sqlite3_column_blob(stmt, 5);
	if (sqlite_column_text(stmt, 0, r->request_hash,
	    sizeof(r->request_hash)) ||
	    sqlite_column_text(stmt, 2, r->content_type,
	    sizeof(r->content_type)) ||
	    sqlite_column_text(stmt, 3, r->location, sizeof(r->location)) ||
	    sqlite_column_text(stmt, 4, r->body_digest,
	    sizeof(r->body_digest)))
		return STORE_ERROR;
	if ((r->body = malloc(r->body_len + 1)) == NULL)
		return STORE_ERROR;
	if (r->body_len > 0)
		memcpy(r->body, b, r->body_len);
	r->body[r->body_len] = '\0';
	return STORE_OK;
}

int
sqlite_idempotency_find(struct store *st, int64_t user_id, const char *key,
    struct idempotent_reply *r)
{
	/* Rows of schema version 6 without a status were never answered. */
	static const char sql[] =
	    "SELECT request_hash, status, coalesce(content_type, ''), "
	    "coalesce(location, ''), coalesce(body_digest, ''), body "
	    "FROM idempotency_keys WHERE user_id = ? AND key = ? "
	    "AND created_at > ? AND status IS NOT NULL";
	sqlite3_stmt	*stmt;

	memset(r, 0, sizeof(*r));
	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, store_now() - IDEMPOTENCY_TTL);
	return sqlite_row(st, stmt, "idempotency find", idempotency_from_row,
	    r);
}

int
sqlite_idempotency_record(struct store *st, int64_t user_id, const char *key,
    const struct idempotent_reply *r)
{
	static const char sql[] =
	    "INSERT INTO idempotency_keys (user_id, key, request_hash, "
	    "status, content_type, location, body, body_digest, created_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, nullif(?8, ''), ?9) "
	    "ON CONFLICT (user_id, key) DO UPDATE SET "
	    "request_hash = excluded.request_hash, status = excluded.status, "
	    "content_type = excluded.content_type, "
	    "location = excluded.location, body = excluded.body, "
	    "body_digest = excluded.body_digest, "
	    "created_at = excluded.created_at "
	    "WHERE created_at <= ?9 - ?10 OR status IS NULL";
	sqlite3_stmt	*stmt;
	int		 kept = r->body_digest[0] == '\0';

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, r->request_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 4, r->status);
	sqlite3_bind_text(stmt, 5, r->content_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, r->location, -1, SQLITE_STATIC);
	if (kept)
		sqlite3_bind_blob(stmt, 7, r->body ? r->body : "",
		    (int)r->body_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 7);
	sqlite3_bind_text(stmt, 8, r->body_digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 9, store_now());
	sqlite3_bind_int(stmt, 10, IDEMPOTENCY_TTL);
	return sqlite_step_done(st, stmt, "idempotency record");
}
