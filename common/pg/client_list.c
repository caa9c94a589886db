/*
 * The Clients list and its search on PostgreSQL: tab counters, and pages
 * walked by index from a keyset cursor in each order, searched or not.
 * A search matches by trigram (three characters or more, through the
 * GIN index) or by strpos() on the firm's clients of one status (one or
 * two characters, which have no trigram), and its page is picked and
 * ordered by the server in the list's own order, so that both backends
 * give the same pages and cursors. A page and its total come in one
 * round trip. The trigram index needs no upkeep here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../collate.h"
#include "../log.h"
#include "../store_client.h"
#include "../text.h"
#include "pg.h"

/*
 * One statement per scope, search and order. The parameters, in order:
 * $1 partner, $2 status, $3 the filters (FILTER), $4 cursor key, $5
 * cursor id, $6 limit; then the assignee (user scope); then the
 * cursor's count (missing receipts orders); then the folded search.
 * Each reads (id, missing receipts, sort key, row JSON). An assignee's
 * list walks the copies of partner, status, key and count kept in
 * assignments. Most missing first breaks ties by name ascending, so its
 * cursor condition is written out rather than as one row comparison.
 */
/*
 * $3 holds the filters of table t, whose client is id: 1 for the
 * clients missing receipts only, plus twice the alerts of which a
 * client must have one (0: any client), plus 16 times a month (year *
 * 100 + month) whose expenses must miss a receipt (0: any).
 */
#define FILTER(t, id) \
	"AND " t ".missing_receipts >= ($3::bigint & 1) " \
	"AND (($3::bigint >> 1) & 7 = 0 OR " \
	t ".alerts & (($3::bigint >> 1) & 7)::integer <> 0) " \
	"AND ($3::bigint >> 4 = 0 OR EXISTS (SELECT 1 FROM client_months m " \
	"WHERE m.client_id = " id " AND m.month = ($3::bigint >> 4)::integer " \
	"AND m.missing_receipts > 0)) "
/*
 * count: what the rows read as their count, the cursor's: the missing
 * receipts, or for sort=attention the attention, which then takes their
 * place in the order's macros.
 */
#define LIST_FIRM_OF(count) \
	"SELECT c.id, c." count ", c.sort_key, c.list_json " \
	"FROM clients c WHERE c.partner_id = $1 AND c.status = $2 " \
	FILTER("c", "c.id")
#define LIST_USER_OF(count) \
	"SELECT a.client_id, a." count ", a.sort_key, c.list_json " \
	"FROM assignments a JOIN clients c ON c.id = a.client_id " \
	"WHERE a.user_id = $7 AND a.partner_id = $1 AND a.status = $2 " \
	FILTER("a", "a.client_id")
#define LIST_FIRM	LIST_FIRM_OF("missing_receipts")
#define LIST_USER	LIST_USER_OF("missing_receipts")

/* Each order's cursor condition and ORDER BY; n: the count's number. */
#define FIRM_NAME \
	"AND (c.sort_key, c.id) > ($4, $5) " \
	"ORDER BY c.sort_key, c.id LIMIT $6"
#define FIRM_NAME_DESC \
	"AND (c.sort_key, c.id) < ($4, $5) " \
	"ORDER BY c.sort_key DESC, c.id DESC LIMIT $6"
#define FIRM_MISSING(n) \
	"AND (c.missing_receipts, c.sort_key, c.id) > " \
	"($" n "::bigint, $4, $5) " \
	"ORDER BY c.missing_receipts, c.sort_key, c.id LIMIT $6"
#define FIRM_MISSING_DESC(n) \
	"AND (c.missing_receipts < $" n "::bigint OR " \
	"(c.missing_receipts = $" n "::bigint AND " \
	"(c.sort_key, c.id) > ($4, $5))) " \
	"ORDER BY c.missing_receipts DESC, c.sort_key, c.id LIMIT $6"
#define FIRM_ATTENTION(n) \
	"AND (c.attention, c.sort_key, c.id) > " \
	"($" n "::bigint, $4, $5) " \
	"ORDER BY c.attention, c.sort_key, c.id LIMIT $6"
#define USER_NAME \
	"AND (a.sort_key, a.client_id) > ($4, $5) " \
	"ORDER BY a.sort_key, a.client_id LIMIT $6"
#define USER_NAME_DESC \
	"AND (a.sort_key, a.client_id) < ($4, $5) " \
	"ORDER BY a.sort_key DESC, a.client_id DESC LIMIT $6"
#define USER_MISSING(n) \
	"AND (a.missing_receipts, a.sort_key, a.client_id) > " \
	"($" n "::bigint, $4, $5) " \
	"ORDER BY a.missing_receipts, a.sort_key, a.client_id LIMIT $6"
