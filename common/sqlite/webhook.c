/*
 * The SQLite backend's queries on webhooks (store_webhook.h).
 */
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../store_webhook.h"
#include "sqlite.h"

#define ENDPOINT_COLUMNS \
	"id, partner_id, url, events, secret, enabled, " \
	"coalesce(failing_since, 0), coalesce(disabled_at, 0), created_by, " \
	"created_at, updated_at"

static int
endpoint_from_row(sqlite3_stmt *stmt, struct webhook_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(stmt, 0);
	e->partner_id = sqlite3_column_int64(stmt, 1);
	e->enabled = sqlite3_column_int(stmt, 5);
	e->failing_since = sqlite3_column_int64(stmt, 6);
	e->disabled_at = sqlite3_column_int64(stmt, 7);
	e->created_by = sqlite3_column_int64(stmt, 8);
	e->created_at = sqlite3_column_int64(stmt, 9);
	e->updated_at = sqlite3_column_int64(stmt, 10);
	if (sqlite_column_text(stmt, 2, e->url, sizeof(e->url)) == -1 ||
	    sqlite_column_text(stmt, 3, e->events, sizeof(e->events)) == -1 ||
	    sqlite_column_text(stmt, 4, e->secret, sizeof(e->secret)) == -1) {
		log_warnx("webhook %lld: malformed row", (long long)e->id);
		return -1;
	}
	return 0;
}

static int
endpoint_read(sqlite3_stmt *stmt, void *arg)
{
	return endpoint_from_row(stmt, arg);
}

int
sqlite_webhook_create(struct store *st, struct webhook_endpoint *e)
{
	static const char sql[] =
	    "INSERT INTO webhook_endpoints (partner_id, url, events, secret, "
	    "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, e->partner_id);
	sqlite3_bind_text(stmt, 2, e->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, e->events, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, e->secret, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, e->created_by);
	sqlite3_bind_int64(stmt, 6, e->created_at);
	sqlite3_bind_int64(stmt, 7, e->updated_at);
	if ((rc = sqlite_step_done(st, stmt, "webhook insert")) == STORE_OK) {
		e->id = sqlite3_last_insert_rowid(sqlite_db(st));
		e->enabled = 1;
	}
	return rc;
}

int
sqlite_webhook_get(struct store *st, int64_t partner_id, int64_t id,
    struct webhook_endpoint *out)
{
	static const char sql[] =
	    "SELECT " ENDPOINT_COLUMNS " FROM webhook_endpoints "
	    "WHERE id = ? AND partner_id = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, partner_id);
	return sqlite_row(st, stmt, "webhook get", endpoint_read, out);
}

struct endpoint_walk {
	int	(*fn)(const struct webhook_endpoint *, void *);
	void	*arg;
};

static int
endpoint_walk_row(sqlite3_stmt *stmt, void *arg)
{
	struct endpoint_walk	*w = arg;
	struct webhook_endpoint	 e;

	if (endpoint_from_row(stmt, &e) == -1)
		return -1;
	return w->fn(&e, w->arg);
}

