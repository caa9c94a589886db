/*
 * Thresholds: the firm's defaults (GET/PUT /v1/settings/thresholds,
 * admins) and a client's own (GET/PUT /v1/clients/{id}/thresholds;
 * admins write, the client's bookkeepers read). A PUT replaces them all:
 * a field left out or null is no threshold for the firm, the firm's for
 * a client. The alerts they raise change in the PUT's own transaction.
 */
#include <stdio.h>
#include <string.h>

#include "../common/alert.h"
#include "../common/jsonw.h"
#include "../common/log.h"
#include "../common/store_threshold.h"
#include "client_load.h"
#include "input.h"
#include "route.h"

#define THRESHOLDS_REPLY_MAX	(16 * 1024)

static const struct json_field line_fields[] = {
	{ "amount_minor", JSON_KIND_INT, 1, 0, THRESHOLD_AMOUNT_MAX, NULL },
	{ "currency", JSON_KIND_STRING, 1, 3, 3, NULL },
};
static const struct json_schema line_schema = {
	line_fields, sizeof(line_fields) / sizeof(line_fields[0])
};

static const struct json_field firm_fields[] = {
	{ "balance_below", JSON_KIND_ARRAY, 0, 0, THRESHOLD_LINES_MAX, NULL },
	{ "missing_receipts_above", JSON_KIND_INT_OR_NULL, 0, 0,
	    THRESHOLD_COUNT_MAX, NULL },
	{ "missing_receipt_older_than_days", JSON_KIND_INT_OR_NULL, 0, 0,
	    THRESHOLD_DAYS_MAX, NULL },
};
static const struct json_schema firm_schema = {
	firm_fields, sizeof(firm_fields) / sizeof(firm_fields[0])
};

static const struct json_field client_fields[] = {
	{ "balance_below", JSON_KIND_OBJECT_OR_NULL, 0, 0, 0, NULL },
	{ "missing_receipts_above", JSON_KIND_INT_OR_NULL, 0, 0,
	    THRESHOLD_COUNT_MAX, NULL },
	{ "missing_receipt_older_than_days", JSON_KIND_INT_OR_NULL, 0, 0,
	    THRESHOLD_DAYS_MAX, NULL },
};
static const struct json_schema client_fields_schema = {
	client_fields, sizeof(client_fields) / sizeof(client_fields[0])
};

/* A count or number of days of the body: THRESHOLD_NONE when null. */
static int64_t
thresholds_number(const cJSON *body, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(body, name);

	if (v == NULL || cJSON_IsNull(v))
		return THRESHOLD_NONE;
	return json_get_int(body, name, THRESHOLD_NONE);
}

/*
 * A low-balance line at field (for errors) into out; the problems are
 * added to errors and counted.
 */
static int
thresholds_line(const cJSON *obj, const char *field,
    struct threshold_line *out, cJSON *errors)
{
	char		 name[64];
	const char	*currency;
	int		 n;

	if ((n = json_schema_check(obj, &line_schema, field, errors)) > 0)
		return n;
	currency = json_get_string(obj, "currency");
	if (!input_currency_valid(currency)) {
		(void)snprintf(name, sizeof(name), "%s.currency", field);
		json_error_add(errors, name, "must be an ISO 4217 code: three "
		    "capital letters");
		return 1;
	}
	(void)snprintf(out->currency, sizeof(out->currency), "%s", currency);
	out->amount_minor = json_get_int(obj, "amount_minor", 0);
	return 0;
}

static void
thresholds_number_write(struct jsonw *w, const char *name, int64_t v)
{
	jsonw_key(w, name);
	if (v == THRESHOLD_NONE)
		jsonw_null(w);
	else
		jsonw_int(w, v);
}

static void
thresholds_line_write(struct jsonw *w, const struct threshold_line *l)
{
	if (l == NULL || l->amount_minor == THRESHOLD_NONE) {
		jsonw_null(w);
		return;
	}
	jsonw_object_open(w);
	jsonw_key(w, "amount_minor");
	jsonw_int(w, l->amount_minor);
	jsonw_key(w, "currency");
	jsonw_string(w, l->currency);
	jsonw_object_close(w);
}

static void
firm_thresholds_write(struct jsonw *w, const struct firm_thresholds *t)
{
	int	 i;

	jsonw_object_open(w);
	jsonw_key(w, "balance_below");
	jsonw_array_open(w);
	for (i = 0; i < t->n_balance_below; i++)
		thresholds_line_write(w, &t->balance_below[i]);
	jsonw_array_close(w);
	thresholds_number_write(w, "missing_receipts_above",
	    t->missing_receipts_above);
	thresholds_number_write(w, "missing_receipt_older_than_days",
	    t->missing_receipt_days);
	jsonw_object_close(w);
}

