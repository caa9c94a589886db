/*
 * A client's expenses: pushed by the integration (and admins) one at a
 * time or up to 1,000 in one transaction, upserted by external id; their
 * receipt and export states changed; listed a page at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cursor.h"
#include "../common/jsonw.h"
#include "../common/log.h"
#include "../common/store_expense.h"
#include "../common/text.h"
#include "client_load.h"
#include "route.h"

#define EXPENSES_DEFAULT_LIMIT	50
#define EXPENSES_TIME_MAX	64	/* characters of a spent_at */
#define EXPENSES_REPLY_MAX	(4 * 1024 * 1024)
#define EXPENSES_FIELD_MAX	64	/* "expenses[999].receipt_status" */
/* 9999-12-31T23:59:59Z: past it a time no longer prints in RFC 3339. */
#define EXPENSES_TIME_LAST	253402300799LL
/* The list has one order; the cursor still names it. */
#define EXPENSES_CURSOR_SORT	1

static const struct json_field expenses_fields[] = {
	{ "external_id", JSON_KIND_STRING, 1, 1, EXPENSE_EXTERNAL_ID_MAX,
	    NULL },
	{ "amount_minor", JSON_KIND_INT, 1, -EXPENSE_AMOUNT_MAX,
	    EXPENSE_AMOUNT_MAX, NULL },
	{ "currency", JSON_KIND_STRING, 1, 3, 3, NULL },
	{ "spent_at", JSON_KIND_STRING, 1, 1, EXPENSES_TIME_MAX, NULL },
	{ "merchant", JSON_KIND_STRING, 1, 1, EXPENSE_MERCHANT_MAX, NULL },
	{ "receipt_status", JSON_KIND_STRING, 1, 1, 16,
	    expense_receipt_statuses },
	{ "export_status", JSON_KIND_STRING, 1, 1, 16,
	    expense_export_statuses },
};
static const struct json_schema expenses_schema = {
	expenses_fields,
	sizeof(expenses_fields) / sizeof(expenses_fields[0])
};

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

/* ISO 4217 shape: three capital letters. */
static int
expenses_currency_valid(const char *s)
{
	return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' &&
	    s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z';
}

