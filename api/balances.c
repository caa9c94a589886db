/*
 * Many clients' balances in one request, as a sync job reports them: up
 * to 1,000 items, each naming its client by id or by external_ref, all
 * set in one transaction or none, every bad item named in the problem.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/jsonw.h"
#include "../common/log.h"
#include "../common/store_client.h"
#include "input.h"
#include "route.h"

#define BALANCES_MAX		1000
#define BALANCES_REPLY_MAX	(256 * 1024)
/* Room for "balances[999].external_ref". */
#define BALANCES_FIELD_MAX	48

static const struct json_field balances_item_fields[] = {
	{ "client_id", JSON_KIND_INT, 0, 1, INT64_MAX, NULL },
	{ "external_ref", JSON_KIND_STRING, 0, 1, CLIENT_REF_MAX, NULL },
	{ "amount_minor", JSON_KIND_INT, 1, -1000000000000000LL,
	    1000000000000000LL, NULL },
	{ "currency", JSON_KIND_STRING, 1, 3, 3, NULL },
};
static const struct json_schema balances_item_schema = {
	balances_item_fields,
	sizeof(balances_item_fields) / sizeof(balances_item_fields[0])
};

struct balance_item {
	int64_t		 client_id;	/* resolved in the transaction */
	const char	*external_ref;	/* NULL when named by id */
	int64_t		 amount_minor;
	const char	*currency;
	int		 index;
};

static void
balances_error(cJSON *errors, int i, const char *field, const char *message)
{
	char	 name[BALANCES_FIELD_MAX];

	(void)snprintf(name, sizeof(name), "balances[%d].%s", i, field);
	json_error_add(errors, name, message);
}

/*
 * Checks item i beyond its schema: one way to name the client, and the
 * currency's shape. Fills it; returns the problems found.
 */
static int
balances_item_check(const cJSON *obj, int i, cJSON *errors,
    struct balance_item *it)
{
	char	 prefix[BALANCES_FIELD_MAX];
	int	 n, by_id, by_ref;

	(void)snprintf(prefix, sizeof(prefix), "balances[%d]", i);
	if ((n = json_schema_check(obj, &balances_item_schema, prefix,
	    errors)) > 0 || !cJSON_IsObject(obj))
		return n > 0 ? n : 1;
	by_id = json_has(obj, "client_id");
	by_ref = json_has(obj, "external_ref");
	if (by_id == by_ref) {
		balances_error(errors, i, "client_id", "name the client by "
		    "client_id or by external_ref, one of the two");
		return 1;
	}
	it->index = i;
	it->client_id = json_get_int(obj, "client_id", 0);
	it->external_ref = by_ref ? json_get_string(obj, "external_ref") :
	    NULL;
	it->amount_minor = json_get_int(obj, "amount_minor", 0);
	it->currency = json_get_string(obj, "currency");
	if (!input_currency_valid(it->currency)) {
		balances_error(errors, i, "currency",
		    "must be an ISO 4217 code such as SEK");
		return 1;
	}
	return 0;
}

static int
balances_by_client(const void *a, const void *b)
{
	const struct balance_item	*x = a, *y = b;

	if (x->client_id != y->client_id)
		return x->client_id < y->client_id ? -1 : 1;
	return x->index - y->index;
}

/*
 * Finds each item's client among the firm's (the caller sees every one:
 * admins and integrations only), then refuses a client named twice, by
 * whichever names. Returns the problems found, or -1 on a store fault.
 */
