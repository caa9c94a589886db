/*
 * The PostgreSQL backend's queries on idempotency keys.
 */
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../store_idempotency.h"
#include "pg.h"

/* The first row of r into rep; the body bytea comes as text (hex). */
static int
idempotency_from_row(const PGresult *r, struct idempotent_reply *rep)
{
	unsigned char	*raw;
	size_t		 len = 0;

	rep->status = (int)pg_get_int64(r, 0, 1);
	if (pg_get_text(r, 0, 0, rep->request_hash,
	    sizeof(rep->request_hash)) ||
	    pg_get_text(r, 0, 2, rep->content_type,
	    sizeof(rep->content_type)) ||
	    pg_get_text(r, 0, 3, rep->location, sizeof(rep->location)) ||
	    pg_get_text(r, 0, 4, rep->body_digest, sizeof(rep->body_digest)))
		return STORE_ERROR;
	raw = PQgetisnull(r, 0, 5) ? NULL :
	    PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 5), &len);
	if (!PQgetisnull(r, 0, 5) && raw == NULL)
		return STORE_ERROR;
	if ((rep->body = malloc(len + 1)) == NULL) {
		PQfreemem(raw);
		return STORE_ERROR;
	}
	if (len > 0)
		memcpy(rep->body, raw, len);
	rep->body[len] = '\0';
	rep->body_len = len;
	PQfreemem(raw);
	return STORE_OK;
}

/*
 * The advisory lock space of keys (the schema's key plus four): held from
 * the look for a key's answer to the end of the transaction, which records
 * it. Two requests with one key, on any processes, go one after the
 * other; the second finds the first's answer and replays it rather than
 * doing the work twice.
 */
#define IDEMPOTENCY_LOCK	"7370620"

int
pg_idempotency_find(struct store *st, int64_t user_id, const char *key,
    struct idempotent_reply *rep)
{
	static const struct pg_query lock = { "idempotency_lock",
	    "SELECT pg_advisory_xact_lock(" IDEMPOTENCY_LOCK ", "
	    "hashtext($1::bigint || ':' || $2))" };
	static const struct pg_query q = { "idempotency_find",
	    "SELECT request_hash, status, coalesce(content_type, ''), "
	    "coalesce(location, ''), coalesce(body_digest, ''), body "
	    "FROM idempotency_keys WHERE user_id = $1 AND key = $2 "
	    "AND created_at > $3 AND status IS NOT NULL" };
	struct pg_params	 lock_par, par;
	struct pg_step		 steps[2] = {
		{ &lock, &lock_par, "idempotency lock", 0, NULL },
		{ &q, &par, "idempotency find", 0, NULL },
	};
	int			 rc;

	memset(rep, 0, sizeof(*rep));
	pg_params_init(&lock_par);
	pg_param_int64(&lock_par, user_id);
	pg_param_text(&lock_par, key);
	pg_params_init(&par);
	pg_param_int64(&par, user_id);
	pg_param_text(&par, key);
	pg_param_int64(&par, store_now() - IDEMPOTENCY_TTL);
	/* Outside a write there is nothing to keep in turn: no lock. */
	if (!pg_writing(st))
		rc = pg_run_steps(st, &steps[1], 1);
	else
		rc = pg_run_steps(st, steps, 2);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(steps[1].res) == 0 ? STORE_NOTFOUND :
	    idempotency_from_row(steps[1].res, rep);
	PQclear(steps[0].res);
	PQclear(steps[1].res);
	return rc;
}

int
pg_idempotency_record(struct store *st, int64_t user_id, const char *key,
    const struct idempotent_reply *rep)
{
	static const struct pg_query q = { "idempotency_record",
	    "INSERT INTO idempotency_keys AS k (user_id, key, request_hash, "
	    "status, content_type, location, body, body_digest, created_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, ''), $9) "
	    "ON CONFLICT (user_id, key) DO UPDATE SET "
	    "request_hash = excluded.request_hash, status = excluded.status, "
	    "content_type = excluded.content_type, "
	    "location = excluded.location, body = excluded.body, "
	    "body_digest = excluded.body_digest, "
	    "created_at = excluded.created_at "
	    "WHERE k.created_at <= $9::bigint - $10::bigint "
	    "OR k.status IS NULL" };
	struct pg_params	 par;
	int			 kept = rep->body_digest[0] == '\0';

	pg_params_init(&par);
	pg_param_int64(&par, user_id);
	pg_param_text(&par, key);
	pg_param_text(&par, rep->request_hash);
	pg_param_int64(&par, rep->status);
	pg_param_text(&par, rep->content_type);
	pg_param_text(&par, rep->location);
	if (kept)
		pg_param_bytea(&par, rep->body ? rep->body : "",
		    rep->body_len);
	else
		pg_param_text(&par, NULL);
	pg_param_text(&par, rep->body_digest);
	pg_param_int64(&par, store_now());
	pg_param_int64(&par, IDEMPOTENCY_TTL);
	return pg_run(st, &q, &par, "idempotency record", NULL);
}
