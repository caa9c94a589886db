/*
 * Webhooks above the backends (store_webhook.h). The worker's claim and
 * record are each one transaction of their own here, around the
 * backend's statements.
 */
#include <stdlib.h>
#include <string.h>

#include "store_backend.h"

void
webhook_job_cleanup(struct webhook_job *j)
{
	free(j->event_data);
	j->event_data = NULL;
	explicit_bzero(j->secret, sizeof(j->secret));
}

int
store_webhook_create(struct store *st, struct webhook_endpoint *e)
{
	e->created_at = e->updated_at = store_now();
	return st->be->webhook_create(st, e);
}

int
store_webhook_get(struct store *st, int64_t partner_id, int64_t id,
    struct webhook_endpoint *out)
{
	return st->be->webhook_get(st, partner_id, id, out);
}

int
store_webhook_list(struct store *st, int64_t partner_id,
    int (*fn)(const struct webhook_endpoint *, void *), void *arg)
{
	return st->be->webhook_list(st, partner_id, fn, arg);
}

int
store_webhook_delete(struct store *st, int64_t partner_id, int64_t id)
{
	return st->be->webhook_delete(st, partner_id, id);
}

int
store_webhook_set_secret(struct store *st, int64_t partner_id, int64_t id,
    const char *secret)
{
	return st->be->webhook_set_secret(st, partner_id, id, secret,
	    store_now());
}

int
store_webhook_set_enabled(struct store *st, int64_t partner_id, int64_t id,
    int enabled)
{
	return st->be->webhook_set_enabled(st, partner_id, id, enabled,
	    store_now());
}

int
store_webhook_attempts(struct store *st, int64_t partner_id,
    int64_t endpoint_id, int64_t before_id, int limit,
    int (*fn)(const struct webhook_attempt *, void *), void *arg)
{
	return st->be->webhook_attempts(st, partner_id, endpoint_id,
	    before_id, limit, fn, arg);
}

int
store_webhook_claim(struct store *st, int64_t now, int64_t lease,
    struct webhook_job *out)
{
	int	 rc;

	memset(out, 0, sizeof(*out));
	if (store_begin(st) == -1)
		return STORE_ERROR;
	rc = st->be->webhook_claim(st, now, lease, out);
	if (rc == STORE_ERROR || store_commit(st) == -1) {
		store_rollback(st);
		webhook_job_cleanup(out);
		return STORE_ERROR;
	}
	if (rc != STORE_OK)
		webhook_job_cleanup(out);
	return rc;
}

int
store_webhook_record(struct store *st, const struct webhook_job *job,
    const struct webhook_outcome *outcome)
{
	if (store_begin(st) == -1)
		return STORE_ERROR;
	if (st->be->webhook_record(st, job, outcome) != STORE_OK ||
	    store_commit(st) == -1) {
		store_rollback(st);
		return STORE_ERROR;
	}
	return STORE_OK;
}
