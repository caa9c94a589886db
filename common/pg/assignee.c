/*
 * The PostgreSQL backend's queries on assignments. The triggers in
 * schema.sql copy the client's sort columns into each assignment and
 * keep the counters and each client's list of assignee names in step;
 * whoever deletes a client's assignments locks the client's row first,
 * in the order the triggers take their locks.
 */
#include "../log.h"
#include "../store_assignee.h"
#include "pg.h"

/* Also a step of pg_reminder_context()'s round trip. */
const struct pg_query pg_assignee_list_q = { "assignee_list",
    "SELECT " PG_USER_ROW " FROM assignments a "
    "JOIN users u ON u.id = a.user_id "
    "WHERE a.client_id = $1 ORDER BY u.name, u.id" };

int
pg_assignee_list(struct store *st, int64_t client_id,
    int (*fn)(const struct user *, void *), void *arg)
{
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, client_id);
	return pg_user_each(st, &pg_assignee_list_q, &par, "assignee list", fn,
	    arg);
}

int
pg_assignee_check(struct store *st, int64_t partner_id, int64_t user_id)
{
	static const struct pg_query q = { "assignee_check",
	    "SELECT 1 FROM users WHERE id = $1 AND partner_id = $2 "
	    "AND active AND role IN ('admin', 'bookkeeper')" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, user_id);
	pg_param_int64(&par, partner_id);
	if ((rc = pg_run(st, &q, &par, "assignee check", &r)) != STORE_OK)
		return rc;
	if (PQntuples(r) == 0)
		rc = STORE_NOTFOUND;
	PQclear(r);
	return rc;
}

int
pg_assignee_add(struct store *st, int64_t client_id, int64_t user_id)
{
	/*
	 * From the client's row, so that a missing client adds nothing (as
	 * on SQLite) rather than failing the trigger that copies its
	 * columns.
	 */
	static const struct pg_query q = { "assignee_add",
	    "INSERT INTO assignments (client_id, user_id, created_at) "
	    "SELECT id, $2, $3 FROM clients WHERE id = $1 "
	    "ON CONFLICT DO NOTHING" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, client_id);
	pg_param_int64(&par, user_id);
	pg_param_int64(&par, store_now());
	return pg_run(st, &q, &par, "assignee add", NULL);
}

/* The client's row lock, taken before its assignments are deleted. */
static int
assignee_lock_client(struct store *st, int64_t client_id)
{
	static const struct pg_query q = { "assignee_lock_client",
	    "SELECT 1 FROM clients WHERE id = $1 FOR NO KEY UPDATE" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, client_id);
	return pg_run(st, &q, &par, "assignee lock", NULL);
}

int
pg_assignee_remove(struct store *st, int64_t client_id, int64_t user_id)
{
	static const struct pg_query q = { "assignee_remove",
	    "DELETE FROM assignments WHERE client_id = $1 AND user_id = $2" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	if ((rc = assignee_lock_client(st, client_id)) != STORE_OK)
		return rc;
	pg_params_init(&par);
	pg_param_int64(&par, client_id);
	pg_param_int64(&par, user_id);
	if ((rc = pg_run(st, &q, &par, "assignee remove", &r)) != STORE_OK)
		return rc;
	if (pg_changes(r) != 1)
		rc = STORE_NOTFOUND;
	PQclear(r);
	return rc;
}

int
pg_assignee_clear(struct store *st, int64_t client_id)
{
	static const struct pg_query q = { "assignee_clear",
	    "DELETE FROM assignments WHERE client_id = $1" };
	struct pg_params	 par;
	int			 rc;

	if ((rc = assignee_lock_client(st, client_id)) != STORE_OK)
		return rc;
	pg_params_init(&par);
	pg_param_int64(&par, client_id);
	return pg_run(st, &q, &par, "assignee clear", NULL);
}
