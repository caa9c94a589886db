/*
 * copy-to above the backends: which tables move and in what order, the
 * canonical rendering of a row that both sides' checksums hash, and the
 * one transaction that loads the target and proves it. No SQL here: each
 * backend reads and writes its own tables (store_backend.h).
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "store_backend.h"
#include "store_copy.h"

/*
 * Room for a row's line; the longest is an idempotent answer's body, up
 * to 64 KiB and twice that in hex.
 */
#define COPY_LINE_MAX	(4 * 1024 * 1024)

/*
 * The tables of the logical schema, parents before children, with the
 * columns both schemas share. Not here, on purpose: what a backend keeps
 * for its own indexes (SQLite's list ranks, client_rows, client_statuses,
 * client_rank_spread and the FTS5 table; PostgreSQL's list_json and the
 * partner_id of assignments) and the schema's own version, which the
 * target's migration writes. A client's sort key and search text are
 * copied as they are: the same C code made them for either store, and a
 * page cursor carries the sort key. The counters the schemas keep by
 * triggers are not copied but made again on the target as its rows
 * arrive, and then compared: client_counts here, and a client's
 * missing_receipts, export_ready and assignees_json (the backend leaves
 * them out of its load, so that its triggers do not count twice).
 */
static const struct {
	const char	*table;
	const char	*columns;
	const char	*remade;
	int		 derived;	/* all of it: compared, not copied */
} copy_tables[] = {
	{ "partners", "id, name, locale, timezone, created_at, "
	    "missing_receipts_above, missing_receipt_days", NULL, 0 },
	/* Before the clients, whose alerts read them as they come in. */
	{ "balance_thresholds", "partner_id, currency, amount_minor", NULL,
	    0 },
	{ "users", "id, partner_id, email, name, role, password_hash, "
	    "active, created_at, updated_at, locale", NULL, 0 },
	{ "login_attempts", "email, source, attempts, window_end", NULL, 0 },
	{ "clients", "id, partner_id, name, org_number, contact_email, "
	    "status, sort_key, search_text, balance_minor, currency, "
	    "missing_receipts, export_ready, assignees_json, created_at, "
	    "updated_at, country, org_key, external_ref, balance_below, "
	    "balance_below_currency, missing_receipts_above, "
	    "missing_receipt_days, onboarding_since",
	    "missing_receipts, export_ready and assignees_json", 0 },
	{ "assignments", "client_id, user_id, created_at, status, sort_key, "
	    "missing_receipts", NULL, 0 },
	{ "expenses", "id, client_id, external_id, amount_minor, currency, "
	    "spent_at, merchant, receipt_status, export_status, created_at, "
	    "updated_at, month", NULL, 0 },
	{ "audit_events", "id, partner_id, user_id, client_id, action, "
	    "remote_addr, created_at", NULL, 0 },
	{ "notification_preferences", "user_id, client_id, email, "
	    "frequency, starts_at, updated_at, generation, alerts_only, "
	    "alerts_seen", NULL, 0 },
	{ "outbox", "id, kind, user_id, recipient, payload, message_id, "
	    "status, attempts, next_attempt_at, last_error, created_at, "
	    "sent_at, cancel_reason", NULL, 0 },
	{ "digests", "id, user_id, frequency, period, slot_at, status, "
	    "clients, outbox_id, created_at", NULL, 0 },
	{ "idempotency_keys", "user_id, key, request_hash, status, "
	    "content_type, location, body, body_digest, created_at", NULL, 0 },
	{ "api_keys", "id, partner_id, user_id, name, prefix, secret_hash, "
	    "scopes, expires_at, last_used_at, revoked_at, created_by, "
	    "created_at", NULL, 0 },
	{ "reminders", "id, partner_id, client_id, sender_id, tasks, "
	    "comment, created_at, client_seq, sender_seq", NULL, 0 },
	{ "reminder_recipients", "reminder_id, user_id, outbox_id", NULL, 0 },
	/*
	 * Last of the loaded: the target's triggers wrote events of their
	 * own as the tables above came in; those go, and the source's come.
	 */
	{ "webhook_endpoints", "id, partner_id, url, events, secret, enabled, "
	    "failing_since, disabled_at, created_by, created_at, updated_at",
	    NULL, 0 },
	{ "events", "id, partner_id, seq, type, client_id, data, created_at",
	    NULL, 0 },
	{ "event_counters", "partner_id, seq", NULL, 0 },
	{ "webhook_deliveries", "id, endpoint_id, event_id, status, attempts, "
	    "next_attempt_at, lease_until, created_at, delivered_at", NULL, 0 },
	{ "webhook_attempts", "id, delivery_id, endpoint_id, attempt, "
	    "attempted_at, http_status, error, duration_ms", NULL, 0 },
	/* Rows that count nothing (0, 0) are left out on both sides. */
	{ "client_counts", "partner_id, user_id, status, clients, "
	    "with_missing", "all; rows that count nothing left out", 1 },
	{ "client_months", "client_id, month, currency, pending, "
	    "pending_minor, ready, ready_minor, exported, exported_minor, "
	    "missing_receipts", "all; rows that count nothing left out", 1 },
};
#define COPY_TABLES	(sizeof(copy_tables) / sizeof(copy_tables[0]))

