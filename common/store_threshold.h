/*
 * The thresholds that raise a client's alerts (common/alert.h): a
 * firm's defaults and a client's own, and the worker's sweep of the
 * alerts that time raises. The alerts themselves follow in the
 * statement that changes what they depend on (schema.sql, version 21).
 */
#ifndef COMMON_STORE_THRESHOLD_H
#define COMMON_STORE_THRESHOLD_H

#include <stdint.h>

#include "store.h"

/* A value of -1 below: no threshold (a firm's) or the firm's (a client's). */
#define THRESHOLD_NONE		(-1)
#define THRESHOLD_LINES_MAX	20		/* currencies of a firm */
#define THRESHOLD_COUNT_MAX	1000000		/* missing receipts */
#define THRESHOLD_DAYS_MAX	3650
#define THRESHOLD_AMOUNT_MAX	1000000000000000LL	/* minor units */

/* A low-balance line: below amount_minor of currency is low. */
struct threshold_line {
	char	 currency[4];
	int64_t	 amount_minor;
};

struct firm_thresholds {
	int64_t			 missing_receipts_above;
	int64_t			 missing_receipt_days;
	struct threshold_line	 balance_below[THRESHOLD_LINES_MAX];
	int			 n_balance_below;	/* by currency */
};

struct client_thresholds {
	/* amount_minor THRESHOLD_NONE: the firm's line. */
	struct threshold_line	 balance_below;
	int64_t			 missing_receipts_above;
	int64_t			 missing_receipt_days;
};

int	store_firm_thresholds_get(struct store *, int64_t partner_id,
	    struct firm_thresholds *out);
/*
 * Replaces the firm's defaults and works every client's alerts out
 * again. Call it inside store_begin(). STORE_OK or STORE_ERROR.
 */
int	store_firm_thresholds_set(struct store *, int64_t partner_id,
	    const struct firm_thresholds *);
/* Client id's own thresholds. STORE_OK, STORE_NOTFOUND or STORE_ERROR. */
int	store_client_thresholds_get(struct store *, int64_t client_id,
	    struct client_thresholds *out);
/*
 * Replaces client id's own thresholds; its alerts follow in the same
 * statement. STORE_OK, STORE_NOTFOUND or STORE_ERROR.
 */
int	store_client_thresholds_set(struct store *, int64_t client_id,
	    const struct client_thresholds *);
/*
 * Raises old_missing_receipts on up to max clients whose oldest missing
 * receipt has become too old, in a transaction of its own; *n says how
 * many (max: call again). The time is the database's, as the triggers'
 * that work the alerts out on a write: a worker's clock moved for a
 * test (store_now_set()) moves its schedule, not the alerts.
 */
int	store_alerts_due(struct store *, int max, int *n);

#endif
