/*
 * The Clients list and its search on PostgreSQL: tab counters, pages
 * walked by index from a keyset cursor in each order, and searches by
 * trigram (three characters or more) or by strpos() on the firm's
 * clients of one status. A search's matches are offered to a client_page
 * (common/client_page.c), which keeps the page and counts them, as the
 * SQLite backend does, so that both give the same pages and cursors.
 * The trigram index needs no upkeep here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../collate.h"
#include "../log.h"
#include "../store_client.h"
#include "pg.h"

/*
 * A page without a search: one statement per scope and order. The
 * parameters, in order: $1 partner, $2 status, $3 least missing
 * receipts, $4 cursor key, $5 cursor id, $6 limit; then $7 the assignee
 * (user scope); then the cursor's count (missing receipts orders). Each
 * reads (id, missing receipts, sort key, row JSON). An assignee's list
 * walks the copies of partner, status, key and count kept in assignments.
 * Most missing first breaks ties by name ascending, so its cursor
 * condition is written out rather than as one row comparison.
 */
#define LIST_FIRM \
	"SELECT c.id, c.missing_receipts, c.sort_key, c.list_json " \
	"FROM clients c WHERE c.partner_id = $1 AND c.status = $2 " \
	"AND c.missing_receipts >= $3 "
#define LIST_USER \
	"SELECT a.client_id, a.missing_receipts, a.sort_key, c.list_json " \
	"FROM assignments a JOIN clients c ON c.id = a.client_id " \
	"WHERE a.user_id = $7 AND a.partner_id = $1 AND a.status = $2 " \
	"AND a.missing_receipts >= $3 "

/* [scope: firm, user][sort - 1] */
static const struct pg_query client_list_q[2][4] = {
	{
		{ "client_list_firm_name", LIST_FIRM
		    "AND (c.sort_key, c.id) > ($4, $5) "
		    "ORDER BY c.sort_key, c.id LIMIT $6" },
		{ "client_list_firm_name_desc", LIST_FIRM
		    "AND (c.sort_key, c.id) < ($4, $5) "
		    "ORDER BY c.sort_key DESC, c.id DESC LIMIT $6" },
		{ "client_list_firm_missing", LIST_FIRM
		    "AND (c.missing_receipts, c.sort_key, c.id) > "
		    "($7::bigint, $4, $5) "
		    "ORDER BY c.missing_receipts, c.sort_key, c.id LIMIT $6" },
		{ "client_list_firm_missing_desc", LIST_FIRM
		    "AND (c.missing_receipts < $7::bigint OR "
		    "(c.missing_receipts = $7::bigint AND "
		    "(c.sort_key, c.id) > ($4, $5))) "
		    "ORDER BY c.missing_receipts DESC, c.sort_key, c.id "
		    "LIMIT $6" },
	},
	{
		{ "client_list_user_name", LIST_USER
		    "AND (a.sort_key, a.client_id) > ($4, $5) "
		    "ORDER BY a.sort_key, a.client_id LIMIT $6" },
		{ "client_list_user_name_desc", LIST_USER
		    "AND (a.sort_key, a.client_id) < ($4, $5) "
		    "ORDER BY a.sort_key DESC, a.client_id DESC LIMIT $6" },
		{ "client_list_user_missing", LIST_USER
		    "AND (a.missing_receipts, a.sort_key, a.client_id) > "
		    "($8::bigint, $4, $5) "
		    "ORDER BY a.missing_receipts, a.sort_key, a.client_id "
		    "LIMIT $6" },
		{ "client_list_user_missing_desc", LIST_USER
		    "AND (a.missing_receipts < $8::bigint OR "
		    "(a.missing_receipts = $8::bigint AND "
		    "(a.sort_key, a.client_id) > ($4, $5))) "
		    "ORDER BY a.missing_receipts DESC, a.sort_key, a.client_id "
		    "LIMIT $6" },
	},
};

/*
 * Every match of a search, with what places it in the list: $1 partner,
 * $2 status, $3 least missing receipts, $4 the folded search, $5 the
 * assignee (user scope). Three characters or more go by LIKE, which the
 * trigram index answers; shorter ones have no trigram and scan the
 * firm's clients of the status with strpos(). Each reads (id, missing
 * receipts, sort key).
 */
#define MATCH_FIRM \
	"SELECT c.id, c.missing_receipts, c.sort_key FROM clients c " \
	"WHERE c.partner_id = $1 AND c.status = $2 " \
	"AND c.missing_receipts >= $3 "
#define MATCH_USER \
	"SELECT a.client_id, a.missing_receipts, a.sort_key " \
	"FROM assignments a JOIN clients c ON c.id = a.client_id " \
	"WHERE a.user_id = $5 AND a.partner_id = $1 AND a.status = $2 " \
	"AND a.missing_receipts >= $3 "