/* Reads n decimal digits; stops at the first other byte (or the NUL). */
static int
expenses_digits(const char *s, int n, int *out)
{
	int	 i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
expenses_month_days(int y, int m)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian, y >= 1. */
static int64_t
expenses_days(int y, int m, int d)
{
	int64_t	 yy = y - (m <= 2), era, yoe, doy, doe;

	era = yy / 400;
	yoe = yy - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * An RFC 3339 date-time ("2026-03-02T10:15:00Z", or with an offset such
 * as "+01:00") to Unix seconds; a fraction of a second is dropped. Leap
 * seconds and times outside 1970..9999 (UTC) are refused. 0 or -1.
 */
static int
expenses_parse_time(const char *s, int64_t *out)
{
	const char	*p;
	int64_t		 t;
	int		 y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;

	/* Each test reads only bytes the ones before it proved present. */
	if (strlen(s) < 20 || expenses_digits(s, 4, &y) == -1 ||
	    s[4] != '-' || expenses_digits(s + 5, 2, &mo) == -1 ||
	    s[7] != '-' || expenses_digits(s + 8, 2, &d) == -1 ||
	    (s[10] != 'T' && s[10] != 't') ||
	    expenses_digits(s + 11, 2, &h) == -1 || s[13] != ':' ||
	    expenses_digits(s + 14, 2, &mi) == -1 || s[16] != ':' ||
	    expenses_digits(s + 17, 2, &sec) == -1)
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (expenses_digits(p + 1, 2, &oh) == -1 || p[3] != ':' ||
		    expenses_digits(p + 4, 2, &om) == -1)
			return -1;
		p += 6;
	} else
		return -1;
	if (*p != '\0' || y < 1 || mo < 1 || mo > 12 || d < 1 ||
	    d > expenses_month_days(y, mo) || h > 23 || mi > 59 || sec > 59 ||
	    oh > 23 || om > 59)
		return -1;
	t = expenses_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	    sign * (oh * 3600 + om * 60);
	if (t < 0 || t > EXPENSES_TIME_LAST)
		return -1;
	*out = t;
	return 0;
}

/* The name json_schema_check() gives a field: "expenses[3].currency". */
static void
expenses_field_name(char *out, size_t outlen, const char *prefix,
    const char *name)
{
	(void)snprintf(out, outlen, "%s%s%s", prefix ? prefix : "",
	    prefix ? "." : "", name);
}

/* Whether errors already name field. */
static int
expenses_failed(const cJSON *errors, const char *field)
{
	const cJSON	*e;
	const char	*f;

	cJSON_ArrayForEach(e, errors) {
		f = json_get_string(e, "field");
		if (f != NULL && strcmp(f, field) == 0)
			return 1;
	}
	return 0;
}

/* A string member that passed the schema check, or NULL. */
static const char *
expenses_valid_string(const cJSON *obj, const cJSON *errors,
    const char *prefix, const char *name)
{
	char	 field[EXPENSES_FIELD_MAX];

	expenses_field_name(field, sizeof(field), prefix, name);
	return expenses_failed(errors, field) ? NULL :
	    json_get_string(obj, name);
}

static void
expenses_error(cJSON *errors, const char *prefix, const char *name,
    const char *message)
{
	char	 field[EXPENSES_FIELD_MAX];

	expenses_field_name(field, sizeof(field), prefix, name);
	json_error_add(errors, field, message);
}

/*
 * Checks one expense against the schema and then what a schema cannot
 * say (the currency's shape, spent_at), only for fields the schema
 * accepted, so that each bad field is named once. Appends the errors to
 * errors, names prefixed with prefix ("expenses[3]") unless it is NULL.
 * Fills f with pointers into obj for the valid fields (NULL for the
 * others). Returns the number of problems, or -1 when out of memory.
 */
static int
expenses_check(const cJSON *obj, const char *prefix, cJSON *errors,
    struct expense_fields *f)
{
	cJSON		*mine, *e;
	const char	*s;
	int		 n;

	memset(f, 0, sizeof(*f));
	if ((mine = cJSON_CreateArray()) == NULL)
		return -1;
	n = json_schema_check(obj, &expenses_schema, prefix, mine);
	if (cJSON_IsObject(obj)) {
		f->external_id = expenses_valid_string(obj, mine, prefix,
		    "external_id");
		f->merchant = expenses_valid_string(obj, mine, prefix,
		    "merchant");
		f->receipt_status = expenses_valid_string(obj, mine, prefix,
		    "receipt_status");
		f->export_status = expenses_valid_string(obj, mine, prefix,
		    "export_status");
		f->amount_minor = json_get_int(obj, "amount_minor", 0);
		s = expenses_valid_string(obj, mine, prefix, "currency");
		if (s != NULL && !expenses_currency_valid(s)) {
			expenses_error(mine, prefix, "currency",
			    "must be an ISO 4217 code such as SEK");
			n++;
		} else
			f->currency = s;
		s = expenses_valid_string(obj, mine, prefix, "spent_at");
		if (s != NULL && expenses_parse_time(s, &f->spent_at) == -1) {
			expenses_error(mine, prefix, "spent_at",
			    "must be an RFC 3339 time such as "
			    "2026-03-02T10:15:00Z");
			n++;
		}
	}
	while ((e = cJSON_DetachItemFromArray(mine, 0)) != NULL)
		cJSON_AddItemToArray(errors, e);
	cJSON_Delete(mine);
	return n;
}

struct expenses_key {
	const char	*external_id;
	int		 index;
};

static int
expenses_key_cmp(const void *a, const void *b)
{
	const struct expenses_key	*x = a, *y = b;
	int				 c;

	if ((c = strcmp(x->external_id, y->external_id)) != 0)
		return c;
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * A batch that names one external_id twice is refused: which of the two
 * should win is a guess. Adds an error for each repeat (not the first
 * one) and returns how many, or -1 when out of memory.
 */
static int
expenses_check_repeats(const struct expense_fields *f, int n, cJSON *errors)
{
	struct expenses_key	*keys;
	char			 field[EXPENSES_FIELD_MAX];
	int			 i, k = 0, bad = 0;

	if ((keys = calloc((size_t)n + 1, sizeof(*keys))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (f[i].external_id == NULL)
			continue;
		keys[k].external_id = f[i].external_id;
		keys[k].index = i;
		k++;
	}
	qsort(keys, (size_t)k, sizeof(*keys), expenses_key_cmp);
	for (i = 1; i < k; i++) {
		if (strcmp(keys[i].external_id, keys[i - 1].external_id) != 0)
			continue;
		(void)snprintf(field, sizeof(field), "expenses[%d].external_id",
		    keys[i].index);
		json_error_add(errors, field, "repeats the external_id of an "
		    "earlier expense in this batch");
		bad++;
	}
	free(keys);
	return bad;
}

/*
 * Checks the envelope of a batch, {"expenses": [...]} and nothing else,
 * with 1 to EXPENSE_BATCH_MAX items. Returns the array, or NULL after
 * adding errors.
 */
static const cJSON *
expenses_batch_items(const cJSON *body, cJSON *errors)
{
	const cJSON	*m, *items = NULL;
	int		 n, bad = 0;

	cJSON_ArrayForEach(m, body) {
		if (strcmp(m->string, "expenses") == 0)
			items = m;
		else {
			/* The key is valid UTF-8 and goes out JSON-escaped. */
			json_error_add(errors, strlen(m->string) <= 100 ?
			    m->string : "(field name too long)",
			    "is not a known field");
			bad++;
		}
	}
	if (!cJSON_IsArray(items)) {
		json_error_add(errors, "expenses", "must be an array");
		return NULL;
	}
	n = cJSON_GetArraySize(items);
	if (n == 0) {
		json_error_add(errors, "expenses", "must not be empty");
		bad++;
	} else if (n > EXPENSE_BATCH_MAX) {
		json_error_add(errors, "expenses", "has more than 1000 items");
		bad++;
	}
	return bad > 0 ? NULL : items;
}

static int
expenses_invalid_or_reply(struct request *req, cJSON *errors)
{
	return reply_problem_errors(req, 422, PROBLEM_VALIDATION,
	    "Invalid request body", "One or more fields are missing or "
	    "invalid.", errors);
}

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
 * POST one expense or {"expenses": [...]}. Everything is checked before
 * the transaction, so a refused batch writes nothing; the batch is then
 * one BEGIN IMMEDIATE, and the triggers move the client's counters in it.
 */
static void
expenses_create(struct request *req)
{
	struct expense_fields	*fields = NULL;
	const cJSON		*items = NULL, *item;
	struct client		 c;
	struct expense		 e;
	struct jsonw		 w;
	struct buf		 out;
	cJSON			*errors = NULL;
	char			 prefix[32], location[96];
	int			 batch, n = 1, i, r, bad = 0;
	int			 created = 0, n_created = 0;

	buf_init(&out, EXPENSES_REPLY_MAX);
	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	if ((errors = cJSON_CreateArray()) == NULL)
		goto oom;
	batch = cJSON_IsObject(req->body) && json_has(req->body, "expenses");
	if (batch) {
		if ((items = expenses_batch_items(req->body, errors)) ==
		    NULL) {
			(void)expenses_invalid_or_reply(req, errors);
			errors = NULL;
			goto out;
		}
		n = cJSON_GetArraySize(items);
	}
	if ((fields = calloc((size_t)n, sizeof(*fields))) == NULL)
		goto oom;
	if (batch) {
		i = 0;
		cJSON_ArrayForEach(item, items) {
			(void)snprintf(prefix, sizeof(prefix), "expenses[%d]",
			    i);
			if ((r = expenses_check(item, prefix, errors,
			    &fields[i])) == -1)
				goto oom;
			bad += r;
			i++;
		}
		if ((r = expenses_check_repeats(fields, n, errors)) == -1)
			goto oom;
		bad += r;
	} else {
		if ((r = expenses_check(req->body, NULL, errors, &fields[0])) ==
		    -1)
			goto oom;
		bad += r;
	}
	if (bad > 0) {
		(void)expenses_invalid_or_reply(req, errors);
		errors = NULL;
		goto out;
	}

	jsonw_init(&w, &out);
	if (batch) {
		jsonw_object_open(&w);
		jsonw_key(&w, "data");
		jsonw_array_open(&w);
	}
	if (store_begin(req->store) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		if (store_expense_upsert(req->store, c.id, &fields[i], &e,
		    &created) != STORE_OK)
			goto fail;
		n_created += created;
		if (batch)
			expenses_write(&w, &e);
	}
	if (batch) {
		jsonw_array_close(&w);
		jsonw_key(&w, "created");
		jsonw_int(&w, n_created);
		jsonw_key(&w, "updated");
		jsonw_int(&w, n - n_created);
		jsonw_object_close(&w);
	} else
		expenses_write(&w, &e);
	/* The answer is complete before the commit: a 2xx is never lost. */
	if (w.error) {
		log_warnx("cannot write an expenses reply");
		goto fail;
	}
	if (store_commit(req->store) == -1)
		goto fail;
	log_info("client %lld: %d expenses created, %d updated by user %lld",
	    (long long)c.id, n_created, n - n_created,
	    (long long)req->user.id);
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

static int
expenses_bad_param(struct request *req, const char *field,
    const char *message)
{
	cJSON	*errors = cJSON_CreateArray();

	json_error_add(errors, field, message);
	return reply_problem_errors(req, 400, PROBLEM_VALIDATION,
	    "Invalid query parameter", "One or more query parameters are "
	    "invalid.", errors);
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
	char		 v[64], text[CURSOR_TEXT_MAX + 1], fp[96];
	struct cursor	 cur;
	long long	 n;
	int		 rc;

	memset(p, 0, sizeof(*p));
	p->limit = EXPENSES_DEFAULT_LIMIT;
	if ((rc = request_query_or_reply(req, "receipt_status", v,
	    sizeof(v))) == -1)
		return -1;
	if (rc == 1) {
		if ((p->receipt_status = expenses_state(
		    expense_receipt_statuses, v)) == NULL)
			return expenses_bad_param(req, "receipt_status",
			    "must be missing, attached or not_required");
	}
	if ((rc = request_query_or_reply(req, "export_status", v,
	    sizeof(v))) == -1)
		return -1;
	if (rc == 1) {
		if ((p->export_status = expenses_state(
		    expense_export_statuses, v)) == NULL)
			return expenses_bad_param(req, "export_status",
			    "must be pending, ready or exported");
	}
	if ((rc = request_query_or_reply(req, "limit", v, sizeof(v))) == -1)
		return -1;
	if (rc == 1) {
		if (text_parse_int(v, 1, EXPENSE_LIST_MAX, &n) == -1)
			return expenses_bad_param(req, "limit",
			    "must be an integer from 1 to 200");
		p->limit = (int)n;
	}
	if ((rc = request_query_or_reply(req, "cursor", text,
	    sizeof(text))) == -1)
		return -1;
	/* A cursor only continues the query it came from. */
	(void)snprintf(fp, sizeof(fp), "expenses|%lld|%s|%s",
	    (long long)client_id, p->receipt_status ? p->receipt_status : "",
	    p->export_status ? p->export_status : "");
	p->query = cursor_fingerprint(fp);
	if (rc == 1) {
		if (cursor_decode(text, &cur) == -1 || cur.query != p->query ||
		    cur.sort != EXPENSES_CURSOR_SORT || cur.keylen != 0)
			return expenses_bad_param(req, "cursor",
			    "is not a cursor of this query");
		p->after_id = cur.id;
	}
	return 0;
}

struct expenses_page {
	struct jsonw	 w;
	int		 limit;
	int		 rows;
	int		 more;	/* a row past the page exists */
	int64_t		 last_id;
};

static int
expenses_page_row(const struct expense *e, void *arg)
{
	struct expenses_page	*pg = arg;

	if (pg->rows == pg->limit) {
		pg->more = 1;
		return 0;
	}
	pg->rows++;
	pg->last_id = e->id;
	expenses_write(&pg->w, e);
	return pg->w.error ? -1 : 0;
}

static void
expenses_list(struct request *req)
{
	struct expenses_params	 p;
	struct expense_query	 q;
	struct expenses_page	 pg;
	struct client		 c;
	struct cursor		 next;
	struct buf		 out;
	char			 text[CURSOR_TEXT_MAX + 1];
	int64_t			 total = 0;
	int			 rc;

	buf_init(&out, EXPENSES_REPLY_MAX);
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

	memset(&pg, 0, sizeof(pg));
	jsonw_init(&pg.w, &out);
	pg.limit = p.limit;
	jsonw_object_open(&pg.w);
	jsonw_key(&pg.w, "data");
	jsonw_array_open(&pg.w);

	/* The page and its total come from one snapshot. */
	if (store_begin_read(req->store) == -1) {
		(void)reply_internal_error(req);
		goto out;
	}
	rc = store_expense_list(req->store, &q, expenses_page_row, &pg);
	if (rc == STORE_OK)
		rc = store_expense_count(req->store, &q, &total);
	store_rollback(req->store);
	if (rc != STORE_OK) {
		(void)reply_internal_error(req);
		goto out;
	}
	jsonw_array_close(&pg.w);
	jsonw_key(&pg.w, "total");
	jsonw_int(&pg.w, total);
	jsonw_key(&pg.w, "next_cursor");
	if (pg.more) {
		memset(&next, 0, sizeof(next));
		next.sort = EXPENSES_CURSOR_SORT;
		next.query = p.query;
		next.id = pg.last_id;
		if (cursor_encode(&next, text, sizeof(text)) == -1) {
			(void)reply_internal_error(req);
			goto out;
		}
		jsonw_string(&pg.w, text);
	} else
		jsonw_null(&pg.w);
	jsonw_object_close(&pg.w);
	(void)reply_jsonw(req, 200, &out, pg.w.error);
out:
	buf_cleanup(&out);
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
	cJSON		*errors;
	int64_t		 id;
	int		 rc;

	receipt = json_get_string(req->body, "receipt_status");
	export = json_get_string(req->body, "export_status");
	if (receipt == NULL && export == NULL) {
		errors = cJSON_CreateArray();
		json_error_add(errors, "(body)",
		    "must name receipt_status, export_status or both");
		(void)expenses_invalid_or_reply(req, errors);
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

const struct route expenses_routes[] = {
	{ .method = "GET", .pattern = "/v1/clients/{id}/expenses",
	    .handler = expenses_list, .roles = ROUTE_STAFF,
	    .body = ROUTE_BODY_NONE },
	{ .method = "POST", .pattern = "/v1/clients/{id}/expenses",
	    .handler = expenses_create, .roles = ROLE_ADMIN | ROLE_INTEGRATION,
	    .body = ROUTE_BODY_CUSTOM },
	{ .method = "GET", .pattern = "/v1/clients/{id}/expenses/{expense_id}",
	    .handler = expenses_get, .roles = ROUTE_ANYONE,
	    .body = ROUTE_BODY_NONE },
	{ .method = "PATCH",
	    .pattern = "/v1/clients/{id}/expenses/{expense_id}",
	    .handler = expenses_patch, .roles = ROLE_ADMIN | ROLE_INTEGRATION,
	    .body = ROUTE_BODY_SCHEMA, .schema = &expenses_patch_schema },
};
const size_t expenses_n_routes = sizeof(expenses_routes) /
    sizeof(expenses_routes[0]);
