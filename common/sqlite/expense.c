/*
 * The SQLite backend's queries on expenses. The per-client counters
 * (missing receipts, export-ready) follow from the triggers in
 * schema.sql, in the statement that changes the expense.
 */
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../store_expense.h"
#include "../text.h"
#include "sqlite.h"

#define EXPENSE_COLUMNS \
	"id, client_id, external_id, amount_minor, currency, spent_at, " \
	"merchant, receipt_status, export_status, created_at, updated_at"

/* A sqlite_row() reader into the struct expense at arg. */
static int
expense_from_row(sqlite3_stmt *stmt, void *arg)
{
	struct expense	*e = arg;

	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(stmt, 0);
	e->client_id = sqlite3_column_int64(stmt, 1);
	e->amount_minor = sqlite3_column_int64(stmt, 3);
	e->spent_at = sqlite3_column_int64(stmt, 5);
	e->created_at = sqlite3_column_int64(stmt, 9);
	e->updated_at = sqlite3_column_int64(stmt, 10);
	if (sqlite_column_text(stmt, 2, e->external_id,
	    sizeof(e->external_id)) == -1 ||
	    sqlite_column_text(stmt, 4, e->currency, sizeof(e->currency)) ==
	    -1 ||
	    sqlite_column_text(stmt, 6, e->merchant, sizeof(e->merchant)) ==
	    -1 ||
	    sqlite_column_text(stmt, 7, e->receipt_status,
	    sizeof(e->receipt_status)) == -1 ||
	    sqlite_column_text(stmt, 8, e->export_status,
	    sizeof(e->export_status)) == -1) {
		log_warnx("expense %lld: malformed row", (long long)e->id);
		return STORE_ERROR;
	}
	return STORE_OK;
}

/* Whether the client already has an expense with this external id. */
static int
expense_exists(struct store *st, int64_t client_id, const char *external_id,
    int *exists)
{
	static const char sql[] =
	    "SELECT 1 FROM expenses WHERE client_id = ? AND external_id = ?";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, client_id);
	sqlite3_bind_text(stmt, 2, external_id, -1, SQLITE_STATIC);
	if ((rc = sqlite_row(st, stmt, "expense lookup", NULL, NULL)) ==
	    STORE_ERROR)
		return rc;
	*exists = rc == STORE_OK;
	return STORE_OK;
}

int
sqlite_expense_upsert(struct store *st, int64_t client_id,
    const struct expense_fields *f, struct expense *out, int *created)
{
	static const char sql[] =
	    "INSERT INTO expenses (client_id, external_id, amount_minor, "
	    "currency, spent_at, merchant, receipt_status, export_status, "
	    "created_at, updated_at, month) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10) "
	    "ON CONFLICT (client_id, external_id) DO UPDATE SET "
	    "amount_minor = excluded.amount_minor, "
	    "currency = excluded.currency, spent_at = excluded.spent_at, "
	    "month = excluded.month, "
	    "merchant = excluded.merchant, "
	    "receipt_status = excluded.receipt_status, "
	    "export_status = excluded.export_status, "
	    "updated_at = excluded.updated_at "
	    "RETURNING " EXPENSE_COLUMNS;
	sqlite3_stmt	*stmt;
	int		 exists, rc;

	/*
	 * created_at = updated_at cannot tell an insert from an update made
	 * in the same second; the caller's write transaction keeps this
	 * lookup true until the upsert.
	 */
	if (expense_exists(st, client_id, f->external_id, &exists) !=
	    STORE_OK)
		return STORE_ERROR;
	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, client_id);
	sqlite3_bind_text(stmt, 2, f->external_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, f->amount_minor);
	sqlite3_bind_text(stmt, 4, f->currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, f->spent_at);
	sqlite3_bind_text(stmt, 6, f->merchant, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, f->receipt_status, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 8, f->export_status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 9, store_now());
	sqlite3_bind_int(stmt, 10, f->month);
	rc = sqlite_row_only(st, stmt, "expense upsert", expense_from_row, out);
	if (rc == STORE_NOTFOUND) {
		log_warnx("expense upsert returned no row");
		rc = STORE_ERROR;
	}
	if (rc == STORE_OK)
		*created = !exists;
	return rc;
}

