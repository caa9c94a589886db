/*
 * Webhook endpoints, managed by a firm's admins: registered (the secret
 * shown in that answer only), listed, enabled or disabled, deleted, their
 * secret rotated, and each delivery attempt listed. The worker sends
 * (worker/webhooks.c).
 */
#include <stdio.h>
#include <string.h>

#include "../common/jsonw.h"
#include "../common/log.h"
#include "../common/store_webhook.h"
#include "../common/text.h"
#include "page.h"
#include "route.h"

#define HOOKS_REPLY_MAX		(512 * 1024)
#define HOOKS_DEFAULT_LIMIT	50
#define HOOKS_CURSOR_SORT	1
/*
 * Endpoints a firm may have: each event is queued once for each, so
 * their number bounds what one event costs the worker.
 */
#define HOOKS_PER_FIRM		20

static const char *const hooks_event_types[] = {
	"client.created", "client.status_changed", "client.updated",
	"assignment.changed", "reminder.created", "reminder.delivered",
	"reminder.failed", "digest.sent", NULL
};

static const struct json_field hooks_create_fields[] = {
	{ "url", JSON_KIND_STRING, 1, 1, WEBHOOK_URL_MAX, NULL },
	{ "events", JSON_KIND_STRING_ARRAY, 1, 1, 8, hooks_event_types },
};
static const struct json_schema hooks_create_schema = {
	hooks_create_fields,
	sizeof(hooks_create_fields) / sizeof(hooks_create_fields[0])
};

static const struct json_field hooks_patch_fields[] = {
	{ "enabled", JSON_KIND_BOOL, 1, 0, 0, NULL },
};
static const struct json_schema hooks_patch_schema = {
	hooks_patch_fields, 1
};

/* An endpoint as the API shows it; its secret only when secret is set. */
static void
hooks_write(struct jsonw *w, const struct webhook_endpoint *e, int secret)
{
	char	 events[WEBHOOK_EVENTS_MAX + 1], *type, *last;

	jsonw_object_open(w);
	jsonw_key(w, "id");
	jsonw_int(w, e->id);
	jsonw_key(w, "url");
	jsonw_string(w, e->url);
	jsonw_key(w, "events");
	jsonw_array_open(w);
	(void)snprintf(events, sizeof(events), "%s", e->events);
	for (type = strtok_r(events, " ", &last); type != NULL;
	    type = strtok_r(NULL, " ", &last))
		jsonw_string(w, type);
	jsonw_array_close(w);
	jsonw_key(w, "enabled");
	jsonw_bool(w, e->enabled);
	jsonw_key(w, "failing_since");
	if (e->failing_since != 0)
		jsonw_time(w, e->failing_since);
	else
		jsonw_null(w);
	jsonw_key(w, "disabled_at");
	if (e->disabled_at != 0)
		jsonw_time(w, e->disabled_at);
	else
		jsonw_null(w);
	jsonw_key(w, "created_at");
	jsonw_time(w, e->created_at);
	jsonw_key(w, "updated_at");
	jsonw_time(w, e->updated_at);
	if (secret) {
		jsonw_key(w, "secret");
		jsonw_string(w, e->secret);
	}
	jsonw_object_close(w);
}

static void
hooks_reply_one(struct request *req, int status,
    const struct webhook_endpoint *e, int secret)
{
	struct jsonw	 w;
	struct buf	 out;

	buf_init(&out, HOOKS_REPLY_MAX);
	jsonw_init(&w, &out);
	hooks_write(&w, e, secret);
	(void)reply_jsonw(req, status, &out, w.error);
	if (out.data != NULL)	/* reply_jsonw() may have taken it */
		explicit_bzero(out.data, out.len);
	buf_cleanup(&out);
}

static int
hooks_count_one(const struct webhook_endpoint *e, void *arg)
{
	(void)e;
	(*(int *)arg)++;
	return 0;
}

