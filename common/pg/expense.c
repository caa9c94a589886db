/*
 * The PostgreSQL backend's queries on expenses. The per-client counters
 * (missing receipts, export-ready) follow from the statement-level
 * triggers in schema.sql, in the statement that changes the expenses.
 */
#include <string.h>

#include "../buf.h"
#include "../jsonw.h"
#include "../log.h"
#include "../store_expense.h"
#include "../text.h"
#include "pg.h"

#define EXPENSE_COLUMNS \
	"id, client_id, external_id, amount_minor, currency, spent_at, " \
	"merchant, receipt_status, export_status, created_at, updated_at"

/* Row i of EXPENSE_COLUMNS into e. STORE_OK or STORE_ERROR, logged. */
static int
expense_from_row(const PGresult *r, int i, struct expense *e)
{
	memset(e, 0, sizeof(*e));
	e->id = pg_get_int64(r, i, 0);
	e->client_id = pg_get_int64(r, i, 1);
	e->amount_minor = pg_get_int64(r, i, 3);
	e->spent_at = pg_get_int64(r, i, 5);
	e->created_at = pg_get_int64(r, i, 9);
	e->updated_at = pg_get_int64(r, i, 10);
	if (pg_get_text(r, i, 2, e->external_id,
	    sizeof(e->external_id)) == -1 ||
	    pg_get_text(r, i, 4, e->currency, sizeof(e->currency)) == -1 ||
	    pg_get_text(r, i, 6, e->merchant, sizeof(e->merchant)) == -1 ||
	    pg_get_text(r, i, 7, e->receipt_status,
	    sizeof(e->receipt_status)) == -1 ||
	    pg_get_text(r, i, 8, e->export_status,
	    sizeof(e->export_status)) == -1) {
		log_warnx("expense %lld: malformed row", (long long)e->id);
		return STORE_ERROR;
	}
	return STORE_OK;
}

/*
 * Runs q, which writes or reads at most one expense, into out:
 * STORE_NOTFOUND when it names none. *extra, when not NULL, gets the
 * boolean column after EXPENSE_COLUMNS.
 */
static int
expense_one(struct store *st, const struct pg_query *q,
    const struct pg_params *par, const char *what, struct expense *out,
    int *extra)
{
	PGresult	*r;
	int		 rc;

	if ((rc = pg_run(st, q, par, what, &r)) != STORE_OK)
		return rc;
	if (PQntuples(r) == 0)
		rc = STORE_NOTFOUND;
	else if ((rc = expense_from_row(r, 0, out)) == STORE_OK &&
	    extra != NULL)
		*extra = pg_get_bool(r, 0, 11);
	PQclear(r);
	return rc;
}

/* $1 client, $2 external id, $3..$8 the fields, $9 now, $10 month. */
static void
expense_params(struct pg_params *par, int64_t client_id,
    const struct expense_fields *f)
{
	pg_params_init(par);
	pg_param_int64(par, client_id);
	pg_param_text(par, f->external_id);
	pg_param_int64(par, f->amount_minor);
	pg_param_text(par, f->currency);
	pg_param_int64(par, f->spent_at);
	pg_param_text(par, f->merchant);
	pg_param_text(par, f->receipt_status);
	pg_param_text(par, f->export_status);
	pg_param_int64(par, store_now());
	pg_param_int64(par, f->month);
}

/*
 * An update first, an insert only for a new expense: an INSERT ... ON
 * CONFLICT that ends as an update still takes a number from the id
 * sequence, and ids must follow SQLite's. The insert's ON CONFLICT is
 * for an expense another transaction inserted since the update looked
 * (xmax 0: this statement inserted the row).
 */
