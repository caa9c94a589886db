/*
 * Expenses: the states an expense can be in, and the calls on
 * expenses, through the backend.
 * The backends are common/<backend>/expense.c.
 */
#include "store_backend.h"

/* The CHECK constraints of expenses in schema.sql name the same. */
const char *const expense_receipt_statuses[] = {
	"missing", "attached", "not_required", NULL
};
const char *const expense_export_statuses[] = {
	"pending", "ready", "exported", NULL
};

int
store_expense_upsert(struct store *st, int64_t client_id,
    const struct expense_fields *f, struct expense *out, int *created)
{
	return st->be->expense_upsert(st, client_id, f, out, created);
}

int
store_expense_upsert_batch(struct store *st, int64_t client_id,
    const struct expense_fields *f, int n,
    int (*fn)(const struct expense *, int, void *), void *arg)
{
	if (n <= 0)
		return STORE_OK;
	return st->be->expense_upsert_batch(st, client_id, f, n, fn, arg);
}

int
store_expense_get(struct store *st, int64_t client_id, int64_t id,
    struct expense *out)
{
	return st->be->expense_get(st, client_id, id, out);
}

int
store_expense_set_status(struct store *st, int64_t client_id, int64_t id,
    const char *receipt_status, const char *export_status, struct expense *out)
{
	return st->be->expense_set_status(st, client_id, id, receipt_status,
	    export_status, out);
}

int
store_expense_delete(struct store *st, int64_t client_id, int64_t id,
    const char *external_id, struct expense *out)
{
	return st->be->expense_delete(st, client_id, id, external_id, out);
}

int
store_expense_list(struct store *st, const struct expense_query *q,
    int (*fn)(const struct expense *, void *), void *arg)
{
	return st->be->expense_list(st, q, fn, arg);
}

int
store_expense_months(struct store *st, int64_t client_id, int from, int to,
    int (*fn)(const struct expense_month *, void *), void *arg)
{
	return st->be->expense_months(st, client_id, from, to, fn, arg);
}

int
store_expense_months_of(struct store *st, const int64_t *ids, size_t n,
    int month, int (*fn)(const struct expense_month *, void *), void *arg)
{
	if (n > EXPENSE_MONTHS_OF_MAX)
		return STORE_ERROR;
	if (n == 0)
		return STORE_OK;
	return st->be->expense_months_of(st, ids, n, month, fn, arg);
}

int
store_expense_count(struct store *st, const struct expense_query *q,
    int64_t *total)
{
	return st->be->expense_count(st, q, total);
}