static int
balances_resolve(struct request *req, struct balance_item *items, int n,
    cJSON *errors)
{
	struct balance_item	*sorted;
	struct client		 c;
	int			 i, rc, bad = 0;

	for (i = 0; i < n; i++) {
		if (items[i].external_ref != NULL) {
			rc = store_client_find(req->store,
			    req->user.partner_id, NULL, items[i].external_ref,
			    &items[i].client_id);
		} else {
			memset(&c, 0, sizeof(c));
			rc = store_client_get_visible(req->store, &req->user,
			    items[i].client_id, &c);
			client_cleanup(&c);
		}
		if (rc == STORE_NOTFOUND) {
			balances_error(errors, i, items[i].external_ref ?
			    "external_ref" : "client_id",
			    "names no client of the firm");
			bad++;
		} else if (rc != STORE_OK)
			return -1;
	}
	if (bad > 0 || n < 2)
		return bad;
	if ((sorted = calloc((size_t)n, sizeof(*sorted))) == NULL)
		return -1;
	memcpy(sorted, items, (size_t)n * sizeof(*sorted));
	qsort(sorted, (size_t)n, sizeof(*sorted), balances_by_client);
	for (i = 1; i < n; i++) {
		if (sorted[i].client_id != sorted[i - 1].client_id)
			continue;
		balances_error(errors, sorted[i].index,
		    sorted[i].external_ref ? "external_ref" : "client_id",
		    "names a client an earlier item names");
		bad++;
	}
	free(sorted);
	return bad;
}

/* PUT {"balances": [...]}: in the dispatcher's write transaction. */
static void
balances_put(struct request *req)
{
	struct balance_item	*items = NULL;
	const cJSON		*list, *obj;
	struct jsonw		 w;
	struct buf		 out;
	cJSON			*errors;
	int			 n, i = 0, bad = 0;

	buf_init(&out, BALANCES_REPLY_MAX);
	if ((errors = cJSON_CreateArray()) == NULL)
		goto fail;
	if (!cJSON_IsObject(req->body)) {
		json_error_add(errors, "(body)", "must be an object");
		goto invalid;
	}
	if ((list = input_batch(req->body, "balances", BALANCES_MAX,
	    errors)) == NULL)
		goto invalid;
	n = cJSON_GetArraySize(list);
	if ((items = calloc((size_t)n, sizeof(*items))) == NULL)
		goto fail;
	cJSON_ArrayForEach(obj, list) {
		bad += balances_item_check(obj, i, errors, &items[i]);
		i++;
	}
	if (bad > 0)
		goto invalid;
	if ((bad = balances_resolve(req, items, n, errors)) == -1)
		goto fail;
	if (bad > 0)
		goto invalid;

	jsonw_init(&w, &out);
	jsonw_object_open(&w);
	jsonw_key(&w, "data");
	jsonw_array_open(&w);
	for (i = 0; i < n; i++) {
		if (store_client_set_balance(req->store, items[i].client_id,
		    items[i].amount_minor, items[i].currency) != STORE_OK)
			goto fail;
		jsonw_object_open(&w);
		jsonw_key(&w, "client_id");
		jsonw_int(&w, items[i].client_id);
		jsonw_key(&w, "balance");
		jsonw_object_open(&w);
		jsonw_key(&w, "amount_minor");
		jsonw_int(&w, items[i].amount_minor);
		jsonw_key(&w, "currency");
		jsonw_string(&w, items[i].currency);
		jsonw_object_close(&w);
		jsonw_object_close(&w);
	}
	jsonw_array_close(&w);
	jsonw_key(&w, "updated");
	jsonw_int(&w, n);
	jsonw_object_close(&w);
	log_info("%d balances set by user %lld", n, (long long)req->user.id);
	(void)reply_jsonw(req, 200, &out, w.error);
	goto out;
invalid:
	(void)reply_invalid_body(req, errors);
	errors = NULL;
	goto out;
fail:
	(void)reply_internal_error(req);
out:
	cJSON_Delete(errors);
	free(items);
	buf_cleanup(&out);
}

const struct route balances_routes[] = {
	{ .method = "PUT", .pattern = "/v1/balances", .handler = balances_put,
	    .roles = ROLE_ADMIN | ROLE_INTEGRATION,
	    .body = ROUTE_BODY_CUSTOM,
	    .scope = SCOPE_BALANCES_WRITE },
};
const size_t balances_n_routes = sizeof(balances_routes) /
    sizeof(balances_routes[0]);
