/*
 * copy-to on PostgreSQL (store_copy.c): each table read as the canonical
 * text both stores hash, loaded with COPY FROM STDIN, and the identity
 * sequences moved past the copied ids afterwards.
 */
#include <stdlib.h>
#include <string.h>

#include "../buf.h"
#include "../log.h"
#include "pg.h"

#define PG_COPY_COLUMNS_MAX	24
/* A line of COPY: the longest row, an idempotent answer's body. */
#define PG_COPY_LINE_MAX	(4 * 1024 * 1024)

/*
 * A table: the read of its shared columns as store_copy.c lists them
 * (booleans as 0 or 1, bytea as \x and hex, text keys ordered by their
 * bytes as SQLite's are), the COPY that loads it, and the columns of
 * the read that the load leaves to the triggers (bit i: column i):
 * a client's counters and assignees, which its expenses and assignments
 * count again as they arrive. An assignment's copies of its client's
 * columns are sent, and replaced by the trigger that copies them.
 */
static const struct pg_copy_table {
	const char	*table;
	int		 ncolumns;
	const char	*select;
	const char	*load;
	unsigned	 skip;
} pg_copy_tables[] = {
	{ "partners", 7,
	    "SELECT id, name, locale, timezone, created_at, "
	    "missing_receipts_above, missing_receipt_days FROM partners "
	    "ORDER BY id",
	    "COPY partners (id, name, locale, timezone, created_at, "
	    "missing_receipts_above, missing_receipt_days) FROM STDIN", 0 },
	{ "balance_thresholds", 3,
	    "SELECT partner_id, currency, amount_minor FROM balance_thresholds "
	    "ORDER BY partner_id, currency COLLATE \"C\"",
	    "COPY balance_thresholds (partner_id, currency, amount_minor) "
	    "FROM STDIN", 0 },
	{ "users", 10,
	    "SELECT id, partner_id, email, name, role, password_hash, "
	    "active::integer, created_at, updated_at, locale FROM users "
	    "ORDER BY id",
	    "COPY users (id, partner_id, email, name, role, password_hash, "
	    "active, created_at, updated_at, locale) FROM STDIN", 0 },
	{ "login_attempts", 4,
	    "SELECT email, source, attempts, window_end FROM login_attempts "
	    "ORDER BY email COLLATE \"C\", source COLLATE \"C\"",
	    "COPY login_attempts (email, source, attempts, window_end) "
	    "FROM STDIN", 0 },
	{ "clients", 23,
	    "SELECT id, partner_id, name, org_number, contact_email, status, "
	    "'\\x' || encode(sort_key, 'hex'), search_text, balance_minor, "
	    "currency, missing_receipts, export_ready, assignees_json, "
	    "created_at, updated_at, country, org_key, external_ref, "
	    "balance_below, balance_below_currency, missing_receipts_above, "
	    "missing_receipt_days, onboarding_since FROM clients ORDER BY id",
	    "COPY clients (id, partner_id, name, org_number, contact_email, "
	    "status, sort_key, search_text, balance_minor, currency, "
	    "created_at, updated_at, country, org_key, external_ref, "
	    "balance_below, balance_below_currency, missing_receipts_above, "
	    "missing_receipt_days, onboarding_since) FROM STDIN",
	    1u << 10 | 1u << 11 | 1u << 12 },
	{ "assignments", 6,
	    "SELECT client_id, user_id, created_at, status, "
	    "'\\x' || encode(sort_key, 'hex'), missing_receipts "
	    "FROM assignments ORDER BY user_id, client_id",
	    "COPY assignments (client_id, user_id, created_at, status, "
	    "sort_key, missing_receipts) FROM STDIN", 0 },
	{ "expenses", 12,
	    "SELECT id, client_id, external_id, amount_minor, currency, "
	    "spent_at, merchant, receipt_status, export_status, created_at, "
	    "updated_at, month FROM expenses ORDER BY id",
	    "COPY expenses (id, client_id, external_id, amount_minor, "
	    "currency, spent_at, merchant, receipt_status, export_status, "
	    "created_at, updated_at, month) FROM STDIN", 0 },
	{ "audit_events", 7,
	    "SELECT id, partner_id, user_id, client_id, action, remote_addr, "
	    "created_at FROM audit_events ORDER BY id",
	    "COPY audit_events (id, partner_id, user_id, client_id, action, "
	    "remote_addr, created_at) FROM STDIN", 0 },
	{ "notification_preferences", 9,
	    "SELECT user_id, client_id, email::integer, frequency, "
	    "starts_at, updated_at, generation, alerts_only::integer, "
	    "alerts_seen FROM notification_preferences "
	    "ORDER BY user_id, client_id",
	    "COPY notification_preferences (user_id, client_id, email, "
	    "frequency, starts_at, updated_at, generation, alerts_only, "
	    "alerts_seen) FROM STDIN", 0 },
	{ "outbox", 13,
	    "SELECT id, kind, user_id, recipient, payload::text, message_id, "
	    "status, attempts, next_attempt_at, last_error, created_at, "
	    "sent_at, cancel_reason FROM outbox ORDER BY id",
	    "COPY outbox (id, kind, user_id, recipient, payload, message_id, "
	    "status, attempts, next_attempt_at, last_error, created_at, "
	    "sent_at, cancel_reason) FROM STDIN", 0 },
	{ "digests", 9,
	    "SELECT id, user_id, frequency, period, slot_at, status, "
	    "clients, outbox_id, created_at FROM digests ORDER BY id",
	    "COPY digests (id, user_id, frequency, period, slot_at, status, "
	    "clients, outbox_id, created_at) FROM STDIN", 0 },
	{ "idempotency_keys", 9,
	    "SELECT user_id, key, request_hash, status, content_type, "
	    "location, '\\x' || encode(body, 'hex'), body_digest, created_at "
	    "FROM idempotency_keys ORDER BY user_id, key COLLATE \"C\"",
	    "COPY idempotency_keys (user_id, key, request_hash, status, "
	    "content_type, location, body, body_digest, created_at) "
	    "FROM STDIN", 0 },
	{ "api_keys", 12,
	    "SELECT id, partner_id, user_id, name, prefix, "
	    "'\\x' || encode(secret_hash, 'hex'), scopes, expires_at, "
	    "last_used_at, revoked_at, created_by, created_at FROM api_keys "
	    "ORDER BY id",
	    "COPY api_keys (id, partner_id, user_id, name, prefix, "
	    "secret_hash, scopes, expires_at, last_used_at, revoked_at, "
	    "created_by, created_at) FROM STDIN", 0 },
	{ "reminders", 9,
	    "SELECT id, partner_id, client_id, sender_id, tasks::text, "
	    "comment, created_at, client_seq, sender_seq FROM reminders "
	    "ORDER BY id",
	    "COPY reminders (id, partner_id, client_id, sender_id, tasks, "
	    "comment, created_at, client_seq, sender_seq) FROM STDIN", 0 },
	{ "reminder_recipients", 3,
	    "SELECT reminder_id, user_id, outbox_id FROM reminder_recipients "
	    "ORDER BY reminder_id, user_id",
	    "COPY reminder_recipients (reminder_id, user_id, outbox_id) "
	    "FROM STDIN", 0 },
	{ "webhook_endpoints", 11,
	    "SELECT id, partner_id, url, events, secret, enabled::integer, "
	    "failing_since, disabled_at, created_by, created_at, updated_at "
	    "FROM webhook_endpoints ORDER BY id",
	    "COPY webhook_endpoints (id, partner_id, url, events, secret, "
	    "enabled, failing_since, disabled_at, created_by, created_at, "
	    "updated_at) FROM STDIN", 0 },
	{ "events", 7,
	    "SELECT id, partner_id, seq, type, client_id, data, created_at "
	    "FROM events ORDER BY id",
	    "COPY events (id, partner_id, seq, type, client_id, data, "
	    "created_at) FROM STDIN", 0 },
	{ "event_counters", 2,
	    "SELECT partner_id, seq FROM event_counters ORDER BY partner_id",
	    "COPY event_counters (partner_id, seq) FROM STDIN", 0 },
	{ "webhook_deliveries", 9,
	    "SELECT id, endpoint_id, event_id, status, attempts, "
	    "next_attempt_at, lease_until, created_at, delivered_at "
	    "FROM webhook_deliveries ORDER BY id",
	    "COPY webhook_deliveries (id, endpoint_id, event_id, status, "
	    "attempts, next_attempt_at, lease_until, created_at, delivered_at) "
	    "FROM STDIN", 0 },
	{ "webhook_attempts", 8,
	    "SELECT id, delivery_id, endpoint_id, attempt, attempted_at, "
	    "http_status, error, duration_ms FROM webhook_attempts ORDER BY id",
	    "COPY webhook_attempts (id, delivery_id, endpoint_id, attempt, "
	    "attempted_at, http_status, error, duration_ms) FROM STDIN", 0 },
	{ "client_counts", 5,
	    "SELECT partner_id, user_id, status, clients, with_missing "
	    "FROM client_counts WHERE clients <> 0 OR with_missing <> 0 "
	    "ORDER BY partner_id, user_id, status COLLATE \"C\"",
	    NULL, 0 },
	{ "client_months", 10,
	    "SELECT client_id, month, currency, pending, pending_minor, "
	    "ready, ready_minor, exported, exported_minor, missing_receipts "
	    "FROM client_months "
	    "WHERE pending <> 0 OR pending_minor <> 0 OR ready <> 0 OR "
	    "ready_minor <> 0 OR exported <> 0 OR exported_minor <> 0 OR "
	    "missing_receipts <> 0 "
	    "ORDER BY client_id, month, currency COLLATE \"C\"", NULL, 0 },
};

