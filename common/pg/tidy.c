/*
 * PostgreSQL housekeeping: expiry of idempotency keys and login attempts
 * in bounded batches, and the row counts that /metrics reports.
 */
#include "../store_idempotency.h"
#include "../store_tidy.h"
#include "pg.h"

/* Runs one bounded DELETE of rows expired before "before", alone. */
static int
tidy_delete(struct store *st, const struct pg_query *q, const char *what,
    int64_t before, int max, int *deleted)
{
	struct pg_params	 par;
	PGresult		*r;
	int			 n;

	*deleted = 0;
	if (store_begin(st) == -1)
		return STORE_ERROR;
	pg_params_init(&par);
	pg_param_int64(&par, before);
	pg_param_int64(&par, max);
	if (pg_run(st, q, &par, what, &r) != STORE_OK) {
		store_rollback(st);
		return STORE_ERROR;
	}
	n = (int)pg_changes(r);
	PQclear(r);
	if (store_commit(st) == -1)
		return STORE_ERROR;
	*deleted = n;
	return STORE_OK;
}

int
pg_tidy_idempotency(struct store *st, int64_t now, int max, int *deleted)
{
	/*
	 * A batch found on the index on created_at, without reading the
	 * live keys; SKIP LOCKED passes a key whose request is still being
	 * answered. A key is live while created_at > now - IDEMPOTENCY_TTL
	 * (pg_idempotency_find).
	 */
	static const struct pg_query q = { "tidy_idempotency",
	    "DELETE FROM idempotency_keys WHERE (user_id, key) IN "
	    "(SELECT user_id, key FROM idempotency_keys "
	    "WHERE created_at <= $1 ORDER BY created_at LIMIT $2 "
	    "FOR UPDATE SKIP LOCKED)" };

	return tidy_delete(st, &q, "idempotency expiry",
	    now - IDEMPOTENCY_TTL, max, deleted);
}

int
pg_tidy_events(struct store *st, int64_t now, int max, int *deleted)
{
	static const struct pg_query q = { "tidy_events",
	    "DELETE FROM events WHERE id IN (SELECT id FROM events "
	    "WHERE created_at <= $1 ORDER BY created_at LIMIT $2 "
	    "FOR UPDATE SKIP LOCKED)" };

	return tidy_delete(st, &q, "events expiry", now - EVENT_KEEP, max,
	    deleted);
}

int
pg_tidy_logins(struct store *st, int64_t now, int max, int *deleted)
{
	/* A row counts while window_end > now (pg_login_claim). */
	static const struct pg_query q = { "tidy_logins",
	    "DELETE FROM login_attempts WHERE (email, source) IN "
	    "(SELECT email, source FROM login_attempts "
	    "WHERE window_end <= $1 ORDER BY window_end LIMIT $2 "
	    "FOR UPDATE SKIP LOCKED)" };

	return tidy_delete(st, &q, "login attempts expiry", now, max,
	    deleted);
}

int
pg_tidy_count(struct store *st, struct table_rows *out)
{
	/* In the order of the columns below. */
	static const char *const tables[STORE_TIDY_TABLES] = {
		"idempotency_keys", "login_attempts", "outbox", "digests",
		"reminders", "reminder_recipients", "audit_events",
	};
	/*
	 * Exact counts, as on SQLite; each reads its table (or an index
	 * the visibility map lets it trust), which a scrape every few
	 * seconds of a large database may feel.
	 */
	static const struct pg_query q = { "tidy_count",
	    "SELECT (SELECT count(*) FROM idempotency_keys), "
	    "(SELECT count(*) FROM login_attempts), "
	    "(SELECT count(*) FROM outbox), "
	    "(SELECT count(*) FROM digests), "
	    "(SELECT count(*) FROM reminders), "
	    "(SELECT count(*) FROM reminder_recipients), "
	    "(SELECT count(*) FROM audit_events)" };
	PGresult	*r;
	int		 i;

	if (pg_run(st, &q, NULL, "table rows", &r) != STORE_OK)
		return STORE_ERROR;
	for (i = 0; i < STORE_TIDY_TABLES; i++) {
		out[i].table = tables[i];
		out[i].rows = pg_get_int64(r, 0, i);
	}
	PQclear(r);
	return STORE_OK;
}
