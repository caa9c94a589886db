/*
 * A client's lifecycle on SQLite: creation, reading one client for a
 * viewer, status transitions, renames and balances. The list and search
 * over clients are in client_list.c; the keys and times of a client come
 * computed from store_client.c.
 */
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../store_client.h"
#include "sqlite.h"

/* Keeps a RETURNING clause's list_json in the client (arg). */
static int
client_returned_json(sqlite3_stmt *stmt, void *arg)
{
	struct client	*c = arg;
	const char	*j = (const char *)sqlite3_column_text(stmt, 0);

	free(c->list_json);
	if ((c->list_json = strdup(j ? j : "{}")) == NULL) {
		log_warn("strdup");
		return -1;
	}
	return 0;
}

int
sqlite_client_create(struct store *st, const struct client_keys *k,
    struct client *c)
{
	static const char sql[] =
	    "INSERT INTO clients (partner_id, name, org_number, "
	    "contact_email, status, sort_key, search_text, search_grams, "
	    "balance_minor, currency, created_at, updated_at, country, "
	    "org_key, external_ref, onboarding_since) "
	    "VALUES (?1, ?2, ?3, NULLIF(?4, ''), ?5, ?6, ?7, search_grams(?7), "
	    "0, ?8, ?9, ?10, ?11, ?3, NULLIF(?12, ''), "
	    "CASE WHEN ?5 = 'onboarding' THEN ?9 END)";
	/*
	 * Read after the insert: RETURNING would show the row before the
	 * AFTER triggers (its alerts) wrote it.
	 */
	static const char row_sql[] =
	    "SELECT list_json FROM clients WHERE id = ?";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, c->partner_id);
	sqlite3_bind_text(stmt, 2, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, c->org_number, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, c->contact_email, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, c->status, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 6, k->sort_key, (int)k->sort_key_len,
	    SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, k->search, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 8, c->currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 9, c->created_at);
	sqlite3_bind_int64(stmt, 10, c->updated_at);
	sqlite3_bind_text(stmt, 11, c->country, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 12, c->external_ref, -1, SQLITE_STATIC);
	if ((rc = sqlite_step_done(st, stmt, "client insert")) != STORE_OK)
		return rc;
	c->id = sqlite3_last_insert_rowid(sqlite_db(st));
	if ((stmt = sqlite_stmt(st, row_sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, c->id);
	rc = sqlite_row(st, stmt, "client row", client_returned_json, c);
	return rc == STORE_NOTFOUND ? STORE_ERROR : rc;
}

/* A row of the client gets below into the client arg; -1 if malformed. */
static int
client_from_row(sqlite3_stmt *stmt, void *arg)
{
	struct client	*c = arg;
	const char	*j;

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(stmt, 0);
	c->partner_id = sqlite3_column_int64(stmt, 1);
	if (sqlite_column_text(stmt, 2, c->name, sizeof(c->name)) == -1 ||
	    sqlite_column_text(stmt, 3, c->org_number,
	    sizeof(c->org_number)) == -1 ||
	    sqlite_column_text(stmt, 4, c->contact_email,
	    sizeof(c->contact_email)) == -1 ||
	    sqlite_column_text(stmt, 5, c->status, sizeof(c->status)) == -1 ||
	    sqlite_column_text(stmt, 7, c->currency, sizeof(c->currency)) ==
	    -1 ||
	    sqlite_column_text(stmt, 13, c->country, sizeof(c->country)) ==
	    -1 ||
	    sqlite_column_text(stmt, 14, c->external_ref,
	    sizeof(c->external_ref)) == -1)
		goto bad;
	c->balance_minor = sqlite3_column_int64(stmt, 6);
	c->missing_receipts = sqlite3_column_int64(stmt, 8);
	c->export_ready = sqlite3_column_int64(stmt, 9);
	c->alerts = (unsigned)sqlite3_column_int(stmt, 15);
	c->created_at = sqlite3_column_int64(stmt, 10);
	c->updated_at = sqlite3_column_int64(stmt, 11);
	if ((j = (const char *)sqlite3_column_text(stmt, 12)) == NULL ||
	    (c->list_json = strdup(j)) == NULL)
		goto bad;
	return STORE_OK;
bad:
	log_warnx("client %lld: malformed row", (long long)c->id);
	client_cleanup(c);
	return STORE_ERROR;
}

int
sqlite_client_get_visible(struct store *st, const struct user *viewer,
    int64_t id, struct client *out)
{
	/* Both read the columns client_from_row() expects, in its order. */
	static const char client_get_firm_sql[] =
	    "SELECT c.id, c.partner_id, c.name, c.org_number, "
	    "coalesce(c.contact_email, ''), c.status, c.balance_minor, "
	    "c.currency, c.missing_receipts, c.export_ready, "
	    "c.created_at, c.updated_at, c.list_json, c.country, "
	    "coalesce(c.external_ref, ''), c.alerts "
	    "FROM clients c "
	    "WHERE c.id = ? AND c.partner_id = ?";
	static const char client_get_assigned_sql[] =
	    "SELECT c.id, c.partner_id, c.name, c.org_number, "
	    "coalesce(c.contact_email, ''), c.status, c.balance_minor, "
	    "c.currency, c.missing_receipts, c.export_ready, "
	    "c.created_at, c.updated_at, c.list_json, c.country, "
	    "coalesce(c.external_ref, ''), c.alerts "
	    "FROM clients c "
	    "JOIN assignments a ON a.client_id = c.id AND a.user_id = ?3 "
	    "WHERE c.id = ?1 AND c.partner_id = ?2 "
	    "AND c.status IN ('onboarding', 'active')";
	sqlite3_stmt	*stmt;
	int		 bookkeeper = viewer->role == ROLE_BOOKKEEPER;

	if ((stmt = sqlite_stmt(st, bookkeeper ? client_get_assigned_sql :
	    client_get_firm_sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, viewer->partner_id);
	if (bookkeeper)
		sqlite3_bind_int64(stmt, 3, viewer->id);
	return sqlite_row(st, stmt, "client get", client_from_row, out);
}

int
sqlite_client_transition(struct store *st, int64_t id, const char *from,
    const char *to)
{
	static const char sql[] =
	    "UPDATE clients SET status = ?1, updated_at = ?2 "
	    "WHERE id = ?3 AND status = ?4";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, store_now());
	sqlite3_bind_int64(stmt, 3, id);
	sqlite3_bind_text(stmt, 4, from, -1, SQLITE_STATIC);
	if ((rc = sqlite_step_done(st, stmt, "client transition")) ==
	    STORE_OK && sqlite3_changes(sqlite_db(st)) != 1)
		rc = STORE_CONFLICT;
	return rc;
}

int
sqlite_client_update(struct store *st, const struct client_keys *k,
    struct client *c)
{
	/* Set at the same time, org_key compares with the old number. */
	static const char sql[] =
	    "UPDATE clients SET name = ?1, org_number = ?2, sort_key = ?3, "
	    "search_text = ?4, search_grams = search_grams(?4), "
	    "updated_at = ?5, country = ?8, "
	    "org_key = CASE WHEN org_number = ?2 THEN org_key ELSE ?2 END, "
	    "external_ref = coalesce(NULLIF(?9, ''), external_ref) "
	    "WHERE id = ?6 AND partner_id = ?7 "
	    "RETURNING list_json";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, c->org_number, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 3, k->sort_key, (int)k->sort_key_len,
	    SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, k->search, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, c->updated_at);
	sqlite3_bind_int64(stmt, 6, c->id);
	sqlite3_bind_int64(stmt, 7, c->partner_id);
	sqlite3_bind_text(stmt, 8, c->country, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 9, c->external_ref, -1, SQLITE_STATIC);
	return sqlite_row_only(st, stmt, "client update", client_returned_json,
	    c);
}

int
sqlite_client_find(struct store *st, int64_t partner_id, const char *org_key,
    const char *ref, int64_t *id)
{
	/* The first reads clients_by_org_key, whose WHERE it repeats. */
	static const char by_org_sql[] =
	    "SELECT id FROM clients WHERE partner_id = ? AND org_key = ? "
	    "AND status <> 'declined'";
	static const char by_ref_sql[] =
	    "SELECT id FROM clients WHERE partner_id = ? AND external_ref = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, org_key != NULL ? by_org_sql :
	    by_ref_sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	sqlite3_bind_text(stmt, 2, org_key != NULL ? org_key : ref, -1,
	    SQLITE_STATIC);
	return sqlite_row(st, stmt, "client find", sqlite_int64_read, id);
}

int
sqlite_client_set_balance(struct store *st, int64_t id, int64_t amount,
    const char *currency)
{
	static const char sql[] =
	    "UPDATE clients SET balance_minor = ?, currency = ?, "
	    "updated_at = ? WHERE id = ?";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, amount);
	sqlite3_bind_text(stmt, 2, currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, store_now());
	sqlite3_bind_int64(stmt, 4, id);
	if ((rc = sqlite_step_done(st, stmt, "client balance")) == STORE_OK &&
	    sqlite3_changes(sqlite_db(st)) != 1)
		rc = STORE_NOTFOUND;
	return rc;
}