#define USER_MISSING_DESC(n) \
	"AND (a.missing_receipts < $" n "::bigint OR " \
	"(a.missing_receipts = $" n "::bigint AND " \
	"(a.sort_key, a.client_id) > ($4, $5))) " \
	"ORDER BY a.missing_receipts DESC, a.sort_key, a.client_id " \
	"LIMIT $6"
#define USER_ATTENTION(n) \
	"AND (a.attention, a.sort_key, a.client_id) > " \
	"($" n "::bigint, $4, $5) " \
	"ORDER BY a.attention, a.sort_key, a.client_id LIMIT $6"

/*
 * A search: its matches (m) found once, by trigram (three characters
 * or more, through the GIN index) or by strpos() on the firm's clients
 * of one status (one or two characters, which have no trigram); then
 * their count, and the page after the cursor in the list's order with
 * its rows' JSON. The count comes first, on a row of its own when no
 * row follows the cursor: (id, missing receipts, sort key, row JSON,
 * count). n: the search's parameter.
 */
#define MATCH_LIKE(n)	"AND c.search_text LIKE search_pattern($" n ")"
#define MATCH_STRPOS(n)	"AND strpos(c.search_text, $" n ") > 0"
#define SEARCH_FIRM_OF(count, firm, match) \
	"WITH m AS MATERIALIZED (SELECT c.id, " \
	"c." count " AS missing_receipts, " \
	"c.sort_key FROM clients c WHERE " firm " " \
	FILTER("c", "c.id") match ") "
#define SEARCH_FIRM(firm, match) \
	SEARCH_FIRM_OF("missing_receipts", firm, match)
#define FIRM_BY_INDEX	"c.partner_id = $1 AND c.status = $2"
/*
 * A trigram search's firm and status, written so that no btree index
 * can take them ("+ 0", "|| ''"): the trigram index is then the only
 * way in, and the statement's one generic plan is the right plan for
 * every pattern. Otherwise the planner, not knowing the pattern, joins
 * the trigram matches with every client of the firm from a btree, which
 * costs five times as much; and planning each search with its pattern
 * costs as much as running it.
 */
#define FIRM_AS_FILTER	"c.partner_id + 0 = $1 AND c.status || '' = $2"
#define SEARCH_USER(match) SEARCH_USER_OF("missing_receipts", match)
#define SEARCH_USER_OF(count, match) \
	"WITH m AS MATERIALIZED (SELECT a.client_id AS id, " \
	"a." count " AS missing_receipts, a.sort_key " \
	"FROM assignments a JOIN clients c ON c.id = a.client_id " \
	"WHERE a.user_id = $7 AND a.partner_id = $1 AND a.status = $2 " \
	FILTER("a", "a.client_id") match ") "
#define SEARCH_PAGE(after, by) \
	"SELECT p.id, p.missing_receipts, p.sort_key, c.list_json, t.n " \
	"FROM (SELECT count(*) AS n FROM m) t LEFT JOIN LATERAL " \
	"(SELECT * FROM m WHERE " after " ORDER BY " by("m") \
	" LIMIT $6) p ON true LEFT JOIN clients c ON c.id = p.id " \
	"ORDER BY " by("p")

/* Each order's cursor condition on m, and its ORDER BY on alias t. */
#define AFTER_NAME		"(m.sort_key, m.id) > ($4, $5)"
#define AFTER_NAME_DESC		"(m.sort_key, m.id) < ($4, $5)"
#define AFTER_MISSING(n) \
	"(m.missing_receipts, m.sort_key, m.id) > ($" n "::bigint, $4, $5)"
#define AFTER_MISSING_DESC(n) \
	"(m.missing_receipts < $" n "::bigint OR " \
	"(m.missing_receipts = $" n "::bigint AND " \
	"(m.sort_key, m.id) > ($4, $5)))"
#define BY_NAME(t)		t ".sort_key, " t ".id"
#define BY_NAME_DESC(t)		t ".sort_key DESC, " t ".id DESC"
#define BY_MISSING(t)		t ".missing_receipts, " BY_NAME(t)
#define BY_MISSING_DESC(t)	t ".missing_receipts DESC, " BY_NAME(t)

