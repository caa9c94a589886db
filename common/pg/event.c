/*
 * The PostgreSQL backend's queries on the feed of events (store_event.h).
 */
#include "../store_event.h"
#include "pg.h"

int
pg_event_list(struct store *st, int64_t partner_id, int64_t after_seq,
    int limit, int (*fn)(const struct event *, void *), void *arg)
{
	static const struct pg_query q = { "event_list",
	    "SELECT id, seq, type, coalesce(client_id, 0), data, created_at "
	    "FROM events WHERE partner_id = $1 AND seq > $2 "
	    "ORDER BY seq LIMIT $3" };
	struct pg_params	 par;
	struct event		 ev;
	PGresult		*r;
	int			 i, rc;

	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	pg_param_int64(&par, after_seq);
	pg_param_int64(&par, limit);
	if ((rc = pg_run(st, &q, &par, "event list", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && rc == STORE_OK; i++) {
		ev.id = pg_get_int64(r, i, 0);
		ev.seq = pg_get_int64(r, i, 1);
		ev.type = PQgetvalue(r, i, 2);
		ev.client_id = pg_get_int64(r, i, 3);
		ev.data = PQgetvalue(r, i, 4);
		ev.created_at = pg_get_int64(r, i, 5);
		if (fn(&ev, arg) == -1)
			rc = STORE_ERROR;
	}
	PQclear(r);
	return rc;
}
