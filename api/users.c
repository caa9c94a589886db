/*
 * The caller (/v1/me) and, for admins, the users of their firm.
 */
#include <stdio.h>
#include <string.h>

#include "../common/log.h"
#include "../common/password.h"
#include "../common/store_partner.h"
#include "route.h"

static const char *const users_roles[] = {
	"admin", "bookkeeper", "integration", NULL
};

static const struct json_field users_create_fields[] = {
	{ "email", JSON_KIND_STRING, 1, 3, USER_EMAIL_MAX, NULL },
	{ "name", JSON_KIND_STRING, 1, 1, USER_NAME_MAX, NULL },
	{ "role", JSON_KIND_STRING, 1, 1, 16, users_roles },
	{ "password", JSON_KIND_STRING, 1, USER_PASSWORD_MIN,
	    USER_PASSWORD_MAX, NULL },
	{ "locale", JSON_KIND_STRING_OR_NULL, 0, 2, 2, partner_locales },
};
static const struct json_schema users_create_schema = {
	users_create_fields,
	sizeof(users_create_fields) / sizeof(users_create_fields[0])
};

static const struct json_field users_patch_fields[] = {
	{ "name", JSON_KIND_STRING, 0, 1, USER_NAME_MAX, NULL },
	{ "role", JSON_KIND_STRING, 0, 1, 16, users_roles },
	{ "active", JSON_KIND_BOOL, 0, 0, 0, NULL },
	{ "locale", JSON_KIND_STRING_OR_NULL, 0, 2, 2, partner_locales },
};
static const struct json_schema users_patch_schema = {
	users_patch_fields,
	sizeof(users_patch_fields) / sizeof(users_patch_fields[0])
};

/* What anyone may change of their own account. */
static const struct json_field users_me_patch_fields[] = {
	{ "locale", JSON_KIND_STRING_OR_NULL, 0, 2, 2, partner_locales },
};
static const struct json_schema users_me_patch_schema = {
	users_me_patch_fields,
	sizeof(users_me_patch_fields) / sizeof(users_me_patch_fields[0])
};

/*
 * The body's locale into u when it has one: a language, or null for the
 * firm's. The schema checked it.
 */
static void
users_locale_set(const cJSON *body, struct user *u)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(body, "locale");

	if (cJSON_IsString(v))
		(void)snprintf(u->locale, sizeof(u->locale), "%s",
		    v->valuestring);
	else if (cJSON_IsNull(v))
		u->locale[0] = '\0';
}

