/*
 * API keys, managed by a firm's admins for its integration users: made
 * (the secret shown in that answer only), listed, read and revoked.
 */
#include <stdio.h>
#include <string.h>

#include "../common/jsonw.h"
#include "../common/log.h"
#include "../common/rfc3339.h"
#include "../common/store_api_key.h"
#include "../common/text.h"
#include "page.h"
#include "route.h"

#define KEYS_DEFAULT_LIMIT	50
#define KEYS_REPLY_MAX		(512 * 1024)
#define KEYS_CURSOR_SORT	1
/* Times a new key's prefix is drawn again when another key has it. */
#define KEYS_DRAWS		4

static const char *const keys_scope_names[] = {
	"clients:read", "clients:write", "expenses:write", "balances:write",
	"events:read", NULL
};

static const struct json_field keys_create_fields[] = {
	{ "name", JSON_KIND_STRING, 1, 1, API_KEY_NAME_MAX, NULL },
	{ "user_id", JSON_KIND_INT, 1, 1, INT64_MAX, NULL },
	{ "scopes", JSON_KIND_STRING_ARRAY, 1, 1, 5, keys_scope_names },
	{ "expires_at", JSON_KIND_STRING, 0, 1, 64, NULL },
};
static const struct json_schema keys_create_schema = {
	keys_create_fields,
	sizeof(keys_create_fields) / sizeof(keys_create_fields[0])
};

/* A key as the API shows it; its secret only when secret is not NULL. */
static void
keys_write(struct jsonw *w, const struct api_key *k, const char *secret)
{
	unsigned	 bit;

	jsonw_object_open(w);
	jsonw_key(w, "id");
	jsonw_int(w, k->id);
	jsonw_key(w, "name");
	jsonw_string(w, k->name);
	jsonw_key(w, "user_id");
	jsonw_int(w, k->user_id);
	jsonw_key(w, "prefix");
	jsonw_string(w, k->prefix);
	jsonw_key(w, "scopes");
	jsonw_array_open(w);
	for (bit = 1; bit <= SCOPE_ALL; bit <<= 1)
		if (k->scopes & bit)
			jsonw_string(w, api_scope_name(bit));
	jsonw_array_close(w);
	jsonw_key(w, "expires_at");
	if (k->expires_at != 0)
		jsonw_time(w, k->expires_at);
	else
		jsonw_null(w);
	jsonw_key(w, "last_used_at");
	if (k->last_used_at != 0)
		jsonw_time(w, k->last_used_at);
	else
		jsonw_null(w);
	jsonw_key(w, "revoked_at");
	if (k->revoked_at != 0)
		jsonw_time(w, k->revoked_at);
	else
		jsonw_null(w);
	jsonw_key(w, "created_by");
	jsonw_int(w, k->created_by);
	jsonw_key(w, "created_at");
	jsonw_time(w, k->created_at);
	if (secret != NULL) {
		jsonw_key(w, "key");
		jsonw_string(w, secret);
	}
	jsonw_object_close(w);
}

static void
keys_reply_one(struct request *req, int status, const struct api_key *k,
    const char *secret)
{
	struct jsonw	 w;
	struct buf	 out;

	buf_init(&out, KEYS_REPLY_MAX);
	jsonw_init(&w, &out);
	keys_write(&w, k, secret);
	(void)reply_jsonw(req, status, &out, w.error);
	/* The secret is in no buffer once it has gone out. */
	if (out.data != NULL)	/* reply_jsonw() may have taken it */
		explicit_bzero(out.data, out.len);
	buf_cleanup(&out);
}

/* Fills k from the body; 0, or -1 after a 422. */
static int
keys_input_or_reply(struct request *req, struct api_key *k)
{
	const cJSON	*scopes, *s;
	const char	*expires = json_get_string(req->body, "expires_at");
	struct user	 u;
	int		 rc;

	(void)snprintf(k->name, sizeof(k->name), "%s",
	    json_get_string(req->body, "name"));
	if (text_has_control(k->name))
		return reply_invalid_field(req, "name",
		    "must not hold control characters");
	scopes = cJSON_GetObjectItemCaseSensitive(req->body, "scopes");
	cJSON_ArrayForEach(s, scopes)
		k->scopes |= api_scope_parse(s->valuestring);
	if (expires != NULL && (rfc3339_parse(expires, &k->expires_at) == -1 ||
	    k->expires_at <= store_now()))
		return reply_invalid_field(req, "expires_at",
		    "must be an RFC 3339 time in the future");
	k->user_id = json_get_int(req->body, "user_id", 0);
	rc = store_user_get(req->store, k->user_id, &u);
	if (rc == STORE_ERROR)
		return reply_internal_error(req);
	/* A key has an integration's powers and never more. */
	if (rc == STORE_NOTFOUND || u.partner_id != req->user.partner_id ||
	    u.role != ROLE_INTEGRATION || !u.active)
		return reply_invalid_field(req, "user_id",
		    "must be an active integration user of the firm");
	k->partner_id = req->user.partner_id;
	k->created_by = req->user.id;
	return 0;
}

