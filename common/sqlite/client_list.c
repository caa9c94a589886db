/*
 * The Clients list and its search on SQLite: tab counters, pages walked
 * by index in each order, searches by trigram or by scan, and the upkeep
 * of the trigram index. One literal statement per sort, scope (whole firm or one
 * assignee) and kind of search, so that each uses its index; every value
 * is bound, none is pasted in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../collate.h"
#include "../log.h"
#include "../store_client.h"
#include "client_sql.h"
#include "sqlite.h"

/*
 * The list's statements, each written out whole. Parameters, the same in
 * every one of them:
 *   ?1 partner  ?2 status  ?3 assignee (user scope)  ?4 least missing
 *   ?5 search   ?6 cursor key  ?7 cursor id  ?8 cursor count  ?9 limit
 * Each reads (id, missing receipts, sort key, row JSON).
 *
 * Without a search, a page is one walk of an index in the list's order,
 * from the cursor on. The clients_list_by_* indexes carry list_json, the
 * row as the API shows it, so the firm's walk reads nothing else; an
 * assignee's list walks the copies of status, sort key and count kept in
 * assignments and takes each row from client_rows (CROSS JOIN: whatever
 * the statistics say, walk the assignee's index).
 */
const char client_list_firm_name_sql[] =
    "SELECT c.id, c.missing_receipts, c.sort_key, c.list_json "
    "FROM clients c WHERE c.partner_id = ?1 AND c.status = ?2 "
    "AND c.missing_receipts >= ?4 AND (c.sort_key, c.id) > (?6, ?7) "
    "ORDER BY c.sort_key, c.id LIMIT ?9";
const char client_list_firm_name_desc_sql[] =
    "SELECT c.id, c.missing_receipts, c.sort_key, c.list_json "
    "FROM clients c WHERE c.partner_id = ?1 AND c.status = ?2 "
    "AND c.missing_receipts >= ?4 AND (c.sort_key, c.id) < (?6, ?7) "
    "ORDER BY c.sort_key DESC, c.id DESC LIMIT ?9";
const char client_list_firm_missing_sql[] =
    "SELECT c.id, c.missing_receipts, c.sort_key, c.list_json "
    "FROM clients c WHERE c.partner_id = ?1 AND c.status = ?2 "
    "AND c.missing_receipts >= ?4 "
    "AND (c.missing_receipts, c.sort_key, c.id) > (?8, ?6, ?7) "
    "ORDER BY c.missing_receipts, c.sort_key, c.id LIMIT ?9";
/*
 * Most missing first, ties by name: the rest of the cursor's count, then
 * every smaller count, each part in index order.
 */
const char client_list_firm_missing_desc_sql[] =
    "SELECT * FROM ("
    "SELECT c.id, c.missing_receipts, c.sort_key, c.list_json "
    "FROM clients c WHERE c.partner_id = ?1 AND c.status = ?2 "
    "AND c.missing_receipts >= ?4 AND c.missing_receipts = ?8 "
    "AND (c.sort_key, c.id) > (?6, ?7) "
    "ORDER BY c.sort_key, c.id LIMIT ?9) UNION ALL "
    "SELECT * FROM ("
    "SELECT c.id, c.missing_receipts, c.sort_key, c.list_json "
    "FROM clients c WHERE c.partner_id = ?1 AND c.status = ?2 "
    "AND c.missing_receipts >= ?4 AND c.missing_receipts < ?8 "
    "ORDER BY c.missing_receipts DESC, c.sort_key, c.id LIMIT ?9) "
    "LIMIT ?9";

const char client_list_user_name_sql[] =
    "SELECT a.client_id, a.missing_receipts, a.sort_key, r.json "
    "FROM assignments a CROSS JOIN client_rows r ON r.id = a.client_id "
    "WHERE a.user_id = ?3 AND a.status = ?2 AND r.partner_id = ?1 "
    "AND a.missing_receipts >= ?4 "
    "AND (a.sort_key, a.client_id) > (?6, ?7) "
    "ORDER BY a.sort_key, a.client_id LIMIT ?9";