static void
hooks_create(struct request *req)
{
	struct webhook_endpoint	 e;
	const cJSON		*types, *t;
	const char		*url = json_get_string(req->body, "url");
	const char		*why;
	char			 message[96], location[64];
	size_t			 n = 0;
	int			 w, n_hooks = 0;

	memset(&e, 0, sizeof(e));
	if (store_webhook_list(req->store, req->user.partner_id,
	    hooks_count_one, &n_hooks) != STORE_OK) {
		(void)reply_internal_error(req);
		return;
	}
	if (n_hooks >= HOOKS_PER_FIRM) {
		(void)reply_problem(req, 409, PROBLEM_CONFLICT,
		    "Too many webhook endpoints", "The firm has 20 webhook "
		    "endpoints already: delete one first.");
		return;
	}
	if ((why = webhook_url_check(url,
	    req->cfg->webhook_allow_loopback != 0)) != NULL) {
		(void)snprintf(message, sizeof(message), "must %s", why);
		(void)reply_invalid_field(req, "url", message);
		return;
	}
	(void)snprintf(e.url, sizeof(e.url), "%s", url);
	types = cJSON_GetObjectItemCaseSensitive(req->body, "events");
	cJSON_ArrayForEach(t, types) {
		/* A type named twice is kept once. */
		if (strstr(e.events, t->valuestring) != NULL)
			continue;
		w = snprintf(e.events + n, sizeof(e.events) - n, "%s%s",
		    n > 0 ? " " : "", t->valuestring);
		if (w < 0 || (size_t)w >= sizeof(e.events) - n) {
			(void)reply_internal_error(req);
			return;
		}
		n += (size_t)w;
	}
	if (webhook_secret_generate(e.secret, sizeof(e.secret)) == -1) {
		(void)reply_internal_error(req);
		return;
	}
	e.partner_id = req->user.partner_id;
	e.created_by = req->user.id;
	if (store_webhook_create(req->store, &e) != STORE_OK) {
		(void)reply_internal_error(req);
		goto out;
	}
	log_info("webhook %lld registered by user %lld", (long long)e.id,
	    (long long)req->user.id);
	hooks_reply_one(req, 201, &e, 1);
	(void)snprintf(location, sizeof(location), "/v1/webhooks/%lld",
	    (long long)e.id);
	if (req->status == 201)
		(void)reply_header(req, "Location", location);
out:
	explicit_bzero(e.secret, sizeof(e.secret));
}

static int
hooks_list_one(const struct webhook_endpoint *e, void *arg)
{
	hooks_write(arg, e, 0);
	return 0;
}

static void
hooks_list(struct request *req)
{
	struct jsonw	 w;
	struct buf	 out;

	buf_init(&out, HOOKS_REPLY_MAX);
	jsonw_init(&w, &out);
	jsonw_object_open(&w);
	jsonw_key(&w, "data");
	jsonw_array_open(&w);
	if (store_webhook_list(req->store, req->user.partner_id,
	    hooks_list_one, &w) != STORE_OK)
		(void)reply_internal_error(req);
	else {
		jsonw_array_close(&w);
		jsonw_object_close(&w);
		(void)reply_jsonw(req, 200, &out, w.error);
	}
	buf_cleanup(&out);
}

/* The path's endpoint of the caller's firm, or a 404; 0 or -1. */
static int
hooks_load_or_reply(struct request *req, struct webhook_endpoint *e)
{
	int64_t	 id;
	int	 rc;

	if (request_param_id_or_reply(req, 0, &id) == -1)
		return -1;
	rc = store_webhook_get(req->store, req->user.partner_id, id, e);
	if (rc == STORE_NOTFOUND)
		return reply_not_found(req);
	if (rc != STORE_OK)
		return reply_internal_error(req);
	return 0;
}

static void
hooks_get(struct request *req)
{
	struct webhook_endpoint	 e;

	if (hooks_load_or_reply(req, &e) == 0)
		hooks_reply_one(req, 200, &e, 0);
	explicit_bzero(e.secret, sizeof(e.secret));
}

static void
hooks_patch(struct request *req)
{
	struct webhook_endpoint	 e;
	int			 enabled;

	if (hooks_load_or_reply(req, &e) == -1)
		goto out;
	enabled = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req->body,
	    "enabled"));
	if (store_webhook_set_enabled(req->store, req->user.partner_id, e.id,
	    enabled) != STORE_OK ||
	    store_webhook_get(req->store, req->user.partner_id, e.id, &e) !=
	    STORE_OK) {
		(void)reply_internal_error(req);
		goto out;
	}
	hooks_reply_one(req, 200, &e, 0);
out:
	explicit_bzero(e.secret, sizeof(e.secret));
}

static void
hooks_delete(struct request *req)
{
	struct webhook_endpoint	 e;

	if (hooks_load_or_reply(req, &e) == -1)
		goto out;
	if (store_webhook_delete(req->store, req->user.partner_id, e.id) !=
	    STORE_OK)
		(void)reply_internal_error(req);
	else
		reply_empty(req, 204);
out:
	explicit_bzero(e.secret, sizeof(e.secret));
}

