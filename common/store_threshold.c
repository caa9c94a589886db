/*
 * Thresholds and the alerts' sweep above the backends
 * (store_threshold.h). The backends are common/<backend>/threshold.c.
 */
#include "store_backend.h"

int
store_firm_thresholds_get(struct store *st, int64_t partner_id,
    struct firm_thresholds *out)
{
	return st->be->firm_thresholds_get(st, partner_id, out);
}

int
store_firm_thresholds_set(struct store *st, int64_t partner_id,
    const struct firm_thresholds *t)
{
	return st->be->firm_thresholds_set(st, partner_id, t);
}

int
store_client_thresholds_get(struct store *st, int64_t client_id,
    struct client_thresholds *out)
{
	return st->be->client_thresholds_get(st, client_id, out);
}

int
store_client_thresholds_set(struct store *st, int64_t client_id,
    const struct client_thresholds *t)
{
	return st->be->client_thresholds_set(st, client_id, t);
}

int
store_alerts_due(struct store *st, int max, int *n)
{
	int	 rc;

	*n = 0;
	if (store_begin(st) == -1)
		return STORE_ERROR;
	if ((rc = st->be->alerts_due(st, max, n)) != STORE_OK) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st) == -1 ? STORE_ERROR : STORE_OK;
}
