/*
 * The PostgreSQL backend's queries on the outbox. Workers on several
 * hosts claim rows with FOR UPDATE SKIP LOCKED (schema.sql), each a
 * different one and without waiting for one another.
 */
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../store_outbox.h"
#include "pg.h"

int
pg_outbox_add(struct store *st, const char *kind, int64_t user_id,
    const char *recipient, const char *payload, const char *message_id,
    int64_t *id)
{
	static const struct pg_query q = { "outbox_add",
	    "INSERT INTO outbox (kind, user_id, recipient, payload, "
	    "message_id, next_attempt_at, created_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $6) "
	    "ON CONFLICT (message_id) DO NOTHING RETURNING id" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_text(&par, kind);
	pg_param_int64(&par, user_id);
	pg_param_text(&par, recipient);
	pg_param_text(&par, payload);
	pg_param_text(&par, message_id);
	pg_param_int64(&par, store_now());
	if ((rc = pg_run(st, &q, &par, "outbox insert", &r)) != STORE_OK)
		return rc;
	if (PQntuples(r) == 0)
		rc = STORE_CONFLICT;
	else
		*id = pg_get_int64(r, 0, 0);
	PQclear(r);
	return rc;
}

/*
 * Whether the user of the outbox row may read what client `client` is:
 * the API's visibility, admins all of their firm, others assigned.
 */
#define OUTBOX_VISIBLE(client)						\
	"EXISTS (SELECT 1 FROM users u JOIN clients c "			\
	"ON c.partner_id = u.partner_id WHERE u.id = o.user_id "	\
	"AND c.id = " client " AND (u.role = 'admin' OR EXISTS "	\
	"(SELECT 1 FROM assignments a WHERE a.client_id = c.id "	\
	"AND a.user_id = u.id)))"

/* Reads the claimed row into m. */
static int
pg_outbox_read(struct store *st, int64_t id, struct outbox_msg *m)
{
	static const struct pg_query q = { "outbox_read",
	    "SELECT id, kind, user_id, recipient, payload, message_id, "
	    "attempts, coalesce(cancel_reason, '') FROM outbox WHERE id = $1" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, id);
	if ((rc = pg_run(st, &q, &par, "outbox read", &r)) != STORE_OK)
		return rc;
	rc = STORE_ERROR;
	if (PQntuples(r) == 1) {
		m->id = pg_get_int64(r, 0, 0);
		m->user_id = pg_get_int64(r, 0, 2);
		m->attempts = (int)pg_get_int64(r, 0, 6);
		if (pg_get_text(r, 0, 1, m->kind, sizeof(m->kind)) == 0 &&
		    pg_get_text(r, 0, 3, m->recipient,
		    sizeof(m->recipient)) == 0 &&
		    pg_get_text(r, 0, 5, m->message_id,
		    sizeof(m->message_id)) == 0 &&
		    pg_get_text(r, 0, 7, m->cancel_reason,
		    sizeof(m->cancel_reason)) == 0 &&
		    (m->payload = strdup(PQgetvalue(r, 0, 4))) != NULL)
			rc = STORE_OK;
	} else
		log_warnx("outbox read: no row %lld", (long long)id);
	PQclear(r);
	return rc;
}

/* Runs one step of the claim on row id, with now as $2 when asked. */
static int
pg_outbox_claim_step(struct store *st, const struct pg_query *q, int64_t id,
    int64_t now, int with_now, const char *what)
{
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, id);
	if (with_now)
		pg_param_int64(&par, now);
	return pg_run(st, q, &par, what, NULL);
}

