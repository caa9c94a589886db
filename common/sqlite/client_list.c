/*
 * The Clients list and its search on SQLite: tab counters, pages walked
 * by index in each order, searches by trigram, by grams or by scan, and
 * the upkeep of their indexes. One literal statement per sort, scope
 * (whole firm or one assignee) and kind of search, so that each uses its
 * index, some put together from the named parts they share; every value
 * is bound, none is pasted in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../alert.h"
#include "../collate.h"
#include "../log.h"
#include "../store_client.h"
#include "client_sql.h"
#include "grams.h"
#include "sqlite.h"

/*
 * The filters besides the count of missing receipts (?4), on table t,
 * whose id and alerts are the client's (clients, client_rows): any of
 * the alerts of ?11 (0: every client), and a month (?13, year * 100 +
 * month; 0: none) whose expenses miss a receipt.
 */
#define FILTERS_OF(t) \
	"AND (?11 = 0 OR " t ".alerts & ?11 <> 0) " \
	"AND (?13 = 0 OR EXISTS (SELECT 1 FROM client_months m " \
	"WHERE m.client_id = " t ".id AND m.month = ?13 " \
	"AND m.missing_receipts > 0)) "

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
    "AND c.missing_receipts >= ?4 " FILTERS_OF("c")
    "AND (c.sort_key, c.id) > (?6, ?7) "
    "ORDER BY c.sort_key, c.id LIMIT ?9";
const char client_list_firm_name_desc_sql[] =
    "SELECT c.id, c.missing_receipts, c.sort_key, c.list_json "
    "FROM clients c WHERE c.partner_id = ?1 AND c.status = ?2 "
    "AND c.missing_receipts >= ?4 " FILTERS_OF("c")
    "AND (c.sort_key, c.id) < (?6, ?7) "
    "ORDER BY c.sort_key DESC, c.id DESC LIMIT ?9";
const char client_list_firm_missing_sql[] =
    "SELECT c.id, c.missing_receipts, c.sort_key, c.list_json "
    "FROM clients c WHERE c.partner_id = ?1 AND c.status = ?2 "
    "AND c.missing_receipts >= ?4 " FILTERS_OF("c")
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
    "AND c.missing_receipts >= ?4 " FILTERS_OF("c")
    "AND c.missing_receipts = ?8 "
    "AND (c.sort_key, c.id) > (?6, ?7) "
    "ORDER BY c.sort_key, c.id LIMIT ?9) UNION ALL "
    "SELECT * FROM ("
    "SELECT c.id, c.missing_receipts, c.sort_key, c.list_json "
    "FROM clients c WHERE c.partner_id = ?1 AND c.status = ?2 "
    "AND c.missing_receipts >= ?4 " FILTERS_OF("c")
    "AND c.missing_receipts < ?8 "
    "ORDER BY c.missing_receipts DESC, c.sort_key, c.id LIMIT ?9) "
    "LIMIT ?9";

/*
 * Attention first (clients.attention, schema.sql version 21), then by
 * name: as the order by missing receipts, with the score for the count,
 * its index clients_list_by_attention.
 */
const char client_list_firm_attention_sql[] =
    "SELECT c.id, c.attention, c.sort_key, c.list_json "
    "FROM clients c WHERE c.partner_id = ?1 AND c.status = ?2 "
    "AND c.missing_receipts >= ?4 " FILTERS_OF("c")
    "AND (c.attention, c.sort_key, c.id) > (?8, ?6, ?7) "
    "ORDER BY c.attention, c.sort_key, c.id LIMIT ?9";

/*
 * The firm's clients with a low balance (alert.h's ALERT_LOW_BALANCE,
 * the 1 written here) in name order: a walk of their own index
 * (schema.sql, version 26), which the literal term lets the planner
 * take, where the statements above walk every client to keep them.
 */
