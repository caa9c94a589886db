/*
 * "Go to client": a short-lived token scoped to one client for the web
 * app, every use of which is audited; and the audit trail for admins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/client_action.h"
#include "../common/jsonw.h"
#include "../common/log.h"
#include "../common/store_audit.h"
#include "../common/text.h"
#include "../common/token.h"
#include "client_load.h"
#include "page.h"
#include "route.h"

#define AUDIT_DEFAULT_LIMIT	50
#define AUDIT_MAX_LIMIT		200
#define AUDIT_REPLY_MAX		(1024 * 1024)

static void
access_create(struct request *req)
{
	const struct config	*cfg = req->cfg;
	struct token_claims	 claims;
	struct client		 c;
	char			*token = NULL, url[512];
	int64_t			 now = store_now();
	cJSON			*doc;
	int			 n;

	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	if (client_action_refusal(CLIENT_ACTION_GO_TO_CLIENT, c.status, 1) !=
	    CLIENT_ACTION_OK) {
		(void)client_conflict_or_reply(req, c.status);
		goto out;
	}
	n = snprintf(url, sizeof(url), "%s/clients/%lld", cfg->app_url,
	    (long long)c.id);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		(void)reply_internal_error(req);
		goto out;
	}
	memset(&claims, 0, sizeof(claims));
	claims.aud = TOKEN_AUD_CLIENT;
	claims.user_id = req->user.id;
	claims.partner_id = req->user.partner_id;
	claims.client_id = c.id;
	claims.iat = now;
	claims.exp = now + cfg->access_token_ttl;
	if (token_issue(cfg->secret, cfg->secret_len, &claims, &token) == -1) {
		(void)reply_internal_error(req);
		goto out;
	}
	/* The audit row is written before the token leaves the server. */
	if (store_audit_add(req->store, req->user.partner_id, req->user.id,
	    c.id, "client.access", request_remote_addr(req)) != STORE_OK) {
		(void)reply_internal_error(req);
		goto out;
	}
	log_info("client %lld accessed by user %lld", (long long)c.id,
	    (long long)req->user.id);
	if ((doc = cJSON_CreateObject()) != NULL &&
	    (cJSON_AddStringToObject(doc, "access_token", token) == NULL ||
	    cJSON_AddStringToObject(doc, "token_type", "Bearer") == NULL ||
	    json_add_int(doc, "expires_in", cfg->access_token_ttl) == NULL ||
	    json_add_int(doc, "client_id", c.id) == NULL ||
	    cJSON_AddStringToObject(doc, "url", url) == NULL)) {
		cJSON_Delete(doc);
		doc = NULL;
	}
	(void)reply_json(req, 201, doc);
out:
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	client_cleanup(&c);
}

static int
audit_row(const struct audit_event *ev, void *arg)
{
	struct page	*pg = arg;
	struct jsonw	*w = &pg->w;

	if (!page_take(pg))
		return 0;
	pg->last.id = ev->id;
	jsonw_object_open(w);
	jsonw_key(w, "id");
	jsonw_int(w, ev->id);
	jsonw_key(w, "action");
	jsonw_string(w, ev->action);
	jsonw_key(w, "user");
	jsonw_object_open(w);
	jsonw_key(w, "id");
	jsonw_int(w, ev->user_id);
	jsonw_key(w, "name");
	jsonw_string(w, ev->user_name);
	jsonw_object_close(w);
	jsonw_key(w, "client_id");
	if (ev->client_id > 0)
		jsonw_int(w, ev->client_id);
	else
		jsonw_null(w);
	jsonw_key(w, "remote_addr");
	jsonw_string(w, ev->remote_addr);
	jsonw_key(w, "created_at");
	jsonw_time(w, ev->created_at);
	jsonw_object_close(w);
	return w->error ? -1 : 0;
}

static void
audit_list(struct request *req)
{
	struct page	 pg;
	struct cursor	 cur;
	char		 v[CURSOR_TEXT_MAX + 1], fp[48];
	long long	 n;
	int64_t		 client_id = 0, before = 0;
	uint32_t	 query;
	int		 rc, limit = AUDIT_DEFAULT_LIMIT;

	if ((rc = request_query_or_reply(req, "client_id", v, sizeof(v))) ==
	    -1)
		return;
	if (rc == 1) {
		if (text_parse_int(v, 1, INT64_MAX, &n) == -1) {
			(void)reply_invalid_query(req, "client_id",
			    "must be a client id");
			return;
		}
		client_id = n;
	}
	if (page_limit_or_reply(req, AUDIT_MAX_LIMIT, &limit) == -1)
		return;
	(void)snprintf(fp, sizeof(fp), "audit|%lld", (long long)client_id);
	query = cursor_fingerprint(fp);
	/* Audit cursors name no order: one of any is taken. */
	if ((rc = page_cursor_or_reply(req, query, PAGE_SORT_ANY, 0, &cur)) ==
	    -1)
		return;
	if (rc == 1)
		before = cur.id;

	page_open(&pg, limit, AUDIT_REPLY_MAX, PAGE_SORT_ANY, query);
	if (store_audit_list(req->store, req->user.partner_id, client_id,
	    before, limit + 1, audit_row, &pg) != STORE_OK)
		(void)reply_internal_error(req);
	else
		page_reply(req, &pg, NULL, NULL);
	page_cleanup(&pg);
}

const struct route access_routes[] = {
	{ .method = "POST", .pattern = "/v1/clients/{id}/access",
	    .handler = access_create, .roles = ROUTE_STAFF,
	    .body = ROUTE_BODY_NONE, .no_replay = 1 },
	{ .method = "GET", .pattern = "/v1/audit-events", .handler = audit_list,
	    .roles = ROLE_ADMIN, .body = ROUTE_BODY_NONE },
};
const size_t access_n_routes = sizeof(access_routes) /
    sizeof(access_routes[0]);