/* The table being loaded, between copy_load_begin() and its end. */
struct pg_copy_load {
	const struct pg_copy_table	*t;
	struct buf			 line;
};

static const struct pg_copy_table *
pg_copy_table(const char *table)
{
	size_t	 i;

	for (i = 0; i < sizeof(pg_copy_tables) / sizeof(pg_copy_tables[0]);
	    i++)
		if (strcmp(pg_copy_tables[i].table, table) == 0)
			return &pg_copy_tables[i];
	log_warnx("copy: no table %s on PostgreSQL", table);
	return NULL;
}

/*
 * Rows one at a time (single-row mode), so that a table of a million
 * expenses is never held whole in memory.
 */
int
pg_copy_read(struct store *st, const char *table,
    int (*fn)(const char *const *values, int n, void *), void *arg)
{
	PGconn				*conn = pg_conn(st);
	const struct pg_copy_table	*t;
	const char			*v[PG_COPY_COLUMNS_MAX];
	PGresult			*r;
	int				 i, rc = STORE_OK;

	if ((t = pg_copy_table(table)) == NULL)
		return STORE_ERROR;
	/* A table read whole may take longer than a request may. */
	if (pg_command(st, "SET LOCAL statement_timeout = 0",
	    "copy read") == -1)
		return STORE_ERROR;
	if (PQsendQueryParams(conn, t->select, 0, NULL, NULL, NULL, NULL,
	    0) != 1 || PQsetSingleRowMode(conn) != 1) {
		pg_log_result(st, NULL, table);
		return STORE_ERROR;
	}
	/*
	 * Every result is taken, even after a stop: the connection takes
	 * no other statement before.
	 */
	while ((r = PQgetResult(conn)) != NULL) {
		switch (PQresultStatus(r)) {
		case PGRES_SINGLE_TUPLE:
			if (rc != STORE_OK)
				break;
			if (PQnfields(r) != t->ncolumns) {
				log_warnx("copy: %s has %d columns, not %d",
				    table, PQnfields(r), t->ncolumns);
				rc = STORE_ERROR;
				break;
			}
			for (i = 0; i < t->ncolumns; i++)
				v[i] = PQgetisnull(r, 0, i) ? NULL :
				    PQgetvalue(r, 0, i);
			if (fn(v, t->ncolumns, arg) == -1)
				rc = STORE_ERROR;
			break;
		case PGRES_TUPLES_OK:
			break;
		default:
			pg_log_result(st, r, table);
			rc = STORE_ERROR;
		}
		PQclear(r);
	}
	return rc;
}