#define LOW_BALANCE_PAGE(cmp, order) \
	"SELECT c.id, c.missing_receipts, c.sort_key, c.list_json " \
	"FROM clients c INDEXED BY clients_list_low_balance " \
	"WHERE c.partner_id = ?1 AND c.status = ?2 AND c.alerts & 1 <> 0 " \
	"AND c.missing_receipts >= ?4 " FILTERS_OF("c") \
	"AND (c.sort_key, c.id) " cmp " (?6, ?7) " \
	"ORDER BY c.sort_key" order ", c.id" order " LIMIT ?9"
const char client_list_firm_low_balance_sql[] = LOW_BALANCE_PAGE(">", "");
const char client_list_firm_low_balance_desc_sql[] =
    LOW_BALANCE_PAGE("<", " DESC");
_Static_assert(ALERT_LOW_BALANCE == 1, "the alert bit written above");

/*
 * The clients a month's filter keeps, counted: the kept counters cannot
 * say which clients miss receipts in a month. One step per client that
 * misses any, from the index by count.
 */
const char client_count_firm_month_sql[] =
    "SELECT count(*) FROM clients c WHERE c.partner_id = ?1 "
    "AND c.status = ?2 AND c.missing_receipts >= ?4 " FILTERS_OF("c");
const char client_count_user_month_sql[] =
    "SELECT count(*) FROM assignments a "
    "CROSS JOIN client_rows r ON r.id = a.client_id "
    "WHERE a.user_id = ?3 AND a.status = ?2 AND r.partner_id = ?1 "
    "AND a.missing_receipts >= ?4 " FILTERS_OF("r");

const char client_list_user_name_sql[] =
    "SELECT a.client_id, a.missing_receipts, a.sort_key, r.json "
    "FROM assignments a CROSS JOIN client_rows r ON r.id = a.client_id "
    "WHERE a.user_id = ?3 AND a.status = ?2 AND r.partner_id = ?1 "
    "AND a.missing_receipts >= ?4 " FILTERS_OF("r")
    "AND (a.sort_key, a.client_id) > (?6, ?7) "
    "ORDER BY a.sort_key, a.client_id LIMIT ?9";
const char client_list_user_name_desc_sql[] =
    "SELECT a.client_id, a.missing_receipts, a.sort_key, r.json "
    "FROM assignments a CROSS JOIN client_rows r ON r.id = a.client_id "
    "WHERE a.user_id = ?3 AND a.status = ?2 AND r.partner_id = ?1 "
    "AND a.missing_receipts >= ?4 " FILTERS_OF("r")
    "AND (a.sort_key, a.client_id) < (?6, ?7) "
    "ORDER BY a.sort_key DESC, a.client_id DESC LIMIT ?9";
const char client_list_user_missing_sql[] =
    "SELECT a.client_id, a.missing_receipts, a.sort_key, r.json "
    "FROM assignments a CROSS JOIN client_rows r ON r.id = a.client_id "
    "WHERE a.user_id = ?3 AND a.status = ?2 AND r.partner_id = ?1 "
    "AND a.missing_receipts >= ?4 " FILTERS_OF("r")
    "AND (a.missing_receipts, a.sort_key, a.client_id) > (?8, ?6, ?7) "
    "ORDER BY a.missing_receipts, a.sort_key, a.client_id LIMIT ?9";
const char client_list_user_missing_desc_sql[] =
    "SELECT * FROM ("
    "SELECT a.client_id, a.missing_receipts, a.sort_key, r.json "
    "FROM assignments a CROSS JOIN client_rows r ON r.id = a.client_id "
    "WHERE a.user_id = ?3 AND a.status = ?2 AND r.partner_id = ?1 "
    "AND a.missing_receipts >= ?4 " FILTERS_OF("r")
    "AND a.missing_receipts = ?8 "
    "AND (a.sort_key, a.client_id) > (?6, ?7) "
    "ORDER BY a.sort_key, a.client_id LIMIT ?9) UNION ALL "
    "SELECT * FROM ("
    "SELECT a.client_id, a.missing_receipts, a.sort_key, r.json "
    "FROM assignments a CROSS JOIN client_rows r ON r.id = a.client_id "
    "WHERE a.user_id = ?3 AND a.status = ?2 AND r.partner_id = ?1 "
    "AND a.missing_receipts >= ?4 " FILTERS_OF("r")
    "AND a.missing_receipts < ?8 "
    "ORDER BY a.missing_receipts DESC, a.sort_key, a.client_id "
    "LIMIT ?9) "
    "LIMIT ?9";