static void
firm_thresholds_reply(struct request *req, const struct firm_thresholds *t)
{
	struct buf	 out;
	struct jsonw	 w;

	buf_init(&out, THRESHOLDS_REPLY_MAX);
	jsonw_init(&w, &out);
	firm_thresholds_write(&w, t);
	(void)reply_jsonw(req, 200, &out, w.error);
	buf_cleanup(&out);
}

static void
firm_thresholds_get(struct request *req)
{
	struct firm_thresholds	 t;

	if (store_firm_thresholds_get(req->store, req->user.partner_id, &t) !=
	    STORE_OK) {
		(void)reply_internal_error(req);
		return;
	}
	firm_thresholds_reply(req, &t);
}

/* The body's lines, each currency once. The problems found. */
static int
firm_thresholds_lines(const cJSON *body, struct firm_thresholds *t,
    cJSON *errors)
{
	const cJSON	*lines, *item;
	char		 field[48];
	int		 i = 0, j, bad = 0;

	lines = cJSON_GetObjectItemCaseSensitive(body, "balance_below");
	cJSON_ArrayForEach(item, lines) {
		(void)snprintf(field, sizeof(field), "balance_below[%d]", i);
		if (thresholds_line(item, field, &t->balance_below[i],
		    errors) > 0) {
			bad++;
			i++;
			continue;
		}
		for (j = 0; j < i; j++)
			if (strcmp(t->balance_below[j].currency,
			    t->balance_below[i].currency) == 0) {
				(void)snprintf(field, sizeof(field),
				    "balance_below[%d].currency", i);
				json_error_add(errors, field, "is given twice");
				bad++;
				break;
			}
		i++;
	}
	t->n_balance_below = i;
	return bad;
}

static void
firm_thresholds_put(struct request *req)
{
	struct firm_thresholds	 t;
	cJSON			*errors;

	memset(&t, 0, sizeof(t));
	if ((errors = cJSON_CreateArray()) == NULL) {
		(void)reply_internal_error(req);
		return;
	}
	if (json_schema_check(req->body, &firm_schema, NULL, errors) > 0 ||
	    firm_thresholds_lines(req->body, &t, errors) > 0) {
		(void)reply_invalid_body(req, errors);
		return;
	}
	cJSON_Delete(errors);
	t.missing_receipts_above = thresholds_number(req->body,
	    "missing_receipts_above");
	t.missing_receipt_days = thresholds_number(req->body,
	    "missing_receipt_older_than_days");
	if (store_begin(req->store) == -1)
		goto fail;
	if (store_firm_thresholds_set(req->store, req->user.partner_id, &t) !=
	    STORE_OK || store_firm_thresholds_get(req->store,
	    req->user.partner_id, &t) != STORE_OK) {
		store_rollback(req->store);
		goto fail;
	}
	if (store_commit(req->store) == -1)
		goto fail;
	log_info("firm %lld: thresholds set by user %lld",
	    (long long)req->user.partner_id, (long long)req->user.id);
	firm_thresholds_reply(req, &t);
	return;
fail:
	(void)reply_internal_error(req);
}

/* The firm's line for currency, or NULL. */
static const struct threshold_line *
firm_line_for(const struct firm_thresholds *t, const char *currency)
{
	int	 i;

	for (i = 0; i < t->n_balance_below; i++)
		if (strcmp(t->balance_below[i].currency, currency) == 0)
			return &t->balance_below[i];
	return NULL;
}

/*
 * The client's thresholds as its alerts read them: its own, else the
 * firm's; and its own alone, with the alerts they raise now.
 */
static void
client_thresholds_reply(struct request *req, const struct client *c,
    const struct client_thresholds *own, const struct firm_thresholds *firm)
{
	const struct threshold_line	*line;
	struct buf			 out;
	struct jsonw			 w;
	int				 i;

	line = own->balance_below.amount_minor != THRESHOLD_NONE &&
	    strcmp(own->balance_below.currency, c->currency) == 0 ?
	    &own->balance_below : firm_line_for(firm, c->currency);
	buf_init(&out, THRESHOLDS_REPLY_MAX);
	jsonw_init(&w, &out);
	jsonw_object_open(&w);
	jsonw_key(&w, "client_id");
	jsonw_int(&w, c->id);
	jsonw_key(&w, "overrides");
	jsonw_object_open(&w);
	jsonw_key(&w, "balance_below");
	thresholds_line_write(&w, &own->balance_below);
	thresholds_number_write(&w, "missing_receipts_above",
	    own->missing_receipts_above);
	thresholds_number_write(&w, "missing_receipt_older_than_days",
	    own->missing_receipt_days);
	jsonw_object_close(&w);
	jsonw_key(&w, "effective");
	jsonw_object_open(&w);
	jsonw_key(&w, "balance_below");
	thresholds_line_write(&w, line);
	thresholds_number_write(&w, "missing_receipts_above",
	    own->missing_receipts_above != THRESHOLD_NONE ?
	    own->missing_receipts_above : firm->missing_receipts_above);
	thresholds_number_write(&w, "missing_receipt_older_than_days",
	    own->missing_receipt_days != THRESHOLD_NONE ?
	    own->missing_receipt_days : firm->missing_receipt_days);
	jsonw_object_close(&w);
	jsonw_key(&w, "alerts");
	jsonw_array_open(&w);
	for (i = 0; i < ALERT_COUNT; i++)
		if (c->alerts & (1u << i))
			jsonw_string(&w, alert_names[i]);
	jsonw_array_close(&w);
	jsonw_object_close(&w);
	(void)reply_jsonw(req, 200, &out, w.error);
	buf_cleanup(&out);
}

