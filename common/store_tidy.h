/*
 * Housekeeping queries: deleting rows that have served their time, a
 * short batch per transaction, and the sizes of the tables that grow.
 */
#ifndef COMMON_STORE_TIDY_H
#define COMMON_STORE_TIDY_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/*
 * Each deletes up to max rows expired at now in one write transaction,
 * so that the API's writers wait for one batch at most; *deleted counts
 * them, and fewer than max means none is left. STORE_OK or STORE_ERROR.
 */
/* Idempotency keys older than IDEMPOTENCY_TTL: they replay nothing. */
int	store_tidy_idempotency(struct store *, int64_t now, int max,
	    int *deleted);
/* Login attempts whose window has ended: they lock nothing. */
int	store_tidy_logins(struct store *, int64_t now, int max, int *deleted);

struct table_rows {
	const char	*table;		/* a static string */
	int64_t		 rows;
};

/* How many tables store_tidy_count() reports. */
#define STORE_TIDY_TABLES	7

/*
 * The row counts of the tables that grow with use (not with the firms'
 * books), read in one statement: out[STORE_TIDY_TABLES].
 */
int	store_tidy_count(struct store *, struct table_rows *out);

#endif