const char client_list_user_attention_sql[] =
    "SELECT a.client_id, a.attention, a.sort_key, r.json "
    "FROM assignments a CROSS JOIN client_rows r ON r.id = a.client_id "
    "WHERE a.user_id = ?3 AND a.status = ?2 AND r.partner_id = ?1 "
    "AND a.missing_receipts >= ?4 " FILTERS_OF("r")
    "AND (a.attention, a.sort_key, a.client_id) > (?8, ?6, ?7) "
    "ORDER BY a.attention, a.sort_key, a.client_id LIMIT ?9";

/*
 * A firm's search of up to three characters reads client_grams
 * (schema.sql, version 14), a b-tree of (firm, status, gram, sort key,
 * id): its page is one walk from the cursor's place in the list's order,
 * each row read by id from client_rows. Longer searches, and an
 * assignee's, come from the trigram index, keyed by list rank (versions
 * 6 and 8), an FTS5 table whose rowid is the rank. The ranks of a firm's
 * clients of one status are one range, from
 * (?1 << 40) + (code << 36), in the list's order by name. 40 and 36 are
 * partner_shift and status_shift of the view list_rank_layout, which
 * names the layout once; they are written here as numbers because
 * reading the view would put a materialized row into each bound's plan,
 * and tests/unit/test_client_plans.c checks that they are the view's.
 * Where a statement reads a client, it takes one seek per match in
 * clients_by_rank, which covers what it reads, the row's JSON included
 * (schema.sql, version 11).
 */
#define RANK_FIRST \
	"(SELECT (?1 << 40) + (code << 36) FROM client_statuses " \
	"WHERE status = ?2)"
#define RANK_LAST \
	"(SELECT (?1 << 40) + ((code + 1) << 36) - 1 " \
	"FROM client_statuses WHERE status = ?2)"
/* The rank of the first client past the cursor, or of the last before. */
#define RANK_PAST_CURSOR \
	"(SELECT list_rank FROM clients WHERE partner_id = ?1 " \
	"AND status = ?2 AND (sort_key, id) > (?6, ?7) " \
	"ORDER BY sort_key, id LIMIT 1)"
#define RANK_BEFORE_CURSOR \
	"(SELECT list_rank FROM clients WHERE partner_id = ?1 " \
	"AND status = ?2 AND (sort_key, id) < (?6, ?7) " \
	"ORDER BY sort_key DESC, id DESC LIMIT 1)"

/*
 * A search of the firm's list in name order: its page is the matches
 * from the cursor's place on, in rank order, each placed and read with
 * one seek. It costs what the page holds, however many clients match:
 * the first page of "a" reads as much as that of "gård". Reads (id,
 * missing receipts, sort key, row JSON).
 */
#define SEARCH_PAGE(from, to, order) \
	"SELECT c.id, c.missing_receipts, c.sort_key, c.list_json FROM " \
	"clients_fts CROSS JOIN clients c ON c.list_rank = clients_fts.rowid " \
	"WHERE clients_fts MATCH ?5 AND clients_fts.rowid BETWEEN " from \
	" AND " to " AND c.missing_receipts >= ?4 " FILTERS_OF("c") \
	"ORDER BY clients_fts.rowid" order " LIMIT ?9"
const char client_search_page_sql[] =
    SEARCH_PAGE("coalesce(" RANK_PAST_CURSOR ", " RANK_LAST " + 1)",
    RANK_LAST, "");
