/*
 * The PostgreSQL backend's queries on webhooks (store_webhook.h).
 */
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../store_webhook.h"
#include "pg.h"

#define ENDPOINT_COLUMNS \
	"id, partner_id, url, events, secret, enabled::integer, " \
	"coalesce(failing_since, 0), coalesce(disabled_at, 0), created_by, " \
	"created_at, updated_at"

static int
endpoint_from_row(const PGresult *r, int row, struct webhook_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->id = pg_get_int64(r, row, 0);
	e->partner_id = pg_get_int64(r, row, 1);
	e->enabled = (int)pg_get_int64(r, row, 5);
	e->failing_since = pg_get_int64(r, row, 6);
	e->disabled_at = pg_get_int64(r, row, 7);
	e->created_by = pg_get_int64(r, row, 8);
	e->created_at = pg_get_int64(r, row, 9);
	e->updated_at = pg_get_int64(r, row, 10);
	if (pg_get_text(r, row, 2, e->url, sizeof(e->url)) == -1 ||
	    pg_get_text(r, row, 3, e->events, sizeof(e->events)) == -1 ||
	    pg_get_text(r, row, 4, e->secret, sizeof(e->secret)) == -1) {
		log_warnx("webhook %lld: malformed row", (long long)e->id);
		return STORE_ERROR;
	}
	return STORE_OK;
}

