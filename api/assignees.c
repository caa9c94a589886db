/*
 * Who works on a client: read by anyone who sees the client, changed by
 * admins. Only active admins and bookkeepers of the firm can be assigned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/client_action.h"
#include "../common/log.h"
#include "../common/store_assignee.h"
#include "../common/text.h"
#include "client_load.h"
#include "route.h"

static const struct json_field assignees_put_fields[] = {
	{ "user_ids", JSON_KIND_INT_ARRAY, 1, 0, ASSIGNEES_MAX, NULL },
};
static const struct json_schema assignees_put_schema = {
	assignees_put_fields, 1
};

static const struct json_field assignees_post_fields[] = {
	{ "user_id", JSON_KIND_INT, 1, 1, INT64_MAX, NULL },
};
static const struct json_schema assignees_post_schema = {
	assignees_post_fields, 1
};

static int
assignees_add_json(const struct user *u, void *arg)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddItemToArray(arg, o);
	if (json_add_int(o, "id", u->id) == NULL ||
	    cJSON_AddStringToObject(o, "name", u->name) == NULL ||
	    cJSON_AddStringToObject(o, "email", u->email) == NULL ||
	    cJSON_AddStringToObject(o, "role", role_name(u->role)) == NULL ||
	    cJSON_AddBoolToObject(o, "active", u->active) == NULL)
		return -1;
	return 0;
}

/* Answers {"data": [...]} with the client's assignees as they are now. */
static void
assignees_reply(struct request *req, int64_t client_id)
{
	cJSON	*doc, *data;

	if ((doc = cJSON_CreateObject()) == NULL ||
	    (data = cJSON_AddArrayToObject(doc, "data")) == NULL ||
	    store_assignee_list(req->store, client_id, assignees_add_json,
	    data) != STORE_OK) {
		cJSON_Delete(doc);
		(void)reply_internal_error(req);
		return;
	}
	(void)reply_json(req, 200, doc);
}

static int
assignees_bad_user_or_reply(struct request *req, const char *field)
{
	cJSON	*errors = cJSON_CreateArray();

	json_error_add(errors, field, "is not an active admin or bookkeeper "
	    "of this firm");
	return reply_problem_errors(req, 422, PROBLEM_VALIDATION,
	    "Invalid assignee", "Only active admins and bookkeepers of the "
	    "firm can be assigned.", errors);
}

/*
 * Loads the path's client for a change of its assignees, by the rule the
 * list's "assign" action shows; -1 after answering.
 */
static int
assignees_client_or_reply(struct request *req, struct client *c)
{
	if (client_load_or_reply(req, 0, c) == -1)
		return -1;
	if (client_action_refusal(CLIENT_ACTION_ASSIGN, c->status, 1) ==
	    CLIENT_ACTION_OK)
		return 0;
	(void)client_conflict_or_reply(req, c->status);
	client_cleanup(c);
	return -1;
}

static void
assignees_get(struct request *req)
{
	struct client	 c;

	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	assignees_reply(req, c.id);
	client_cleanup(&c);
}

static void
assignees_put(struct request *req)
{
	const cJSON	*ids, *id;
	struct client	 c;
	int64_t		 add[ASSIGNEES_MAX];
	char		 field[32];
	int		 i = 0, k, rc;

	if (assignees_client_or_reply(req, &c) == -1)
		return;
	ids = cJSON_GetObjectItemCaseSensitive(req->body, "user_ids");
	if (store_begin(req->store) == -1) {
		(void)reply_internal_error(req);
		goto out;
	}
	cJSON_ArrayForEach(id, ids) {
		rc = store_assignee_check(req->store, c.partner_id,
		    (int64_t)id->valuedouble);
		if (rc == STORE_NOTFOUND) {
			store_rollback(req->store);
			(void)snprintf(field, sizeof(field), "user_ids[%d]", i);
			(void)assignees_bad_user_or_reply(req, field);
			goto out;
		}
		if (rc != STORE_OK)
			goto fail;
		add[i++] = (int64_t)id->valuedouble;
	}
	/*
	 * In id order: each assignment moves its user's counters, and two
	 * requests locking them in opposite orders would deadlock.
	 */
	qsort(add, (size_t)i, sizeof(add[0]), text_id_cmp);
	if (store_assignee_clear(req->store, c.id) != STORE_OK)
		goto fail;
	for (k = 0; k < i; k++)
		if (store_assignee_add(req->store, c.id, add[k]) != STORE_OK)
			goto fail;
	if (store_commit(req->store) == -1)
		goto fail;
	log_info("client %lld: %d assignees set by user %lld",
	    (long long)c.id, i, (long long)req->user.id);
	assignees_reply(req, c.id);
	goto out;
fail:
	store_rollback(req->store);
	(void)reply_internal_error(req);
out:
	client_cleanup(&c);
}

static void
assignees_post(struct request *req)
{
	struct client	 c;
	int64_t		 uid = json_get_int(req->body, "user_id", 0);
	int		 rc;

	if (assignees_client_or_reply(req, &c) == -1)
		return;
	if (store_begin(req->store) == -1) {
		(void)reply_internal_error(req);
		goto out;
	}
	rc = store_assignee_check(req->store, c.partner_id, uid);
	if (rc == STORE_NOTFOUND) {
		store_rollback(req->store);
		(void)assignees_bad_user_or_reply(req, "user_id");
		goto out;
	}
	if (rc != STORE_OK ||
	    store_assignee_add(req->store, c.id, uid) != STORE_OK ||
	    store_commit(req->store) == -1) {
		store_rollback(req->store);
		(void)reply_internal_error(req);
		goto out;
	}
	assignees_reply(req, c.id);
out:
	client_cleanup(&c);
}

static void
assignees_delete(struct request *req)
{
	struct client	 c;
	int64_t		 uid;
	int		 rc;

	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	if (request_param_id_or_reply(req, 1, &uid) == -1)
		goto out;
	rc = store_assignee_remove(req->store, c.id, uid);
	if (rc == STORE_NOTFOUND)
		(void)reply_not_found(req);
	else if (rc != STORE_OK)
		(void)reply_internal_error(req);
	else
		reply_empty(req, 204);
out:
	client_cleanup(&c);
}

const struct route assignees_routes[] = {
	{ .method = "GET", .pattern = "/v1/clients/{id}/assignees",
	    .handler = assignees_get, .roles = ROUTE_STAFF,
	    .body = ROUTE_BODY_NONE },
	{ .method = "PUT", .pattern = "/v1/clients/{id}/assignees",
	    .handler = assignees_put, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_SCHEMA, .schema = &assignees_put_schema },
	{ .method = "POST", .pattern = "/v1/clients/{id}/assignees",
	    .handler = assignees_post, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_SCHEMA, .schema = &assignees_post_schema },
	{ .method = "DELETE", .pattern = "/v1/clients/{id}/assignees/{user_id}",
	    .handler = assignees_delete, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_NONE },
};
const size_t assignees_n_routes = sizeof(assignees_routes) /
    sizeof(assignees_routes[0]);
