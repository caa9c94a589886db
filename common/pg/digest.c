/*
 * The PostgreSQL backend's queries behind the digest job.
 */
#include <string.h>

#include "../clock.h"
#include "../log.h"
#include "../store_digest.h"
#include "pg.h"

/*
 * The advisory lock space of digest passes (the schema's key plus five):
 * a session lock on a connection of the pool set aside for the pass, as
 * the pass is many transactions.
 */
#define DIGEST_PASS_LOCK	"7370621"

int
pg_digest_pass_begin(struct store *st, int64_t partner_id)
{
	static const struct pg_query q = { "digest_pass_lock",
	    "SELECT pg_try_advisory_lock(" DIGEST_PASS_LOCK ", "
	    "($1 % 2147483647)::int)" };
	struct pg_store		*pg = (struct pg_store *)st;
	struct pg_params	 par;
	struct pg_step		 step = { &q, &par, "digest pass", 0, NULL };
	struct timespec		 until;
	int			 begun, rc;

	pg_digest_pass_end(st);
	/*
	 * The pass's own writes need a second connection: with a pool of
	 * one, no lock, and the digests' unique rows alone keep workers
	 * from writing one twice.
	 */
	if (pg_pool_max() < 2)
		return STORE_OK;
	clock_after(&until, pg_pool_timeout_ms());
	if ((pg->pass = pg_pool_take(pg->pool, &until)) == NULL) {
		st->busy = 1;
		return STORE_ERROR;
	}
	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	rc = pg_pipeline(st, pg->pass, NULL, &step, 1, &until, &begun);
	if (rc == STORE_OK && !pg_get_bool(step.res, 0, 0))
		rc = STORE_CONFLICT;
	PQclear(step.res);
	if (rc != STORE_OK) {
		pg_pool_give(pg->pool, pg->pass);
		pg->pass = NULL;
	}
	return rc;
}

void
pg_digest_pass_end(struct store *st)
{
	static const struct pg_query q = { "digest_pass_unlock",
	    "SELECT pg_advisory_unlock_all()" };
	struct pg_store		*pg = (struct pg_store *)st;
	struct pg_step		 step = { &q, NULL, "digest pass end", 0, NULL };
	struct timespec		 until;
	int			 begun;

	if (pg->pass == NULL)
		return;
	clock_after(&until, pg_pool_timeout_ms());
	if (pg_pipeline(st, pg->pass, NULL, &step, 1, &until, &begun) ==
	    STORE_OK)
		pg_pool_give(pg->pool, pg->pass);
	else
		pg_pool_discard(pg->pool, pg->pass);	/* and its lock */
	PQclear(step.res);
	pg->pass = NULL;
}

