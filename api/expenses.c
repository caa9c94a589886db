/*
 * A client's expenses: pushed by the integration (and admins) one at a
 * time or up to 1,000 in one transaction, upserted or deleted by external
 * id; their receipt and export states changed; deleted; listed a page at
 * a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/jsonw.h"
#include "../common/log.h"
#include "../common/store_expense.h"
#include "../common/text.h"
#include "../common/tz.h"
#include "client_load.h"
#include "expense_input.h"
#include "page.h"
#include "route.h"

#define EXPENSES_DEFAULT_LIMIT	50
#define EXPENSES_REPLY_MAX	(4 * 1024 * 1024)
/* The list has one order; the cursor still names it. */
#define EXPENSES_CURSOR_SORT	1

static const struct json_field expenses_patch_fields[] = {
	{ "receipt_status", JSON_KIND_STRING, 0, 1, 16,
	    expense_receipt_statuses },
	{ "export_status", JSON_KIND_STRING, 0, 1, 16,
	    expense_export_statuses },
};
static const struct json_schema expenses_patch_schema = {
	expenses_patch_fields,
	sizeof(expenses_patch_fields) / sizeof(expenses_patch_fields[0])
};

/* One expense as the API shows it. */
static void
expenses_write(struct jsonw *w, const struct expense *e)
{
	jsonw_object_open(w);
	jsonw_key(w, "id");
	jsonw_int(w, e->id);
	jsonw_key(w, "client_id");
	jsonw_int(w, e->client_id);
	jsonw_key(w, "external_id");
	jsonw_string(w, e->external_id);
	jsonw_key(w, "amount_minor");
	jsonw_int(w, e->amount_minor);
	jsonw_key(w, "currency");
	jsonw_string(w, e->currency);
	jsonw_key(w, "spent_at");
	jsonw_time(w, e->spent_at);
	jsonw_key(w, "merchant");
	jsonw_string(w, e->merchant);
	jsonw_key(w, "receipt_status");
	jsonw_string(w, e->receipt_status);
	jsonw_key(w, "export_status");
	jsonw_string(w, e->export_status);
	jsonw_key(w, "created_at");
	jsonw_time(w, e->created_at);
	jsonw_key(w, "updated_at");
	jsonw_time(w, e->updated_at);
	jsonw_object_close(w);
}

static void
expenses_reply_one(struct request *req, int status, const struct expense *e)
{
	struct jsonw	 w;
	struct buf	 out;

	buf_init(&out, EXPENSES_REPLY_MAX);
	jsonw_init(&w, &out);
	expenses_write(&w, e);
	(void)reply_jsonw(req, status, &out, w.error);
	buf_cleanup(&out);
}

/*
 * The batch's answer, in the order of its items: the upserted rows come
 * from store_expense_upsert_batch() in their order, and the deletions,
 * done first, are written between them.
 */
struct expenses_batch {
	struct jsonw			*w;
	const struct expense_fields	*items;
	const int64_t			*deleted_ids;	/* per item; 0: none */
	int				 n;
	int				 next;	/* the first item not written */
	int				 created;
	int				 deleted;
};

/* A deletion as the batch answers it: the id it had, or null. */
static void
expenses_write_deletion(struct jsonw *w, const char *external_id, int64_t id)
{
	jsonw_object_open(w);
	jsonw_key(w, "external_id");
	jsonw_string(w, external_id);
	jsonw_key(w, "deleted");
	jsonw_bool(w, 1);
	jsonw_key(w, "id");
	if (id != 0)
		jsonw_int(w, id);
	else
		jsonw_null(w);
	jsonw_object_close(w);
}

/* Writes the deletions before the next item that is not one. */
static void
expenses_batch_deletions(struct expenses_batch *b)
{
	for (; b->next < b->n && b->items[b->next].deleted; b->next++)
		expenses_write_deletion(b->w, b->items[b->next].external_id,
		    b->deleted_ids[b->next]);
}

static int
expenses_batch_row(const struct expense *e, int created, void *arg)
{
	struct expenses_batch	*b = arg;

	expenses_batch_deletions(b);
	b->next++;
	b->created += created;
	expenses_write(b->w, e);
	return b->w->error ? -1 : 0;
}

/*
 * Runs the batch: its deletions, then its upserts in one call, writing
 * the rows into b->w. STORE_OK or STORE_ERROR.
 */
static int
expenses_batch_run(struct store *st, int64_t client_id,
    struct expense_fields *items, int n, struct expenses_batch *b)
{
	struct expense_fields	*upserts;
	struct expense		 gone;
	int64_t			*ids;
	int			 i, m = 0, rc = STORE_ERROR;

