/*
 * The SQLite backend's queries on API keys (store_api_key.h).
 */
#include <string.h>

#include "../log.h"
#include "../store_api_key.h"
#include "sqlite.h"

/* Every statement reads these first, in this order; then the hash. */
#define KEY_COLUMNS \
	"id, partner_id, user_id, name, prefix, scopes, " \
	"coalesce(expires_at, 0), coalesce(last_used_at, 0), " \
	"coalesce(revoked_at, 0), created_by, created_at"

/* A row of KEY_COLUMNS (and the hash, when with_hash) into k. */
static int
key_from_row(sqlite3_stmt *stmt, struct api_key *k, int with_hash)
{
	char	 scopes[128];

	memset(k, 0, sizeof(*k));
	k->id = sqlite3_column_int64(stmt, 0);
	k->partner_id = sqlite3_column_int64(stmt, 1);
	k->user_id = sqlite3_column_int64(stmt, 2);
	k->expires_at = sqlite3_column_int64(stmt, 6);
	k->last_used_at = sqlite3_column_int64(stmt, 7);
	k->revoked_at = sqlite3_column_int64(stmt, 8);
	k->created_by = sqlite3_column_int64(stmt, 9);
	k->created_at = sqlite3_column_int64(stmt, 10);
	if (sqlite_column_text(stmt, 3, k->name, sizeof(k->name)) == -1 ||
	    sqlite_column_text(stmt, 4, k->prefix, sizeof(k->prefix)) == -1 ||
	    sqlite_column_text(stmt, 5, scopes, sizeof(scopes)) == -1 ||
	    (k->scopes = api_scopes_parse(scopes)) == 0)
		goto bad;
	if (with_hash) {
		if (sqlite3_column_bytes(stmt, 11) != API_KEY_HASH_LEN)
			goto bad;
		memcpy(k->hash, sqlite3_column_blob(stmt, 11),
		    API_KEY_HASH_LEN);
	}
	return 0;
bad:
	log_warnx("api key %lld: malformed row", (long long)k->id);
	return -1;
}

static int
key_read(sqlite3_stmt *stmt, void *arg)
{
	return key_from_row(stmt, arg, 0);
}

static int
key_read_with_hash(sqlite3_stmt *stmt, void *arg)
{
	return key_from_row(stmt, arg, 1);
}

int
sqlite_api_key_create(struct store *st, struct api_key *k,
    const uint8_t hash[API_KEY_HASH_LEN])
{
	static const char sql[] =
	    "INSERT INTO api_keys (partner_id, user_id, name, prefix, "
	    "secret_hash, scopes, expires_at, created_by, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, 0), ?, ?)";
	sqlite3_stmt	*stmt;
	char		 scopes[128];
	int		 rc;

	if (api_scopes_format(k->scopes, scopes, sizeof(scopes)) == -1 ||
	    (stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, k->partner_id);
	sqlite3_bind_int64(stmt, 2, k->user_id);
	sqlite3_bind_text(stmt, 3, k->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, k->prefix, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 5, hash, API_KEY_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, scopes, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 7, k->expires_at);
	sqlite3_bind_int64(stmt, 8, k->created_by);
	sqlite3_bind_int64(stmt, 9, k->created_at);
	if ((rc = sqlite_step_unique(st, stmt, "api key insert")) == STORE_OK)
		k->id = sqlite3_last_insert_rowid(sqlite_db(st));
	return rc;
}

int
sqlite_api_key_get(struct store *st, int64_t partner_id, int64_t id,
    struct api_key *out)
{
	static const char sql[] =
	    "SELECT " KEY_COLUMNS " FROM api_keys "
	    "WHERE id = ? AND partner_id = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, partner_id);
	return sqlite_row(st, stmt, "api key get", key_read, out);
}

struct key_walk {
	int	(*fn)(const struct api_key *, void *);
	void	*arg;
};

static int
key_walk_row(sqlite3_stmt *stmt, void *arg)
{
	struct key_walk	*w = arg;
	struct api_key	 k;

	if (key_from_row(stmt, &k, 0) == -1)
		return -1;
	return w->fn(&k, w->arg);
}

int
sqlite_api_key_list(struct store *st, int64_t partner_id, int64_t after_id,
    int limit, int (*fn)(const struct api_key *, void *), void *arg,
    int64_t *total)
{
	static const char page_sql[] =
	    "SELECT " KEY_COLUMNS " FROM api_keys "
	    "WHERE partner_id = ? AND id > ? ORDER BY id LIMIT ?";
	static const char count_sql[] =
	    "SELECT count(*) FROM api_keys WHERE partner_id = ?";
	struct key_walk	 w = { fn, arg };
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, page_sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	sqlite3_bind_int64(stmt, 2, after_id);
	sqlite3_bind_int(stmt, 3, limit);
	if ((rc = sqlite_rows(st, stmt, "api key list", key_walk_row, &w)) !=
	    STORE_OK)
		return rc;
	if ((stmt = sqlite_stmt(st, count_sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	return sqlite_row(st, stmt, "api key count", sqlite_int64_read, total);
}

int
sqlite_api_key_revoke(struct store *st, int64_t partner_id, int64_t id,
    int64_t now)
{
	static const char sql[] =
	    "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) "
	    "WHERE id = ? AND partner_id = ?";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, id);
	sqlite3_bind_int64(stmt, 3, partner_id);
	if ((rc = sqlite_step_done(st, stmt, "api key revoke")) == STORE_OK &&
	    sqlite3_changes(sqlite_db(st)) != 1)
		rc = STORE_NOTFOUND;
	return rc;
}

int
sqlite_api_key_by_prefix(struct store *st, const char *prefix,
    struct api_key *out)
{
	static const char sql[] =
	    "SELECT " KEY_COLUMNS ", secret_hash FROM api_keys "
	    "WHERE prefix = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, prefix, -1, SQLITE_STATIC);
	return sqlite_row(st, stmt, "api key lookup", key_read_with_hash,
	    out);
}

int
sqlite_api_key_touch(struct store *st, int64_t id, int64_t now)
{
	static const char sql[] =
	    "UPDATE api_keys SET last_used_at = ?1 WHERE id = ?2 AND "
	    "coalesce(last_used_at, 0) < ?1";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, id);
	return sqlite_step_done(st, stmt, "api key touch");
}
