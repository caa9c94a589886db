/*
 * The client list's CSV export. The list is walked a store page at a
 * time with the list's own keyset cursor, and each page is sent as one
 * chunk as soon as it is made, so that memory holds one page whatever
 * the list's length. The columns are a table: a column is one line.
 *
 * Consistency: each page is read in a transaction of its own, and none
 * is held while the client takes the bytes (a slow reader would pin a
 * snapshot, hold back SQLite's checkpoints and keep a PostgreSQL
 * connection from the pool). A row changed between two pages follows
 * the cursor's rule, as a client paging the JSON list would see it:
 * every row that was there all along comes exactly once; one added or
 * moved behind the walk's position is left out, ahead of it is included.
 *
 * With month=, each row gains that month's figures (month_figures.c),
 * read for the whole page in one query in the page's own read: the
 * page's rows are kept until then, and written after.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/accept.h"
#include "../common/buf.h"
#include "../common/clock.h"
#include "../common/csv.h"
#include "../common/jsonr.h"
#include "../common/log.h"
#include "../common/money.h"
#include "client_export.h"
#include "month_figures.h"
#include "stream.h"

/* Rows read, and sent as one chunk, at a time; the store's page limit. */
#define EXPORT_PAGE		CLIENT_LIST_MAX
/* A page of CSV, and of its rows' JSON. */
#define EXPORT_CHUNK_MAX	CLIENT_PAGE_BYTES_MAX
/*
 * How long an export may take, reading included: 10,000 clients take
 * well under a second, so only a client that reads very slowly meets
 * it; it is cut off rather than holding a request thread.
 */
#define EXPORT_MAX_MS		(5 * 60 * 1000)
/* Seconds a refused export is told to wait: most take under one. */
#define EXPORT_RETRY_AFTER	"5"
/* Members of a row looked up by name; a row has about ten. */
#define EXPORT_MEMBERS_MAX	64
#define EXPORT_NAME_MAX		64	/* bytes of a member's name */

struct export_member {
	struct jsonr	 key;
	struct jsonr	 value;
};

/* A row of the page, kept until the page's figures are read. */
struct export_kept {
	int64_t	 id;
	size_t	 off, len;	/* its JSON in export.kept */
};

struct export {
	struct csv		 csv;
	int			 month;	/* month=, or 0 */
	struct buf		 out;	/* the page's CSV, then sent */
	struct buf		 cell;	/* a cell joined or decoded */
	struct cursor		 last;	/* the page's last row */
	int			 rows;	/* of the page */
	long long		 sent;	/* rows sent so far */
	/* The page's rows and, with month=, their figures. */
	struct buf		 kept;
	struct export_kept	 page[EXPORT_PAGE];
	struct month_figures	 figures;
	int64_t			 ids[EXPORT_PAGE];
	/* The row's members, found in one pass over its JSON. */
	struct export_member	 members[EXPORT_MEMBERS_MAX];
	size_t			 n_members;
};

/*
 * A column: its header, the field of the row's JSON (the list's row, as
 * GET /v1/clients shows it) it shows, "a.b" for a field of an object,
 * and how its cell is written from the field's value, NULL when the row
 * lacks it: an empty cell, so that rows of an older shape still export
 * and fields added to the row change nothing.
 */
struct export_column {
	const char	*header;
	const char	*member;
	void		(*write)(struct export *,
			    const struct jsonr *value);
};

/*
 * Exports running now, across the process's threads; each takes one
 * before its first read and gives it back on its one way out.
 */
static atomic_int	 export_running;

static void	export_text(struct export *, const struct jsonr *);
static void	export_int(struct export *, const struct jsonr *);
static void	export_amount(struct export *, const struct jsonr *);
static void	export_names(struct export *, const struct jsonr *);

/* The columns, in order; headers are part of the contract (openapi.yaml). */
static const struct export_column export_columns[] = {
	{ "id", "id", export_int },
	{ "name", "name", export_text },
	{ "org_number", "org_number", export_text },
	{ "status", "status", export_text },
	{ "balance", "balance", export_amount },
	{ "currency", "balance.currency", export_text },
	{ "missing_receipts", "missing_receipts", export_int },
	{ "export_ready", "export_ready", export_int },
	{ "assignees", "assignees", export_names },
	{ "alerts", "alerts", export_names },
};
#define EXPORT_N_COLUMNS \
	(sizeof(export_columns) / sizeof(export_columns[0]))

