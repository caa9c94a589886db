/*
 * The statements of the Clients list and its search on SQLite, each
 * written out whole (client_sql.h): one literal statement per sort,
 * scope (whole firm or one assignee) and kind of search, so that each
 * uses its index, some put together from the named parts they share;
 * every value is bound, none is pasted in. client_list.c runs them.
 */
#include "../alert.h"
#include "client_sql.h"

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
/* An assignee's matches of the firm's status, in the filters. */
#define USER_FTS_MATCHES \
	"FROM clients_fts " \
	"CROSS JOIN clients c ON c.list_rank = clients_fts.rowid " \
	"CROSS JOIN assignments a ON a.user_id = ?3 AND a.client_id = c.id " \
	"WHERE clients_fts MATCH ?5 AND clients_fts.rowid BETWEEN " \
	RANK_FIRST " AND " RANK_LAST " " \
	"AND c.missing_receipts >= ?4 " FILTERS_OF("c")
const char client_search_user_name_sql[] =
    "SELECT clients_fts.rowid, clients_fts.rowid >= " RANK_PAST_CURSOR " "
    USER_FTS_MATCHES "ORDER BY clients_fts.rowid";
const char client_search_user_name_desc_sql[] =
    "SELECT clients_fts.rowid, clients_fts.rowid <= " RANK_BEFORE_CURSOR " "
    USER_FTS_MATCHES "ORDER BY clients_fts.rowid DESC";

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
    "SELECT c.id, " COUNT_OF("c") ", c.sort_key " USER_FTS_MATCHES;

/* A search's page in name order: one row by its rank. */
const char client_search_row_by_rank_sql[] =
    "SELECT c.id, c.missing_receipts, c.sort_key, c.list_json "
    "FROM clients c WHERE c.list_rank = ?1";
/* A search's page in the other orders: one row by its client's id. */
const char client_search_row_sql[] =
    "SELECT json FROM client_rows WHERE id = ?1 AND partner_id = ?2";