int
pg_expense_upsert(struct store *st, int64_t client_id,
    const struct expense_fields *f, struct expense *out, int *created)
{
	static const struct pg_query update = { "expense_update",
	    "UPDATE expenses SET amount_minor = $3, currency = $4, "
	    "spent_at = $5, merchant = $6, receipt_status = $7, "
	    "export_status = $8, updated_at = $9, month = $10 "
	    "WHERE client_id = $1 AND external_id = $2 "
	    "RETURNING " EXPENSE_COLUMNS };
	static const struct pg_query insert = { "expense_insert",
	    "INSERT INTO expenses (client_id, external_id, amount_minor, "
	    "currency, spent_at, merchant, receipt_status, export_status, "
	    "created_at, updated_at, month) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) "
	    "ON CONFLICT (client_id, external_id) DO UPDATE SET "
	    "amount_minor = excluded.amount_minor, "
	    "currency = excluded.currency, spent_at = excluded.spent_at, "
	    "month = excluded.month, "
	    "merchant = excluded.merchant, "
	    "receipt_status = excluded.receipt_status, "
	    "export_status = excluded.export_status, "
	    "updated_at = excluded.updated_at "
	    "RETURNING " EXPENSE_COLUMNS ", xmax::text = '0'" };
	struct pg_params	 par;
	int			 rc;

	expense_params(&par, client_id, f);
	rc = expense_one(st, &update, &par, "expense update", out, NULL);
	if (rc == STORE_OK)
		*created = 0;
	if (rc != STORE_NOTFOUND)
		return rc;
	rc = expense_one(st, &insert, &par, "expense insert", out, created);
	if (rc == STORE_NOTFOUND) {
		log_warnx("expense upsert returned no row");
		rc = STORE_ERROR;
	}
	return rc;
}

/*
 * A batch in one statement, one round trip instead of two a row: the
 * expenses go as one JSON array ($2), read back as rows numbered in
 * order. As in pg_expense_upsert(), the client's existing expenses are
 * updated (u) and only the new ones inserted (i), in order, so that they
 * take the ids SQLite would give them; the insert's ON CONFLICT is for
 * expenses another transaction inserted meanwhile. Both see the rows as
 * they were before the statement, so the NOT EXISTS leaves out exactly
 * those u updates. Each fires its statement trigger once: the client's
 * counters move once for the update and once for the insert.
 * Columns: EXPENSE_COLUMNS, created, the position in the batch from 1.
 */
#define BATCH_ROWS \
	"ROWS FROM (jsonb_to_recordset($2::jsonb) AS (external_id text, " \
	"amount_minor bigint, currency text, spent_at bigint, " \
	"merchant text, receipt_status text, export_status text, " \
	"month integer)) " \
	"WITH ORDINALITY AS v (external_id, amount_minor, currency, " \
	"spent_at, merchant, receipt_status, export_status, month, ord)"
static const struct pg_query expense_batch_q = { "expense_upsert_batch",
    "WITH v AS (SELECT * FROM " BATCH_ROWS "), "
    "u AS (UPDATE expenses e SET amount_minor = v.amount_minor, "
    "currency = v.currency, spent_at = v.spent_at, merchant = v.merchant, "
    "receipt_status = v.receipt_status, export_status = v.export_status, "
    "month = v.month, updated_at = $3 FROM v "
    "WHERE e.client_id = $1 AND e.external_id = v.external_id "
    "RETURNING e.id, e.client_id, e.external_id, e.amount_minor, "
    "e.currency, e.spent_at, e.merchant, e.receipt_status, "
    "e.export_status, e.created_at, e.updated_at, false, v.ord), "
    "i AS (INSERT INTO expenses (client_id, external_id, amount_minor, "
    "currency, spent_at, merchant, receipt_status, export_status, "
    "created_at, updated_at, month) "
    "SELECT $1, external_id, amount_minor, currency, spent_at, merchant, "
    "receipt_status, export_status, $3, $3, month FROM v "
    "WHERE NOT EXISTS (SELECT 1 FROM expenses x "
    "WHERE x.client_id = $1 AND x.external_id = v.external_id) "
    "ORDER BY ord "
    "ON CONFLICT (client_id, external_id) DO UPDATE SET "
    "amount_minor = excluded.amount_minor, "
    "currency = excluded.currency, spent_at = excluded.spent_at, "
    "month = excluded.month, merchant = excluded.merchant, "
    "receipt_status = excluded.receipt_status, "
    "export_status = excluded.export_status, "
    "updated_at = excluded.updated_at "
    "RETURNING " EXPENSE_COLUMNS ", xmax::text = '0') "
    "SELECT * FROM u UNION ALL "
    "SELECT i.*, v.ord FROM i JOIN v USING (external_id) ORDER BY ord" };