/* [scope: firm, user][sort - 1] */
static const struct pg_query client_list_q[2][CLIENT_SORTS] = {
	{
		{ "client_list_firm_name", LIST_FIRM FIRM_NAME },
		{ "client_list_firm_name_desc", LIST_FIRM FIRM_NAME_DESC },
		{ "client_list_firm_missing", LIST_FIRM FIRM_MISSING("7") },
		{ "client_list_firm_missing_desc",
		    LIST_FIRM FIRM_MISSING_DESC("7") },
		{ "client_list_firm_attention",
		    LIST_FIRM_OF("attention") FIRM_ATTENTION("7") },
	},
	{
		{ "client_list_user_name", LIST_USER USER_NAME },
		{ "client_list_user_name_desc", LIST_USER USER_NAME_DESC },
		{ "client_list_user_missing", LIST_USER USER_MISSING("8") },
		{ "client_list_user_missing_desc",
		    LIST_USER USER_MISSING_DESC("8") },
		{ "client_list_user_attention",
		    LIST_USER_OF("attention") USER_ATTENTION("8") },
	},
};

/* [scope][search: strpos, trigram][sort - 1] */
static const struct pg_query client_search_q[2][2][CLIENT_SORTS] = {
	{
		{
			{ "client_search_firm_name",
			    SEARCH_FIRM(FIRM_BY_INDEX, MATCH_STRPOS("7"))
			    SEARCH_PAGE(AFTER_NAME, BY_NAME) },
			{ "client_search_firm_name_desc",
			    SEARCH_FIRM(FIRM_BY_INDEX, MATCH_STRPOS("7"))
			    SEARCH_PAGE(AFTER_NAME_DESC, BY_NAME_DESC) },
			{ "client_search_firm_missing",
			    SEARCH_FIRM(FIRM_BY_INDEX, MATCH_STRPOS("8"))
			    SEARCH_PAGE(AFTER_MISSING("7"), BY_MISSING) },
			{ "client_search_firm_missing_desc",
			    SEARCH_FIRM(FIRM_BY_INDEX, MATCH_STRPOS("8"))
			    SEARCH_PAGE(AFTER_MISSING_DESC("7"),
			    BY_MISSING_DESC) },
			{ "client_search_firm_attention",
			    SEARCH_FIRM_OF("attention", FIRM_BY_INDEX,
			    MATCH_STRPOS("8"))
			    SEARCH_PAGE(AFTER_MISSING("7"), BY_MISSING) },
		},
		{
			{ "client_search_firm_trgm_name",
			    SEARCH_FIRM(FIRM_AS_FILTER, MATCH_LIKE("7"))
			    SEARCH_PAGE(AFTER_NAME, BY_NAME) },
			{ "client_search_firm_trgm_name_desc",
			    SEARCH_FIRM(FIRM_AS_FILTER, MATCH_LIKE("7"))
			    SEARCH_PAGE(AFTER_NAME_DESC, BY_NAME_DESC) },
			{ "client_search_firm_trgm_missing",
			    SEARCH_FIRM(FIRM_AS_FILTER, MATCH_LIKE("8"))
			    SEARCH_PAGE(AFTER_MISSING("7"), BY_MISSING) },
			{ "client_search_firm_trgm_missing_desc",
			    SEARCH_FIRM(FIRM_AS_FILTER, MATCH_LIKE("8"))
			    SEARCH_PAGE(AFTER_MISSING_DESC("7"),
			    BY_MISSING_DESC) },
			{ "client_search_firm_trgm_attention",
			    SEARCH_FIRM_OF("attention", FIRM_AS_FILTER,
			    MATCH_LIKE("8"))
			    SEARCH_PAGE(AFTER_MISSING("7"), BY_MISSING) },
		},
	},
	{
		{
			{ "client_search_user_name",
			    SEARCH_USER(MATCH_STRPOS("8"))
			    SEARCH_PAGE(AFTER_NAME, BY_NAME) },
			{ "client_search_user_name_desc",
			    SEARCH_USER(MATCH_STRPOS("8"))
			    SEARCH_PAGE(AFTER_NAME_DESC, BY_NAME_DESC) },
			{ "client_search_user_missing",
			    SEARCH_USER(MATCH_STRPOS("9"))
			    SEARCH_PAGE(AFTER_MISSING("8"), BY_MISSING) },
			{ "client_search_user_missing_desc",
			    SEARCH_USER(MATCH_STRPOS("9"))
			    SEARCH_PAGE(AFTER_MISSING_DESC("8"),
			    BY_MISSING_DESC) },
			{ "client_search_user_attention",
			    SEARCH_USER_OF("attention", MATCH_STRPOS("9"))
			    SEARCH_PAGE(AFTER_MISSING("8"), BY_MISSING) },
		},
		{
			{ "client_search_user_trgm_name",
			    SEARCH_USER(MATCH_LIKE("8"))
			    SEARCH_PAGE(AFTER_NAME, BY_NAME) },
			{ "client_search_user_trgm_name_desc",
			    SEARCH_USER(MATCH_LIKE("8"))
			    SEARCH_PAGE(AFTER_NAME_DESC, BY_NAME_DESC) },
			{ "client_search_user_trgm_missing",
			    SEARCH_USER(MATCH_LIKE("9"))
			    SEARCH_PAGE(AFTER_MISSING("8"), BY_MISSING) },
			{ "client_search_user_trgm_missing_desc",
			    SEARCH_USER(MATCH_LIKE("9"))
			    SEARCH_PAGE(AFTER_MISSING_DESC("8"),
			    BY_MISSING_DESC) },
			{ "client_search_user_trgm_attention",
			    SEARCH_USER_OF("attention", MATCH_LIKE("9"))
			    SEARCH_PAGE(AFTER_MISSING("8"), BY_MISSING) },
		},
	},
};