/*
 * Opens and closes a batch's row in expense_batches (schema.sql, version
 * 27): while it is there, the expenses' triggers keep the client's
 * changes in it; at the close they reach the client in one update, its
 * oldest missing receipt read again from its index if a missing one
 * came, changed or left, and the row goes. Both inside the caller's
 * write, which is undone whole when the batch fails.
 */
static int
expense_batch_open(struct store *st, int64_t client_id)
{
	static const char sql[] =
	    "INSERT INTO expense_batches (client_id) VALUES (?1)";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, client_id);
	return sqlite_step_done(st, stmt, "expense batch open");
}

static int
expense_batch_close(struct store *st, int64_t client_id)
{
	static const char apply[] =
	    "UPDATE clients SET "
	    "missing_receipts = clients.missing_receipts + b.missing_receipts, "
	    "export_ready = clients.export_ready + b.export_ready, "
	    "oldest_missing_at = iif(b.oldest_changed, "
	    "(SELECT min(e.spent_at) FROM expenses e "
	    "WHERE e.client_id = b.client_id AND e.receipt_status = 'missing'), "
	    "clients.oldest_missing_at) "
	    "FROM expense_batches b WHERE b.client_id = ?1 "
	    "AND clients.id = b.client_id AND (b.missing_receipts <> 0 "
	    "OR b.export_ready <> 0 OR b.oldest_changed)";
	static const char drop[] =
	    "DELETE FROM expense_batches WHERE client_id = ?1";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, apply)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, client_id);
	if (sqlite_step_done(st, stmt, "expense batch close") != STORE_OK ||
	    (stmt = sqlite_stmt(st, drop)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, client_id);
	return sqlite_step_done(st, stmt, "expense batch drop");
}

/*
 * SQLite runs in the process: a statement per expense costs no round
 * trip, and the prepared upsert is what a single expense runs. The
 * client's counters move once, at the end (expense_batch_close()).
 */
int
sqlite_expense_upsert_batch(struct store *st, int64_t client_id,
    const struct expense_fields *f, int n,
    int (*fn)(const struct expense *, int, void *), void *arg)
{
	struct expense	 e;
	int		 i, created;

	if (expense_batch_open(st, client_id) != STORE_OK)
		return STORE_ERROR;
	for (i = 0; i < n; i++) {
		if (sqlite_expense_upsert(st, client_id, &f[i], &e, &created) !=
		    STORE_OK)
			return STORE_ERROR;
		if (fn(&e, created, arg) == -1)
			return STORE_ERROR;
	}
	return expense_batch_close(st, client_id);
}

int
sqlite_expense_get(struct store *st, int64_t client_id, int64_t id,
    struct expense *out)
{
	static const char sql[] =
	    "SELECT " EXPENSE_COLUMNS " FROM expenses "
	    "WHERE id = ? AND client_id = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, client_id);
	return sqlite_row(st, stmt, "expense get", expense_from_row, out);
}

int
sqlite_expense_set_status(struct store *st, int64_t client_id, int64_t id,
    const char *receipt_status, const char *export_status,
    struct expense *out)
{
	/* One statement: the expense and the counters change together. */
	static const char sql[] =
	    "UPDATE expenses SET "
	    "receipt_status = coalesce(?1, receipt_status), "
	    "export_status = coalesce(?2, export_status), updated_at = ?3 "
	    "WHERE id = ?4 AND client_id = ?5 "
	    "RETURNING " EXPENSE_COLUMNS;
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	if (receipt_status != NULL)
		sqlite3_bind_text(stmt, 1, receipt_status, -1, SQLITE_STATIC);
	if (export_status != NULL)
		sqlite3_bind_text(stmt, 2, export_status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, store_now());
	sqlite3_bind_int64(stmt, 4, id);
	sqlite3_bind_int64(stmt, 5, client_id);
	return sqlite_row_only(st, stmt, "expense status", expense_from_row,
	    out);
}

