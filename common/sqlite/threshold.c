/*
 * The SQLite backend's thresholds and alerts. The alerts are worked out
 * by the view client_alerts_now in the triggers of schema.sql (version
 * 21), which run when a column they watch is written: writing
 * missing_receipt_days as it is makes them run for a client.
 */
#include <string.h>

#include "../log.h"
#include "sqlite.h"

static int
firm_defaults_row(sqlite3_stmt *stmt, void *arg)
{
	struct firm_thresholds	*t = arg;

	t->missing_receipts_above = sqlite3_column_int64(stmt, 0);
	t->missing_receipt_days = sqlite3_column_int64(stmt, 1);
	return 0;
}

static int
firm_line_row(sqlite3_stmt *stmt, void *arg)
{
	struct firm_thresholds	*t = arg;
	struct threshold_line	*l;

	if (t->n_balance_below == THRESHOLD_LINES_MAX)
		return 0;
	l = &t->balance_below[t->n_balance_below];
	if (sqlite_column_text(stmt, 0, l->currency, sizeof(l->currency)) ==
	    -1) {
		log_warnx("balance threshold: malformed currency");
		return -1;
	}
	l->amount_minor = sqlite3_column_int64(stmt, 1);
	t->n_balance_below++;
	return 0;
}

int
sqlite_firm_thresholds_get(struct store *st, int64_t partner_id,
    struct firm_thresholds *out)
{
	static const char defaults_sql[] =
	    "SELECT coalesce(missing_receipts_above, -1), "
	    "coalesce(missing_receipt_days, -1) FROM partners WHERE id = ?";
	static const char lines_sql[] =
	    "SELECT currency, amount_minor FROM balance_thresholds "
	    "WHERE partner_id = ? ORDER BY currency";
	sqlite3_stmt	*stmt;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((stmt = sqlite_stmt(st, defaults_sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	if ((rc = sqlite_row(st, stmt, "firm thresholds", firm_defaults_row,
	    out)) != STORE_OK)
		return rc;
	if ((stmt = sqlite_stmt(st, lines_sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	return sqlite_rows(st, stmt, "balance thresholds", firm_line_row,
	    out);
}

int
sqlite_firm_thresholds_set(struct store *st, int64_t partner_id,
    const struct firm_thresholds *t)
{
	static const char defaults_sql[] =
	    "UPDATE partners SET missing_receipts_above = NULLIF(?1, -1), "
	    "missing_receipt_days = NULLIF(?2, -1) WHERE id = ?3";
	static const char clear_sql[] =
	    "DELETE FROM balance_thresholds WHERE partner_id = ?";
	static const char line_sql[] =
	    "INSERT INTO balance_thresholds (partner_id, currency, "
	    "amount_minor) VALUES (?, ?, ?)";
	/* Every client of the firm, its alerts worked out again. */
	static const char refresh_sql[] =
	    "UPDATE clients SET missing_receipt_days = missing_receipt_days "
	    "WHERE partner_id = ?";
	sqlite3_stmt	*stmt;
	int		 i;

	if ((stmt = sqlite_stmt(st, defaults_sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, t->missing_receipts_above);
	sqlite3_bind_int64(stmt, 2, t->missing_receipt_days);
	sqlite3_bind_int64(stmt, 3, partner_id);
	if (sqlite_step_done(st, stmt, "firm thresholds") != STORE_OK)
		return STORE_ERROR;
	if ((stmt = sqlite_stmt(st, clear_sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	if (sqlite_step_done(st, stmt, "balance thresholds") != STORE_OK)
		return STORE_ERROR;
	for (i = 0; i < t->n_balance_below; i++) {
		if ((stmt = sqlite_stmt(st, line_sql)) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(stmt, 1, partner_id);
		sqlite3_bind_text(stmt, 2, t->balance_below[i].currency, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 3, t->balance_below[i].amount_minor);
		if (sqlite_step_done(st, stmt, "balance threshold") !=
		    STORE_OK)
			return STORE_ERROR;
	}
	if ((stmt = sqlite_stmt(st, refresh_sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	return sqlite_step_done(st, stmt, "firm alerts");
}

static int
client_thresholds_row(sqlite3_stmt *stmt, void *arg)
{
	struct client_thresholds	*t = arg;

	memset(t, 0, sizeof(*t));
	t->balance_below.amount_minor = sqlite3_column_int64(stmt, 0);
	if (sqlite_column_text(stmt, 1, t->balance_below.currency,
	    sizeof(t->balance_below.currency)) == -1) {
		log_warnx("client thresholds: malformed currency");
		return -1;
	}
	t->missing_receipts_above = sqlite3_column_int64(stmt, 2);
	t->missing_receipt_days = sqlite3_column_int64(stmt, 3);
	return 0;
}

int
sqlite_client_thresholds_get(struct store *st, int64_t client_id,
    struct client_thresholds *out)
{
	static const char sql[] =
	    "SELECT coalesce(balance_below, -1), "
	    "coalesce(balance_below_currency, ''), "
	    "coalesce(missing_receipts_above, -1), "
	    "coalesce(missing_receipt_days, -1) FROM clients WHERE id = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, client_id);
	return sqlite_row(st, stmt, "client thresholds", client_thresholds_row,
	    out);
}

int
sqlite_client_thresholds_set(struct store *st, int64_t client_id,
    const struct client_thresholds *t)
{
	static const char sql[] =
	    "UPDATE clients SET balance_below = NULLIF(?1, -1), "
	    "balance_below_currency = CASE WHEN ?1 = -1 THEN NULL "
	    "ELSE ?2 END, missing_receipts_above = NULLIF(?3, -1), "
	    "missing_receipt_days = NULLIF(?4, -1) WHERE id = ?5";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, t->balance_below.amount_minor);
	sqlite3_bind_text(stmt, 2, t->balance_below.currency, -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, t->missing_receipts_above);
	sqlite3_bind_int64(stmt, 4, t->missing_receipt_days);
	sqlite3_bind_int64(stmt, 5, client_id);
	if ((rc = sqlite_step_done(st, stmt, "client thresholds")) !=
	    STORE_OK)
		return rc;
	return sqlite3_changes(sqlite_db(st)) == 0 ? STORE_NOTFOUND :
	    STORE_OK;
}

int
sqlite_alerts_due(struct store *st, int max, int *n)
{
	/*
	 * The due time holds the thresholds already: only the bit is left
	 * to set. Reads clients_missing_due, whose WHERE it repeats.
	 */
	static const char sql[] =
	    "UPDATE clients SET alerts = alerts | 4, "
	    "attention = attention - 1152921504606846976 WHERE id IN "
	    "(SELECT id FROM clients WHERE missing_due_at <= unixepoch() "
	    "AND missing_due_at IS NOT NULL AND alerts & 4 = 0 "
	    "ORDER BY missing_due_at LIMIT ?)";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int(stmt, 1, max);
	if ((rc = sqlite_step_done(st, stmt, "alerts due")) == STORE_OK)
		*n = sqlite3_changes(sqlite_db(st));
	return rc;
}
