/*
 * Expenses of a client, pushed by the spend platform: upserted by the
 * caller's external id, their receipt and export states, and a keyset
 * list. The triggers in schema.sql keep the client's counters in step.
 */
#ifndef COMMON_STORE_EXPENSE_H
#define COMMON_STORE_EXPENSE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define EXPENSE_EXTERNAL_ID_MAX	100		/* code points */
#define EXPENSE_MERCHANT_MAX	200		/* code points */
#define EXPENSE_AMOUNT_MAX	1000000000000000LL	/* |amount_minor| */
#define EXPENSE_BATCH_MAX	1000
#define EXPENSE_LIST_MAX	200

struct expense {
	int64_t	 id;
	int64_t	 client_id;
	char	 external_id[EXPENSE_EXTERNAL_ID_MAX * 4 + 1];
	int64_t	 amount_minor;
	char	 currency[4];
	int64_t	 spent_at;
	char	 merchant[EXPENSE_MERCHANT_MAX * 4 + 1];
	char	 receipt_status[16];
	char	 export_status[16];
	int64_t	 created_at;
	int64_t	 updated_at;
};

/*
 * What a caller writes, already validated. The strings stay the caller's
 * and need to live only during the call.
 */
struct expense_fields {
	/* Set: a batch's item that deletes external_id; no other field. */
	int		 deleted;
	const char	*external_id;
	int64_t		 amount_minor;
	const char	*currency;
	int64_t		 spent_at;
	/* spent_at's month in the firm's zone: tz_month(). */
	int		 month;
	const char	*merchant;
	const char	*receipt_status;
	const char	*export_status;
};

/* The states, NULL-terminated (for json_field.enum_values). */
extern const char *const	expense_receipt_statuses[];
extern const char *const	expense_export_statuses[];

/*
 * Inserts the expense, or updates the client's expense with the same
 * external_id. Two statements: call it inside store_begin(). Fills out
 * with the row as written and *created with 1 for an insert, 0 for an
 * update. STORE_OK or STORE_ERROR.
 */
int	store_expense_upsert(struct store *, int64_t client_id,
	    const struct expense_fields *, struct expense *out, int *created);

/*
 * Upserts the n expenses of f (n up to EXPENSE_BATCH_MAX, their
 * external ids all different) as n calls of store_expense_upsert() in
 * order would, in as few statements as the backend can: the same rows,
 * ids and created flags. Calls fn with each row as written, in the order
 * of f, and created 1 for an insert, 0 for an update; stops at fn's -1
 * (STORE_ERROR). The expense is valid during the call only. Call it
 * inside store_begin(). STORE_OK or STORE_ERROR.
 */
int	store_expense_upsert_batch(struct store *, int64_t client_id,
	    const struct expense_fields *f, int n,
	    int (*fn)(const struct expense *, int created, void *), void *arg);

/* Expense id of client_id. STORE_OK, STORE_NOTFOUND or STORE_ERROR. */
int	store_expense_get(struct store *, int64_t client_id, int64_t id,
	    struct expense *out);

/*
 * Sets either state or both (NULL leaves one as it is) of expense id of
 * client_id, and fills out with the row as it now is. STORE_OK,
 * STORE_NOTFOUND or STORE_ERROR.
 */
int	store_expense_set_status(struct store *, int64_t client_id,
	    int64_t id, const char *receipt_status, const char *export_status,
	    struct expense *out);

/*
 * Deletes expense id of client_id, or, when external_id is not NULL, the
 * client's expense with that external id; the client's counters move in
 * the same statement. Fills out with the row as it was. STORE_OK,
 * STORE_NOTFOUND or STORE_ERROR.
 */
int	store_expense_delete(struct store *, int64_t client_id, int64_t id,
	    const char *external_id, struct expense *out);

struct expense_query {
	int64_t		 client_id;
	const char	*receipt_status;	/* NULL: any */
	const char	*export_status;		/* NULL: any */
	int64_t		 after_id;		/* 0: the first page */
	int		 limit;
};

/*
 * Calls fn for up to q->limit expenses of the client by id, after
 * q->after_id; stops at fn's -1 (STORE_ERROR). The expense is valid
 * during the call only.
 */
int	store_expense_list(struct store *, const struct expense_query *,
	    int (*fn)(const struct expense *, void *), void *arg);
/* How many expenses match q over all pages (after_id and limit unused). */
int	store_expense_count(struct store *, const struct expense_query *,
	    int64_t *total);

/*
 * A client's expenses of one month (in the firm's zone) and currency:
 * how many are in each export state and their sum, and how many lack a
 * receipt. Kept by triggers in the statement that writes an expense.
 */
struct expense_month {
	int64_t	 client_id;
	int	 month;			/* year * 100 + month */
	char	 currency[4];
	int64_t	 pending, pending_minor;
	int64_t	 ready, ready_minor;
	int64_t	 exported, exported_minor;
	int64_t	 missing_receipts;
};

/*
 * Calls fn for each month from..to (year * 100 + month, both included)
 * in which the client has expenses, newest first, a call per currency
 * by currency code; stops at fn's -1 (STORE_ERROR). A month whose
 * expenses all went has a row of zeros or none.
 */
int	store_expense_months(struct store *, int64_t client_id, int from,
	    int to, int (*fn)(const struct expense_month *, void *),
	    void *arg);
/* Clients store_expense_months_of() takes at once: a list page's. */
#define EXPENSE_MONTHS_OF_MAX	1000

/*
 * One month's rows of the n clients of ids (n up to
 * EXPENSE_MONTHS_OF_MAX, ids that are no client, or another firm's,
 * have none), in one query: calls fn for each, by client id, then by
 * currency code; stops at fn's -1 (STORE_ERROR). For a page of a list,
 * whose clients the caller was shown: it checks no access.
 */
int	store_expense_months_of(struct store *, const int64_t *ids, size_t n,
	    int month, int (*fn)(const struct expense_month *, void *),
	    void *arg);

#endif