int
pg_outbox_claim(struct store *st, int64_t now, int64_t until,
    struct outbox_msg *ms, int max, int *n)
{
	/*
	 * The first due rows that no other claimer holds: SKIP LOCKED
	 * passes over rows being claimed, on outbox_due. Oldest first, in
	 * the order they were due before the lease moved them.
	 */
	static const struct pg_query claim = { "outbox_claim",
	    "WITH due AS (SELECT id, next_attempt_at FROM outbox "
	    "WHERE status IN ('queued', 'sending') AND next_attempt_at <= $1 "
	    "ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED), "
	    "claimed AS (UPDATE outbox o SET status = 'sending', "
	    "attempts = o.attempts + 1, next_attempt_at = $2 FROM due "
	    "WHERE o.id = due.id RETURNING o.id, due.next_attempt_at AS was) "
	    "SELECT id FROM claimed ORDER BY was, id" };
	/*
	 * A digest keeps only the clients its reader can still see. The
	 * payload is json, kept as written: it is rebuilt key by key in
	 * its order, with the clients' array narrowed, as SQLite's
	 * json_set() writes it.
	 */
	static const struct pg_query narrow = { "outbox_narrow",
	    "UPDATE outbox o SET payload = (SELECT '{' || string_agg("
	    "to_json(k.key)::text || ':' || CASE WHEN k.key = 'clients' "
	    "THEN '[' || coalesce((SELECT string_agg(j.value::text, ',' "
	    "ORDER BY j.n) FROM json_array_elements(o.payload -> 'clients') "
	    "WITH ORDINALITY j (value, n) WHERE "
	    OUTBOX_VISIBLE("(j.value ->> 'id')::bigint") "), '') || ']' "
	    "ELSE k.value::text END, ',' ORDER BY k.n) || '}' "
	    "FROM json_each(o.payload) WITH ORDINALITY k (key, value, n))"
	    "::json "
	    "WHERE o.id = $1 AND o.kind = 'digest' AND EXISTS (SELECT 1 "
	    "FROM json_array_elements(o.payload -> 'clients') j WHERE NOT "
	    OUTBOX_VISIBLE("(j.value ->> 'id')::bigint") ")" };
	/*
	 * Mail only to people who may still read it: an inactive user gets
	 * nothing, a reminder needs its reader still assigned to its
	 * client, a digest some client left.
	 */
	static const struct pg_query cancel = { "outbox_cancel",
	    "UPDATE outbox o SET status = 'cancelled', next_attempt_at = $2, "
	    "cancel_reason = CASE WHEN NOT EXISTS (SELECT 1 FROM users u "
	    "WHERE u.id = o.user_id AND u.active) "
	    "THEN 'recipient_inactive' ELSE 'recipient_unassigned' END "
	    "WHERE o.id = $1 AND (NOT EXISTS (SELECT 1 FROM users u "
	    "WHERE u.id = o.user_id AND u.active) "
	    "OR (o.kind = 'reminder' AND NOT EXISTS (SELECT 1 "
	    "FROM reminder_recipients rr JOIN reminders r "
	    "ON r.id = rr.reminder_id JOIN assignments a "
	    "ON a.client_id = r.client_id AND a.user_id = o.user_id "
	    "WHERE rr.outbox_id = o.id)) "
	    "OR (o.kind = 'digest' AND "
	    "json_array_length(o.payload -> 'clients') = 0))" };
	struct pg_params	 par;
	PGresult		*r = NULL;
	int64_t			 id;
	int			 i, got = 0;

	*n = 0;
	if (max < 1)
		return STORE_NOTFOUND;
	memset(ms, 0, (size_t)max * sizeof(*ms));
	if (store_begin(st) == -1)
		return STORE_ERROR;
	pg_params_init(&par);
	pg_param_int64(&par, now);
	pg_param_int64(&par, until);
	pg_param_int64(&par, max);
	if (pg_run(st, &claim, &par, "outbox claim", &r) != STORE_OK) {
		r = NULL;
		goto fail;
	}
	if ((got = PQntuples(r)) == 0) {
		PQclear(r);
		store_rollback(st);
		return STORE_NOTFOUND;
	}
	if (got > max)
		got = max;
	for (i = 0; i < got; i++) {
		id = pg_get_int64(r, i, 0);
		if (pg_outbox_claim_step(st, &narrow, id, 0, 0,
		    "outbox narrow") != STORE_OK ||
		    pg_outbox_claim_step(st, &cancel, id, now, 1,
		    "outbox cancel") != STORE_OK ||
		    pg_outbox_read(st, id, &ms[i]) != STORE_OK)
			goto fail;
	}
	PQclear(r);
	r = NULL;
	if (store_commit(st) == -1)
		goto fail;
	*n = got;
	return STORE_OK;
fail:
	PQclear(r);
	store_rollback(st);
	for (i = 0; i < got; i++)
		outbox_msg_cleanup(&ms[i]);
	return STORE_ERROR;
}