/*
 * A bytea in text format ("\x" and hex digits) into key, the sort key
 * as the SQLite backend reads it. 0, or -1 if malformed or too long.
 */
static int
client_key_read(const char *hex, uint8_t *key, size_t *keylen)
{
	if (hex[0] != '\\' || hex[1] != 'x')
		return -1;
	return text_unhex(hex + 2, key, COLLATE_KEY_MAX, keylen);
}

/* The kept counters of (partner, user or 0, status): $1, $2, $3. */
static const struct pg_query client_counts_q = { "client_counts",
    "SELECT clients, with_missing FROM client_counts "
    "WHERE partner_id = $1 AND user_id = $2 AND status = $3" };

/*
 * The clients an alerts filter keeps, from client_alert_counts ($4: 8
 * for those missing receipts only, $5: the alerts), read as
 * client_counts_q's answer whose two counts are both that total.
 */
static const struct pg_query client_alert_counts_q = { "client_alert_counts",
    "SELECT coalesce(sum(clients), 0), coalesce(sum(clients), 0) "
    "FROM client_alert_counts WHERE partner_id = $1 AND user_id = $2 "
    "AND status = $3 AND flags & 8 >= $4::integer "
    "AND flags & $5::integer <> 0" };

/*
 * The clients a month's filter keeps, counted ($1 partner, $2 status,
 * $3 the filters, $4 the assignee): the kept counters cannot say which
 * miss receipts in a month. Read as client_counts_q's answer.
 */
static const struct pg_query client_month_counts_q[2] = {
	{ "client_month_counts_firm",
	    "SELECT count(*), count(*) FROM clients c "
	    "WHERE c.partner_id = $1 AND c.status = $2 " FILTER("c", "c.id") },
	{ "client_month_counts_user",
	    "SELECT count(*), count(*) FROM assignments a "
	    "WHERE a.user_id = $4 AND a.partner_id = $1 AND a.status = $2 "
	    FILTER("a", "a.client_id") },
};

/* $3 of the list's statements: the filters, as FILTER reads them. */
static int64_t
client_filter_param(const struct client_query *q)
{
	return (q->missing_only ? 1 : 0) | (int64_t)q->alerts << 1 |
	    (int64_t)q->month << 4;
}

static void
pg_client_counts_params(struct pg_params *par, int64_t partner_id,
    int64_t user_id, const char *status)
{
	pg_params_init(par);
	pg_param_int64(par, partner_id);
	pg_param_int64(par, user_id);
	pg_param_text(par, status);
}

/* Reads client_counts_q's answer (no row: zeros) and frees it. */
static void
pg_client_counts_read(PGresult *r, int64_t *clients, int64_t *with_missing)
{
	*clients = *with_missing = 0;
	if (PQntuples(r) == 1) {
		*clients = pg_get_int64(r, 0, 0);
		*with_missing = pg_get_int64(r, 0, 1);
	}
	PQclear(r);
}

/*
 * Calls fn with each row of a page: (id, missing receipts, sort key,
 * row JSON) in order. STORE_OK or STORE_ERROR.
 */
static int
client_page_rows(const PGresult *r,
    int (*fn)(const struct client_row *, void *), void *arg)
{
	uint8_t			 key[COLLATE_KEY_MAX];
	struct client_row	 row;
	int			 i;

	for (i = 0; i < PQntuples(r); i++) {
		/* A search's count alone: no row after the cursor. */
		if (PQgetisnull(r, i, 0))
			continue;
		row.id = pg_get_int64(r, i, 0);
		row.missing_receipts = pg_get_int64(r, i, 1);
		if (client_key_read(PQgetvalue(r, i, 2), key,
		    &row.sort_key_len) == -1) {
			log_warnx("client %lld: malformed sort key",
			    (long long)row.id);
			return STORE_ERROR;
		}
		row.sort_key = key;
		row.json = PQgetvalue(r, i, 3);
		row.json_len = (size_t)PQgetlength(r, i, 3);
		if (fn(&row, arg) == -1)
			return STORE_ERROR;
	}
	return STORE_OK;
}

