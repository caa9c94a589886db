/*
 * Housekeeping: expiry batches and table sizes, through the backend.
 * The backends are common/<backend>/tidy.c.
 */
#include "store_backend.h"

int
store_tidy_idempotency(struct store *st, int64_t now, int max, int *deleted)
{
	return st->be->tidy_idempotency(st, now, max, deleted);
}

int
store_tidy_logins(struct store *st, int64_t now, int max, int *deleted)
{
	return st->be->tidy_logins(st, now, max, deleted);
}

int
store_tidy_count(struct store *st, struct table_rows *out)
{
	return st->be->tidy_count(st, out);
}