int
pg_copy_begin(struct store *st, int *empty)
{
	static const struct pg_query q = { "copy_empty",
	    "SELECT NOT (EXISTS (SELECT 1 FROM partners) OR "
	    "EXISTS (SELECT 1 FROM users) OR "
	    "EXISTS (SELECT 1 FROM login_attempts) OR "
	    "EXISTS (SELECT 1 FROM clients) OR "
	    "EXISTS (SELECT 1 FROM assignments) OR "
	    "EXISTS (SELECT 1 FROM client_counts) OR "
	    "EXISTS (SELECT 1 FROM expenses) OR "
	    "EXISTS (SELECT 1 FROM audit_events) OR "
	    "EXISTS (SELECT 1 FROM notification_preferences) OR "
	    "EXISTS (SELECT 1 FROM outbox) OR "
	    "EXISTS (SELECT 1 FROM digests) OR "
	    "EXISTS (SELECT 1 FROM idempotency_keys) OR "
	    "EXISTS (SELECT 1 FROM api_keys) OR "
	    "EXISTS (SELECT 1 FROM reminders) OR "
	    "EXISTS (SELECT 1 FROM reminder_recipients))" };
	PGresult	*r;

	if (pg_begin(st) == -1)
		return -1;
	if (pg_command(st, "SET LOCAL statement_timeout = 0",
	    "copy begin") == -1 ||
	    pg_run(st, &q, NULL, "copy target check", &r) != STORE_OK)
		return -1;
	*empty = pg_get_bool(r, 0, 0);
	PQclear(r);
	return 0;
}