/* Reads the client's thresholds and the firm's, and answers them. */
static void
client_thresholds_answer(struct request *req, const struct client *c)
{
	struct client_thresholds	 own;
	struct firm_thresholds		 firm;

	if (store_client_thresholds_get(req->store, c->id, &own) !=
	    STORE_OK || store_firm_thresholds_get(req->store,
	    req->user.partner_id, &firm) != STORE_OK) {
		(void)reply_internal_error(req);
		return;
	}
	client_thresholds_reply(req, c, &own, &firm);
}

static void
client_thresholds_get(struct request *req)
{
	struct client	 c;

	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	client_thresholds_answer(req, &c);
	client_cleanup(&c);
}

/*
 * The body's thresholds for client c: a low-balance line only in the
 * client's currency. The problems found.
 */
static int
client_thresholds_read(const cJSON *body, const struct client *c,
    struct client_thresholds *t, cJSON *errors)
{
	const cJSON	*line;
	char		 message[64];
	int		 bad;

	memset(t, 0, sizeof(*t));
	t->balance_below.amount_minor = THRESHOLD_NONE;
	if ((bad = json_schema_check(body, &client_fields_schema, NULL,
	    errors)) > 0)
		return bad;
	line = cJSON_GetObjectItemCaseSensitive(body, "balance_below");
	if (line != NULL && !cJSON_IsNull(line)) {
		if ((bad = thresholds_line(line, "balance_below",
		    &t->balance_below, errors)) > 0)
			return bad;
		if (strcmp(t->balance_below.currency, c->currency) != 0) {
			(void)snprintf(message, sizeof(message), "must be the "
			    "client's currency, %s", c->currency);
			json_error_add(errors, "balance_below.currency",
			    message);
			return 1;
		}
	}
	t->missing_receipts_above = thresholds_number(body,
	    "missing_receipts_above");
	t->missing_receipt_days = thresholds_number(body,
	    "missing_receipt_older_than_days");
	return 0;
}

static void
client_thresholds_put(struct request *req)
{
	struct client_thresholds	 t;
	struct client			 c;
	cJSON				*errors = NULL;
	int64_t				 id;
	int				 rc;

	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	id = c.id;
	if ((errors = cJSON_CreateArray()) == NULL)
		goto fail;
	if (client_thresholds_read(req->body, &c, &t, errors) > 0) {
		/* The reply takes errors over. */
		(void)reply_invalid_body(req, errors);
		errors = NULL;
		goto out;
	}
	cJSON_Delete(errors);
	errors = NULL;
	if (store_begin(req->store) == -1)
		goto fail;
	rc = store_client_thresholds_set(req->store, id, &t);
	if (rc == STORE_OK) {
		/* The alerts as the PUT left them. */
		client_cleanup(&c);
		rc = store_client_get_visible(req->store, &req->user, id, &c);
	}
	if (rc != STORE_OK) {
		store_rollback(req->store);
		goto fail;
	}
	if (store_commit(req->store) == -1)
		goto fail;
	log_info("client %lld: thresholds set by user %lld", (long long)c.id,
	    (long long)req->user.id);
	client_thresholds_answer(req, &c);
	goto out;
fail:
	(void)reply_internal_error(req);
out:
	cJSON_Delete(errors);
	client_cleanup(&c);
}

const struct route thresholds_routes[] = {
	{ .method = "GET", .pattern = "/v1/settings/thresholds",
	    .handler = firm_thresholds_get, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_NONE },
	{ .method = "PUT", .pattern = "/v1/settings/thresholds",
	    .handler = firm_thresholds_put, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_CUSTOM },
	{ .method = "GET", .pattern = "/v1/clients/{id}/thresholds",
	    .handler = client_thresholds_get, .roles = ROUTE_STAFF,
	    .body = ROUTE_BODY_NONE },
	{ .method = "PUT", .pattern = "/v1/clients/{id}/thresholds",
	    .handler = client_thresholds_put, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_CUSTOM },
};
const size_t thresholds_n_routes = sizeof(thresholds_routes) /
    sizeof(thresholds_routes[0]);