/* Indexes the row's top-level members. 0, or -1 when it is no object. */
static int
export_index(struct export *ex, const char *json, size_t len)
{
	struct jsonr	 row = { json, len };
	struct export_member *m;
	size_t		 pos = 0;
	int		 rc;

	ex->n_members = 0;
	while (ex->n_members < EXPORT_MEMBERS_MAX) {
		m = &ex->members[ex->n_members];
		if ((rc = jsonr_object_next(&row, &pos, &m->key, &m->value)) !=
		    1)
			return rc;
		ex->n_members++;
	}
	return 0;
}

/* The value at path ("balance.currency") of the indexed row. 0 or -1. */
static int
export_value(const struct export *ex, const char *path, struct jsonr *v)
{
	const char	*dot = strchr(path, '.');
	struct jsonr	 inner;
	char		 name[EXPORT_NAME_MAX];
	size_t		 i, len = dot != NULL ? (size_t)(dot - path) :
			    strlen(path);

	for (i = 0; i < ex->n_members; i++)
		if (ex->members[i].key.len == len &&
		    memcmp(ex->members[i].key.p, path, len) == 0)
			break;
	if (i == ex->n_members)
		return -1;
	*v = ex->members[i].value;
	/* Deeper: each further name read in the object it names. */
	while (dot != NULL) {
		path = dot + 1;
		dot = strchr(path, '.');
		len = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (len >= sizeof(name))
			return -1;
		memcpy(name, path, len);
		name[len] = '\0';
		if (jsonr_get(v, name, &inner) == -1)
			return -1;
		*v = inner;
	}
	return 0;
}

static void
export_text(struct export *ex, const struct jsonr *v)
{
	if (v == NULL || !jsonr_is_string(v))
		csv_empty(&ex->csv);
	else if (jsonr_string_plain(v))
		csv_text(&ex->csv, v->p + 1, v->len - 2);
	else {
		buf_reset(&ex->cell);
		if (jsonr_string(v, &ex->cell) == -1)
			ex->csv.error = 1;
		csv_text(&ex->csv, ex->cell.data != NULL ? ex->cell.data : "",
		    ex->cell.len);
	}
}

static void
export_int(struct export *ex, const struct jsonr *v)
{
	int64_t	 n;

	if (v != NULL && jsonr_int(v, &n) == 0)
		csv_int(&ex->csv, n);
	else
		csv_empty(&ex->csv);
}

/* {"amount_minor": n, "currency": "SEK"} as a decimal: -1250.50. */
static void
export_amount(struct export *ex, const struct jsonr *v)
{
	struct jsonr	 amount, cur;
	char		 code[4], text[MONEY_DECIMAL_MAX];
	int64_t		 minor;

	if (v == NULL || jsonr_get(v, "amount_minor", &amount) == -1 ||
	    jsonr_int(&amount, &minor) == -1 ||
	    jsonr_get(v, "currency", &cur) == -1 ||
	    !jsonr_string_plain(&cur) || cur.len != sizeof(code) + 1) {
		csv_empty(&ex->csv);
		return;
	}
	memcpy(code, cur.p + 1, sizeof(code) - 1);
	code[sizeof(code) - 1] = '\0';
	if (money_decimal(minor, code, text, sizeof(text)) == 0)
		csv_number(&ex->csv, text);
	else
		csv_empty(&ex->csv);
}

/* An array of {"name": ...} (or of strings) as one cell: "A; B". */
static void
export_names(struct export *ex, const struct jsonr *v)
{
	struct jsonr	 item, name;
	size_t		 pos = 0;
	int		 n = 0;

	buf_reset(&ex->cell);
	while (v != NULL && jsonr_array_next(v, &pos, &item) == 1) {
		if (jsonr_is_object(&item) &&
		    jsonr_get(&item, "name", &name) == 0)
			item = name;
		if (!jsonr_is_string(&item))
			continue;
		if ((n++ > 0 && buf_add(&ex->cell, "; ", 2) == -1) ||
		    jsonr_string(&item, &ex->cell) == -1)
			ex->csv.error = 1;
	}
	csv_text(&ex->csv, ex->cell.data != NULL ? ex->cell.data : "",
	    ex->cell.len);
}