	upserts = calloc((size_t)n, sizeof(*upserts));
	ids = calloc((size_t)n, sizeof(*ids));
	if (upserts == NULL || ids == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (!items[i].deleted) {
			upserts[m++] = items[i];
			continue;
		}
		rc = store_expense_delete(st, client_id, 0,
		    items[i].external_id, &gone);
		if (rc == STORE_OK) {
			ids[i] = gone.id;
			b->deleted++;
		} else if (rc != STORE_NOTFOUND)
			goto out;
	}
	b->items = items;
	b->deleted_ids = ids;
	b->n = n;
	rc = m == 0 ? STORE_OK : store_expense_upsert_batch(st, client_id,
	    upserts, m, expenses_batch_row, b);
	if (rc == STORE_OK) {
		expenses_batch_deletions(b);
		if (b->w->error)
			rc = STORE_ERROR;
	}
out:
	free(upserts);
	free(ids);
	return rc;
}

/*
 * Each expense's month in the firm's zone, which the store's monthly
 * overview counts it in. -1 after a 500.
 */
static int
expenses_months_or_reply(struct request *req, struct expense_fields *f,
    int n)
{
	struct partner	 firm;
	int		 i;

	if (firm_or_reply(req, &firm) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (f[i].deleted)
			continue;
		if ((f[i].month = tz_month(firm.timezone, f[i].spent_at)) ==
		    -1) {
			log_warnx("firm %lld: no month in zone %s",
			    (long long)firm.id, firm.timezone);
			return reply_internal_error(req);
		}
	}
	return 0;
}

/*
 * POST one expense or {"expenses": [...]}. Everything is checked before
 * the transaction, so a refused batch writes nothing; the batch is then
 * one BEGIN IMMEDIATE, and the triggers move the client's counters in it.
 */
static void
expenses_create(struct request *req)
{
	struct expense_fields	*fields = NULL;
	const cJSON		*items = NULL, *item;
	struct expenses_batch	 rows;
	struct client		 c;
	struct expense		 e;
	struct jsonw		 w;
	struct buf		 out;
	cJSON			*errors = NULL;
	char			 prefix[32], location[96];
	int			 batch, n = 1, i, r, bad = 0;
	int			 created = 0, n_created = 0, n_deleted = 0;
	int			 n_upserts = 1;

	buf_init(&out, EXPENSES_REPLY_MAX);
	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	if ((errors = cJSON_CreateArray()) == NULL)
		goto oom;
	batch = cJSON_IsObject(req->body) && json_has(req->body, "expenses");
	if (batch) {
		if ((items = expense_input_batch(req->body, errors)) ==
		    NULL) {
			(void)reply_invalid_body(req, errors);
			errors = NULL;
			goto out;
		}
		n = cJSON_GetArraySize(items);
		n_upserts = 0;
	}
	if ((fields = calloc((size_t)n, sizeof(*fields))) == NULL)
		goto oom;
	if (batch) {
		i = 0;
		cJSON_ArrayForEach(item, items) {
			(void)snprintf(prefix, sizeof(prefix), "expenses[%d]",
			    i);
			if ((r = expense_input_check(item, prefix, errors,
			    &fields[i])) == -1)
				goto oom;
			bad += r;
			i++;
		}
		if ((r = expense_input_repeats(fields, n, errors)) == -1)
			goto oom;
		bad += r;
	} else {
		if ((r = expense_input_check(req->body, NULL, errors,
		    &fields[0])) == -1)
			goto oom;
		bad += r;
	}
	if (bad > 0) {
		(void)reply_invalid_body(req, errors);
		errors = NULL;
		goto out;
	}
	if (expenses_months_or_reply(req, fields, n) == -1)
		goto out;

	jsonw_init(&w, &out);
	if (batch) {
		jsonw_object_open(&w);
		jsonw_key(&w, "data");
		jsonw_array_open(&w);
	}
	if (store_begin(req->store) == -1)
		goto fail;
	if (batch) {
		memset(&rows, 0, sizeof(rows));
		rows.w = &w;
		if (expenses_batch_run(req->store, c.id, fields, n, &rows) !=
		    STORE_OK)
			goto fail;
		n_created = rows.created;
		n_deleted = rows.deleted;
		for (i = 0; i < n; i++)
			n_upserts += !fields[i].deleted;
		jsonw_array_close(&w);
		jsonw_key(&w, "created");
		jsonw_int(&w, n_created);
		jsonw_key(&w, "updated");
		jsonw_int(&w, n_upserts - n_created);
		jsonw_key(&w, "deleted");
		jsonw_int(&w, n_deleted);
		jsonw_object_close(&w);
	} else {
		if (store_expense_upsert(req->store, c.id, &fields[0], &e,
		    &created) != STORE_OK)
			goto fail;
		n_created = created;
		expenses_write(&w, &e);
	}
	/* The answer is complete before the commit: a 2xx is never lost. */
	if (w.error) {
		log_warnx("cannot write an expenses reply");
		goto fail;
	}
	if (store_commit(req->store) == -1)
		goto fail;
	log_info("client %lld: %d expenses created, %d updated, %d deleted by "
	    "user %lld", (long long)c.id, n_created, n_upserts - n_created,
	    n_deleted, (long long)req->user.id);
	if (!batch && created) {
		(void)reply_jsonw(req, 201, &out, w.error);
		(void)snprintf(location, sizeof(location),
		    "/v1/clients/%lld/expenses/%lld", (long long)c.id,
		    (long long)e.id);
		if (req->status == 201)
			(void)reply_header(req, "Location", location);
	} else
		(void)reply_jsonw(req, 200, &out, w.error);
	goto out;
oom:
	log_warnx("out of memory checking expenses");
	(void)reply_internal_error(req);
	goto out;
fail:
	store_rollback(req->store);
	(void)reply_internal_error(req);
out:
	cJSON_Delete(errors);
	free(fields);
	buf_cleanup(&out);
	client_cleanup(&c);
}