const char client_list_user_name_desc_sql[] =
    "SELECT a.client_id, a.missing_receipts, a.sort_key, r.json "
    "FROM assignments a CROSS JOIN client_rows r ON r.id = a.client_id "
    "WHERE a.user_id = ?3 AND a.status = ?2 AND r.partner_id = ?1 "
    "AND a.missing_receipts >= ?4 "
    "AND (a.sort_key, a.client_id) < (?6, ?7) "
    "ORDER BY a.sort_key DESC, a.client_id DESC LIMIT ?9";
const char client_list_user_missing_sql[] =
    "SELECT a.client_id, a.missing_receipts, a.sort_key, r.json "
    "FROM assignments a CROSS JOIN client_rows r ON r.id = a.client_id "
    "WHERE a.user_id = ?3 AND a.status = ?2 AND r.partner_id = ?1 "
    "AND a.missing_receipts >= ?4 "
    "AND (a.missing_receipts, a.sort_key, a.client_id) > (?8, ?6, ?7) "
    "ORDER BY a.missing_receipts, a.sort_key, a.client_id LIMIT ?9";
const char client_list_user_missing_desc_sql[] =
    "SELECT * FROM ("
    "SELECT a.client_id, a.missing_receipts, a.sort_key, r.json "
    "FROM assignments a CROSS JOIN client_rows r ON r.id = a.client_id "
    "WHERE a.user_id = ?3 AND a.status = ?2 AND r.partner_id = ?1 "
    "AND a.missing_receipts >= ?4 AND a.missing_receipts = ?8 "
    "AND (a.sort_key, a.client_id) > (?6, ?7) "
    "ORDER BY a.sort_key, a.client_id LIMIT ?9) UNION ALL "
    "SELECT * FROM ("
    "SELECT a.client_id, a.missing_receipts, a.sort_key, r.json "
    "FROM assignments a CROSS JOIN client_rows r ON r.id = a.client_id "
    "WHERE a.user_id = ?3 AND a.status = ?2 AND r.partner_id = ?1 "
    "AND a.missing_receipts >= ?4 AND a.missing_receipts < ?8 "
    "ORDER BY a.missing_receipts DESC, a.sort_key, a.client_id "
    "LIMIT ?9) "
    "LIMIT ?9";

/*
 * A search's matches come from the trigram index, keyed by list rank
 * (schema.sql, versions 6 and 8): the ranks of a firm's clients of one
 * status are one range, from (?1 << 40) + (code << 36), in the list's
 * order by name. 40 and 36 are partner_shift and status_shift of the
 * view list_rank_layout, which names the layout once; they are written
 * here as numbers because reading the view would put a materialized row
 * into each bound's plan, and tests/unit/test_client_plans.c checks that
 * they are the view's. Where a statement reads a client, it takes one
 * seek per match in clients_by_rank, which covers what it reads.
 *
 * In name order, a search walks its range in rank order and needs no
 * sorting: every match is counted, and those from the cursor's place on
 * are the page. The place is the rank of the first client past the
 * cursor, found once per statement; the second column is NULL when no
 * client comes past it. Each reads (rank, past the cursor).
 */
const char client_search_firm_name_sql[] =
    "SELECT clients_fts.rowid, clients_fts.rowid >= (SELECT list_rank "
    "FROM clients WHERE partner_id = ?1 AND status = ?2 "
    "AND (sort_key, id) > (?6, ?7) ORDER BY sort_key, id LIMIT 1) "
    "FROM clients_fts "
    "WHERE clients_fts MATCH ?5 AND clients_fts.rowid BETWEEN "
    "(SELECT (?1 << 40) + (code << 36) FROM client_statuses "
    "WHERE status = ?2) AND (SELECT (?1 << 40) + ((code + 1) << 36) - 1 "
    "FROM client_statuses WHERE status = ?2) "
    "ORDER BY clients_fts.rowid";
const char client_search_firm_name_desc_sql[] =
    "SELECT clients_fts.rowid, clients_fts.rowid <= (SELECT list_rank "
    "FROM clients WHERE partner_id = ?1 AND status = ?2 "
    "AND (sort_key, id) < (?6, ?7) ORDER BY sort_key DESC, id DESC "
    "LIMIT 1) "
    "FROM clients_fts "
    "WHERE clients_fts MATCH ?5 AND clients_fts.rowid BETWEEN "
    "(SELECT (?1 << 40) + (code << 36) FROM client_statuses "
    "WHERE status = ?2) AND (SELECT (?1 << 40) + ((code + 1) << 36) - 1 "
    "FROM client_statuses WHERE status = ?2) "
    "ORDER BY clients_fts.rowid DESC";