const char client_search_page_desc_sql[] =
    SEARCH_PAGE(RANK_FIRST, "coalesce(" RANK_BEFORE_CURSOR ", "
    RANK_FIRST " - 1)", " DESC");
/* The firm's clients of the status that hold gram ?5, with their rows. */
#define GRAMS_ROWS \
	"FROM client_grams g CROSS JOIN client_rows r ON r.id = g.id " \
	"WHERE g.partner_id = ?1 AND g.status = ?2 AND g.gram = ?5 " \
	"AND r.missing_receipts >= ?4 " FILTERS_OF("r")
const char client_search_grams_page_sql[] =
    "SELECT g.id, r.missing_receipts, g.sort_key, r.json " GRAMS_ROWS
    "AND (g.sort_key, g.id) > (?6, ?7) "
    "ORDER BY g.sort_key, g.id LIMIT ?9";
const char client_search_grams_page_desc_sql[] =
    "SELECT g.id, r.missing_receipts, g.sort_key, r.json " GRAMS_ROWS
    "AND (g.sort_key, g.id) < (?6, ?7) "
    "ORDER BY g.sort_key DESC, g.id DESC LIMIT ?9";

/*
 * How many of the firm's clients match, counted up to ?10: only the
 * index is read, and with the filter one seek per match.
 */
#define SEARCH_COUNT(join, filter) \
	"SELECT count(*) FROM (SELECT 1 FROM clients_fts " join \
	"WHERE clients_fts MATCH ?5 AND clients_fts.rowid BETWEEN " \
	RANK_FIRST " AND " RANK_LAST " " filter "LIMIT ?10)"
#define COUNT_MISSING_JOIN \
	"CROSS JOIN clients c ON c.list_rank = clients_fts.rowid "
#define COUNT_MISSING \
	"AND c.missing_receipts >= ?4 " FILTERS_OF("c")
const char client_search_count_sql[] = SEARCH_COUNT("", "");
const char client_search_count_missing_sql[] =
    SEARCH_COUNT(COUNT_MISSING_JOIN, COUNT_MISSING);
/*
 * Without the filter, a search of up to three characters reads its count
 * from client_gram_counts (schema.sql, versions 13 and 14): ?5 is the
 * gram's key. Exact, and store_client_list() bounds it.
 */
const char client_search_grams_count_sql[] =
    "SELECT coalesce((SELECT clients FROM client_gram_counts "
    "WHERE partner_id = ?1 AND status = ?2 AND gram = ?5), 0)";
const char client_search_grams_count_missing_sql[] =
    "SELECT count(*) FROM (SELECT 1 " GRAMS_ROWS "LIMIT ?10)";

/*
 * An assignee's search in name order walks the firm's matches in rank
 * order and keeps the assignee's: every match is counted, and those
 * from the cursor's place on are the page. The place is the rank of the
 * first client past the cursor, found once per statement; the second
 * column is NULL when no client comes past it. Each reads (rank, past
 * the cursor).
 */
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
    "AND c.missing_receipts >= ?4 " FILTERS_OF("c")
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
    "AND c.missing_receipts >= ?4 " FILTERS_OF("c")
    "ORDER BY clients_fts.rowid DESC";

/*
 * What places a match in its order besides the name: its count of
 * missing receipts, or when ?12 is 1 (sort=attention) its attention.
 */
#define COUNT_OF(t) \
	"iif(?12, " t ".attention, " t ".missing_receipts)"

/*
 * In the other orders a search finds every match with what places it in
 * the list, and client_page keeps the page and counts; an assignee's
 * search of one or two characters scans the folded text of their
 * clients, fewer than the firm's matches of it. Each reads (id, missing
 * receipts, sort key).
 */
const char client_match_firm_fts_sql[] =
    "SELECT c.id, " COUNT_OF("c") ", c.sort_key FROM clients_fts "
    "CROSS JOIN clients c ON c.list_rank = clients_fts.rowid "
    "WHERE clients_fts MATCH ?5 AND clients_fts.rowid BETWEEN " RANK_FIRST
    " AND " RANK_LAST " AND c.missing_receipts >= ?4 " FILTERS_OF("c");