/* values' own copy of s (from a NULL-terminated list), or NULL. */
static const char *
expenses_state(const char *const *values, const char *s)
{
	for (; *values != NULL; values++)
		if (strcmp(*values, s) == 0)
			return *values;
	return NULL;
}

struct expenses_params {
	const char	*receipt_status;	/* NULL for any */
	const char	*export_status;		/* NULL for any */
	int		 limit;
	int64_t		 after_id;
	uint32_t	 query;		/* the cursor's fingerprint */
};

static int
expenses_params_or_reply(struct request *req, int64_t client_id,
    struct expenses_params *p)
{
	char		 v[64], fp[96];
	struct cursor	 cur;
	int		 rc;

	memset(p, 0, sizeof(*p));
	p->limit = EXPENSES_DEFAULT_LIMIT;
	if ((rc = request_query_or_reply(req, "receipt_status", v,
	    sizeof(v))) == -1)
		return -1;
	if (rc == 1) {
		if ((p->receipt_status = expenses_state(
		    expense_receipt_statuses, v)) == NULL)
			return reply_invalid_query(req, "receipt_status",
			    "must be missing, attached or not_required");
	}
	if ((rc = request_query_or_reply(req, "export_status", v,
	    sizeof(v))) == -1)
		return -1;
	if (rc == 1) {
		if ((p->export_status = expenses_state(
		    expense_export_statuses, v)) == NULL)
			return reply_invalid_query(req, "export_status",
			    "must be pending, ready or exported");
	}
	if (page_limit_or_reply(req, EXPENSE_LIST_MAX, &p->limit) == -1)
		return -1;
	(void)snprintf(fp, sizeof(fp), "expenses|%lld|%s|%s",
	    (long long)client_id, p->receipt_status ? p->receipt_status : "",
	    p->export_status ? p->export_status : "");
	p->query = cursor_fingerprint(fp);
	if ((rc = page_cursor_or_reply(req, p->query, EXPENSES_CURSOR_SORT, 1,
	    &cur)) == -1)
		return -1;
	if (rc == 1)
		p->after_id = cur.id;
	return 0;
}

static int
expenses_page_row(const struct expense *e, void *arg)
{
	struct page	*pg = arg;

	if (!page_take(pg))
		return 0;
	pg->last.id = e->id;
	expenses_write(&pg->w, e);
	return pg->w.error ? -1 : 0;
}

/* GET: inside the dispatcher's read, so the page and its total agree. */
static void
expenses_list(struct request *req)
{
	struct expenses_params	 p;
	struct expense_query	 q;
	struct page		 pg;
	struct client		 c;
	int64_t			 total = 0;
	int			 rc;

	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	if (expenses_params_or_reply(req, c.id, &p) == -1)
		goto out;
	memset(&q, 0, sizeof(q));
	q.client_id = c.id;
	q.receipt_status = p.receipt_status;
	q.export_status = p.export_status;
	q.after_id = p.after_id;
	q.limit = p.limit + 1;

	page_open(&pg, p.limit, EXPENSES_REPLY_MAX, EXPENSES_CURSOR_SORT,
	    p.query);
	rc = store_expense_list(req->store, &q, expenses_page_row, &pg);
	if (rc == STORE_OK)
		rc = store_expense_count(req->store, &q, &total);
	if (rc != STORE_OK)
		(void)reply_internal_error(req);
	else
		page_reply(req, &pg, &total, NULL);
	page_cleanup(&pg);
out:
	client_cleanup(&c);
}