int
sqlite_expense_delete(struct store *st, int64_t client_id, int64_t id,
    const char *external_id, struct expense *out)
{
	/* One statement each: the counters move with it (the trigger). */
	static const char by_id_sql[] =
	    "DELETE FROM expenses WHERE id = ?1 AND client_id = ?2 "
	    "RETURNING " EXPENSE_COLUMNS;
	static const char by_external_sql[] =
	    "DELETE FROM expenses WHERE external_id = ?3 AND client_id = ?2 "
	    "RETURNING " EXPENSE_COLUMNS;
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, external_id == NULL ? by_id_sql :
	    by_external_sql)) == NULL)
		return STORE_ERROR;
	if (external_id == NULL)
		sqlite3_bind_int64(stmt, 1, id);
	else
		sqlite3_bind_text(stmt, 3, external_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, client_id);
	return sqlite_row_only(st, stmt, "expense delete", expense_from_row,
	    out);
}

/*
 * The list and its count, one literal statement per combination of
 * filters so that none compares a parameter with NULL. Parameters:
 *   ?1 client  ?2 after id  ?3 receipt status  ?4 export status  ?5 limit
 * The page walks expenses_by_client (client_id, id).
 */
#define LIST_FROM	"FROM expenses WHERE client_id = ?1 "
#define LIST_RECEIPT	"AND receipt_status = ?3 "
#define LIST_EXPORT	"AND export_status = ?4 "
#define LIST_PAGE	"AND id > ?2 ORDER BY id LIMIT ?5"
#define LIST_SELECT	"SELECT " EXPENSE_COLUMNS " " LIST_FROM

/* [receipt filter][export filter] */
static const char *const expense_list_sql[2][2] = {
	{ LIST_SELECT LIST_PAGE,
	  LIST_SELECT LIST_EXPORT LIST_PAGE },
	{ LIST_SELECT LIST_RECEIPT LIST_PAGE,
	  LIST_SELECT LIST_RECEIPT LIST_EXPORT LIST_PAGE },
};
static const char *const expense_count_sql[2][2] = {
	{ "SELECT count(*) " LIST_FROM,
	  "SELECT count(*) " LIST_FROM LIST_EXPORT },
	{ "SELECT count(*) " LIST_FROM LIST_RECEIPT,
	  "SELECT count(*) " LIST_FROM LIST_RECEIPT LIST_EXPORT },
};

struct expense_walk {
	int	(*fn)(const struct expense *, void *);
	void	*arg;
};

static int
expense_row(sqlite3_stmt *stmt, void *arg)
{
	struct expense_walk	*w = arg;
	struct expense		 e;

	if (expense_from_row(stmt, &e) != STORE_OK)
		return -1;
	return w->fn(&e, w->arg);
}

static void
expense_bind_filters(sqlite3_stmt *stmt, const struct expense_query *q)
{
	sqlite3_bind_int64(stmt, 1, q->client_id);
	if (q->receipt_status != NULL)
		sqlite3_bind_text(stmt, 3, q->receipt_status, -1,
		    SQLITE_STATIC);
	if (q->export_status != NULL)
		sqlite3_bind_text(stmt, 4, q->export_status, -1,
		    SQLITE_STATIC);
}

int
sqlite_expense_list(struct store *st, const struct expense_query *q,
    int (*fn)(const struct expense *, void *), void *arg)
{
	sqlite3_stmt		*stmt;
	struct expense_walk	 w = { fn, arg };

	stmt = sqlite_stmt(st, expense_list_sql[q->receipt_status != NULL]
	    [q->export_status != NULL]);
	if (stmt == NULL)
		return STORE_ERROR;
	expense_bind_filters(stmt, q);
	sqlite3_bind_int64(stmt, 2, q->after_id);
	sqlite3_bind_int(stmt, 5, q->limit);
	return sqlite_rows(st, stmt, "expense list", expense_row, &w);
}

