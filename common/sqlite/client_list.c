/*
 * The Clients list and its search on SQLite: tab counters, pages walked
 * by index in each order, searches by trigram, by grams or by scan, and
 * the upkeep of their indexes, with the statements of client_sql.c.
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