const char client_search_missing_name_sql[] =
    "SELECT clients_fts.rowid, clients_fts.rowid >= (SELECT list_rank "
    "FROM clients WHERE partner_id = ?1 AND status = ?2 "
    "AND (sort_key, id) > (?6, ?7) ORDER BY sort_key, id LIMIT 1) "
    "FROM clients_fts "
    "CROSS JOIN clients c ON c.list_rank = clients_fts.rowid "
    "WHERE clients_fts MATCH ?5 AND clients_fts.rowid BETWEEN "
    "(SELECT (?1 << 40) + (code << 36) FROM client_statuses "
    "WHERE status = ?2) AND (SELECT (?1 << 40) + ((code + 1) << 36) - 1 "
    "FROM client_statuses WHERE status = ?2) "
    "AND c.missing_receipts >= ?4 "
    "ORDER BY clients_fts.rowid";
const char client_search_missing_name_desc_sql[] =
    "SELECT clients_fts.rowid, clients_fts.rowid <= (SELECT list_rank "
    "FROM clients WHERE partner_id = ?1 AND status = ?2 "
    "AND (sort_key, id) < (?6, ?7) ORDER BY sort_key DESC, id DESC "
    "LIMIT 1) "
    "FROM clients_fts "
    "CROSS JOIN clients c ON c.list_rank = clients_fts.rowid "
    "WHERE clients_fts MATCH ?5 AND clients_fts.rowid BETWEEN "
    "(SELECT (?1 << 40) + (code << 36) FROM client_statuses "
    "WHERE status = ?2) AND (SELECT (?1 << 40) + ((code + 1) << 36) - 1 "
    "FROM client_statuses WHERE status = ?2) "
    "AND c.missing_receipts >= ?4 "
    "ORDER BY clients_fts.rowid DESC";
const char client_search_user_name_sql[] =
    "SELECT clients_fts.rowid, clients_fts.rowid >= (SELECT list_rank "
    "FROM clients WHERE partner_id = ?1 AND status = ?2 "
    "AND (sort_key, id) > (?6, ?7) ORDER BY sort_key, id LIMIT 1) "
    "FROM clients_fts "
    "CROSS JOIN clients c ON c.list_rank = clients_fts.rowid "
    "CROSS JOIN assignments a ON a.user_id = ?3 AND a.client_id = c.id "
    "WHERE clients_fts MATCH ?5 AND clients_fts.rowid BETWEEN "
    "(SELECT (?1 << 40) + (code << 36) FROM client_statuses "
    "WHERE status = ?2) AND (SELECT (?1 << 40) + ((code + 1) << 36) - 1 "
    "FROM client_statuses WHERE status = ?2) "
    "AND c.missing_receipts >= ?4 "
    "ORDER BY clients_fts.rowid";
const char client_search_user_name_desc_sql[] =
    "SELECT clients_fts.rowid, clients_fts.rowid <= (SELECT list_rank "
    "FROM clients WHERE partner_id = ?1 AND status = ?2 "
    "AND (sort_key, id) < (?6, ?7) ORDER BY sort_key DESC, id DESC "
    "LIMIT 1) "
    "FROM clients_fts "
    "CROSS JOIN clients c ON c.list_rank = clients_fts.rowid "
    "CROSS JOIN assignments a ON a.user_id = ?3 AND a.client_id = c.id "
    "WHERE clients_fts MATCH ?5 AND clients_fts.rowid BETWEEN "
    "(SELECT (?1 << 40) + (code << 36) FROM client_statuses "
    "WHERE status = ?2) AND (SELECT (?1 << 40) + ((code + 1) << 36) - 1 "
    "FROM client_statuses WHERE status = ?2) "
    "AND c.missing_receipts >= ?4 "
    "ORDER BY clients_fts.rowid DESC";

/*
 * In the other orders, or for a search too short for trigrams, which
 * scans the folded text, a search finds every match with what places it
 * in the list, and client_page keeps the page and counts. Each reads
 * (id, missing receipts, sort key).
 */
