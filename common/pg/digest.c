/*
 * The PostgreSQL backend's queries behind the digest job.
 */
#include <string.h>

#include "../log.h"
#include "../store_digest.h"
#include "pg.h"

int
pg_digest_due_users(struct store *st, int64_t partner_id,
    const char *frequency, int64_t slot_at, const char *period,
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
	    "AND d.frequency = $2 AND d.period = $4) ORDER BY u.id" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	pg_param_text(&par, frequency);
	pg_param_int64(&par, slot_at);
	pg_param_text(&par, period);
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
	    "c.missing_receipts, c.export_ready "
	    "FROM notification_preferences p "
	    "JOIN users u ON u.id = p.user_id "
	    "JOIN clients c ON c.id = p.client_id "
	    "WHERE p.user_id = $1 AND p.frequency = $2 AND p.email "
	    "AND p.starts_at <= $3 AND u.active "
	    "AND c.partner_id = u.partner_id AND c.status = 'active' "
	    "AND (u.role = 'admin' OR EXISTS (SELECT 1 FROM assignments a "
	    "WHERE a.client_id = c.id AND a.user_id = u.id)) "
	    "ORDER BY c.sort_key, c.id" };
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