#define MATCH_LIKE	"AND c.search_text LIKE search_pattern($4)"
#define MATCH_STRPOS	"AND strpos(c.search_text, $4) > 0"

/* [scope: firm, user][search: strpos, trigram] */
static const struct pg_query client_match_q[2][2] = {
	{
		{ "client_match_firm_scan", MATCH_FIRM MATCH_STRPOS },
		{ "client_match_firm_trgm", MATCH_FIRM MATCH_LIKE },
	},
	{
		{ "client_match_user_scan", MATCH_USER MATCH_STRPOS },
		{ "client_match_user_trgm", MATCH_USER MATCH_LIKE },
	},
};

/* The rows of a search's page, by id ($1, an array), in any order. */
static const struct pg_query client_rows_q = { "client_search_rows",
    "SELECT id, list_json FROM clients "
    "WHERE id = ANY ($1::bigint[]) AND partner_id = $2" };

/* The value of a lower-case hex digit, or -1. */
static int
client_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * A bytea in text format ("\x" and hex digits) into key, the sort key
 * as the SQLite backend reads it. 0, or -1 if malformed or too long.
 */
static int
client_key_read(const char *hex, uint8_t *key, size_t *keylen)
{
	size_t	 i, n = strlen(hex);
	int	 hi, lo;

	if (n < 2 || hex[0] != '\\' || hex[1] != 'x' || n % 2 != 0 ||
	    (n - 2) / 2 > COLLATE_KEY_MAX)
		return -1;
	for (i = 0; i < (n - 2) / 2; i++) {
		if ((hi = client_hex_digit(hex[2 + 2 * i])) == -1 ||
		    (lo = client_hex_digit(hex[3 + 2 * i])) == -1)
			return -1;
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	*keylen = (n - 2) / 2;
	return 0;
}

/* The kept counters of (partner, user or 0, status); zeros when none. */
static int
pg_client_counters(struct store *st, int64_t partner_id, int64_t user_id,
    const char *status, int64_t *clients, int64_t *with_missing)
{
	static const struct pg_query q = { "client_counts",
	    "SELECT clients, with_missing FROM client_counts "
	    "WHERE partner_id = $1 AND user_id = $2 AND status = $3" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	*clients = *with_missing = 0;
	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	pg_param_int64(&par, user_id);
	pg_param_text(&par, status);
	if ((rc = pg_run(st, &q, &par, "client counts", &r)) != STORE_OK)
		return rc;
	if (PQntuples(r) == 1) {
		*clients = pg_get_int64(r, 0, 0);
		*with_missing = pg_get_int64(r, 0, 1);
	}
	PQclear(r);
	return STORE_OK;
}

/* A page walked in order; the kept counters give the total. */
static int
client_list_ordered(struct store *st, const struct client_query *q,
    int (*fn)(const struct client_row *, void *), void *arg, int64_t *total)
{
	const struct cursor	*cur = q->after;
	/* Past every real sort key: where a descending first page starts. */
	uint8_t			 top[COLLATE_KEY_MAX + 1];
	uint8_t			 key[COLLATE_KEY_MAX];
	struct pg_params	 par;
	struct client_row	 row;
	PGresult		*r;
	int64_t			 clients, with_missing;
	int			 desc = q->sort == CLIENT_SORT_NAME_DESC;
	int			 i, rc;

	pg_params_init(&par);
	pg_param_int64(&par, q->partner_id);
	pg_param_text(&par, q->status);
	pg_param_int64(&par, q->missing_only ? 1 : 0);
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
	if (q->user_id != 0)
		pg_param_int64(&par, q->user_id);
	if (q->sort == CLIENT_SORT_MISSING || q->sort ==
	    CLIENT_SORT_MISSING_DESC)
		pg_param_int64(&par, cur != NULL ? cur->count :
		    q->sort == CLIENT_SORT_MISSING ? -1 : INT64_MAX);
	if ((rc = pg_run(st, &client_list_q[q->user_id != 0][q->sort - 1],
	    &par, "client list", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && rc == STORE_OK; i++) {
		row.id = pg_get_int64(r, i, 0);
		row.missing_receipts = pg_get_int64(r, i, 1);
		if (client_key_read(PQgetvalue(r, i, 2), key,
		    &row.sort_key_len) == -1) {
			log_warnx("client %lld: malformed sort key",
			    (long long)row.id);
			rc = STORE_ERROR;
			break;
		}
		row.sort_key = key;
		row.json = PQgetvalue(r, i, 3);
		row.json_len = (size_t)PQgetlength(r, i, 3);
		if (fn(&row, arg) == -1)
			rc = STORE_ERROR;
	}
	PQclear(r);
	if (rc == STORE_OK)
		rc = pg_client_counters(st, q->partner_id, q->user_id,
		    q->status, &clients, &with_missing);
	*total = q->missing_only ? with_missing : clients;
	return rc;
}

/* Every match of the search offered to the page. */
static int
client_match(struct store *st, const struct client_query *q,
    struct client_page *page)
{
	struct pg_params	 par;
	PGresult		*r;
	uint8_t			 key[COLLATE_KEY_MAX];
	size_t			 keylen;
	int			 i, rc;

	pg_params_init(&par);
	pg_param_int64(&par, q->partner_id);
	pg_param_text(&par, q->status);
	pg_param_int64(&par, q->missing_only ? 1 : 0);
	pg_param_text(&par, q->q);
	if (q->user_id != 0)
		pg_param_int64(&par, q->user_id);
	if ((rc = pg_run(st, &client_match_q[q->user_id != 0]
	    [client_search_trigrams(q->q)], &par, "client search", &r)) !=
	    STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r); i++) {
		if (client_key_read(PQgetvalue(r, i, 2), key, &keylen) == -1) {
			log_warnx("client search: malformed sort key");
			rc = STORE_ERROR;
			break;
		}
		client_page_offer(page, pg_get_int64(r, i, 0),
		    pg_get_int64(r, i, 1), key, keylen);
	}
	PQclear(r);
	return rc;
}

/* "{id,id,...}" of the page's rows, for client_rows_q; NULL: no memory. */
static char *
client_page_ids(const struct client_page *page)
{
	char	*s, *p;
	size_t	 i, len = page->n * 21 + 3;

	if ((s = p = malloc(len)) == NULL)
		return NULL;
	*p++ = '{';
	for (i = 0; i < page->n; i++)
		p += snprintf(p, len - (size_t)(p - s), "%s%lld",
		    i == 0 ? "" : ",", (long long)page->rows[i].id);
	*p++ = '}';
	*p = '\0';
	return s;
}

/* The rows of a search's page, read by id and handed on in page order. */
static int
client_page_emit(struct store *st, const struct client_query *q,
    const struct client_page *page,
    int (*fn)(const struct client_row *, void *), void *arg)
{
	struct pg_params	 par;
	struct client_row	 row;
	PGresult		*r;
	char			*ids;
	size_t			 i;
	int			 j, n, rc;

	if (page->n == 0)
		return STORE_OK;
	if ((ids = client_page_ids(page)) == NULL) {
		log_warn("client search rows");
		return STORE_ERROR;
	}
	pg_params_init(&par);
	pg_param_text(&par, ids);
	pg_param_int64(&par, q->partner_id);
	rc = pg_run(st, &client_rows_q, &par, "client search rows", &r);
	free(ids);
	if (rc != STORE_OK)
		return rc;
	n = PQntuples(r);
	for (i = 0; i < page->n && rc == STORE_OK; i++) {
		const struct client_key	*k = &page->rows[i];

		for (j = 0; j < n && pg_get_int64(r, j, 0) != k->id; j++)
			;
		/* The same snapshot found it: it is there. */
		if (j == n) {
			log_warnx("client search row: %lld not found",
			    (long long)k->id);
			rc = STORE_ERROR;
			break;
		}
		row.id = k->id;
		row.missing_receipts = k->missing;
		row.sort_key = k->key;
		row.sort_key_len = k->keylen;
		row.json = PQgetvalue(r, j, 1);
		row.json_len = (size_t)PQgetlength(r, j, 1);
		if (fn(&row, arg) == -1)
			rc = STORE_ERROR;
	}
	PQclear(r);
	return rc;
}

/* The page of a search and the count of all its matches. */
static int
client_list_search(struct store *st, const struct client_query *q,
    int (*fn)(const struct client_row *, void *), void *arg, int64_t *total)
{
	struct client_page	 page;
	int			 rc;

	if (client_page_init(&page, q->sort, q->after, (size_t)q->limit) ==
	    -1) {
		client_page_cleanup(&page);
		return STORE_ERROR;
	}
	if ((rc = client_match(st, q, &page)) == STORE_OK) {
		*total = page.offered;
		client_page_sort(&page);
		rc = client_page_emit(st, q, &page, fn, arg);
	}
	client_page_cleanup(&page);
	return rc;
}

int
pg_client_list(struct store *st, const struct client_query *q,
    int (*fn)(const struct client_row *, void *), void *arg, int64_t *total)
{
	if (q->q[0] == '\0')
		return client_list_ordered(st, q, fn, arg, total);
	return client_list_search(st, q, fn, arg, total);
}

int
pg_client_status_count(struct store *st, int64_t partner_id,
    int64_t user_id, const char *status, int64_t *count)
{
	int64_t	 with_missing;

	return pg_client_counters(st, partner_id, user_id, status, count,
	    &with_missing);
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