int
pg_digest_due_users(struct store *st, int64_t partner_id,
    const char *frequency, int64_t slot_at, const char *period,
    int64_t after_id, int limit,
    int (*fn)(const struct user *, void *), void *arg)
{
	static const struct pg_query q = { "digest_due_users",
	    "SELECT " PG_USER_ROW " FROM users u "
	    "WHERE u.partner_id = $1 AND u.active "
	    "AND u.role IN ('admin', 'bookkeeper') "
	    "AND EXISTS (SELECT 1 FROM notification_preferences p "
	    "WHERE p.user_id = u.id AND p.frequency = $2 AND p.email "
	    "AND p.starts_at <= $3) "
	    "AND NOT EXISTS (SELECT 1 FROM digests d WHERE d.user_id = u.id "
	    "AND d.frequency = $2 AND d.period = $4) "
	    "AND u.id > $5 ORDER BY u.id LIMIT $6" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	pg_param_text(&par, frequency);
	pg_param_int64(&par, slot_at);
	pg_param_text(&par, period);
	pg_param_int64(&par, after_id);
	pg_param_int64(&par, limit);
	return pg_user_each(st, &q, &par, "digest users", fn, arg);
}

int
pg_digest_items(struct store *st, int64_t user_id, const char *frequency,
    int64_t slot_at, int (*fn)(const struct digest_item *, void *),
    void *arg)
{
	/*
	 * The same visibility as the API: admins all, bookkeepers
	 * assigned; by the firm's sort key, as the Clients list.
	 */
	static const struct pg_query q = { "digest_items",
	    "SELECT c.id, c.name, c.balance_minor, c.currency, "
	    "c.missing_receipts, c.export_ready, c.alerts, p.alerts_seen, "
	    "p.alerts_only::integer "
	    "FROM notification_preferences p "
	    "JOIN users u ON u.id = p.user_id "
	    "JOIN clients c ON c.id = p.client_id "
	    "WHERE p.user_id = $1 AND p.frequency = $2 AND p.email "
	    "AND p.starts_at <= $3 AND u.active "
	    "AND c.partner_id = u.partner_id AND c.status = 'active' "
	    "AND (u.role = 'admin' OR EXISTS (SELECT 1 FROM assignments a "
	    "WHERE a.client_id = c.id AND a.user_id = u.id)) "
	    "ORDER BY c.attention, c.sort_key, c.id" };
	struct pg_params	 par;
	struct digest_item	 it;
	PGresult		*r;
	int			 i, rc;

	pg_params_init(&par);
	pg_param_int64(&par, user_id);
	pg_param_text(&par, frequency);
	pg_param_int64(&par, slot_at);
	if ((rc = pg_run(st, &q, &par, "digest items", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && rc == STORE_OK; i++) {
		it.client_id = pg_get_int64(r, i, 0);
		it.name = PQgetvalue(r, i, 1);
		it.balance_minor = pg_get_int64(r, i, 2);
		it.currency = PQgetvalue(r, i, 3);
		it.missing_receipts = pg_get_int64(r, i, 4);
		it.export_ready = pg_get_int64(r, i, 5);
		it.alerts = (unsigned)pg_get_int64(r, i, 6);
		it.alerts_seen = (unsigned)pg_get_int64(r, i, 7);
		it.alerts_only = (int)pg_get_int64(r, i, 8);
		if (fn(&it, arg) == -1)
			rc = STORE_ERROR;
	}
	PQclear(r);
	return rc;
}

/*
 * The unique (user, frequency, period) decides between runs: nothing
 * inserted is STORE_CONFLICT, and DO NOTHING rather than a unique
 * violation leaves the caller's transaction usable for its rollback.
 */
int
pg_digest_record(struct store *st, int64_t user_id, const char *frequency,
    const char *period, int64_t slot_at, int clients, int64_t outbox_id)
{
	static const struct pg_query q = { "digest_record",
	    "INSERT INTO digests (user_id, frequency, period, slot_at, status, "
	    "clients, outbox_id, created_at) "
	    "VALUES ($1, $2, $3, $4, CASE WHEN $6::bigint = 0 "
	    "THEN 'skipped' ELSE 'queued' END, $5, nullif($6, 0), $7) "
	    "ON CONFLICT (user_id, frequency, period) DO NOTHING" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, user_id);
	pg_param_text(&par, frequency);
	pg_param_text(&par, period);
	pg_param_int64(&par, slot_at);
	pg_param_int64(&par, clients);
	pg_param_int64(&par, outbox_id);
	pg_param_int64(&par, store_now());
	if ((rc = pg_run(st, &q, &par, "digest record", &r)) != STORE_OK)
		return rc;
	if (pg_changes(r) == 0)
		rc = STORE_CONFLICT;
	PQclear(r);
	return rc;
}

int
pg_digest_seen(struct store *st, int64_t user_id, int64_t client_id,
    unsigned alerts)
{
	static const struct pg_query q = { "digest_seen",
	    "UPDATE notification_preferences SET alerts_seen = $3 "
	    "WHERE user_id = $1 AND client_id = $2" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, user_id);
	pg_param_int64(&par, client_id);
	pg_param_int64(&par, alerts);
	return pg_run(st, &q, &par, "digest seen", NULL);
}