/* A row of the store's page: its position and its JSON kept. */
static int
export_row(const struct client_row *r, void *arg)
{
	struct export		*ex = arg;
	struct export_kept	*k;

	if (r->sort_key_len > sizeof(ex->last.key) || ex->rows == EXPORT_PAGE)
		return -1;
	ex->last.id = r->id;
	ex->last.count = r->missing_receipts;
	memcpy(ex->last.key, r->sort_key, r->sort_key_len);
	ex->last.keylen = r->sort_key_len;
	k = &ex->page[ex->rows];
	k->id = r->id;
	k->off = ex->kept.len;
	k->len = r->json_len;
	ex->ids[ex->rows++] = r->id;
	return buf_add(&ex->kept, r->json, r->json_len);
}

/* The month's cells of a row, in the currency of its balance. */
static void
export_month(struct export *ex, int64_t id)
{
	struct month_figures	 mine;
	struct jsonr		 v;
	char			 code[4];
	const char		*currency = NULL;

	if (export_value(ex, "balance.currency", &v) == 0 &&
	    jsonr_string_plain(&v) && v.len == sizeof(code) + 1) {
		memcpy(code, v.p + 1, sizeof(code) - 1);
		code[sizeof(code) - 1] = '\0';
		if (money_currency_valid(code))
			currency = code;
	}
	month_figures_of(&ex->figures, id, &mine);
	month_figures_csv(&ex->csv, &mine, ex->month, currency, &ex->cell);
}

/* Writes the kept rows of the page into ex->out. 0, or -1. */
static int
export_rows(struct export *ex)
{
	const struct export_kept *k;
	struct jsonr		 v;
	size_t			 i;
	int			 n;

	for (n = 0; n < ex->rows; n++) {
		k = &ex->page[n];
		if (export_index(ex, ex->kept.data + k->off, k->len) == -1) {
			log_warnx("client export: row %lld is not a JSON "
			    "object", (long long)k->id);
			return -1;
		}
		for (i = 0; i < EXPORT_N_COLUMNS; i++)
			export_columns[i].write(ex, export_value(ex,
			    export_columns[i].member, &v) == 0 ? &v : NULL);
		if (ex->month != 0)
			export_month(ex, k->id);
		csv_record_end(&ex->csv);
	}
	return ex->csv.error ? -1 : 0;
}

/* The byte order mark, for Excel, and the header row. */
static void
export_header(struct export *ex)
{
	size_t	 i;

	csv_bom(&ex->csv);
	for (i = 0; i < EXPORT_N_COLUMNS; i++)
		csv_string(&ex->csv, export_columns[i].header);
	if (ex->month != 0)
		month_figures_csv_header(&ex->csv);
	csv_record_end(&ex->csv);
}

int
client_export_wanted_or_reply(struct request *req, int *csv)
{
	const char	*accept;
	char		 v[8];
	int		 rc;

	*csv = 0;
	if ((rc = request_query_or_reply(req, "format", v, sizeof(v))) == -1)
		return -1;
	if (rc == 1 && strcmp(v, "csv") != 0 && strcmp(v, "json") != 0)
		return reply_invalid_query(req, "format",
		    "must be csv or json");
	if (rc == 1)
		*csv = strcmp(v, "csv") == 0;
	else {
		accept = mg_get_header(req->conn, "Accept");
		*csv = accept_quality(accept, "text/csv") >
		    accept_quality(accept, "application/json");
	}
	/* The representation depends on Accept: caches must know. */
	(void)reply_header(req, "Vary", "Accept");
	if (*csv && request_query_has(req, "cursor"))
		return reply_invalid_query(req, "cursor", "does not go with "
		    "a CSV export, which holds every row");
	if (*csv && request_query_has(req, "limit"))
		return reply_invalid_query(req, "limit", "does not go with "
		    "a CSV export, which holds every row");
	return 0;
}