int
sqlite_webhook_list(struct store *st, int64_t partner_id,
    int (*fn)(const struct webhook_endpoint *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT " ENDPOINT_COLUMNS " FROM webhook_endpoints "
	    "WHERE partner_id = ? ORDER BY id";
	struct endpoint_walk	 w = { fn, arg };
	sqlite3_stmt		*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	return sqlite_rows(st, stmt, "webhook list", endpoint_walk_row, &w);
}

/* Runs sql, whose ?1 is an endpoint id, to its end. */
static int
webhook_exec_id(struct store *st, const char *sql, int64_t id,
    const char *what)
{
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	return sqlite_step_done(st, stmt, what);
}

int
sqlite_webhook_delete(struct store *st, int64_t partner_id, int64_t id)
{
	struct webhook_endpoint	 e;
	int			 rc;

	if ((rc = sqlite_webhook_get(st, partner_id, id, &e)) != STORE_OK)
		return rc;
	explicit_bzero(e.secret, sizeof(e.secret));
	if ((rc = webhook_exec_id(st, "DELETE FROM webhook_attempts "
	    "WHERE endpoint_id = ?1", id, "webhook delete")) != STORE_OK ||
	    (rc = webhook_exec_id(st, "DELETE FROM webhook_deliveries "
	    "WHERE endpoint_id = ?1", id, "webhook delete")) != STORE_OK)
		return rc;
	return webhook_exec_id(st, "DELETE FROM webhook_endpoints "
	    "WHERE id = ?1", id, "webhook delete");
}

int
sqlite_webhook_set_secret(struct store *st, int64_t partner_id, int64_t id,
    const char *secret, int64_t now)
{
	static const char sql[] =
	    "UPDATE webhook_endpoints SET secret = ?, updated_at = ? "
	    "WHERE id = ? AND partner_id = ?";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, secret, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	sqlite3_bind_int64(stmt, 3, id);
	sqlite3_bind_int64(stmt, 4, partner_id);
	if ((rc = sqlite_step_done(st, stmt, "webhook secret")) == STORE_OK &&
	    sqlite3_changes(sqlite_db(st)) != 1)
		rc = STORE_NOTFOUND;
	return rc;
}

int
sqlite_webhook_set_enabled(struct store *st, int64_t partner_id,
    int64_t id, int enabled, int64_t now)
{
	static const char sql[] =
	    "UPDATE webhook_endpoints SET enabled = ?1, updated_at = ?2, "
	    "failing_since = CASE WHEN ?1 THEN NULL ELSE failing_since END, "
	    "disabled_at = CASE WHEN ?1 THEN disabled_at ELSE ?2 END "
	    "WHERE id = ?3 AND partner_id = ?4";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int(stmt, 1, enabled ? 1 : 0);
	sqlite3_bind_int64(stmt, 2, now);
	sqlite3_bind_int64(stmt, 3, id);
	sqlite3_bind_int64(stmt, 4, partner_id);
	if ((rc = sqlite_step_done(st, stmt, "webhook enable")) == STORE_OK &&
	    sqlite3_changes(sqlite_db(st)) != 1)
		rc = STORE_NOTFOUND;
	return rc;
}

struct attempt_walk {
	int	(*fn)(const struct webhook_attempt *, void *);
	void	*arg;
};

static int
attempt_row(sqlite3_stmt *stmt, void *arg)
{
	struct attempt_walk	*w = arg;
	struct webhook_attempt	 a;

	a.id = sqlite3_column_int64(stmt, 0);
	a.delivery_id = sqlite3_column_int64(stmt, 1);
	a.event_id = sqlite3_column_int64(stmt, 2);
	a.event_type = (const char *)sqlite3_column_text(stmt, 3);
	a.attempt = sqlite3_column_int(stmt, 4);
	a.attempted_at = sqlite3_column_int64(stmt, 5);
	a.http_status = sqlite3_column_int(stmt, 6);
	a.error = (const char *)sqlite3_column_text(stmt, 7);
	a.duration_ms = sqlite3_column_int64(stmt, 8);
	a.delivered = sqlite3_column_int(stmt, 9);
	return w->fn(&a, w->arg);
}

int
sqlite_webhook_attempts(struct store *st, int64_t partner_id,
    int64_t endpoint_id, int64_t before_id, int limit,
    int (*fn)(const struct webhook_attempt *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT a.id, a.delivery_id, d.event_id, ev.type, a.attempt, "
	    "a.attempted_at, coalesce(a.http_status, 0), a.error, "
	    "a.duration_ms, d.status = 'delivered' "
	    "FROM webhook_attempts a "
	    "JOIN webhook_endpoints e ON e.id = a.endpoint_id "
	    "JOIN webhook_deliveries d ON d.id = a.delivery_id "
	    "LEFT JOIN events ev ON ev.id = d.event_id "
	    "WHERE a.endpoint_id = ?1 AND e.partner_id = ?2 AND a.id < ?3 "
	    "ORDER BY a.id DESC LIMIT ?4";
	struct attempt_walk	 w = { fn, arg };
	sqlite3_stmt		*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, endpoint_id);
	sqlite3_bind_int64(stmt, 2, partner_id);
	sqlite3_bind_int64(stmt, 3, before_id > 0 ? before_id : INT64_MAX);
	sqlite3_bind_int(stmt, 4, limit);
	return sqlite_rows(st, stmt, "webhook attempts", attempt_row, &w);
}

/* The claimed delivery's row: id, endpoint, event, attempt number. */
static int
claim_read(sqlite3_stmt *stmt, void *arg)
{
	struct webhook_job	*j = arg;

	j->delivery_id = sqlite3_column_int64(stmt, 0);
	j->endpoint_id = sqlite3_column_int64(stmt, 1);
	j->event_id = sqlite3_column_int64(stmt, 2);
	j->attempt = sqlite3_column_int(stmt, 3);
	return 0;
}

static int
claim_endpoint(sqlite3_stmt *stmt, void *arg)
{
	struct webhook_job	*j = arg;

	j->failing_since = sqlite3_column_int64(stmt, 2);
	return sqlite_column_text(stmt, 0, j->url, sizeof(j->url)) == -1 ||
	    sqlite_column_text(stmt, 1, j->secret, sizeof(j->secret)) == -1 ?
	    -1 : 0;
}

static int
claim_event(sqlite3_stmt *stmt, void *arg)
{
	struct webhook_job	*j = arg;
	const char		*data = (const char *)sqlite3_column_text(stmt,
				    3);

	j->client_id = sqlite3_column_int64(stmt, 1);
	j->event_at = sqlite3_column_int64(stmt, 2);
	if (sqlite_column_text(stmt, 0, j->event_type,
	    sizeof(j->event_type)) == -1 || data == NULL ||
	    (j->event_data = strdup(data)) == NULL)
		return -1;
	return 0;
}

int
sqlite_webhook_claim(struct store *st, int64_t now, int64_t lease,
    struct webhook_job *out)
{
	static const char claim_sql[] =
	    "UPDATE webhook_deliveries SET lease_until = ?1 + ?2, "
	    "attempts = attempts + 1 WHERE id = (SELECT d.id "
	    "FROM webhook_deliveries d JOIN webhook_endpoints e "
	    "ON e.id = d.endpoint_id WHERE d.status = 'pending' AND "
	    "d.next_attempt_at <= ?1 AND d.lease_until <= ?1 AND "
	    "e.enabled = 1 ORDER BY d.next_attempt_at, d.id LIMIT 1) "
	    "RETURNING id, endpoint_id, event_id, attempts";
	static const char endpoint_sql[] =
	    "SELECT url, secret, coalesce(failing_since, 0) "
	    "FROM webhook_endpoints WHERE id = ?";
	static const char event_sql[] =
	    "SELECT type, coalesce(client_id, 0), created_at, data "
	    "FROM events WHERE id = ?";
	static const char drop_sql[] =
	    "DELETE FROM webhook_deliveries WHERE id = ?";
	sqlite3_stmt	*stmt;
	int		 rc;

	for (;;) {
		if ((stmt = sqlite_stmt(st, claim_sql)) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(stmt, 1, now);
		sqlite3_bind_int64(stmt, 2, lease);
		if ((rc = sqlite_row_only(st, stmt, "webhook claim",
		    claim_read, out)) != STORE_OK)
			return rc;
		if ((stmt = sqlite_stmt(st, event_sql)) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(stmt, 1, out->event_id);
		rc = sqlite_row(st, stmt, "webhook event", claim_event, out);
		if (rc != STORE_NOTFOUND)
			break;
		/* Its event expired before it could go: nothing to send. */
		if ((stmt = sqlite_stmt(st, drop_sql)) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(stmt, 1, out->delivery_id);
		if (sqlite_step_done(st, stmt, "webhook drop") != STORE_OK)
			return STORE_ERROR;
	}
	if (rc != STORE_OK)
		return STORE_ERROR;
	if ((stmt = sqlite_stmt(st, endpoint_sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, out->endpoint_id);
	return sqlite_row(st, stmt, "webhook endpoint", claim_endpoint, out) ==
	    STORE_OK ? STORE_OK : STORE_ERROR;
}

/* The email to each active admin of the firm: its endpoint is disabled. */
static int
webhook_notice(struct store *st, int64_t endpoint_id,
    const struct webhook_outcome *o)
{
	static const char sql[] =
	    "INSERT INTO outbox (kind, user_id, recipient, payload, "
	    "message_id, next_attempt_at, created_at) "
	    "SELECT 'webhook_disabled', u.id, u.email, "
	    "json_object('kind', 'webhook_disabled', "
	    "'locale', coalesce(u.locale, p.locale), "
	    "'to', json_object('email', u.email, 'name', u.name), "
	    "'firm', p.name, 'firm_id', p.id, 'url', e.url), "
	    "'webhook.' || e.id || '.' || ?2 || '.' || u.id || '@' || ?3, "
	    "?2, ?2 FROM webhook_endpoints e "
	    "JOIN partners p ON p.id = e.partner_id "
	    "JOIN users u ON u.partner_id = e.partner_id "
	    "WHERE e.id = ?1 AND u.role = 'admin' AND u.active = 1";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, endpoint_id);
	sqlite3_bind_int64(stmt, 2, o->at);
	sqlite3_bind_text(stmt, 3, o->mail_domain, -1, SQLITE_STATIC);
	return sqlite_step_done(st, stmt, "webhook notice");
}

int
sqlite_webhook_record(struct store *st, const struct webhook_job *job,
    const struct webhook_outcome *o)
{
	static const char delivery_sql[] =
	    "UPDATE webhook_deliveries SET lease_until = 0, "
	    "status = CASE WHEN ?1 THEN 'delivered' ELSE 'pending' END, "
	    "delivered_at = CASE WHEN ?1 THEN ?2 END, next_attempt_at = ?3 "
	    "WHERE id = ?4 AND attempts = ?5";
	static const char attempt_sql[] =
	    "INSERT INTO webhook_attempts (delivery_id, endpoint_id, attempt, "
	    "attempted_at, http_status, error, duration_ms) "
	    "VALUES (?, ?, ?, ?, NULLIF(?, 0), ?, ?)";
	static const char endpoint_sql[] =
	    "UPDATE webhook_endpoints SET "
	    "failing_since = CASE WHEN ?1 THEN NULL "
	    "ELSE coalesce(failing_since, ?2) END, "
	    "enabled = CASE WHEN ?3 THEN 0 ELSE enabled END, "
	    "disabled_at = CASE WHEN ?3 THEN ?2 ELSE disabled_at END "
	    "WHERE id = ?4";
	sqlite3_stmt	*stmt;
	int		 ok = o->error == NULL;

	if ((stmt = sqlite_stmt(st, delivery_sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int(stmt, 1, ok);
	sqlite3_bind_int64(stmt, 2, o->at);
	sqlite3_bind_int64(stmt, 3, ok ? o->at : o->next_attempt_at);
	sqlite3_bind_int64(stmt, 4, job->delivery_id);
	sqlite3_bind_int(stmt, 5, job->attempt);
	if (sqlite_step_done(st, stmt, "webhook delivery") != STORE_OK)
		return STORE_ERROR;
	/* Another claimer has it since: this attempt's outcome is stale. */
	if (sqlite3_changes(sqlite_db(st)) != 1)
		return STORE_OK;
	if ((stmt = sqlite_stmt(st, attempt_sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, job->delivery_id);
	sqlite3_bind_int64(stmt, 2, job->endpoint_id);
	sqlite3_bind_int(stmt, 3, job->attempt);
	sqlite3_bind_int64(stmt, 4, o->at);
	sqlite3_bind_int(stmt, 5, o->http_status);
	if (o->error != NULL)
		sqlite3_bind_text(stmt, 6, o->error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, o->duration_ms);
	if (sqlite_step_done(st, stmt, "webhook attempt") != STORE_OK)
		return STORE_ERROR;
	if ((stmt = sqlite_stmt(st, endpoint_sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int(stmt, 1, ok);
	sqlite3_bind_int64(stmt, 2, o->at);
	sqlite3_bind_int(stmt, 3, o->disable);
	sqlite3_bind_int64(stmt, 4, job->endpoint_id);
	if (sqlite_step_done(st, stmt, "webhook endpoint") != STORE_OK)
		return STORE_ERROR;
	return o->disable ? webhook_notice(st, job->endpoint_id, o) : STORE_OK;
}