int
pg_outbox_renew(struct store *st, int64_t id, int attempts, int64_t until)
{
	static const struct pg_query q = { "outbox_renew",
	    "UPDATE outbox SET next_attempt_at = $3 WHERE id = $1 "
	    "AND status = 'sending' AND attempts = $2" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, id);
	pg_param_int64(&par, attempts);
	pg_param_int64(&par, until);
	if ((rc = pg_run(st, &q, &par, "outbox renew", &r)) != STORE_OK)
		return rc;
	rc = pg_changes(r) == 1 ? STORE_OK : STORE_CONFLICT;
	PQclear(r);
	return rc;
}

/*
 * The end of a claim: only the claim in hand (same attempt, still
 * sending) is marked, never one a later claimer has taken over.
 * Parameters: $1 id, $2 the time, $3 attempts, and $4 the error when
 * the statement takes one (with_error).
 */
static int
pg_outbox_set(struct store *st, const struct pg_query *q,
    const struct outbox_msg *m, int64_t t, int with_error, const char *error)
{
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, m->id);
	pg_param_int64(&par, t);
	pg_param_int64(&par, m->attempts);
	if (with_error)
		pg_param_text(&par, error);
	if ((rc = pg_run(st, q, &par, "outbox update", &r)) != STORE_OK)
		return rc;
	rc = pg_changes(r) == 1 ? STORE_OK : STORE_CONFLICT;
	PQclear(r);
	return rc;
}

int
pg_outbox_sent(struct store *st, const struct outbox_msg *m, int64_t now)
{
	static const struct pg_query q = { "outbox_sent",
	    "UPDATE outbox SET status = 'sent', sent_at = $2, "
	    "last_error = NULL WHERE id = $1 AND status = 'sending' "
	    "AND attempts = $3" };

	return pg_outbox_set(st, &q, m, now, 0, NULL);
}

int
pg_outbox_retry(struct store *st, const struct outbox_msg *m,
    int64_t next_at, const char *error)
{
	static const struct pg_query q = { "outbox_retry",
	    "UPDATE outbox SET status = 'queued', next_attempt_at = $2, "
	    "last_error = substr($4, 1, 256) WHERE id = $1 "
	    "AND status = 'sending' AND attempts = $3" };

	return pg_outbox_set(st, &q, m, next_at, 1, error);
}

int
pg_outbox_failed(struct store *st, const struct outbox_msg *m,
    const char *error)
{
	static const struct pg_query q = { "outbox_failed",
	    "UPDATE outbox SET status = 'failed', next_attempt_at = $2, "
	    "last_error = substr($4, 1, 256) WHERE id = $1 "
	    "AND status = 'sending' AND attempts = $3" };

	return pg_outbox_set(st, &q, m, store_now(), 1, error);
}

int
pg_outbox_backlog(struct store *st, int64_t *queued, int64_t *failed)
{
	static const struct pg_query q = { "outbox_backlog",
	    "SELECT (SELECT count(*) FROM outbox WHERE status IN ('queued', "
	    "'sending')), "
	    "(SELECT count(*) FROM outbox WHERE status = 'failed')" };
	PGresult	*r;
	int		 rc;

	if ((rc = pg_run(st, &q, NULL, "outbox backlog", &r)) != STORE_OK)
		return rc;
	*queued = pg_get_int64(r, 0, 0);
	*failed = pg_get_int64(r, 0, 1);
	PQclear(r);
	return rc;
}

int
pg_outbox_next_due(struct store *st, int64_t *at)
{
	static const struct pg_query q = { "outbox_next_due",
	    "SELECT min(next_attempt_at) FROM outbox "
	    "WHERE status IN ('queued', 'sending')" };
	PGresult	*r;
	int		 rc;

	if ((rc = pg_run(st, &q, NULL, "outbox next", &r)) != STORE_OK)
		return rc;
	if (PQgetisnull(r, 0, 0))
		rc = STORE_NOTFOUND;
	else
		*at = pg_get_int64(r, 0, 0);
	PQclear(r);
	return rc;
}