int
pg_copy_load_begin(struct store *st, const char *table)
{
	struct pg_store			*pg = (struct pg_store *)st;
	const struct pg_copy_table	*t;
	PGresult			*r;

	if ((t = pg_copy_table(table)) == NULL)
		return -1;
	if (t->load == NULL || pg->load != NULL) {
		log_warnx("copy: %s cannot be loaded now", table);
		return -1;
	}
	/* What the target's triggers wrote while the others came in. */
	if ((strcmp(table, "events") == 0 &&
	    pg_command(st, "DELETE FROM events", "copy") == -1) ||
	    (strcmp(table, "event_counters") == 0 &&
	    pg_command(st, "DELETE FROM event_counters", "copy") == -1) ||
	    (strcmp(table, "webhook_deliveries") == 0 &&
	    pg_command(st, "DELETE FROM webhook_deliveries", "copy") == -1))
		return -1;
	r = PQexec(pg_conn(st), t->load);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		pg_log_result(st, r, table);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	if ((pg->load = calloc(1, sizeof(*pg->load))) == NULL) {
		log_warn("calloc");
		(void)PQputCopyEnd(pg_conn(st), "out of memory");
		return -1;
	}
	pg->load->t = t;
	buf_init(&pg->load->line, PG_COPY_LINE_MAX);
	return 0;
}