const char client_match_firm_scan_sql[] =
    "SELECT c.id, c.missing_receipts, c.sort_key FROM clients c "
    "WHERE c.partner_id = ?1 AND c.status = ?2 "
    "AND c.missing_receipts >= ?4 AND instr(c.search_text, ?5) > 0";
const char client_match_firm_fts_sql[] =
    "SELECT c.id, c.missing_receipts, c.sort_key FROM clients_fts "
    "CROSS JOIN clients c ON c.list_rank = clients_fts.rowid "
    "WHERE clients_fts MATCH ?5 AND clients_fts.rowid BETWEEN "
    "(SELECT (?1 << 40) + (code << 36) FROM client_statuses "
    "WHERE status = ?2) AND (SELECT (?1 << 40) + ((code + 1) << 36) - 1 "
    "FROM client_statuses WHERE status = ?2) "
    "AND c.missing_receipts >= ?4";
const char client_match_user_scan_sql[] =
    "SELECT a.client_id, a.missing_receipts, a.sort_key "
    "FROM assignments a CROSS JOIN clients c ON c.id = a.client_id "
    "WHERE a.user_id = ?3 AND a.status = ?2 AND c.partner_id = ?1 "
    "AND a.missing_receipts >= ?4 AND instr(c.search_text, ?5) > 0";
const char client_match_user_fts_sql[] =
    "SELECT c.id, c.missing_receipts, c.sort_key FROM clients_fts "
    "CROSS JOIN clients c ON c.list_rank = clients_fts.rowid "
    "CROSS JOIN assignments a ON a.user_id = ?3 AND a.client_id = c.id "
    "WHERE clients_fts MATCH ?5 AND clients_fts.rowid BETWEEN "
    "(SELECT (?1 << 40) + (code << 36) FROM client_statuses "
    "WHERE status = ?2) AND (SELECT (?1 << 40) + ((code + 1) << 36) - 1 "
    "FROM client_statuses WHERE status = ?2) "
    "AND c.missing_receipts >= ?4";

/* A search's page in name order: one row by its rank. */
const char client_search_row_by_rank_sql[] =
    "SELECT c.id, c.missing_receipts, c.sort_key, r.json "
    "FROM clients c CROSS JOIN client_rows r ON r.id = c.id "
    "WHERE c.list_rank = ?1";
/* A search's page in the other orders: one row by its client's id. */
const char client_search_row_sql[] =
    "SELECT json FROM client_rows WHERE id = ?1 AND partner_id = ?2";

/* [scope: firm, user][sort - 1] */
static const char *const client_list_sql[2][4] = {
	{ client_list_firm_name_sql, client_list_firm_name_desc_sql,
	  client_list_firm_missing_sql, client_list_firm_missing_desc_sql },
	{ client_list_user_name_sql, client_list_user_name_desc_sql,
	  client_list_user_missing_sql, client_list_user_missing_desc_sql },
};
/* [scope: firm, firm with missing receipts, user][name, -name] */
static const char *const client_search_sql[3][2] = {
	{ client_search_firm_name_sql, client_search_firm_name_desc_sql },
	{ client_search_missing_name_sql,
	  client_search_missing_name_desc_sql },
	{ client_search_user_name_sql, client_search_user_name_desc_sql },
};
/* [scope: firm, user][search: scan, fts] */
static const char *const client_match_sql[2][2] = {
	{ client_match_firm_scan_sql, client_match_firm_fts_sql },
	{ client_match_user_scan_sql, client_match_user_fts_sql },
};

/* The search as one FTS5 phrase: "…" with inner quotes doubled. */
static char *
client_fts_phrase(const char *q)
{
	size_t	 i, o = 0, len = strlen(q);
	char	*p;

	if ((p = malloc(len * 2 + 3)) == NULL)
		return NULL;
	p[o++] = '"';
	for (i = 0; i < len; i++) {
		if (q[i] == '"')
			p[o++] = '"';
		p[o++] = q[i];
	}
	p[o++] = '"';
	p[o] = '\0';
	return p;
}