/* The batch as the JSON array BATCH_ROWS reads, into b. -1: too large. */
static int
expense_batch_json(struct buf *b, const struct expense_fields *f, int n)
{
	struct jsonw	 w;
	int		 i;

	jsonw_init(&w, b);
	jsonw_array_open(&w);
	for (i = 0; i < n; i++) {
		jsonw_object_open(&w);
		jsonw_key(&w, "external_id");
		jsonw_string(&w, f[i].external_id);
		jsonw_key(&w, "amount_minor");
		jsonw_int(&w, f[i].amount_minor);
		jsonw_key(&w, "currency");
		jsonw_string(&w, f[i].currency);
		jsonw_key(&w, "spent_at");
		jsonw_int(&w, f[i].spent_at);
		jsonw_key(&w, "merchant");
		jsonw_string(&w, f[i].merchant);
		jsonw_key(&w, "receipt_status");
		jsonw_string(&w, f[i].receipt_status);
		jsonw_key(&w, "export_status");
		jsonw_string(&w, f[i].export_status);
		jsonw_key(&w, "month");
		jsonw_int(&w, f[i].month);
		jsonw_object_close(&w);
	}
	jsonw_array_close(&w);
	return w.error ? -1 : 0;
}

int
pg_expense_upsert_batch(struct store *st, int64_t client_id,
    const struct expense_fields *f, int n,
    int (*fn)(const struct expense *, int, void *), void *arg)
{
	struct pg_params	 par;
	struct expense		 e;
	struct buf		 json;
	PGresult		*r = NULL;
	int			 i, rc = STORE_ERROR;

	/* Room for the largest batch the API takes, escapes and all. */
	buf_init(&json, (size_t)EXPENSE_BATCH_MAX * 8 * 1024);
	if (expense_batch_json(&json, f, n) == -1) {
		log_warnx("expense batch: cannot write its JSON");
		goto out;
	}
	pg_params_init(&par);
	pg_param_int64(&par, client_id);
	pg_param_text(&par, json.data);
	pg_param_int64(&par, store_now());
	if ((rc = pg_run(st, &expense_batch_q, &par, "expense batch", &r)) !=
	    STORE_OK)
		goto out;
	if (PQntuples(r) != n) {
		log_warnx("expense batch of %d wrote %d rows", n, PQntuples(r));
		rc = STORE_ERROR;
		goto out;
	}
	for (i = 0; i < n && rc == STORE_OK; i++) {
		if (pg_get_int64(r, i, 12) != i + 1) {
			log_warnx("expense batch: row %d out of order", i);
			rc = STORE_ERROR;
		} else if ((rc = expense_from_row(r, i, &e)) == STORE_OK &&
		    fn(&e, pg_get_bool(r, i, 11), arg) == -1)
			rc = STORE_ERROR;
	}
out:
	PQclear(r);
	buf_cleanup(&json);
	return rc;
}

int
pg_expense_get(struct store *st, int64_t client_id, int64_t id,
    struct expense *out)
{
	static const struct pg_query q = { "expense_get",
	    "SELECT " EXPENSE_COLUMNS " FROM expenses "
	    "WHERE id = $1 AND client_id = $2" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, id);
	pg_param_int64(&par, client_id);
	return expense_one(st, &q, &par, "expense get", out, NULL);
}

int
pg_expense_set_status(struct store *st, int64_t client_id, int64_t id,
    const char *receipt_status, const char *export_status,
    struct expense *out)
{
	/* One statement: the expense and the counters change together. */
	static const struct pg_query q = { "expense_set_status",
	    "UPDATE expenses SET "
	    "receipt_status = coalesce($1, receipt_status), "
	    "export_status = coalesce($2, export_status), updated_at = $3 "
	    "WHERE id = $4 AND client_id = $5 "
	    "RETURNING " EXPENSE_COLUMNS };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_text(&par, receipt_status);
	pg_param_text(&par, export_status);
	pg_param_int64(&par, store_now());
	pg_param_int64(&par, id);
	pg_param_int64(&par, client_id);
	return expense_one(st, &q, &par, "expense status", out, NULL);
}