const char client_match_firm_grams_sql[] =
    "SELECT g.id, " COUNT_OF("r") ", g.sort_key " GRAMS_ROWS;
const char client_match_user_scan_sql[] =
    "SELECT a.client_id, " COUNT_OF("a") ", a.sort_key "
    "FROM assignments a CROSS JOIN clients c ON c.id = a.client_id "
    "WHERE a.user_id = ?3 AND a.status = ?2 AND c.partner_id = ?1 "
    "AND a.missing_receipts >= ?4 " FILTERS_OF("c")
    "AND instr(c.search_text, ?5) > 0";
const char client_match_user_fts_sql[] =
    "SELECT c.id, " COUNT_OF("c") ", c.sort_key FROM clients_fts "
    "CROSS JOIN clients c ON c.list_rank = clients_fts.rowid "
    "CROSS JOIN assignments a ON a.user_id = ?3 AND a.client_id = c.id "
    "WHERE clients_fts MATCH ?5 AND clients_fts.rowid BETWEEN "
    "(SELECT (?1 << 40) + (code << 36) FROM client_statuses "
    "WHERE status = ?2) AND (SELECT (?1 << 40) + ((code + 1) << 36) - 1 "
    "FROM client_statuses WHERE status = ?2) "
    "AND c.missing_receipts >= ?4 " FILTERS_OF("c");

/* A search's page in name order: one row by its rank. */
const char client_search_row_by_rank_sql[] =
    "SELECT c.id, c.missing_receipts, c.sort_key, c.list_json "
    "FROM clients c WHERE c.list_rank = ?1";
/* A search's page in the other orders: one row by its client's id. */
const char client_search_row_sql[] =
    "SELECT json FROM client_rows WHERE id = ?1 AND partner_id = ?2";

/* [scope: firm, user][sort - 1] */
static const char *const client_list_sql[2][CLIENT_SORTS] = {
	{ client_list_firm_name_sql, client_list_firm_name_desc_sql,
	  client_list_firm_missing_sql, client_list_firm_missing_desc_sql,
	  client_list_firm_attention_sql },
	{ client_list_user_name_sql, client_list_user_name_desc_sql,
	  client_list_user_missing_sql, client_list_user_missing_desc_sql,
	  client_list_user_attention_sql },
};
/* A firm's search in name order: [index: grams, trigrams][name, -name] */
static const char *const client_search_page_sqls[2][2] = {
	{ client_search_grams_page_sql, client_search_grams_page_desc_sql },
	{ client_search_page_sql, client_search_page_desc_sql },
};
/* [index: grams, trigrams][missing receipts only] */
static const char *const client_search_count_sqls[2][2] = {
	{ client_search_grams_count_sql,
	  client_search_grams_count_missing_sql },
	{ client_search_count_sql, client_search_count_missing_sql },
};
/* [index: scan, grams, trigrams]; an assignee's short search scans. */
static const char *const client_match_sql[2][3] = {
	{ NULL, client_match_firm_grams_sql, client_match_firm_fts_sql },
	{ client_match_user_scan_sql, NULL, client_match_user_fts_sql },
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
	if (sqlite3_bind_parameter_count(stmt) >= 11)
		sqlite3_bind_int(stmt, 11, (int)q->alerts);
	if (sqlite3_bind_parameter_count(stmt) >= 12)
		sqlite3_bind_int(stmt, 12, q->sort == CLIENT_SORT_ATTENTION);
	if (sqlite3_bind_parameter_count(stmt) >= 13)
		sqlite3_bind_int(stmt, 13, q->month);
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
	/* As a blob: read by length, where text is first copied for a NUL. */
	row.json = sqlite3_column_blob(stmt, 3);
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

/*
 * The clients q's filters keep, counted from client_alert_counts: the
 * flags of a row are its alerts plus 8 when it misses receipts.
 */
static int
sqlite_client_alert_total(struct store *st, const struct client_query *q,
    int64_t *total)
{
	static const char sql[] =
	    "SELECT coalesce(sum(clients), 0) FROM client_alert_counts "
	    "WHERE partner_id = ?1 AND user_id = ?2 AND status = ?3 "
	    "AND flags & 8 >= ?4 AND flags & ?5 <> 0";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, q->partner_id);
	sqlite3_bind_int64(stmt, 2, q->user_id);
	sqlite3_bind_text(stmt, 3, q->status, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 4, q->missing_only ? 8 : 0);
	sqlite3_bind_int(stmt, 5, (int)q->alerts);
	return sqlite_row(st, stmt, "client alert counts", sqlite_int64_read,
	    total);
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
	sqlite3_bind_int64(stmt, 8, q->sort == CLIENT_SORT_MISSING ||
	    q->sort == CLIENT_SORT_ATTENTION ? -1 : INT64_MAX);
}