/* A user as the API shows it: never the password hash. */
static cJSON *
users_json(const struct user *u)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (json_add_int(o, "id", u->id) == NULL ||
	    cJSON_AddStringToObject(o, "email", u->email) == NULL ||
	    cJSON_AddStringToObject(o, "name", u->name) == NULL ||
	    cJSON_AddStringToObject(o, "role", role_name(u->role)) == NULL ||
	    cJSON_AddBoolToObject(o, "active", u->active) == NULL ||
	    (u->locale[0] != '\0' ? cJSON_AddStringToObject(o, "locale",
	    u->locale) : cJSON_AddNullToObject(o, "locale")) == NULL ||
	    json_add_time(o, "created_at", u->created_at) == NULL ||
	    json_add_time(o, "updated_at", u->updated_at) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The caller u as /v1/me shows it: the account and its firm. */
static void
users_me_reply(struct request *req, const struct user *u)
{
	struct partner	 p;
	cJSON		*doc, *po;

	if (store_partner_get(req->store, u->partner_id, &p) != STORE_OK) {
		(void)reply_internal_error(req);
		return;
	}
	if ((doc = users_json(u)) == NULL ||
	    (po = cJSON_AddObjectToObject(doc, "partner")) == NULL ||
	    json_add_int(po, "id", p.id) == NULL ||
	    cJSON_AddStringToObject(po, "name", p.name) == NULL ||
	    cJSON_AddStringToObject(po, "locale", p.locale) == NULL ||
	    cJSON_AddStringToObject(po, "timezone", p.timezone) == NULL) {
		cJSON_Delete(doc);
		doc = NULL;
	}
	(void)reply_json(req, 200, doc);
}

static void
users_me(struct request *req)
{
	users_me_reply(req, &req->user);
}

/*
 * A user's own settings: today the language of their emails.
 */
static void
users_me_patch(struct request *req)
{
	struct user	 u;
	int		 rc;

	if (patch_begin_or_reply(req) == -1)
		return;
	rc = store_user_get_to_change(req->store, req->user.id, &u);
	if (rc == STORE_OK) {
		users_locale_set(req->body, &u);
		rc = store_user_update(req->store, &u);
	}
	if (rc != STORE_OK || store_commit(req->store) == -1)
		(void)reply_internal_error(req);
	else
		users_me_reply(req, &u);
	store_rollback(req->store);
	explicit_bzero(&u, sizeof(u));
}

static int
users_list_add(const struct user *u, void *arg)
{
	cJSON	*item;

	if ((item = users_json(u)) == NULL)
		return -1;
	cJSON_AddItemToArray(arg, item);
	return 0;
}

static void
users_list(struct request *req)
{
	cJSON	*doc, *data;

	if ((doc = cJSON_CreateObject()) == NULL ||
	    (data = cJSON_AddArrayToObject(doc, "data")) == NULL) {
		cJSON_Delete(doc);
		(void)reply_internal_error(req);
		return;
	}
	if (store_user_list(req->store, req->user.partner_id, users_list_add,
	    data) != STORE_OK) {
		cJSON_Delete(doc);
		(void)reply_internal_error(req);
		return;
	}
	(void)reply_json(req, 200, doc);
}

/*
 * Loads the user of the path, of the caller's firm, or answers 404;
 * with change set, to be changed by this write transaction.
 */
static int
users_load_or_reply(struct request *req, struct user *u, int change)
{
	int64_t	 id;
	int	 rc;

	if (request_param_id_or_reply(req, 0, &id) == -1)
		return -1;
	rc = change ? store_user_get_to_change(req->store, id, u) :
	    store_user_get(req->store, id, u);
	if (rc == STORE_ERROR)
		return reply_internal_error(req);
	if (rc == STORE_NOTFOUND || u->partner_id != req->user.partner_id)
		return reply_not_found(req);
	return 0;
}

static void
users_get(struct request *req)
{
	struct user	 u;

	if (users_load_or_reply(req, &u, 0) == -1)
		return;
	(void)reply_json(req, 200, users_json(&u));
	explicit_bzero(&u, sizeof(u));
}

static void
users_create(struct request *req)
{
	struct user	 u;
	char		 location[64];
	int		 rc;

	memset(&u, 0, sizeof(u));
	u.partner_id = req->user.partner_id;
	u.active = 1;
	if (strlen(json_get_string(req->body, "email")) >= sizeof(u.email))
		u.email[0] = '\0';	/* refused below, never cut short */
	else
		(void)snprintf(u.email, sizeof(u.email), "%s",
		    json_get_string(req->body, "email"));
	(void)snprintf(u.name, sizeof(u.name), "%s",
	    json_get_string(req->body, "name"));
	(void)role_parse(json_get_string(req->body, "role"), &u.role);
	users_locale_set(req->body, &u);
	if (user_email_accept(u.email) == -1) {
		(void)reply_invalid_field(req, "email",
		    "is not an address mail can be sent to");
		return;
	}
	if (password_hash(json_get_string(req->body, "password"),
	    u.password_hash, sizeof(u.password_hash)) == -1) {
		log_warnx("cannot hash a password");
		(void)reply_internal_error(req);
		return;
	}
	rc = store_user_create(req->store, &u);
	explicit_bzero(u.password_hash, sizeof(u.password_hash));
	if (rc == STORE_CONFLICT) {
		(void)reply_problem(req, 409, PROBLEM_CONFLICT,
		    "Email address taken",
		    "A user with this email address already exists.");
		return;
	}
	if (rc != STORE_OK) {
		(void)reply_internal_error(req);
		return;
	}
	log_info("user %lld created by %lld", (long long)u.id,
	    (long long)req->user.id);
	(void)snprintf(location, sizeof(location), "/v1/users/%lld",
	    (long long)u.id);
	(void)reply_json_at(req, 201, users_json(&u), location);
}

static void
users_patch(struct request *req)
{
	struct user	 u;
	const char	*s;
	int		 rc;

	/* A rename racing a deactivation: neither undoes the other. */
	if (patch_begin_or_reply(req) == -1)
		return;
	if (users_load_or_reply(req, &u, 1) == -1)
		goto out;
	if ((s = json_get_string(req->body, "name")) != NULL)
		(void)snprintf(u.name, sizeof(u.name), "%s", s);
	if ((s = json_get_string(req->body, "role")) != NULL)
		(void)role_parse(s, &u.role);
	u.active = json_get_bool(req->body, "active", u.active);
	users_locale_set(req->body, &u);
	/* An admin who demotes or deactivates themselves locks the firm out. */
	if (u.id == req->user.id && (u.role != ROLE_ADMIN || !u.active)) {
		(void)reply_problem(req, 409, PROBLEM_CONFLICT,
		    "Cannot change own access",
		    "Admins cannot deactivate or demote themselves.");
		goto out;
	}
	rc = store_user_update(req->store, &u);
	if (rc == STORE_NOTFOUND)
		(void)reply_not_found(req);
	else if (rc != STORE_OK || store_commit(req->store) == -1)
		(void)reply_internal_error(req);
	else {
		log_info("user %lld changed by %lld", (long long)u.id,
		    (long long)req->user.id);
		(void)reply_json(req, 200, users_json(&u));
	}
out:
	store_rollback(req->store);
	explicit_bzero(&u, sizeof(u));
}

const struct route users_routes[] = {
	{ .method = "GET", .pattern = "/v1/me", .handler = users_me,
	    .roles = ROUTE_ANYONE, .body = ROUTE_BODY_NONE,
	    .scope = ROUTE_SCOPE_ANY },
	{ .method = "PATCH", .pattern = "/v1/me", .handler = users_me_patch,
	    .roles = ROUTE_ANYONE, .body = ROUTE_BODY_SCHEMA,
	    .schema = &users_me_patch_schema, .scope = ROUTE_SCOPE_ANY },
	{ .method = "GET", .pattern = "/v1/users", .handler = users_list,
	    .roles = ROLE_ADMIN, .body = ROUTE_BODY_NONE },
	{ .method = "POST", .pattern = "/v1/users", .handler = users_create,
	    .roles = ROLE_ADMIN, .body = ROUTE_BODY_SCHEMA,
	    .schema = &users_create_schema },
	{ .method = "GET", .pattern = "/v1/users/{id}", .handler = users_get,
	    .roles = ROLE_ADMIN, .body = ROUTE_BODY_NONE },
	{ .method = "PATCH", .pattern = "/v1/users/{id}",
	    .handler = users_patch, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_SCHEMA, .schema = &users_patch_schema },
};
const size_t users_n_routes = sizeof(users_routes) / sizeof(users_routes[0]);