static void
keys_create(struct request *req)
{
	struct api_key	 k;
	uint8_t		 hash[API_KEY_HASH_LEN];
	char		 secret[API_KEY_LEN + 1], location[64];
	int		 rc = STORE_ERROR, i;

	memset(&k, 0, sizeof(k));
	if (keys_input_or_reply(req, &k) == -1)
		return;
	for (i = 0; i < KEYS_DRAWS; i++) {
		if (api_key_generate(secret, sizeof(secret)) == -1 ||
		    api_key_parse(secret, k.prefix, sizeof(k.prefix)) == -1 ||
		    api_key_hash(secret, hash) == -1)
			break;
		if ((rc = store_api_key_create(req->store, &k, hash)) !=
		    STORE_CONFLICT)
			break;
	}
	if (rc != STORE_OK) {
		(void)reply_internal_error(req);
		goto out;
	}
	log_info("api key %lld (%s) for user %lld created by user %lld",
	    (long long)k.id, k.prefix, (long long)k.user_id,
	    (long long)req->user.id);
	keys_reply_one(req, 201, &k, secret);
	(void)snprintf(location, sizeof(location), "/v1/api-keys/%lld",
	    (long long)k.id);
	if (req->status == 201)
		(void)reply_header(req, "Location", location);
out:
	explicit_bzero(secret, sizeof(secret));
}

static int
keys_page_row(const struct api_key *k, void *arg)
{
	struct page	*pg = arg;

	if (!page_take(pg))
		return 0;
	pg->last.id = k->id;
	keys_write(&pg->w, k, NULL);
	return pg->w.error ? -1 : 0;
}

static void
keys_list(struct request *req)
{
	struct cursor	 cur;
	struct page	 pg;
	int64_t		 total = 0;
	uint32_t	 query = cursor_fingerprint("api-keys");
	int		 limit = KEYS_DEFAULT_LIMIT;

	if (page_limit_or_reply(req, API_KEY_LIST_MAX, &limit) == -1)
		return;
	memset(&cur, 0, sizeof(cur));
	if (page_cursor_or_reply(req, query, KEYS_CURSOR_SORT, 1, &cur) == -1)
		return;
	page_open(&pg, limit, KEYS_REPLY_MAX, KEYS_CURSOR_SORT, query);
	if (store_api_key_list(req->store, req->user.partner_id, cur.id,
	    limit + 1, keys_page_row, &pg, &total) != STORE_OK)
		(void)reply_internal_error(req);
	else
		page_reply(req, &pg, &total, NULL);
	page_cleanup(&pg);
}

/* The path's key of the caller's firm, or a 404; 0 or -1. */
static int
keys_load_or_reply(struct request *req, struct api_key *k)
{
	int64_t	 id;
	int	 rc;

	if (request_param_id_or_reply(req, 0, &id) == -1)
		return -1;
	rc = store_api_key_get(req->store, req->user.partner_id, id, k);
	if (rc == STORE_NOTFOUND)
		return reply_not_found(req);
	if (rc != STORE_OK)
		return reply_internal_error(req);
	return 0;
}

static void
keys_get(struct request *req)
{
	struct api_key	 k;

	if (keys_load_or_reply(req, &k) == 0)
		keys_reply_one(req, 200, &k, NULL);
}

/* Revokes at once: the next request with the key is refused. */
static void
keys_revoke(struct request *req)
{
	struct api_key	 k;

	if (keys_load_or_reply(req, &k) == -1)
		return;
	if (store_api_key_revoke(req->store, req->user.partner_id, k.id,
	    store_now()) != STORE_OK) {
		(void)reply_internal_error(req);
		return;
	}
	log_info("api key %lld (%s) revoked by user %lld", (long long)k.id,
	    k.prefix, (long long)req->user.id);
	reply_empty(req, 204);
}

const struct route api_keys_routes[] = {
	{ .method = "POST", .pattern = "/v1/api-keys", .handler = keys_create,
	    .roles = ROLE_ADMIN, .body = ROUTE_BODY_SCHEMA,
	    .schema = &keys_create_schema, .no_replay = 1 },
	{ .method = "GET", .pattern = "/v1/api-keys", .handler = keys_list,
	    .roles = ROLE_ADMIN, .body = ROUTE_BODY_NONE },
	{ .method = "GET", .pattern = "/v1/api-keys/{id}", .handler = keys_get,
	    .roles = ROLE_ADMIN, .body = ROUTE_BODY_NONE },
	{ .method = "DELETE", .pattern = "/v1/api-keys/{id}",
	    .handler = keys_revoke, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_NONE },
};
const size_t api_keys_n_routes = sizeof(api_keys_routes) /
    sizeof(api_keys_routes[0]);