int
pg_webhook_create(struct store *st, struct webhook_endpoint *e)
{
	static const struct pg_query q = { "webhook_create",
	    "INSERT INTO webhook_endpoints (partner_id, url, events, secret, "
	    "created_by, created_at, updated_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, e->partner_id);
	pg_param_text(&par, e->url);
	pg_param_text(&par, e->events);
	pg_param_text(&par, e->secret);
	pg_param_int64(&par, e->created_by);
	pg_param_int64(&par, e->created_at);
	pg_param_int64(&par, e->updated_at);
	if ((rc = pg_run(st, &q, &par, "webhook insert", &r)) != STORE_OK)
		return rc;
	if (PQntuples(r) != 1)
		rc = STORE_ERROR;
	else {
		e->id = pg_get_int64(r, 0, 0);
		e->enabled = 1;
	}
	PQclear(r);
	return rc;
}

int
pg_webhook_get(struct store *st, int64_t partner_id, int64_t id,
    struct webhook_endpoint *out)
{
	static const struct pg_query q = { "webhook_get",
	    "SELECT " ENDPOINT_COLUMNS " FROM webhook_endpoints "
	    "WHERE id = $1 AND partner_id = $2" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, id);
	pg_param_int64(&par, partner_id);
	if ((rc = pg_run(st, &q, &par, "webhook get", &r)) != STORE_OK)
		return rc;
	rc = PQntuples(r) == 0 ? STORE_NOTFOUND : endpoint_from_row(r, 0, out);
	PQclear(r);
	return rc;
}

int
pg_webhook_list(struct store *st, int64_t partner_id,
    int (*fn)(const struct webhook_endpoint *, void *), void *arg)
{
	static const struct pg_query q = { "webhook_list",
	    "SELECT " ENDPOINT_COLUMNS " FROM webhook_endpoints "
	    "WHERE partner_id = $1 ORDER BY id" };
	struct pg_params	 par;
	struct webhook_endpoint	 e;
	PGresult		*r;
	int			 i, rc;

	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	if ((rc = pg_run(st, &q, &par, "webhook list", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && rc == STORE_OK; i++)
		if ((rc = endpoint_from_row(r, i, &e)) == STORE_OK &&
		    fn(&e, arg) == -1)
			rc = STORE_ERROR;
	explicit_bzero(e.secret, sizeof(e.secret));
	PQclear(r);
	return rc;
}

int
pg_webhook_delete(struct store *st, int64_t partner_id, int64_t id)
{
	static const struct pg_query q = { "webhook_delete",
	    "WITH e AS (DELETE FROM webhook_endpoints "
	    "WHERE id = $1 AND partner_id = $2 RETURNING id), "
	    "a AS (DELETE FROM webhook_attempts WHERE endpoint_id IN "
	    "(SELECT id FROM e)), "
	    "d AS (DELETE FROM webhook_deliveries WHERE endpoint_id IN "
	    "(SELECT id FROM e)) SELECT count(*) FROM e" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, id);
	pg_param_int64(&par, partner_id);
	if ((rc = pg_run(st, &q, &par, "webhook delete", &r)) != STORE_OK)
		return rc;
	if (pg_get_int64(r, 0, 0) != 1)
		rc = STORE_NOTFOUND;
	PQclear(r);
	return rc;
}

/* Runs an UPDATE of one endpoint of the firm: STORE_NOTFOUND if none. */
static int
webhook_update(struct store *st, const struct pg_query *q,
    const struct pg_params *par, const char *what)
{
	PGresult	*r;
	int		 rc;

	if ((rc = pg_run(st, q, par, what, &r)) != STORE_OK)
		return rc;
	if (pg_changes(r) != 1)
		rc = STORE_NOTFOUND;
	PQclear(r);
	return rc;
}

int
pg_webhook_set_secret(struct store *st, int64_t partner_id, int64_t id,
    const char *secret, int64_t now)
{
	static const struct pg_query q = { "webhook_set_secret",
	    "UPDATE webhook_endpoints SET secret = $1, updated_at = $2 "
	    "WHERE id = $3 AND partner_id = $4" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_text(&par, secret);
	pg_param_int64(&par, now);
	pg_param_int64(&par, id);
	pg_param_int64(&par, partner_id);
	return webhook_update(st, &q, &par, "webhook secret");
}

int
pg_webhook_set_enabled(struct store *st, int64_t partner_id, int64_t id,
    int enabled, int64_t now)
{
	static const struct pg_query q = { "webhook_set_enabled",
	    "UPDATE webhook_endpoints SET enabled = $1::integer <> 0, "
	    "updated_at = $2, "
	    "failing_since = CASE WHEN $1::integer <> 0 THEN NULL "
	    "ELSE failing_since END, "
	    "disabled_at = CASE WHEN $1::integer <> 0 THEN disabled_at "
	    "ELSE $2 END WHERE id = $3 AND partner_id = $4" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, enabled ? 1 : 0);
	pg_param_int64(&par, now);
	pg_param_int64(&par, id);
	pg_param_int64(&par, partner_id);
	return webhook_update(st, &q, &par, "webhook enable");
}

int
pg_webhook_attempts(struct store *st, int64_t partner_id,
    int64_t endpoint_id, int64_t before_id, int limit,
    int (*fn)(const struct webhook_attempt *, void *), void *arg)
{
	static const struct pg_query q = { "webhook_attempts",
	    "SELECT a.id, a.delivery_id, d.event_id, ev.type, a.attempt, "
	    "a.attempted_at, coalesce(a.http_status, 0), a.error, "
	    "a.duration_ms, (d.status = 'delivered')::integer "
	    "FROM webhook_attempts a "
	    "JOIN webhook_endpoints e ON e.id = a.endpoint_id "
	    "JOIN webhook_deliveries d ON d.id = a.delivery_id "
	    "LEFT JOIN events ev ON ev.id = d.event_id "
	    "WHERE a.endpoint_id = $1 AND e.partner_id = $2 AND a.id < $3 "
	    "ORDER BY a.id DESC LIMIT $4" };
	struct pg_params	 par;
	struct webhook_attempt	 a;
	PGresult		*r;
	int			 i, rc;

	pg_params_init(&par);
	pg_param_int64(&par, endpoint_id);
	pg_param_int64(&par, partner_id);
	pg_param_int64(&par, before_id > 0 ? before_id : INT64_MAX);
	pg_param_int64(&par, limit);
	if ((rc = pg_run(st, &q, &par, "webhook attempts", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && rc == STORE_OK; i++) {
		a.id = pg_get_int64(r, i, 0);
		a.delivery_id = pg_get_int64(r, i, 1);
		a.event_id = pg_get_int64(r, i, 2);
		a.event_type = PQgetisnull(r, i, 3) ? NULL :
		    PQgetvalue(r, i, 3);
		a.attempt = (int)pg_get_int64(r, i, 4);
		a.attempted_at = pg_get_int64(r, i, 5);
		a.http_status = (int)pg_get_int64(r, i, 6);
		a.error = PQgetisnull(r, i, 7) ? NULL : PQgetvalue(r, i, 7);
		a.duration_ms = pg_get_int64(r, i, 8);
		a.delivered = (int)pg_get_int64(r, i, 9);
		if (fn(&a, arg) == -1)
			rc = STORE_ERROR;
	}
	PQclear(r);
	return rc;
}

int
pg_webhook_claim(struct store *st, int64_t now, int64_t lease,
    struct webhook_job *out)
{
	/*
	 * One statement: the due delivery first in line, passing those
	 * another worker holds (SKIP LOCKED), with its endpoint and event.
	 * A delivery whose event has expired is taken, and dropped below.
	 */
	static const struct pg_query q = { "webhook_claim",
	    "WITH c AS (SELECT d.id FROM webhook_deliveries d "
	    "JOIN webhook_endpoints e ON e.id = d.endpoint_id "
	    "WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND "
	    "d.lease_until <= $1 AND e.enabled "
	    "ORDER BY d.next_attempt_at, d.id LIMIT 1 "
	    "FOR UPDATE OF d SKIP LOCKED), "
	    "u AS (UPDATE webhook_deliveries d SET lease_until = $1 + $2, "
	    "attempts = d.attempts + 1 FROM c WHERE d.id = c.id "
	    "RETURNING d.id, d.endpoint_id, d.event_id, d.attempts) "
	    "SELECT u.id, u.endpoint_id, u.event_id, u.attempts, e.url, "
	    "e.secret, coalesce(e.failing_since, 0), ev.type, "
	    "coalesce(ev.client_id, 0), ev.created_at, ev.data "
	    "FROM u JOIN webhook_endpoints e ON e.id = u.endpoint_id "
	    "LEFT JOIN events ev ON ev.id = u.event_id" };
	static const struct pg_query drop = { "webhook_drop",
	    "DELETE FROM webhook_deliveries WHERE id = $1" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	for (;;) {
		pg_params_init(&par);
		pg_param_int64(&par, now);
		pg_param_int64(&par, lease);
		if ((rc = pg_run(st, &q, &par, "webhook claim", &r)) !=
		    STORE_OK)
			return rc;
		if (PQntuples(r) == 0) {
			PQclear(r);
			return STORE_NOTFOUND;
		}
		out->delivery_id = pg_get_int64(r, 0, 0);
		out->endpoint_id = pg_get_int64(r, 0, 1);
		out->event_id = pg_get_int64(r, 0, 2);
		out->attempt = (int)pg_get_int64(r, 0, 3);
		if (!PQgetisnull(r, 0, 7))
			break;
		PQclear(r);
		/* Its event expired before it could go: nothing to send. */
		pg_params_init(&par);
		pg_param_int64(&par, out->delivery_id);
		if (pg_run(st, &drop, &par, "webhook drop", &r) != STORE_OK)
			return STORE_ERROR;
		PQclear(r);
	}
	out->failing_since = pg_get_int64(r, 0, 6);
	out->client_id = pg_get_int64(r, 0, 8);
	out->event_at = pg_get_int64(r, 0, 9);
	rc = STORE_OK;
	if (pg_get_text(r, 0, 4, out->url, sizeof(out->url)) == -1 ||
	    pg_get_text(r, 0, 5, out->secret, sizeof(out->secret)) == -1 ||
	    pg_get_text(r, 0, 7, out->event_type,
	    sizeof(out->event_type)) == -1 ||
	    (out->event_data = strdup(PQgetvalue(r, 0, 10))) == NULL)
		rc = STORE_ERROR;
	PQclear(r);
	return rc;
}

int
pg_webhook_record(struct store *st, const struct webhook_job *job,
    const struct webhook_outcome *o)
{
	static const struct pg_query delivery = { "webhook_record",
	    "UPDATE webhook_deliveries SET lease_until = 0, "
	    "status = CASE WHEN $1::integer <> 0 THEN 'delivered' "
	    "ELSE 'pending' END, "
	    "delivered_at = CASE WHEN $1::integer <> 0 THEN $2::bigint END, "
	    "next_attempt_at = $3 WHERE id = $4 AND attempts = $5" };
	static const struct pg_query attempt = { "webhook_attempt",
	    "INSERT INTO webhook_attempts (delivery_id, endpoint_id, attempt, "
	    "attempted_at, http_status, error, duration_ms) "
	    "VALUES ($1, $2, $3, $4, nullif($5::integer, 0), $6, $7)" };
	static const struct pg_query endpoint = { "webhook_failing",
	    "UPDATE webhook_endpoints SET "
	    "failing_since = CASE WHEN $1::integer <> 0 THEN NULL "
	    "ELSE coalesce(failing_since, $2) END, "
	    "enabled = CASE WHEN $3::integer <> 0 THEN false ELSE enabled END, "
	    "disabled_at = CASE WHEN $3::integer <> 0 THEN $2 "
	    "ELSE disabled_at END WHERE id = $4" };
	/* The email to each active admin of the firm. */
	static const struct pg_query notice = { "webhook_notice",
	    "INSERT INTO outbox (kind, user_id, recipient, payload, "
	    "message_id, next_attempt_at, created_at) "
	    "SELECT 'webhook_disabled', u.id, u.email, "
	    "json_build_object('kind', 'webhook_disabled', 'locale', "
	    "coalesce(u.locale, p.locale), 'to', "
	    "json_build_object('email', u.email, "
	    "'name', u.name), 'firm', p.name, 'firm_id', p.id, 'url', e.url), "
	    "'webhook.' || e.id || '.' || $2::bigint || '.' || u.id || '@' || "
	    "$3, $2, $2 FROM webhook_endpoints e "
	    "JOIN partners p ON p.id = e.partner_id "
	    "JOIN users u ON u.partner_id = e.partner_id "
	    "WHERE e.id = $1 AND u.role = 'admin' AND u.active" };
	struct pg_params	 par;
	PGresult		*r;
	int			 ok = o->error == NULL, rc;

	pg_params_init(&par);
	pg_param_int64(&par, ok);
	pg_param_int64(&par, o->at);
	pg_param_int64(&par, ok ? o->at : o->next_attempt_at);
	pg_param_int64(&par, job->delivery_id);
	pg_param_int64(&par, job->attempt);
	if ((rc = pg_run(st, &delivery, &par, "webhook delivery", &r)) !=
	    STORE_OK)
		return rc;
	rc = pg_changes(r);
	PQclear(r);
	/* Another claimer has it since: this attempt's outcome is stale. */
	if (rc != 1)
		return STORE_OK;
	pg_params_init(&par);
	pg_param_int64(&par, job->delivery_id);
	pg_param_int64(&par, job->endpoint_id);
	pg_param_int64(&par, job->attempt);
	pg_param_int64(&par, o->at);
	pg_param_int64(&par, o->http_status);
	pg_param_text(&par, o->error);
	pg_param_int64(&par, o->duration_ms);
	if (pg_run(st, &attempt, &par, "webhook attempt", NULL) != STORE_OK)
		return STORE_ERROR;
	pg_params_init(&par);
	pg_param_int64(&par, ok);
	pg_param_int64(&par, o->at);
	pg_param_int64(&par, o->disable);
	pg_param_int64(&par, job->endpoint_id);
	if (pg_run(st, &endpoint, &par, "webhook endpoint", NULL) != STORE_OK)
		return STORE_ERROR;
	if (!o->disable)
		return STORE_OK;
	pg_params_init(&par);
	pg_param_int64(&par, job->endpoint_id);
	pg_param_int64(&par, o->at);
	pg_param_text(&par, o->mail_domain);
	return pg_run(st, &notice, &par, "webhook notice", NULL);
}