int
pg_expense_delete(struct store *st, int64_t client_id, int64_t id,
    const char *external_id, struct expense *out)
{
	/* One statement each: the counters move with it (the trigger). */
	static const struct pg_query by_id = { "expense_delete",
	    "DELETE FROM expenses WHERE id = $1 AND client_id = $2 "
	    "RETURNING " EXPENSE_COLUMNS };
	static const struct pg_query by_external = {
	    "expense_delete_external",
	    "DELETE FROM expenses WHERE external_id = $1 AND client_id = $2 "
	    "RETURNING " EXPENSE_COLUMNS };
	struct pg_params	 par;

	pg_params_init(&par);
	if (external_id == NULL)
		pg_param_int64(&par, id);
	else
		pg_param_text(&par, external_id);
	pg_param_int64(&par, client_id);
	return expense_one(st, external_id == NULL ? &by_id : &by_external,
	    &par, "expense delete", out, NULL);
}

/*
 * The list and its count, one statement per combination of filters so
 * that each plan uses its index (a generic plan for "$3 IS NULL OR ..."
 * could not). Parameters:
 *   $1 client  $2 receipt status  $3 export status  $4 after id  $5 limit
 * A statement names every parameter it is sent: the filters left out
 * are compared with themselves ($2 IS NULL), which the planner drops.
 */
#define LIST_FROM	"FROM expenses WHERE client_id = $1 "
#define LIST_RECEIPT	"AND receipt_status = $2 "
#define LIST_NO_RECEIPT	"AND $2::text IS NULL "
#define LIST_EXPORT	"AND export_status = $3 "
#define LIST_NO_EXPORT	"AND $3::text IS NULL "
#define LIST_PAGE	"AND id > $4 ORDER BY id LIMIT $5"
#define LIST_SELECT	"SELECT " EXPENSE_COLUMNS " " LIST_FROM

/* [receipt filter][export filter] */
static const struct pg_query expense_list_q[2][2] = {
	{ { "expense_list", LIST_SELECT LIST_NO_RECEIPT LIST_NO_EXPORT
	    LIST_PAGE },
	  { "expense_list_e", LIST_SELECT LIST_NO_RECEIPT LIST_EXPORT
	    LIST_PAGE } },
	{ { "expense_list_r", LIST_SELECT LIST_RECEIPT LIST_NO_EXPORT
	    LIST_PAGE },
	  { "expense_list_re", LIST_SELECT LIST_RECEIPT LIST_EXPORT
	    LIST_PAGE } },
};
static const struct pg_query expense_count_q[2][2] = {
	{ { "expense_count", "SELECT count(*) " LIST_FROM LIST_NO_RECEIPT
	    LIST_NO_EXPORT },
	  { "expense_count_e", "SELECT count(*) " LIST_FROM LIST_NO_RECEIPT
	    LIST_EXPORT } },
	{ { "expense_count_r", "SELECT count(*) " LIST_FROM LIST_RECEIPT
	    LIST_NO_EXPORT },
	  { "expense_count_re", "SELECT count(*) " LIST_FROM LIST_RECEIPT
	    LIST_EXPORT } },
};

static void
expense_filter_params(struct pg_params *par, const struct expense_query *q)
{
	pg_params_init(par);
	pg_param_int64(par, q->client_id);
	pg_param_text(par, q->receipt_status);
	pg_param_text(par, q->export_status);
}

int
pg_expense_list(struct store *st, const struct expense_query *q,
    int (*fn)(const struct expense *, void *), void *arg)
{
	struct pg_params	 par;
	struct expense		 e;
	PGresult		*r;
	int			 i, rc;

	expense_filter_params(&par, q);
	pg_param_int64(&par, q->after_id);
	pg_param_int64(&par, q->limit);
	rc = pg_run(st, &expense_list_q[q->receipt_status != NULL]
	    [q->export_status != NULL], &par, "expense list", &r);
	if (rc != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && rc == STORE_OK; i++) {
		if ((rc = expense_from_row(r, i, &e)) == STORE_OK &&
		    fn(&e, arg) == -1)
			rc = STORE_ERROR;
	}
	PQclear(r);
	return rc;
}

