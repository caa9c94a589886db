/*
 * The alerts that time raises, in batches of their own transactions,
 * before the digests read them. The store raises old_missing_receipts
 * on each client whose oldest missing receipt has become too old, by
 * the database's clock (store_alerts_due()).
 */
#include "../common/log.h"
#include "../common/store_threshold.h"
#include "alerts.h"

/* Clients a transaction: a few milliseconds of writing. */
#define ALERTS_BATCH		500
/* Batches a pass: a backlog is worked off over passes. */
#define ALERTS_BATCHES_MAX	20

int
alerts_run(struct job *j, int *raised)
{
	int	 n, i;

	*raised = 0;
	for (i = 0; i < ALERTS_BATCHES_MAX && !job_stopping(j); i++) {
		if (store_alerts_due(j->store, ALERTS_BATCH, &n) !=
		    STORE_OK)
			return -1;
		*raised += n;
		if (n < ALERTS_BATCH)
			break;
	}
	if (*raised > 0)
		log_info("alerts: %d clients' missing receipts grew too old",
		    *raised);
	return 0;
}