/*
 * A page: the first in the dispatcher's read, which it ends; each later
 * one in a read of its own, with a deadline of its own.
 */
static int
export_page(struct request *req, const struct client_query *q,
    struct export *ex, int first)
{
	struct timespec	 until;
	int64_t		 total;
	int		 at_least, rc;

	if (!first) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		clock_add_ms(&until, req->cfg->request_timeout_ms);
		store_set_deadline(req->store, &until);
		if (store_begin_read(req->store) == -1)
			return STORE_ERROR;
	}
	ex->rows = 0;
	buf_reset(&ex->kept);
	rc = store_client_list(req->store, q, export_row, ex, &total,
	    &at_least);
	/* The figures of the page's clients, in the page's snapshot. */
	if (rc == STORE_OK && ex->month != 0)
		rc = month_figures_load_of(req->store, ex->ids,
		    (size_t)ex->rows, ex->month, &ex->figures);
	/* The first page's rollback ends the dispatcher's read. */
	store_rollback(req->store);
	if (rc == STORE_OK && export_rows(ex) == -1)
		rc = STORE_ERROR;
	return rc;
}

void
client_export(struct request *req, const struct client_query *query,
    int month)
{
	struct client_query	 q = *query;
	struct export		 ex;
	struct stream		 s;
	struct timespec		 until;
	int			 first = 1, rc;

	/* Over the cap: refused before any read, nothing taken. */
	if (atomic_fetch_add(&export_running, 1) >= req->cfg->exports_max) {
		atomic_fetch_sub(&export_running, 1);
		log_info("client export refused: %lld running",
		    req->cfg->exports_max);
		(void)reply_problem(req, 503, PROBLEM_UNAVAILABLE,
		    "Too many exports", "Too many exports are running. Try "
		    "again shortly.");
		(void)reply_header(req, "Retry-After", EXPORT_RETRY_AFTER);
		return;
	}
	memset(&ex, 0, sizeof(ex));
	memset(&s, 0, sizeof(s));
	buf_init(&ex.out, EXPORT_CHUNK_MAX);
	buf_init(&ex.cell, EXPORT_CHUNK_MAX);
	buf_init(&ex.kept, EXPORT_CHUNK_MAX);
	ex.month = month;
	csv_init(&ex.csv, &ex.out);
	q.limit = EXPORT_PAGE;
	q.after = NULL;
	until = req->started;
	clock_add_ms(&until, EXPORT_MAX_MS);

	export_header(&ex);
	for (;;) {
		rc = export_page(req, &q, &ex, first);
		if (rc != STORE_OK || ex.csv.error) {
			/* Before the first byte, the answer can say so. */
			if (first)
				(void)reply_internal_error(req);
			else
				stream_abort(&s);
			log_warnx("client export failed after %lld rows",
			    ex.sent);
			goto out;
		}
		if (first && (reply_header(req, "Content-Disposition",
		    "attachment; filename=\"clients.csv\"") == -1 ||
		    stream_open(&s, req, 200, "text/csv; charset=utf-8") ==
		    -1))
			goto out;
		first = 0;
		if (stream_write(&s, ex.out.data, ex.out.len) == -1) {
			log_info("client export: the client left after %lld "
			    "rows", ex.sent);
			goto out;
		}
		ex.sent += ex.rows;
		buf_reset(&ex.out);
		/* A short page is the last; a HEAD needs none of them. */
		if (ex.rows < q.limit || !s.body)
			break;
		if (clock_ms_until(&until) <= 0) {
			log_warnx("client export: cut off after %lld rows, "
			    "past %d ms", ex.sent, EXPORT_MAX_MS);
			stream_abort(&s);
			goto out;
		}
		q.after = &ex.last;
	}
	stream_close(&s);
out:
	stream_cleanup(&s);
	atomic_fetch_sub(&export_running, 1);
	month_figures_free(&ex.figures);
	buf_cleanup(&ex.kept);
	buf_cleanup(&ex.cell);
	buf_cleanup(&ex.out);
}
