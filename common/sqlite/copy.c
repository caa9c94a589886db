/*
 * copy-to on SQLite (store_copy.c): each table's shared columns read as
 * the canonical text both stores hash, and written back from it, so
 * that a file can be a copy's source or its target (the way back from
 * PostgreSQL).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "sqlite.h"

#define SQLITE_COPY_COLUMNS_MAX	24

/*
 * A table: the read of its columns as store_copy.c lists them (bytes as
 * \x and lower-case hex; hex() of NULL is '', hence the CASE; text keys
 * in SQLite's byte order; booleans are integers here already), the
 * INSERT that writes them, the columns the insert leaves to the
 * triggers (bit i: column i; a client's counters and assignees, which
 * its expenses and assignments count again as they arrive) and those
 * bound as bytes. Other values are bound as text: a column's INTEGER
 * affinity turns "42" into 42.
 */
struct sqlite_copy_table {
	const char	*table;
	int		 ncolumns;
	const char	*select;
	const char	*insert;
	unsigned	 skip;
	unsigned	 blob;
};

static const struct sqlite_copy_table sqlite_copy_tables[] = {
	{ "partners", 7, "SELECT id, name, locale, timezone, created_at, "
	    "missing_receipts_above, missing_receipt_days "
	    "FROM partners ORDER BY id",
	    "INSERT INTO partners (id, name, locale, timezone, created_at, "
	    "missing_receipts_above, missing_receipt_days) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)", 0, 0 },
	{ "balance_thresholds", 3, "SELECT partner_id, currency, "
	    "amount_minor FROM balance_thresholds "
	    "ORDER BY partner_id, currency",
	    "INSERT INTO balance_thresholds (partner_id, currency, "
	    "amount_minor) VALUES (?, ?, ?)", 0, 0 },
	{ "users", 10, "SELECT id, partner_id, email, name, role, "
	    "password_hash, active, created_at, updated_at, locale "
	    "FROM users ORDER BY id",
	    "INSERT INTO users (id, partner_id, email, name, role, "
	    "password_hash, active, created_at, updated_at, locale) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 0, 0 },
	{ "login_attempts", 4, "SELECT email, source, attempts, window_end "
	    "FROM login_attempts ORDER BY email, source",
	    "INSERT INTO login_attempts (email, source, attempts, window_end) "
	    "VALUES (?, ?, ?, ?)", 0, 0 },
	{ "clients", 23, "SELECT id, partner_id, name, org_number, "
	    "contact_email, status, '\\x' || lower(hex(sort_key)), "
	    "search_text, balance_minor, currency, missing_receipts, "
	    "export_ready, assignees_json, created_at, updated_at, country, "
	    "org_key, external_ref, balance_below, balance_below_currency, "
	    "missing_receipts_above, missing_receipt_days, onboarding_since "
	    "FROM clients ORDER BY id",
	    "INSERT INTO clients (id, partner_id, name, org_number, "
	    "contact_email, status, sort_key, search_text, search_grams, "
	    "balance_minor, currency, created_at, updated_at, country, "
	    "org_key, external_ref, balance_below, balance_below_currency, "
	    "missing_receipts_above, missing_receipt_days, onboarding_since) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, search_grams(?8), ?9, "
	    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
	    1u << 10 | 1u << 11 | 1u << 12, 1u << 6 },
	{ "assignments", 6, "SELECT client_id, user_id, created_at, status, "
	    "'\\x' || lower(hex(sort_key)), missing_receipts "
	    "FROM assignments ORDER BY user_id, client_id",
	    "INSERT INTO assignments (client_id, user_id, created_at, status, "
	    "sort_key, missing_receipts) VALUES (?, ?, ?, ?, ?, ?)",
	    0, 1u << 4 },
	{ "expenses", 12, "SELECT id, client_id, external_id, amount_minor, "
	    "currency, spent_at, merchant, receipt_status, export_status, "
	    "created_at, updated_at, month FROM expenses ORDER BY id",
	    "INSERT INTO expenses (id, client_id, external_id, amount_minor, "
	    "currency, spent_at, merchant, receipt_status, export_status, "
	    "created_at, updated_at, month) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 0, 0 },
	{ "audit_events", 7, "SELECT id, partner_id, user_id, client_id, "
	    "action, remote_addr, created_at FROM audit_events ORDER BY id",
	    "INSERT INTO audit_events (id, partner_id, user_id, client_id, "
	    "action, remote_addr, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    0, 0 },
	{ "notification_preferences", 9, "SELECT user_id, client_id, email, "
	    "frequency, starts_at, updated_at, generation, alerts_only, "
	    "alerts_seen FROM notification_preferences "
	    "ORDER BY user_id, client_id",
	    "INSERT INTO notification_preferences (user_id, client_id, email, "
	    "frequency, starts_at, updated_at, generation, alerts_only, "
	    "alerts_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", 0, 0 },
	{ "outbox", 13, "SELECT id, kind, user_id, recipient, payload, "
	    "message_id, status, attempts, next_attempt_at, last_error, "
	    "created_at, sent_at, cancel_reason FROM outbox ORDER BY id",
	    "INSERT INTO outbox (id, kind, user_id, recipient, payload, "
	    "message_id, status, attempts, next_attempt_at, last_error, "
	    "created_at, sent_at, cancel_reason) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 0, 0 },
	{ "digests", 9, "SELECT id, user_id, frequency, period, slot_at, "
	    "status, clients, outbox_id, created_at FROM digests "
	    "ORDER BY id",
	    "INSERT INTO digests (id, user_id, frequency, period, slot_at, "
	    "status, clients, outbox_id, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", 0, 0 },
	{ "idempotency_keys", 9, "SELECT user_id, key, request_hash, status, "
	    "content_type, location, CASE WHEN body IS NOT NULL "
	    "THEN '\\x' || lower(hex(body)) END, body_digest, created_at "
	    "FROM idempotency_keys ORDER BY user_id, key",
	    "INSERT INTO idempotency_keys (user_id, key, request_hash, "
	    "status, content_type, location, body, body_digest, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", 0, 1u << 6 },
	{ "api_keys", 12, "SELECT id, partner_id, user_id, name, prefix, "
	    "'\\x' || lower(hex(secret_hash)), scopes, expires_at, "
	    "last_used_at, revoked_at, created_by, created_at FROM api_keys "
	    "ORDER BY id",
	    "INSERT INTO api_keys (id, partner_id, user_id, name, prefix, "
	    "secret_hash, scopes, expires_at, last_used_at, revoked_at, "
	    "created_by, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 0, 1u << 5 },
	{ "reminders", 9, "SELECT id, partner_id, client_id, sender_id, "
	    "tasks, comment, created_at, client_seq, sender_seq "
	    "FROM reminders ORDER BY id",
	    "INSERT INTO reminders (id, partner_id, client_id, sender_id, "
	    "tasks, comment, created_at, client_seq, sender_seq) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", 0, 0 },
	{ "reminder_recipients", 3, "SELECT reminder_id, user_id, outbox_id "
	    "FROM reminder_recipients ORDER BY reminder_id, user_id",
	    "INSERT INTO reminder_recipients (reminder_id, user_id, "
	    "outbox_id) VALUES (?, ?, ?)", 0, 0 },
	{ "webhook_endpoints", 11, "SELECT id, partner_id, url, events, "
	    "secret, enabled, failing_since, disabled_at, created_by, "
	    "created_at, updated_at FROM webhook_endpoints ORDER BY id",
	    "INSERT INTO webhook_endpoints (id, partner_id, url, events, "
	    "secret, enabled, failing_since, disabled_at, created_by, "
	    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    0, 0 },
	{ "events", 7, "SELECT id, partner_id, seq, type, client_id, data, "
	    "created_at FROM events ORDER BY id",
	    "INSERT INTO events (id, partner_id, seq, type, client_id, data, "
	    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", 0, 0 },
	{ "event_counters", 2, "SELECT partner_id, seq FROM event_counters "
	    "ORDER BY partner_id",
	    "INSERT INTO event_counters (partner_id, seq) VALUES (?, ?)", 0,
	    0 },
	{ "webhook_deliveries", 9, "SELECT id, endpoint_id, event_id, status, "
	    "attempts, next_attempt_at, lease_until, created_at, delivered_at "
	    "FROM webhook_deliveries ORDER BY id",
	    "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, status, "
	    "attempts, next_attempt_at, lease_until, created_at, delivered_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", 0, 0 },
	{ "webhook_attempts", 8, "SELECT id, delivery_id, endpoint_id, "
	    "attempt, attempted_at, http_status, error, duration_ms "
	    "FROM webhook_attempts ORDER BY id",
	    "INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, "
	    "attempt, attempted_at, http_status, error, duration_ms) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", 0, 0 },
	{ "client_counts", 5, "SELECT partner_id, user_id, status, clients, "
	    "with_missing FROM client_counts "
	    "WHERE clients <> 0 OR with_missing <> 0 "
	    "ORDER BY partner_id, user_id, status", NULL, 0, 0 },
	{ "client_months", 10, "SELECT client_id, month, currency, pending, "
	    "pending_minor, ready, ready_minor, exported, exported_minor, "
	    "missing_receipts FROM client_months "
	    "WHERE pending <> 0 OR pending_minor <> 0 OR ready <> 0 OR "
	    "ready_minor <> 0 OR exported <> 0 OR exported_minor <> 0 OR "
	    "missing_receipts <> 0 "
	    "ORDER BY client_id, month, currency", NULL, 0, 0 },
};

struct sqlite_copy_to {
	int	(*fn)(const char *const *, int, void *);
	void	*arg;
};

static const struct sqlite_copy_table *
sqlite_copy_table(const char *table)
{
	size_t	 i;

	for (i = 0; i < sizeof(sqlite_copy_tables) /
	    sizeof(sqlite_copy_tables[0]); i++)
		if (strcmp(sqlite_copy_tables[i].table, table) == 0)
			return &sqlite_copy_tables[i];
	log_warnx("copy: no table %s on SQLite", table);
	return NULL;
}

static int
sqlite_copy_row(sqlite3_stmt *stmt, void *arg)
{
	struct sqlite_copy_to	*to = arg;
	const char		*v[SQLITE_COPY_COLUMNS_MAX];
	int			 i, n = sqlite3_column_count(stmt);

	if (n > SQLITE_COPY_COLUMNS_MAX) {
		log_warnx("copy: too many columns");
		return -1;
	}
	for (i = 0; i < n; i++)
		v[i] = sqlite3_column_type(stmt, i) == SQLITE_NULL ? NULL :
		    (const char *)sqlite3_column_text(stmt, i);
	return to->fn(v, n, to->arg);
}

int
sqlite_copy_read(struct store *st, const char *table,
    int (*fn)(const char *const *values, int n, void *), void *arg)
{
	const struct sqlite_copy_table	*t;
	struct sqlite_copy_to		 to = { fn, arg };
	sqlite3_stmt			*stmt;

	if ((t = sqlite_copy_table(table)) == NULL ||
	    (stmt = sqlite_stmt(st, t->select)) == NULL)
		return STORE_ERROR;
	return sqlite_rows(st, stmt, table, sqlite_copy_row, &to);
}

int
sqlite_copy_begin(struct store *st, int *empty)
{
	static const char sql[] =
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
	    "EXISTS (SELECT 1 FROM reminder_recipients))";
	sqlite3_stmt	*stmt;
	int		 rc;

	if (sqlite_begin(st) == -1)
		return -1;
	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return -1;
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		*empty = sqlite3_column_int(stmt, 0);
	else
		sqlite_log_error(st, "copy target check");
	sqlite_reset(stmt);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
sqlite_copy_load_begin(struct store *st, const char *table)
{
	struct sqlite_store		*sq = (struct sqlite_store *)st;
	const struct sqlite_copy_table	*t;

	if ((t = sqlite_copy_table(table)) == NULL)
		return -1;
	if (t->insert == NULL || sq->load != NULL) {
		log_warnx("copy: %s cannot be loaded now", table);
		return -1;
	}
	/* What the target's triggers wrote while the others came in. */
	if (strcmp(table, "events") == 0 &&
	    sqlite_step_control(st, "DELETE FROM events") == -1)
		return -1;
	if (strcmp(table, "event_counters") == 0 &&
	    sqlite_step_control(st, "DELETE FROM event_counters") == -1)
		return -1;
	if (strcmp(table, "webhook_deliveries") == 0 &&
	    sqlite_step_control(st, "DELETE FROM webhook_deliveries") == -1)
		return -1;
	sq->load = t;
	return 0;
}

static int
sqlite_copy_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The bytes "\x" and hex digits spell, in a malloc'd buffer the caller
 * frees (one byte more, so that none is empty), their number in *len;
 * NULL when v is not so written or memory is short.
 */
static unsigned char *
sqlite_copy_unhex(const char *v, int *len)
{
	unsigned char	*b;
	size_t		 n, i;
	int		 hi, lo;

	if (strncmp(v, "\\x", 2) != 0 || (n = strlen(v + 2)) % 2 != 0 ||
	    n / 2 > (size_t)INT32_MAX)
		return NULL;
	if ((b = malloc(n / 2 + 1)) == NULL)
		return NULL;
	for (i = 0; i < n / 2; i++) {
		hi = sqlite_copy_nibble(v[2 + 2 * i]);
		lo = sqlite_copy_nibble(v[3 + 2 * i]);
		if (hi == -1 || lo == -1) {
			free(b);
			return NULL;
		}
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = (int)(n / 2);
	return b;
}

int
sqlite_copy_load_row(struct store *st, const char *const *values, int n)
{
	const struct sqlite_copy_table	*t =
	    ((struct sqlite_store *)st)->load;
	sqlite3_stmt			*stmt;
	unsigned char			*bytes;
	int				 i, k = 0, len = 0, rc;

	if (n != t->ncolumns) {
		log_warnx("copy: %s takes %d columns, not %d", t->table,
		    t->ncolumns, n);
		return -1;
	}
	if ((stmt = sqlite_stmt(st, t->insert)) == NULL)
		return -1;
	for (i = 0, rc = SQLITE_OK; i < n && rc == SQLITE_OK; i++) {
		if (t->skip & (1u << i))
			continue;
		k++;
		if (values[i] == NULL)
			rc = sqlite3_bind_null(stmt, k);
		else if (!(t->blob & (1u << i)))
			rc = sqlite3_bind_text(stmt, k, values[i], -1,
			    SQLITE_TRANSIENT);
		else if ((bytes = sqlite_copy_unhex(values[i],
		    &len)) == NULL) {
			log_warnx("copy: bytes of %s not in \\x hex",
			    t->table);
			sqlite_reset(stmt);
			return -1;
		} else {
			rc = sqlite3_bind_blob(stmt, k, bytes, len,
			    SQLITE_TRANSIENT);
			free(bytes);
		}
	}
	if (rc != SQLITE_OK) {
		sqlite_log_error(st, t->table);
		sqlite_reset(stmt);
		return -1;
	}
	return sqlite_step_done(st, stmt, t->table) == STORE_OK ? 0 : -1;
}

int
sqlite_copy_load_end(struct store *st)
{
	((struct sqlite_store *)st)->load = NULL;
	return 0;
}

/* An id goes past the highest of its table by itself: nothing to do. */
int
sqlite_copy_finish(struct store *st)
{
	(void)st;
	return 0;
}