/* A new secret, at once: the next attempt is signed with it. */
static void
hooks_rotate(struct request *req)
{
	struct webhook_endpoint	 e;

	if (hooks_load_or_reply(req, &e) == -1)
		goto out;
	if (webhook_secret_generate(e.secret, sizeof(e.secret)) == -1 ||
	    store_webhook_set_secret(req->store, req->user.partner_id, e.id,
	    e.secret) != STORE_OK) {
		(void)reply_internal_error(req);
		goto out;
	}
	log_info("webhook %lld: secret rotated by user %lld",
	    (long long)e.id, (long long)req->user.id);
	hooks_reply_one(req, 200, &e, 1);
out:
	explicit_bzero(e.secret, sizeof(e.secret));
}

static int
hooks_attempt_row(const struct webhook_attempt *a, void *arg)
{
	struct page	*pg = arg;
	struct jsonw	*w = &pg->w;

	if (!page_take(pg))
		return 0;
	pg->last.id = a->id;
	jsonw_object_open(w);
	jsonw_key(w, "id");
	jsonw_int(w, a->id);
	jsonw_key(w, "delivery_id");
	jsonw_int(w, a->delivery_id);
	jsonw_key(w, "event_id");
	jsonw_int(w, a->event_id);
	jsonw_key(w, "event_type");
	if (a->event_type != NULL)
		jsonw_string(w, a->event_type);
	else
		jsonw_null(w);
	jsonw_key(w, "attempt");
	jsonw_int(w, a->attempt);
	jsonw_key(w, "attempted_at");
	jsonw_time(w, a->attempted_at);
	jsonw_key(w, "http_status");
	if (a->http_status != 0)
		jsonw_int(w, a->http_status);
	else
		jsonw_null(w);
	jsonw_key(w, "error");
	if (a->error != NULL)
		jsonw_string(w, a->error);
	else
		jsonw_null(w);
	jsonw_key(w, "duration_ms");
	jsonw_int(w, a->duration_ms);
	jsonw_key(w, "delivered");
	jsonw_bool(w, a->delivered);
	jsonw_object_close(w);
	return w->error ? -1 : 0;
}

static void
hooks_deliveries(struct request *req)
{
	struct webhook_endpoint	 e;
	struct cursor		 cur;
	struct page		 pg;
	char			 v[32];
	uint32_t		 query;
	int			 limit = HOOKS_DEFAULT_LIMIT;

	if (hooks_load_or_reply(req, &e) == -1)
		goto out;
	if (page_limit_or_reply(req, WEBHOOK_ATTEMPTS_MAX, &limit) == -1)
		goto out;
	(void)snprintf(v, sizeof(v), "hook%lld", (long long)e.id);
	query = cursor_fingerprint(v);
	memset(&cur, 0, sizeof(cur));
	if (page_cursor_or_reply(req, query, HOOKS_CURSOR_SORT, 1, &cur) ==
	    -1)
		goto out;
	page_open(&pg, limit, HOOKS_REPLY_MAX, HOOKS_CURSOR_SORT, query);
	if (store_webhook_attempts(req->store, req->user.partner_id, e.id,
	    cur.id, limit + 1, hooks_attempt_row, &pg) != STORE_OK)
		(void)reply_internal_error(req);
	else
		page_reply(req, &pg, NULL, NULL);
	page_cleanup(&pg);
out:
	explicit_bzero(e.secret, sizeof(e.secret));
}

const struct route webhooks_routes[] = {
	{ .method = "POST", .pattern = "/v1/webhooks", .handler = hooks_create,
	    .roles = ROLE_ADMIN, .body = ROUTE_BODY_SCHEMA,
	    .schema = &hooks_create_schema, .no_replay = 1 },
	{ .method = "GET", .pattern = "/v1/webhooks", .handler = hooks_list,
	    .roles = ROLE_ADMIN, .body = ROUTE_BODY_NONE },
	{ .method = "GET", .pattern = "/v1/webhooks/{id}",
	    .handler = hooks_get, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_NONE },
	{ .method = "PATCH", .pattern = "/v1/webhooks/{id}",
	    .handler = hooks_patch, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_SCHEMA, .schema = &hooks_patch_schema },
	{ .method = "DELETE", .pattern = "/v1/webhooks/{id}",
	    .handler = hooks_delete, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_NONE },
	{ .method = "POST", .pattern = "/v1/webhooks/{id}/rotate-secret",
	    .handler = hooks_rotate, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_NONE, .no_replay = 1 },
	{ .method = "GET", .pattern = "/v1/webhooks/{id}/deliveries",
	    .handler = hooks_deliveries, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_NONE },
};
const size_t webhooks_n_routes = sizeof(webhooks_routes) /
    sizeof(webhooks_routes[0]);