static void
expenses_get(struct request *req)
{
	struct client	 c;
	struct expense	 e;
	int64_t		 id;
	int		 rc;

	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	if (request_param_id_or_reply(req, 1, &id) == -1)
		goto out;
	rc = store_expense_get(req->store, c.id, id, &e);
	if (rc == STORE_NOTFOUND)
		(void)reply_not_found(req);
	else if (rc != STORE_OK)
		(void)reply_internal_error(req);
	else
		expenses_reply_one(req, 200, &e);
out:
	client_cleanup(&c);
}

static void
expenses_patch(struct request *req)
{
	const char	*receipt, *export;
	struct client	 c;
	struct expense	 e;
	int64_t		 id;
	int		 rc;

	receipt = json_get_string(req->body, "receipt_status");
	export = json_get_string(req->body, "export_status");
	if (receipt == NULL && export == NULL) {
		(void)reply_invalid_field(req, "(body)",
		    "must name receipt_status, export_status or both");
		return;
	}
	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	if (request_param_id_or_reply(req, 1, &id) == -1)
		goto out;
	/* One statement, so the counters change with it. */
	rc = store_expense_set_status(req->store, c.id, id, receipt, export,
	    &e);
	if (rc == STORE_NOTFOUND)
		(void)reply_not_found(req);
	else if (rc != STORE_OK)
		(void)reply_internal_error(req);
	else {
		log_info("client %lld: expense %lld set to %s/%s by user %lld",
		    (long long)c.id, (long long)e.id, e.receipt_status,
		    e.export_status, (long long)req->user.id);
		expenses_reply_one(req, 200, &e);
	}
out:
	client_cleanup(&c);
}

/* Voids an expense: it goes, and the client's counters move with it. */
static void
expenses_delete(struct request *req)
{
	struct client	 c;
	struct expense	 e;
	int64_t		 id;
	int		 rc;

	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	if (request_param_id_or_reply(req, 1, &id) == -1)
		goto out;
	rc = store_expense_delete(req->store, c.id, id, NULL, &e);
	if (rc == STORE_NOTFOUND)
		(void)reply_not_found(req);
	else if (rc != STORE_OK)
		(void)reply_internal_error(req);
	else {
		log_info("client %lld: expense %lld (%s) deleted by user %lld",
		    (long long)c.id, (long long)e.id, e.external_id,
		    (long long)req->user.id);
		reply_empty(req, 204);
	}
out:
	client_cleanup(&c);
}

const struct route expenses_routes[] = {
	{ .method = "GET", .pattern = "/v1/clients/{id}/expenses",
	    .handler = expenses_list, .roles = ROUTE_ANYONE,
	    .body = ROUTE_BODY_NONE,
	    .scope = SCOPE_CLIENTS_READ },
	{ .method = "POST", .pattern = "/v1/clients/{id}/expenses",
	    .handler = expenses_create, .roles = ROLE_ADMIN | ROLE_INTEGRATION,
	    .body = ROUTE_BODY_CUSTOM,
	    .scope = SCOPE_EXPENSES_WRITE },
	{ .method = "GET", .pattern = "/v1/clients/{id}/expenses/{expense_id}",
	    .handler = expenses_get, .roles = ROUTE_ANYONE,
	    .body = ROUTE_BODY_NONE,
	    .scope = SCOPE_CLIENTS_READ },
	{ .method = "PATCH",
	    .pattern = "/v1/clients/{id}/expenses/{expense_id}",
	    .handler = expenses_patch, .roles = ROLE_ADMIN | ROLE_INTEGRATION,
	    .body = ROUTE_BODY_SCHEMA, .schema = &expenses_patch_schema,
	    .scope = SCOPE_EXPENSES_WRITE },
	{ .method = "DELETE",
	    .pattern = "/v1/clients/{id}/expenses/{expense_id}",
	    .handler = expenses_delete, .roles = ROLE_ADMIN | ROLE_INTEGRATION,
	    .body = ROUTE_BODY_NONE,
	    .scope = SCOPE_EXPENSES_WRITE },
};
const size_t expenses_n_routes = sizeof(expenses_routes) /
    sizeof(expenses_routes[0]);