/* One side's reading of a table; dst set: each row is loaded there. */
struct copy_side {
	EVP_MD_CTX	*md;
	struct buf	 line;
	int64_t		 rows;
	struct store	*dst;
	int		 ncolumns;
};

int
store_copy_field(struct buf *b, const char *value, int first)
{
	const char	*p;
	int		 rc = 0;

	if (!first && buf_addc(b, '\t') == -1)
		return -1;
	if (value == NULL)
		return buf_adds(b, "\\N");
	for (p = value; *p != '\0' && rc == 0; p++) {
		switch (*p) {
		case '\\':
			rc = buf_adds(b, "\\\\");
			break;
		case '\t':
			rc = buf_adds(b, "\\t");
			break;
		case '\n':
			rc = buf_adds(b, "\\n");
			break;
		case '\r':
			rc = buf_adds(b, "\\r");
			break;
		default:
			rc = buf_addc(b, *p);
		}
	}
	return rc;
}

/* The number of columns a list names. */
static int
copy_column_count(const char *columns)
{
	int	 n = 1;

	for (; *columns != '\0'; columns++)
		if (*columns == ',')
			n++;
	return n;
}

static int
copy_row(const char *const *values, int n, void *arg)
{
	struct copy_side	*side = arg;
	int			 i;

	if (n != side->ncolumns) {
		log_warnx("copy: a row of %d columns, not %d", n,
		    side->ncolumns);
		return -1;
	}
	buf_reset(&side->line);
	for (i = 0; i < side->ncolumns; i++)
		if (store_copy_field(&side->line, values[i], i == 0) == -1) {
			log_warnx("copy: a row longer than %d bytes",
			    COPY_LINE_MAX);
			return -1;
		}
	if (buf_addc(&side->line, '\n') == -1 ||
	    EVP_DigestUpdate(side->md, side->line.data,
	    side->line.len) != 1) {
		log_warnx("copy: cannot hash a row");
		return -1;
	}
	side->rows++;
	if (side->dst != NULL && side->dst->be->copy_load_row(side->dst,
	    values, n) == -1)
		return -1;
	return 0;
}

/*
 * Reads table i of st into *rows and sum, loading each row into dst
 * when set. 0 or -1, logged.
 */
