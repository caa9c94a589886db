/*
 * copy-to's read side on SQLite (store_copy.c): each table's shared
 * columns as the canonical text both stores hash. SQLite is a source
 * only: copy-to writes PostgreSQL.
 */
#include <string.h>

#include "../log.h"
#include "sqlite.h"

#define SQLITE_COPY_COLUMNS_MAX	16

/*
 * The read of each table, columns as store_copy.c lists them: bytes as
 * \x and lower-case hex (hex() of NULL is '', hence the CASE), text keys
 * in SQLite's byte order. Booleans are integers here already.
 */
static const struct {
	const char	*table;
	const char	*select;
} sqlite_copy_tables[] = {
	{ "partners", "SELECT id, name, locale, timezone, created_at "
	    "FROM partners ORDER BY id" },
	{ "users", "SELECT id, partner_id, email, name, role, password_hash, "
	    "active, created_at, updated_at FROM users ORDER BY id" },
	{ "login_attempts", "SELECT email, source, attempts, window_end "
	    "FROM login_attempts ORDER BY email, source" },
	{ "clients", "SELECT id, partner_id, name, org_number, contact_email, "
	    "status, '\\x' || lower(hex(sort_key)), search_text, "
	    "balance_minor, currency, missing_receipts, export_ready, "
	    "assignees_json, created_at, updated_at FROM clients "
	    "ORDER BY id" },
	{ "assignments", "SELECT client_id, user_id, created_at, status, "
	    "'\\x' || lower(hex(sort_key)), missing_receipts "
	    "FROM assignments ORDER BY user_id, client_id" },
	{ "expenses", "SELECT id, client_id, external_id, amount_minor, "
	    "currency, spent_at, merchant, receipt_status, export_status, "
	    "created_at, updated_at FROM expenses ORDER BY id" },
	{ "audit_events", "SELECT id, partner_id, user_id, client_id, "
	    "action, remote_addr, created_at FROM audit_events ORDER BY id" },
	{ "notification_preferences", "SELECT user_id, client_id, email, "
	    "frequency, starts_at, updated_at, generation "
	    "FROM notification_preferences ORDER BY user_id, client_id" },
	{ "outbox", "SELECT id, kind, user_id, recipient, payload, "
	    "message_id, status, attempts, next_attempt_at, last_error, "
	    "created_at, sent_at, cancel_reason FROM outbox ORDER BY id" },
	{ "digests", "SELECT id, user_id, frequency, period, slot_at, "
	    "status, clients, outbox_id, created_at FROM digests "
	    "ORDER BY id" },
	{ "idempotency_keys", "SELECT user_id, key, request_hash, status, "
	    "content_type, location, CASE WHEN body IS NOT NULL "
	    "THEN '\\x' || lower(hex(body)) END, body_digest, created_at "
	    "FROM idempotency_keys ORDER BY user_id, key" },
	{ "reminders", "SELECT id, partner_id, client_id, sender_id, tasks, "
	    "comment, created_at FROM reminders ORDER BY id" },
	{ "reminder_recipients", "SELECT reminder_id, user_id, outbox_id "
	    "FROM reminder_recipients ORDER BY reminder_id, user_id" },
	{ "client_counts", "SELECT partner_id, user_id, status, clients, "
	    "with_missing FROM client_counts "
	    "WHERE clients <> 0 OR with_missing <> 0 "
	    "ORDER BY partner_id, user_id, status" },
};

struct sqlite_copy_to {
	int	(*fn)(const char *const *, int, void *);
	void	*arg;
};

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
	struct sqlite_copy_to	 to = { fn, arg };
	sqlite3_stmt		*stmt;
	size_t			 i;

	for (i = 0; i < sizeof(sqlite_copy_tables) /
	    sizeof(sqlite_copy_tables[0]); i++) {
		if (strcmp(sqlite_copy_tables[i].table, table) != 0)
			continue;
		if ((stmt = sqlite_stmt(st,
		    sqlite_copy_tables[i].select)) == NULL)
			return STORE_ERROR;
		return sqlite_rows(st, stmt, table, sqlite_copy_row, &to);
	}
	log_warnx("copy: no table %s on SQLite", table);
	return STORE_ERROR;
}