int
sqlite_expense_count(struct store *st, const struct expense_query *q,
    int64_t *total)
{
	sqlite3_stmt	*stmt;
	int		 rc = STORE_OK;

	stmt = sqlite_stmt(st, expense_count_sql[q->receipt_status != NULL]
	    [q->export_status != NULL]);
	if (stmt == NULL)
		return STORE_ERROR;
	expense_bind_filters(stmt, q);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*total = sqlite3_column_int64(stmt, 0);
	else {
		sqlite_log_error(st, "expense count");
		rc = STORE_ERROR;
	}
	sqlite_reset(stmt);
	return rc;
}

struct expense_month_walk {
	int	(*fn)(const struct expense_month *, void *);
	void	*arg;
};

static int
expense_month_row(sqlite3_stmt *stmt, void *arg)
{
	struct expense_month_walk	*w = arg;
	struct expense_month		 m;

	memset(&m, 0, sizeof(m));
	m.month = sqlite3_column_int(stmt, 0);
	if (sqlite_column_text(stmt, 1, m.currency, sizeof(m.currency)) ==
	    -1) {
		log_warnx("client month %d: malformed currency", m.month);
		return -1;
	}
	m.pending = sqlite3_column_int64(stmt, 2);
	m.pending_minor = sqlite3_column_int64(stmt, 3);
	m.ready = sqlite3_column_int64(stmt, 4);
	m.ready_minor = sqlite3_column_int64(stmt, 5);
	m.exported = sqlite3_column_int64(stmt, 6);
	m.exported_minor = sqlite3_column_int64(stmt, 7);
	m.missing_receipts = sqlite3_column_int64(stmt, 8);
	m.client_id = sqlite3_column_int64(stmt, 9);
	return w->fn(&m, w->arg);
}

/* A range of client_months' primary key, walked backwards. */
int
sqlite_expense_months(struct store *st, int64_t client_id, int from, int to,
    int (*fn)(const struct expense_month *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT month, currency, pending, pending_minor, ready, "
	    "ready_minor, exported, exported_minor, missing_receipts, "
	    "client_id FROM client_months WHERE client_id = ?1 AND month "
	    "BETWEEN ?2 AND ?3 ORDER BY month DESC, currency";
	struct expense_month_walk	 w = { fn, arg };
	sqlite3_stmt			*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, client_id);
	sqlite3_bind_int(stmt, 2, from);
	sqlite3_bind_int(stmt, 3, to);
	return sqlite_rows(st, stmt, "client months", expense_month_row, &w);
}

/*
 * The ids go in as one JSON array that json_each() opens: one statement
 * prepared once whatever their number, each id a look-up of the primary
 * key, in the array's order (CROSS JOIN). The ids are sorted first, so
 * that the rows come by client id and then by currency, as the key has
 * them: an ORDER BY would sort them again, a third of the statement.
 */
int
sqlite_expense_months_of(struct store *st, const int64_t *ids, size_t n,
    int month, int (*fn)(const struct expense_month *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT m.month, m.currency, m.pending, m.pending_minor, m.ready, "
	    "m.ready_minor, m.exported, m.exported_minor, m.missing_receipts, "
	    "m.client_id FROM json_each(?1) j CROSS JOIN client_months m "
	    "ON m.client_id = j.value AND m.month = ?2";
	struct expense_month_walk	 w = { fn, arg };
	sqlite3_stmt			*stmt;
	int64_t				*sorted;
	char				*list;
	size_t				 len = n * 21 + 3;
	int				 rc = STORE_ERROR;

	sorted = reallocarray(NULL, n ? n : 1, sizeof(*sorted));
	list = malloc(len);
	if (sorted == NULL || list == NULL) {
		log_warn("client months");
		goto out;
	}
	memcpy(sorted, ids, n * sizeof(*ids));
	qsort(sorted, n, sizeof(*sorted), text_id_cmp);
	if (text_id_list(sorted, n, '[', ']', list, len) == -1) {
		log_warnx("client months: cannot write the ids");
		goto out;
	}
	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, list, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, month);
	rc = sqlite_rows(st, stmt, "client months", expense_month_row, &w);
out:
	free(sorted);
	free(list);
	return rc;
}