static void
client_bind_filters(sqlite3_stmt *stmt, const struct client_query *q)
{
	sqlite3_bind_int64(stmt, 1, q->partner_id);
	sqlite3_bind_text(stmt, 2, q->status, -1, SQLITE_STATIC);
	if (q->user_id != 0)
		sqlite3_bind_int64(stmt, 3, q->user_id);
	sqlite3_bind_int(stmt, 4, q->missing_only ? 1 : 0);
}

/* Where the rows of a list statement go: fn, with its arg. */
struct client_emit {
	int	(*fn)(const struct client_row *, void *);
	void	*arg;
};

/* Reads one row of a list statement and hands it on (arg: client_emit). */
static int
client_row_emit(sqlite3_stmt *stmt, void *arg)
{
	const struct client_emit	*to = arg;
	struct client_row		 row;

	row.id = sqlite3_column_int64(stmt, 0);
	row.missing_receipts = sqlite3_column_int64(stmt, 1);
	row.sort_key = sqlite3_column_blob(stmt, 2);
	row.sort_key_len = (size_t)sqlite3_column_bytes(stmt, 2);
	row.json = (const char *)sqlite3_column_text(stmt, 3);
	row.json_len = (size_t)sqlite3_column_bytes(stmt, 3);
	if (row.json == NULL)
		return -1;
	return to->fn(&row, to->arg);
}

/* A counters row into arg, two int64_t: clients and with_missing. */
static int
client_counts_row(sqlite3_stmt *stmt, void *arg)
{
	int64_t	*counts = arg;

	counts[0] = sqlite3_column_int64(stmt, 0);
	counts[1] = sqlite3_column_int64(stmt, 1);
	return 0;
}