int
pg_copy_load_row(struct store *st, const char *const *values, int n)
{
	struct pg_store		*pg = (struct pg_store *)st;
	struct pg_copy_load	*l = pg->load;
	int			 i, first = 1;

	if (n != l->t->ncolumns) {
		log_warnx("copy: %s takes %d columns, not %d", l->t->table,
		    l->t->ncolumns, n);
		return -1;
	}
	buf_reset(&l->line);
	for (i = 0; i < l->t->ncolumns; i++) {
		if (l->t->skip & (1u << i))
			continue;
		if (store_copy_field(&l->line, values[i], first) == -1) {
			log_warnx("copy: a row of %s is too long", l->t->table);
			return -1;
		}
		first = 0;
	}
	if (buf_addc(&l->line, '\n') == -1 ||
	    PQputCopyData(pg_conn(st), l->line.data, (int)l->line.len) != 1) {
		pg_log_result(st, NULL, l->t->table);
		return -1;
	}
	return 0;
}

int
pg_copy_load_end(struct store *st)
{
	struct pg_store	*pg = (struct pg_store *)st;
	PGresult	*r;
	int		 rc = 0;

	if (pg->load == NULL)
		return -1;
	if (PQputCopyEnd(pg_conn(st), NULL) != 1) {
		pg_log_result(st, NULL, pg->load->t->table);
		rc = -1;
	}
	/* The rows are checked as the server takes them: errors come now. */
	while ((r = PQgetResult(pg_conn(st))) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			pg_log_result(st, r, pg->load->t->table);
			rc = -1;
		}
		PQclear(r);
	}
	buf_cleanup(&pg->load->line);
	free(pg->load);
	pg->load = NULL;
	return rc;
}

/*
 * setval() is not undone by a rollback: called once every table has
 * been compared, just before the commit.
 */
int
pg_copy_finish(struct store *st)
{
	static const struct pg_query q = { "copy_sequences",
	    "SELECT "
	    "setval(pg_get_serial_sequence('partners', 'id'), "
	    "coalesce((SELECT max(id) FROM partners), 0) + 1, false), "
	    "setval(pg_get_serial_sequence('users', 'id'), "
	    "coalesce((SELECT max(id) FROM users), 0) + 1, false), "
	    "setval(pg_get_serial_sequence('clients', 'id'), "
	    "coalesce((SELECT max(id) FROM clients), 0) + 1, false), "
	    "setval(pg_get_serial_sequence('expenses', 'id'), "
	    "coalesce((SELECT max(id) FROM expenses), 0) + 1, false), "
	    "setval(pg_get_serial_sequence('audit_events', 'id'), "
	    "coalesce((SELECT max(id) FROM audit_events), 0) + 1, false), "
	    "setval(pg_get_serial_sequence('outbox', 'id'), "
	    "coalesce((SELECT max(id) FROM outbox), 0) + 1, false), "
	    "setval(pg_get_serial_sequence('digests', 'id'), "
	    "coalesce((SELECT max(id) FROM digests), 0) + 1, false), "
	    "setval(pg_get_serial_sequence('webhook_endpoints', 'id'), "
	    "coalesce((SELECT max(id) FROM webhook_endpoints), 0) + 1, false), "
	    "setval(pg_get_serial_sequence('webhook_deliveries', 'id'), "
	    "coalesce((SELECT max(id) FROM webhook_deliveries), 0) + 1, false), "
	    "setval(pg_get_serial_sequence('webhook_attempts', 'id'), "
	    "coalesce((SELECT max(id) FROM webhook_attempts), 0) + 1, false), "
	    "setval(pg_get_serial_sequence('events', 'id'), "
	    "coalesce((SELECT max(id) FROM events), 0) + 1, false), "
	    "setval(pg_get_serial_sequence('api_keys', 'id'), "
	    "coalesce((SELECT max(id) FROM api_keys), 0) + 1, false), "
	    "setval(pg_get_serial_sequence('reminders', 'id'), "
	    "coalesce((SELECT max(id) FROM reminders), 0) + 1, false)" };

	return pg_run(st, &q, NULL, "copy sequences", NULL) == STORE_OK ?
	    0 : -1;
}