int
pg_expense_count(struct store *st, const struct expense_query *q,
    int64_t *total)
{
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	expense_filter_params(&par, q);
	rc = pg_run(st, &expense_count_q[q->receipt_status != NULL]
	    [q->export_status != NULL], &par, "expense count", &r);
	if (rc != STORE_OK)
		return rc;
	*total = pg_get_int64(r, 0, 0);
	PQclear(r);
	return rc;
}

/* A row of client_months as the two queries below select it. */
static int
expense_month_from_row(PGresult *r, int i, struct expense_month *m)
{
	memset(m, 0, sizeof(*m));
	m->month = (int)pg_get_int64(r, i, 0);
	if (pg_get_text(r, i, 1, m->currency, sizeof(m->currency)) == -1) {
		log_warnx("client month %d: malformed currency", m->month);
		return STORE_ERROR;
	}
	m->pending = pg_get_int64(r, i, 2);
	m->pending_minor = pg_get_int64(r, i, 3);
	m->ready = pg_get_int64(r, i, 4);
	m->ready_minor = pg_get_int64(r, i, 5);
	m->exported = pg_get_int64(r, i, 6);
	m->exported_minor = pg_get_int64(r, i, 7);
	m->missing_receipts = pg_get_int64(r, i, 8);
	m->client_id = pg_get_int64(r, i, 9);
	return STORE_OK;
}

/* Runs q and calls fn with each of its rows. */
static int
expense_months_run(struct store *st, const struct pg_query *q,
    struct pg_params *par, int (*fn)(const struct expense_month *, void *),
    void *arg)
{
	struct expense_month	 m;
	PGresult		*r;
	int			 i, rc;

	if ((rc = pg_run(st, q, par, "client months", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && rc == STORE_OK; i++)
		if ((rc = expense_month_from_row(r, i, &m)) == STORE_OK &&
		    fn(&m, arg) == -1)
			rc = STORE_ERROR;
	PQclear(r);
	return rc;
}

int
pg_expense_months(struct store *st, int64_t client_id, int from, int to,
    int (*fn)(const struct expense_month *, void *), void *arg)
{
	static const struct pg_query q = { "client_months",
	    "SELECT month, currency, pending, pending_minor, ready, "
	    "ready_minor, exported, exported_minor, missing_receipts, "
	    "client_id FROM client_months WHERE client_id = $1 AND month "
	    "BETWEEN $2 AND $3 ORDER BY month DESC, currency COLLATE \"C\"" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, client_id);
	pg_param_int64(&par, from);
	pg_param_int64(&par, to);
	return expense_months_run(st, &q, &par, fn, arg);
}

/* The ids go in as one bigint[]: one prepared statement for any number. */
int
pg_expense_months_of(struct store *st, const int64_t *ids, size_t n,
    int month, int (*fn)(const struct expense_month *, void *), void *arg)
{
	static const struct pg_query q = { "client_months_of",
	    "SELECT month, currency, pending, pending_minor, ready, "
	    "ready_minor, exported, exported_minor, missing_receipts, "
	    "client_id FROM client_months WHERE client_id = ANY($1::bigint[]) "
	    "AND month = $2 ORDER BY client_id, currency COLLATE \"C\"" };
	struct pg_params	 par;
	struct buf		 list;
	size_t			 i;
	int			 rc = STORE_ERROR;

	buf_init(&list, EXPENSE_MONTHS_OF_MAX * 22 + 2);
	for (i = 0; i < n; i++)
		(void)buf_printf(&list, "%c%lld", i == 0 ? '{' : ',',
		    (long long)ids[i]);
	if (buf_addc(&list, '}') == -1) {
		log_warnx("client months: cannot write the ids");
		goto out;
	}
	pg_params_init(&par);
	pg_param_text(&par, list.data);
	pg_param_int64(&par, month);
	rc = expense_months_run(st, &q, &par, fn, arg);
out:
	buf_cleanup(&list);
	return rc;
}
