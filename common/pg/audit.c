/*
 * The PostgreSQL backend's queries on the audit trail.
 */
#include "../store_audit.h"
#include "pg.h"

int
pg_audit_add(struct store *st, int64_t partner_id, int64_t user_id,
    int64_t client_id, const char *action, const char *remote_addr)
{
	static const struct pg_query q = { "audit_add",
	    "INSERT INTO audit_events (partner_id, user_id, client_id, "
	    "action, remote_addr, created_at) "
	    "VALUES ($1, $2, nullif($3::bigint, 0), $4, $5, $6)" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	pg_param_int64(&par, user_id);
	pg_param_int64(&par, client_id);
	pg_param_text(&par, action);
	pg_param_text(&par, remote_addr);
	pg_param_int64(&par, store_now());
	return pg_run(st, &q, &par, "audit insert", NULL);
}

#define AUDIT_SELECT \
	"SELECT e.id, e.user_id, u.name, coalesce(e.client_id, 0), " \
	"e.action, e.remote_addr, e.created_at " \
	"FROM audit_events e JOIN users u ON u.id = e.user_id "

/*
 * A firm's log, or one client's: two statements, each on its index
 * (schema.sql), rather than one whose generic plan could use neither.
 */
int
pg_audit_list(struct store *st, int64_t partner_id, int64_t client_id,
    int64_t before_id, int limit,
    int (*fn)(const struct audit_event *, void *), void *arg)
{
	static const struct pg_query firm = { "audit_list_firm",
	    AUDIT_SELECT "WHERE e.partner_id = $1 AND e.id < $2 "
	    "ORDER BY e.id DESC LIMIT $3" };
	static const struct pg_query client = { "audit_list_client",
	    AUDIT_SELECT "WHERE e.partner_id = $1 AND e.client_id = $4 "
	    "AND e.id < $2 ORDER BY e.id DESC LIMIT $3" };
	struct pg_params	 par;
	struct audit_event	 ev;
	PGresult		*r;
	int			 i, rc;

	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	pg_param_int64(&par, before_id > 0 ? before_id : INT64_MAX);
	pg_param_int64(&par, limit);
	if (client_id != 0)
		pg_param_int64(&par, client_id);
	if ((rc = pg_run(st, client_id != 0 ? &client : &firm, &par,
	    "audit list", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r); i++) {
		ev.id = pg_get_int64(r, i, 0);
		ev.user_id = pg_get_int64(r, i, 1);
		ev.user_name = PQgetvalue(r, i, 2);
		ev.client_id = pg_get_int64(r, i, 3);
		ev.action = PQgetvalue(r, i, 4);
		ev.remote_addr = PQgetvalue(r, i, 5);
		ev.created_at = pg_get_int64(r, i, 6);
		if (fn(&ev, arg) == -1) {
			rc = STORE_ERROR;
			break;
		}
	}
	PQclear(r);
	return rc;
}