int
pg_client_list(struct store *st, const struct client_query *q,
    int (*fn)(const struct client_row *, void *), void *arg, int64_t *total)
{
	const struct cursor	*cur = q->after;
	/* Past every real sort key: where a descending first page starts. */
	uint8_t			 top[COLLATE_KEY_MAX + 1];
	struct pg_params	 par, count_par;
	struct pg_step		 steps[2];
	int64_t			 clients, with_missing;
	int			 desc = q->sort == CLIENT_SORT_NAME_DESC;
	int			 user = q->user_id != 0, search = q->q[0] != '\0';
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, q->partner_id);
	pg_param_text(&par, q->status);
	pg_param_int64(&par, client_filter_param(q));
	if (cur != NULL) {
		pg_param_bytea(&par, cur->key, cur->keylen);
		pg_param_int64(&par, cur->id);
	} else if (desc) {
		memset(top, 0xff, sizeof(top));
		pg_param_bytea(&par, top, sizeof(top));
		pg_param_int64(&par, INT64_MAX);
	} else {
		pg_param_bytea(&par, "", 0);
		pg_param_int64(&par, 0);
	}
	pg_param_int64(&par, q->limit);
	if (user)
		pg_param_int64(&par, q->user_id);
	if (q->sort == CLIENT_SORT_MISSING || q->sort ==
	    CLIENT_SORT_MISSING_DESC || q->sort == CLIENT_SORT_ATTENTION)
		pg_param_int64(&par, cur != NULL ? cur->count :
		    q->sort == CLIENT_SORT_MISSING_DESC ? INT64_MAX : -1);
	memset(steps, 0, sizeof(steps));
	steps[0].p = &par;
	if (search) {
		pg_param_text(&par, q->q);
		steps[0].q = &client_search_q[user]
		    [client_search_trigrams(q->q)][q->sort - 1];
		steps[0].what = "client search";
		if ((rc = pg_run_steps(st, steps, 1)) != STORE_OK)
			return rc;
		/* Every row carries the count; there is at least one. */
		*total = PQntuples(steps[0].res) > 0 ?
		    pg_get_int64(steps[0].res, 0, 4) : 0;
	} else {
		steps[0].q = &client_list_q[user][q->sort - 1];
		steps[0].what = "client list";
		pg_client_counts_params(&count_par, q->partner_id,
		    q->user_id, q->status);
		steps[1].q = &client_counts_q;
		if (q->month != 0) {
			pg_params_init(&count_par);
			pg_param_int64(&count_par, q->partner_id);
			pg_param_text(&count_par, q->status);
			pg_param_int64(&count_par, client_filter_param(q));
			if (user)
				pg_param_int64(&count_par, q->user_id);
			steps[1].q = &client_month_counts_q[user];
		} else if (q->alerts != 0) {
			pg_param_int64(&count_par, q->missing_only ? 8 : 0);
			pg_param_int64(&count_par, q->alerts);
			steps[1].q = &client_alert_counts_q;
		}
		steps[1].p = &count_par;
		steps[1].what = "client counts";
		if ((rc = pg_run_steps(st, steps, 2)) != STORE_OK)
			return rc;
		pg_client_counts_read(steps[1].res, &clients, &with_missing);
		*total = q->missing_only ? with_missing : clients;
	}
	rc = client_page_rows(steps[0].res, fn, arg);
	PQclear(steps[0].res);
	return rc;
}

int
pg_client_status_count(struct store *st, int64_t partner_id,
    int64_t user_id, const char *status, unsigned alerts, int64_t *count)
{
	struct pg_params	 par;
	PGresult		*r;
	int64_t			 with_missing;
	int			 rc;

	pg_client_counts_params(&par, partner_id, user_id, status);
	if (alerts != 0) {
		pg_param_int64(&par, 0);
		pg_param_int64(&par, alerts);
	}
	if ((rc = pg_run(st, alerts != 0 ? &client_alert_counts_q :
	    &client_counts_q, &par, "client counts", &r)) != STORE_OK)
		return rc;
	pg_client_counts_read(r, count, &with_missing);
	return STORE_OK;
}

/* The trigram GIN index is kept by PostgreSQL (fastupdate off). */
int
pg_client_search_tidy(struct store *st, int pages, int *merged)
{
	(void)st;
	(void)pages;
	*merged = 0;
	return STORE_OK;
}