/* A page walked in order; the kept counters give the total. */
static int
client_list_ordered(struct store *st, const struct client_query *q,
    int (*fn)(const struct client_row *, void *), void *arg, int64_t *total)
{
	struct client_emit	 to = { fn, arg };
	sqlite3_stmt		*stmt;
	const char		*sql;
	int64_t			 clients, with_missing;
	int			 rc;

	sql = client_list_sql[q->user_id != 0][q->sort - 1];
	if (q->user_id == 0 && q->alerts == ALERT_LOW_BALANCE &&
	    q->sort <= CLIENT_SORT_NAME_DESC)
		sql = q->sort == CLIENT_SORT_NAME ?
		    client_list_firm_low_balance_sql :
		    client_list_firm_low_balance_desc_sql;
	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	client_bind_filters(stmt, q);
	client_bind_cursor(stmt, q);
	sqlite3_bind_int(stmt, 9, q->limit);
	rc = sqlite_rows(st, stmt, "client list", client_row_emit, &to);
	if (rc == STORE_OK && q->month != 0) {
		if ((stmt = sqlite_stmt(st, q->user_id != 0 ?
		    client_count_user_month_sql :
		    client_count_firm_month_sql)) == NULL)
			return STORE_ERROR;
		client_bind_filters(stmt, q);
		return sqlite_row(st, stmt, "client month count",
		    sqlite_int64_read, total);
	}
	if (rc == STORE_OK && q->alerts != 0)
		return sqlite_client_alert_total(st, q, total);
	if (rc == STORE_OK)
		rc = sqlite_client_counters(st, q->partner_id, q->user_id,
		    q->status, &clients, &with_missing);
	*total = q->missing_only ? with_missing : clients;
	return rc;
}

/* Where a search finds its matches. */
enum client_index {
	CLIENT_INDEX_SCAN,	/* the folded text of each client */
	CLIENT_INDEX_GRAMS,	/* client_grams: a firm's, up to 3 characters */
	CLIENT_INDEX_TRIGRAMS,	/* clients_fts: longer, or an assignee's */
};

/* A search and ?5, what its statements look for. */
struct client_search {
	const struct client_query	*q;
	enum client_index		 index;
	char				*match;	/* owned, but for a scan */
};

/*
 * The search of q: 0, 1 when it can match nothing (a short search with
 * a control character, which no gram holds), -1 out of memory. An
 * assignee's search of one or two characters scans their clients, fewer
 * than the firm's matches of it; of three, it walks the trigram index,
 * whose statements keep the assignee's matches.
 */