static int
copy_side_read(struct store *st, size_t i, struct store *dst,
    int64_t *rows, char sum[STORE_COPY_SUM_LEN])
{
	struct copy_side	 side;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0, k;
	int			 rc = -1;

	memset(&side, 0, sizeof(side));
	buf_init(&side.line, COPY_LINE_MAX);
	side.dst = dst;
	side.ncolumns = copy_column_count(copy_tables[i].columns);
	if ((side.md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(side.md, EVP_sha256(), NULL) != 1) {
		log_warnx("copy: cannot hash");
		goto out;
	}
	if (st->be->copy_read(st, copy_tables[i].table, copy_row,
	    &side) != STORE_OK)
		goto out;
	if (EVP_DigestFinal_ex(side.md, md, &mdlen) != 1) {
		log_warnx("copy: cannot hash");
		goto out;
	}
	for (k = 0; k < mdlen && 2 * k + 2 < STORE_COPY_SUM_LEN; k++)
		(void)snprintf(sum + 2 * k, 3, "%02x", md[k]);
	*rows = side.rows;
	rc = 0;
out:
	EVP_MD_CTX_free(side.md);
	buf_cleanup(&side.line);
	return rc;
}

/*
 * Table i read from src into r's source side and loaded into dst, unless
 * dst derives it. 0 or -1, logged.
 */
static int
copy_table(struct store *src, struct store *dst, size_t i,
    struct store_copy_report *r)
{
	const struct store_backend	*be = dst->be;
	int				 load = !copy_tables[i].derived;

	memset(r, 0, sizeof(*r));
	r->table = copy_tables[i].table;
	r->columns = copy_tables[i].columns;
	r->remade = copy_tables[i].remade;
	if (load && be->copy_load_begin(dst, r->table) == -1)
		return -1;
	if (copy_side_read(src, i, load ? dst : NULL, &r->source_rows,
	    r->source_sum) == -1) {
		/* The load is ended all the same; the read's failure counts. */
		if (load)
			(void)be->copy_load_end(dst);
		return -1;
	}
	if (load && be->copy_load_end(dst) == -1)
		return -1;
	return 0;
}

int
store_copy(struct store *src, struct store *dst,
    void (*report)(const struct store_copy_report *, void *), void *arg)
{
	struct store_copy_report	 r[COPY_TABLES];
	const struct store_backend	*be = dst->be;
	size_t				 i;
	int				 empty = 0, rc = STORE_ERROR, same = 1;

	if (be->copy_begin == NULL || be->copy_load_begin == NULL) {
		log_warnx("copy: this kind of database cannot be a target");
		return STORE_ERROR;
	}
	if (store_migrate(dst) == -1)
		return STORE_ERROR;
	if (store_begin_read(src) == -1)
		return STORE_ERROR;
	if (be->copy_begin(dst, &empty) == -1)
		goto out;
	if (!empty) {
		log_warnx("copy: the target database holds data already");
		rc = STORE_CONFLICT;
		goto out;
	}
	/*
	 * Every table is loaded before any is read back: the triggers of
	 * a later table (expenses) change an earlier one (clients).
	 */
	for (i = 0; i < COPY_TABLES; i++)
		if (copy_table(src, dst, i, &r[i]) == -1)
			goto out;
	for (i = 0; i < COPY_TABLES; i++) {
		if (copy_side_read(dst, i, NULL, &r[i].target_rows,
		    r[i].target_sum) == -1)
			goto out;
		r[i].ok = r[i].source_rows == r[i].target_rows &&
		    strcmp(r[i].source_sum, r[i].target_sum) == 0;
		same = same && r[i].ok;
	}
	for (i = 0; report != NULL && i < COPY_TABLES; i++)
		report(&r[i], arg);
	if (!same) {
		log_warnx("copy: the target differs from the source; "
		    "rolled back");
		rc = STORE_CONFLICT;
		goto out;
	}
	if (be->copy_finish(dst) == -1 || store_commit(dst) == -1)
		goto out;
	store_rollback(src);
	return STORE_OK;
out:
	store_rollback(dst);
	store_rollback(src);
	return rc;
}