/* The kept counters of (partner, user or 0, status); zeros when none. */
static int
sqlite_client_counters(struct store *st, int64_t partner_id, int64_t user_id,
    const char *status, int64_t *clients, int64_t *with_missing)
{
	static const char sql[] =
	    "SELECT clients, with_missing FROM client_counts "
	    "WHERE partner_id = ? AND user_id = ? AND status = ?";
	sqlite3_stmt	*stmt;
	int64_t		 counts[2] = { 0, 0 };
	int		 rc;

	*clients = *with_missing = 0;
	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_text(stmt, 3, status, -1, SQLITE_STATIC);
	rc = sqlite_row(st, stmt, "client counts", client_counts_row, counts);
	*clients = counts[0];
	*with_missing = counts[1];
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/* ?6 to ?8: the cursor, or where the first page of q's order starts. */
static void
client_bind_cursor(sqlite3_stmt *stmt, const struct client_query *q)
{
	const struct cursor	*cur = q->after;
	/* Past every real sort key: where a descending first page starts. */
	uint8_t			 top[COLLATE_KEY_MAX + 1];
	int			 desc = q->sort == CLIENT_SORT_NAME_DESC;

	if (cur != NULL) {
		sqlite3_bind_blob(stmt, 6, cur->key, (int)cur->keylen,
		    SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 7, cur->id);
		sqlite3_bind_int64(stmt, 8, cur->count);
		return;
	}
	if (desc) {
		memset(top, 0xff, sizeof(top));
		sqlite3_bind_blob(stmt, 6, top, sizeof(top), SQLITE_TRANSIENT);
	} else
		sqlite3_bind_zeroblob(stmt, 6, 0);
	sqlite3_bind_int64(stmt, 7, desc ? INT64_MAX : 0);
	sqlite3_bind_int64(stmt, 8, q->sort == CLIENT_SORT_MISSING ?
	    -1 : INT64_MAX);
}

/* A page walked in order; the kept counters give the total. */
static int
client_list_ordered(struct store *st, const struct client_query *q,
    int (*fn)(const struct client_row *, void *), void *arg, int64_t *total)
{
	struct client_emit	 to = { fn, arg };
	sqlite3_stmt		*stmt;
	int64_t			 clients, with_missing;
	int			 rc;

	if ((stmt = sqlite_stmt(st, client_list_sql[q->user_id != 0]
	    [q->sort - 1])) == NULL)
		return STORE_ERROR;
	client_bind_filters(stmt, q);
	client_bind_cursor(stmt, q);
	sqlite3_bind_int(stmt, 9, q->limit);
	rc = sqlite_rows(st, stmt, "client list", client_row_emit, &to);
	if (rc == STORE_OK)
		rc = sqlite_client_counters(st, q->partner_id, q->user_id,
		    q->status, &clients, &with_missing);
	*total = q->missing_only ? with_missing : clients;
	return rc;
}

/*
 * ?5: the search, as a phrase for the trigram index or as folded text to
 * scan for; *phrase is the caller's to free after the statement's reset.
 */
static int
client_bind_search(sqlite3_stmt *stmt, const struct client_query *q,
    int fts, char **phrase)
{
	*phrase = NULL;
	if (!fts) {
		sqlite3_bind_text(stmt, 5, q->q, -1, SQLITE_STATIC);
		return 0;
	}
	if ((*phrase = client_fts_phrase(q->q)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 5, *phrase, -1, SQLITE_STATIC);
	return 0;
}

/*
 * Runs one of the search's statements over q, handing each row to fn;
 * with_cursor binds the cursor too (?6 to ?8).
 */
static int
client_search_walk(struct store *st, const struct client_query *q,
    const char *sql, int fts, int with_cursor,
    int (*fn)(sqlite3_stmt *, void *), void *arg)
{
	sqlite3_stmt	*stmt;
	char		*phrase;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	client_bind_filters(stmt, q);
	if (with_cursor)
		client_bind_cursor(stmt, q);
	if (client_bind_search(stmt, q, fts, &phrase) == 0)
		rc = sqlite_rows(st, stmt, "client search", fn, arg);
	else {
		sqlite_reset(stmt);
		rc = STORE_ERROR;
	}
	/* After the reset: the statement held on to it until then. */
	free(phrase);
	return rc;
}

/* A match (id, count, key) offered to the page. */
static int
client_match_offer(sqlite3_stmt *stmt, void *arg)
{
	client_page_offer(arg, sqlite3_column_int64(stmt, 0),
	    sqlite3_column_int64(stmt, 1), sqlite3_column_blob(stmt, 2),
	    (size_t)sqlite3_column_bytes(stmt, 2));
	return 0;
}

/* Every match of a search offered to the page. */
static int
client_match(struct store *st, const struct client_query *q,
    struct client_page *page)
{
	int	 fts = client_search_trigrams(q->q);

	return client_search_walk(st, q, client_match_sql[q->user_id != 0]
	    [fts], fts, 0, client_match_offer, page);
}

/* The ranks of a page in the making, and the count of every match. */
struct client_ranks {
	int64_t	*ranks;
	int	 n;
	int	 limit;
	int64_t	*total;
};

/* A match (rank, whether it comes past the cursor) counted and kept. */
static int
client_rank_keep(sqlite3_stmt *stmt, void *arg)
{
	struct client_ranks	*r = arg;

	(*r->total)++;
	/* NULL when no client comes past the cursor. */
	if (r->n < r->limit && sqlite3_column_int(stmt, 1))
		r->ranks[r->n++] = sqlite3_column_int64(stmt, 0);
	return 0;
}

/*
 * The ranks of the page's matches, in order, and the count of them all:
 * one walk of the search's range.
 */
static int
client_search_ranks(struct store *st, const struct client_query *q,
    int64_t *ranks, int *n, int64_t *total)
{
	struct client_ranks	 r = { ranks, 0, q->limit, total };
	int			 scope, rc;

	scope = q->user_id != 0 ? 2 : q->missing_only ? 1 : 0;
	rc = client_search_walk(st, q, client_search_sql[scope]
	    [q->sort == CLIENT_SORT_NAME_DESC], 1, 1, client_rank_keep, &r);
	*n = r.n;
	return rc;
}

/* A search in name order: its page, read by rank. */
static int
client_list_ranked(struct store *st, const struct client_query *q,
    int (*fn)(const struct client_row *, void *), void *arg, int64_t *total)
{
	/* A page, and the row past it that tells whether another follows. */
	int64_t			 ranks[CLIENT_LIST_MAX + 1];
	struct client_emit	 to = { fn, arg };
	sqlite3_stmt		*stmt;
	int			 i, n, rc;

	if (q->limit < 0 || q->limit > CLIENT_LIST_MAX + 1) {
		log_warnx("client search: limit %d out of range", q->limit);
		return STORE_ERROR;
	}
	if ((rc = client_search_ranks(st, q, ranks, &n, total)) != STORE_OK)
		return rc;
	if ((stmt = sqlite_stmt(st, client_search_row_by_rank_sql)) == NULL)
		return STORE_ERROR;
	for (i = 0; i < n && rc == STORE_OK; i++) {
		sqlite3_bind_int64(stmt, 1, ranks[i]);
		/* The same snapshot found it: it is there. */
		if ((rc = sqlite_row(st, stmt, "client search row",
		    client_row_emit, &to)) == STORE_NOTFOUND) {
			log_warnx("client search row: rank %lld not found",
			    (long long)ranks[i]);
			rc = STORE_ERROR;
		}
	}
	return rc;
}

/* The page of a search, each row read from client_rows. */
static int
client_list_search(struct store *st, const struct client_query *q,
    int (*fn)(const struct client_row *, void *), void *arg, int64_t *total)
{
	struct client_page	 page;
	sqlite3_stmt		*stmt;
	size_t			 i;
	int			 rc;

	if (client_page_init(&page, q->sort, q->after, (size_t)q->limit) ==
	    -1) {
		client_page_cleanup(&page);
		return STORE_ERROR;
	}
	if ((rc = client_match(st, q, &page)) != STORE_OK)
		goto out;
	*total = page.offered;
	client_page_sort(&page);
	if ((stmt = sqlite_stmt(st, client_search_row_sql)) == NULL) {
		rc = STORE_ERROR;
		goto out;
	}
	for (i = 0; i < page.n && rc == STORE_OK; i++) {
		const struct client_key	*k = &page.rows[i];
		struct client_row	 row;

		sqlite3_bind_int64(stmt, 1, k->id);
		sqlite3_bind_int64(stmt, 2, q->partner_id);
		/* The same snapshot found it: it is there. */
		if (sqlite3_step(stmt) != SQLITE_ROW ||
		    (row.json = (const char *)sqlite3_column_text(stmt, 0)) ==
		    NULL) {
			sqlite_log_error(st, "client search row");
			rc = STORE_ERROR;
		} else {
			row.id = k->id;
			row.missing_receipts = k->missing;
			row.sort_key = k->key;
			row.sort_key_len = k->keylen;
			row.json_len = (size_t)sqlite3_column_bytes(stmt, 0);
			if (fn(&row, arg) == -1)
				rc = STORE_ERROR;
		}
		sqlite_reset(stmt);
	}
out:
	client_page_cleanup(&page);
	return rc;
}

int
sqlite_client_list(struct store *st, const struct client_query *q,
    int (*fn)(const struct client_row *, void *), void *arg, int64_t *total)
{
	if (q->q[0] == '\0')
		return client_list_ordered(st, q, fn, arg, total);
	if (client_search_trigrams(q->q) && (q->sort == CLIENT_SORT_NAME ||
	    q->sort == CLIENT_SORT_NAME_DESC))
		return client_list_ranked(st, q, fn, arg, total);
	return client_list_search(st, q, fn, arg, total);
}

int
sqlite_client_status_count(struct store *st, int64_t partner_id,
    int64_t user_id, const char *status, int64_t *count)
{
	int64_t	 with_missing;

	return sqlite_client_counters(st, partner_id, user_id, status, count,
	    &with_missing);
}

int
sqlite_client_search_tidy(struct store *st, int pages, int *merged)
{
	/* A negative count merges across levels, towards one segment. */
	static const char sql[] =
	    "INSERT INTO clients_fts (clients_fts, rank) VALUES ('merge', ?)";
	sqlite3_stmt	*stmt;
	int		 before, rc;

	*merged = 0;
	if (store_begin(st) == -1)
		return STORE_ERROR;
	if ((stmt = sqlite_stmt(st, sql)) == NULL) {
		store_rollback(st);
		return STORE_ERROR;
	}
	sqlite3_bind_int(stmt, 1, -pages);
	before = sqlite3_total_changes(sqlite_db(st));
	if ((rc = sqlite_step_done(st, stmt, "search index merge")) !=
	    STORE_OK) {
		store_rollback(st);
		return rc;
	}
	/* The command counts as one change; a merge writes more. */
	*merged = sqlite3_total_changes(sqlite_db(st)) - before > 1;
	return store_commit(st) == 0 ? STORE_OK : STORE_ERROR;
}