static int
client_search_init(struct client_search *s, const struct client_query *q)
{
	char	 key[SEARCH_GRAM_KEY_MAX];
	int	 gram;

	s->q = q;
	s->match = NULL;
	gram = search_gram_key(q->q, key, sizeof(key)) == 0;
	if (q->user_id == 0 && gram) {
		s->index = CLIENT_INDEX_GRAMS;
		return (s->match = strdup(key)) == NULL ? -1 : 0;
	}
	if (client_search_trigrams(q->q)) {
		s->index = CLIENT_INDEX_TRIGRAMS;
		return (s->match = client_fts_phrase(q->q)) == NULL ? -1 : 0;
	}
	if (q->user_id != 0) {
		s->index = CLIENT_INDEX_SCAN;
		return 0;
	}
	/* One or two characters, one of them a control character. */
	return 1;
}

static void
client_search_cleanup(struct client_search *s)
{
	free(s->match);
	s->match = NULL;
}

/*
 * Runs one of the search's statements, handing each row to fn. Binds
 * what the statement takes of: the filters, the cursor (with_cursor), the
 * search, the limit (?9) and the count's (?10).
 */
static int
client_search_walk(struct store *st, const struct client_search *s,
    const char *sql, int with_cursor, int (*fn)(sqlite3_stmt *, void *),
    void *arg)
{
	sqlite3_stmt	*stmt;
	int		 params;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	client_bind_filters(stmt, s->q);
	if (with_cursor)
		client_bind_cursor(stmt, s->q);
	sqlite3_bind_text(stmt, 5, s->index == CLIENT_INDEX_SCAN ? s->q->q :
	    s->match, -1, SQLITE_STATIC);
	params = sqlite3_bind_parameter_count(stmt);
	if (params >= 9)
		sqlite3_bind_int(stmt, 9, s->q->limit);
	if (params >= 10)
		sqlite3_bind_int(stmt, 10, CLIENT_SEARCH_COUNT_MAX + 1);
	return sqlite_rows(st, stmt, "client search", fn, arg);
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
client_match(struct store *st, const struct client_search *s,
    struct client_page *page)
{
	return client_search_walk(st, s, client_match_sql[s->q->user_id != 0]
	    [s->index], 0, client_match_offer, page);
}

/* A page's rows handed on (emit) and counted (n). */
struct client_counted {
	struct client_emit	emit;
	int			n;
};

static int
client_row_count_emit(sqlite3_stmt *stmt, void *arg)
{
	struct client_counted	*c = arg;

	c->n++;
	return client_row_emit(stmt, &c->emit);
}

/*
 * A firm's search in name order: the page from the cursor on, then the
 * matches counted up to one past CLIENT_SEARCH_COUNT_MAX, unless a first
 * page that ends short has counted them already.
 */
static int
client_list_found(struct store *st, const struct client_search *s,
    int (*fn)(const struct client_row *, void *), void *arg, int64_t *total)
{
	const struct client_query	*q = s->q;
	struct client_counted		 c = { { fn, arg }, 0 };
	int				 trigrams, rc;

	trigrams = s->index == CLIENT_INDEX_TRIGRAMS;
	if ((rc = client_search_walk(st, s, client_search_page_sqls[trigrams]
	    [q->sort == CLIENT_SORT_NAME_DESC], 1, client_row_count_emit,
	    &c)) != STORE_OK)
		return rc;
	if (q->after == NULL && c.n < q->limit) {
		*total = c.n;
		return STORE_OK;
	}
	return client_search_walk(st, s, client_search_count_sqls[trigrams]
	    [q->missing_only != 0 || q->alerts != 0], 0, sqlite_int64_read,
	    total);
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
 * An assignee's trigram search in name order: the ranks of the page's
 * matches, in order, and the count of them all, from one walk of the
 * firm's matches; then the page's rows, read by rank.
 */
static int
client_list_ranked(struct store *st, const struct client_search *s,
    int (*fn)(const struct client_row *, void *), void *arg, int64_t *total)
{
	/* A page, and the row past it that tells whether another follows. */
	int64_t			 ranks[CLIENT_LIST_MAX + 1];
	const struct client_query *q = s->q;
	struct client_ranks	 r = { ranks, 0, q->limit, total };
	struct client_emit	 to = { fn, arg };
	sqlite3_stmt		*stmt;
	int			 i, rc;

	if (q->limit < 0 || q->limit > CLIENT_LIST_MAX + 1) {
		log_warnx("client search: limit %d out of range", q->limit);
		return STORE_ERROR;
	}
	if ((rc = client_search_walk(st, s, q->sort == CLIENT_SORT_NAME_DESC ?
	    client_search_user_name_desc_sql : client_search_user_name_sql, 1,
	    client_rank_keep, &r)) != STORE_OK)
		return rc;
	if ((stmt = sqlite_stmt(st, client_search_row_by_rank_sql)) == NULL)
		return STORE_ERROR;
	for (i = 0; i < r.n && rc == STORE_OK; i++) {
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

/* The page of a search in any order, each row read from client_rows. */
static int
client_list_search(struct store *st, const struct client_search *s,
    int (*fn)(const struct client_row *, void *), void *arg, int64_t *total)
{
	const struct client_query *q = s->q;
	struct client_page	 page;
	sqlite3_stmt		*stmt;
	size_t			 i;
	int			 rc;

	if (client_page_init(&page, q->sort, q->after, (size_t)q->limit) ==
	    -1) {
		client_page_cleanup(&page);
		return STORE_ERROR;
	}
	if ((rc = client_match(st, s, &page)) != STORE_OK)
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
	struct client_search	 s;
	int			 by_name, rc;

	if (q->q[0] == '\0')
		return client_list_ordered(st, q, fn, arg, total);
	if ((rc = client_search_init(&s, q)) != 0)
		return rc == 1 ? STORE_OK : STORE_ERROR;
	by_name = q->sort == CLIENT_SORT_NAME || q->sort ==
	    CLIENT_SORT_NAME_DESC;
	if (by_name && q->user_id == 0)
		rc = client_list_found(st, &s, fn, arg, total);
	else if (by_name && s.index == CLIENT_INDEX_TRIGRAMS)
		rc = client_list_ranked(st, &s, fn, arg, total);
	else
		rc = client_list_search(st, &s, fn, arg, total);
	client_search_cleanup(&s);
	return rc;
}

int
sqlite_client_status_count(struct store *st, int64_t partner_id,
    int64_t user_id, const char *status, unsigned alerts, int64_t *count)
{
	struct client_query	 q;
	int64_t			 with_missing;

	if (alerts == 0)
		return sqlite_client_counters(st, partner_id, user_id, status,
		    count, &with_missing);
	memset(&q, 0, sizeof(q));
	q.partner_id = partner_id;
	q.user_id = user_id;
	q.status = status;
	q.alerts = alerts;
	return sqlite_client_alert_total(st, &q, count);
}

/*
 * One step of merging an index's segments, up to pages pages; *merged is
 * nonzero when it wrote. The command counts as one change; a merge writes
 * more.
 */
static int
client_index_merge(struct store *st, const char *sql, int pages,
    int *merged)
{
	sqlite3_stmt	*stmt;
	int		 before, rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	/* A negative count merges across levels, towards one segment. */
	sqlite3_bind_int(stmt, 1, -pages);
	before = sqlite3_total_changes(sqlite_db(st));
	if ((rc = sqlite_step_done(st, stmt, "search index merge")) ==
	    STORE_OK)
		*merged |= sqlite3_total_changes(sqlite_db(st)) - before > 1;
	return rc;
}

/* The trigram index, a step (client_grams is a b-tree: nothing to merge). */
int
sqlite_client_search_tidy(struct store *st, int pages, int *merged)
{
	static const char trigrams_sql[] =
	    "INSERT INTO clients_fts (clients_fts, rank) VALUES ('merge', ?)";
	int	 rc;

	*merged = 0;
	if (store_begin(st) == -1)
		return STORE_ERROR;
	if ((rc = client_index_merge(st, trigrams_sql, pages, merged)) !=
	    STORE_OK) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st) == 0 ? STORE_OK : STORE_ERROR;
}
