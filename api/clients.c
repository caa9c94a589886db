/*
 * Clients and their lifecycle: invitations reported by the integration
 * and accepted or declined by admins, onboarding started by admins and
 * settled by the integration's verification, details, renames, balances.
 */
#include <stdio.h>
#include <string.h>

#include "../common/client_action.h"
#include "../common/jsonw.h"
#include "../common/log.h"
#include "../common/org_number.h"
#include "../common/text.h"
#include "client_load.h"
#include "input.h"
#include "preferences.h"
#include "route.h"

/* A row with every user of a firm assigned stays well under it. */
#define CLIENTS_REPLY_MAX	(1024 * 1024)

static const char *const clients_create_statuses[] = {
	"invitation", "onboarding", NULL
};
static const char *const clients_countries[] = {
	"SE", "DK", "NO", "GB", NULL
};
static const char *const clients_verification_results[] = {
	"approved", "rejected", NULL
};

static const struct json_field clients_create_fields[] = {
	{ "name", JSON_KIND_STRING, 1, 1, CLIENT_NAME_MAX, NULL },
	{ "org_number", JSON_KIND_STRING, 1, 1, CLIENT_ORG_MAX, NULL },
	{ "contact_email", JSON_KIND_STRING, 0, 3, USER_EMAIL_MAX, NULL },
	{ "status", JSON_KIND_STRING, 0, 1, 16, clients_create_statuses },
	{ "country", JSON_KIND_STRING, 0, 2, 2, clients_countries },
	{ "external_ref", JSON_KIND_STRING, 0, 1, CLIENT_REF_MAX, NULL },
};
static const struct json_schema clients_create_schema = {
	clients_create_fields,
	sizeof(clients_create_fields) / sizeof(clients_create_fields[0])
};

static const struct json_field clients_patch_fields[] = {
	{ "name", JSON_KIND_STRING, 0, 1, CLIENT_NAME_MAX, NULL },
	{ "org_number", JSON_KIND_STRING, 0, 1, CLIENT_ORG_MAX, NULL },
	{ "country", JSON_KIND_STRING, 0, 2, 2, clients_countries },
	{ "external_ref", JSON_KIND_STRING, 0, 1, CLIENT_REF_MAX, NULL },
};
static const struct json_schema clients_patch_schema = {
	clients_patch_fields,
	sizeof(clients_patch_fields) / sizeof(clients_patch_fields[0])
};

static const struct json_field clients_verification_fields[] = {
	{ "result", JSON_KIND_STRING, 1, 1, 16, clients_verification_results },
};
static const struct json_schema clients_verification_schema = {
	clients_verification_fields, 1
};

static const struct json_field clients_balance_fields[] = {
	{ "amount_minor", JSON_KIND_INT, 1, -1000000000000000LL,
	    1000000000000000LL, NULL },
	{ "currency", JSON_KIND_STRING, 1, 3, 3, NULL },
};
static const struct json_schema clients_balance_schema = {
	clients_balance_fields, 2
};

/*
 * Takes the body's country, organisation number and external reference
 * into c, over what c holds: the number checked by the country's rules
 * and kept in its normal form. Answers 422 naming the rule and returns
 * -1 when one is wrong.
 */
static int
clients_take_ids(struct request *req, struct client *c)
{
	const char	*country = json_get_string(req->body, "country");
	const char	*org = json_get_string(req->body, "org_number");
	const char	*ref = json_get_string(req->body, "external_ref");
	const char	*rule;
	char		 normal[ORG_NUMBER_MAX + 1], message[160];

	if (country != NULL)
		(void)snprintf(c->country, sizeof(c->country), "%s", country);
	if (org == NULL && country != NULL)
		org = c->org_number;	/* checked again by the new rules */
	if (org != NULL) {
		rule = org_number_normalise(c->country, org, normal,
		    sizeof(normal));
		if (rule != NULL) {
			(void)snprintf(message, sizeof(message),
			    "must be %s (country %s)", rule, c->country);
			return reply_invalid_field(req, "org_number", message);
		}
		(void)snprintf(c->org_number, sizeof(c->org_number), "%s",
		    normal);
	}
	if (ref != NULL) {
		if (text_has_control(ref))
			return reply_invalid_field(req, "external_ref",
			    "must not hold control characters");
		(void)snprintf(c->external_ref, sizeof(c->external_ref), "%s",
		    ref);
	}
	return 0;
}

/*
 * Checks that no other client of the firm holds c's organisation number
 * (when org is set) or its external_ref (when ref is set and c has one);
 * else answers 409 naming that client. In the write's transaction, so
 * that the write after it keeps the answer true: SQLite's writers take
 * turns, and on PostgreSQL a concurrent insert of the same number fails
 * the loser's statement, whose request runs again and finds the winner
 * here. 0, or -1 after answering.
 */
static int
clients_unique_or_reply(struct request *req, const struct client *c,
    int org, int ref)
{
	const char	*field;
	int64_t		 id = 0;
	int		 rc = STORE_NOTFOUND;

	if (org) {
		field = "org_number";
		rc = store_client_find(req->store, c->partner_id,
		    c->org_number, NULL, &id);
	}
	if ((rc == STORE_NOTFOUND || (rc == STORE_OK && id == c->id)) &&
	    ref && c->external_ref[0] != '\0') {
		field = "external_ref";
		rc = store_client_find(req->store, c->partner_id, NULL,
		    c->external_ref, &id);
	}
	if (rc == STORE_NOTFOUND || (rc == STORE_OK && id == c->id))
		return 0;
	if (rc != STORE_OK)
		return reply_internal_error(req);
	return reply_problem_id(req, 409, PROBLEM_CONFLICT,
	    "Duplicate client", strcmp(field, "org_number") == 0 ?
	    "Another client of the firm has this organisation number." :
	    "Another client of the firm has this external_ref.",
	    field, "existing_client_id", id);
}

/*
 * Answers the details: the client's row as the list shows it (list_json,
 * which the store's schema keeps), then the fields only the details
 * show, and the caller's notification setting (JSON text) unless it is
 * NULL. The row is written as stored, so the two cannot drift apart.
 */
static int
clients_reply(struct request *req, int status, const struct client *c,
    const char *notification)
{
	struct buf	 b;
	struct jsonw	 w;
	int		 rc;

	buf_init(&b, CLIENTS_REPLY_MAX);
	jsonw_init(&w, &b);
	if (c->list_json == NULL)
		w.error = 1;
	else
		jsonw_object_extend(&w, c->list_json, strlen(c->list_json));
	jsonw_key(&w, "country");
	jsonw_string(&w, c->country);
	jsonw_key(&w, "external_ref");
	if (c->external_ref[0] != '\0')
		jsonw_string(&w, c->external_ref);
	else
		jsonw_null(&w);
	jsonw_key(&w, "contact_email");
	if (c->contact_email[0] != '\0')
		jsonw_string(&w, c->contact_email);
	else
		jsonw_null(&w);
	jsonw_key(&w, "created_at");
	jsonw_time(&w, c->created_at);
	jsonw_key(&w, "updated_at");
	jsonw_time(&w, c->updated_at);
	if (notification != NULL) {
		jsonw_key(&w, "notification");
		jsonw_raw(&w, notification, strlen(notification));
	}
	jsonw_object_close(&w);
	rc = reply_jsonw(req, status, &b, w.error);
	buf_cleanup(&b);
	return rc;
}

/* Reloads and answers the client as it now is, with status. */
static void
clients_reply_current(struct request *req, int64_t id, int status)
{
	struct client	 c;

	if (store_client_get_visible(req->store, &req->user, id, &c) !=
	    STORE_OK) {
		(void)reply_internal_error(req);
		return;
	}
	(void)clients_reply(req, status, &c, NULL);
	client_cleanup(&c);
}

static void
clients_create(struct request *req)
{
	const char	*status = json_get_string(req->body, "status");
	const char	*email = json_get_string(req->body, "contact_email");
	struct client	 c;
	char		 locale[4], location[64];

	memset(&c, 0, sizeof(c));
	/* The integration reports invitations; admins start onboarding. */
	if (req->user.role == ROLE_INTEGRATION) {
		if (status == NULL || strcmp(status, "invitation") != 0) {
			(void)reply_invalid_field(req, "status",
			    "must be \"invitation\" for an integration");
			return;
		}
	} else {
		if (status != NULL && strcmp(status, "onboarding") != 0) {
			(void)reply_invalid_field(req, "status",
			    "must be \"onboarding\" (or absent) for an admin");
			return;
		}
		if (email == NULL) {
			(void)reply_invalid_field(req,
			    "contact_email", "is required to invite a client");
			return;
		}
		status = "onboarding";
	}
	(void)snprintf(c.name, sizeof(c.name), "%s",
	    json_get_string(req->body, "name"));
	if (client_locale_or_reply(req, locale, sizeof(locale)) == -1)
		return;
	(void)snprintf(c.country, sizeof(c.country), "%s",
	    org_number_country_of_locale(locale));
	if (clients_take_ids(req, &c) == -1)
		return;
	if (email != NULL) {
		(void)snprintf(c.contact_email, sizeof(c.contact_email), "%s",
		    email);
		if (user_email_accept(c.contact_email) == -1) {
			(void)reply_invalid_field(req,
			    "contact_email",
			    "is not an address mail can be sent to");
			return;
		}
	}
	(void)snprintf(c.status, sizeof(c.status), "%s", status);
	c.partner_id = req->user.partner_id;
	/* Until the integration reports a balance, the firm's currency. */
	(void)snprintf(c.currency, sizeof(c.currency), "%s",
	    strcmp(locale, "da") == 0 ? "DKK" : strcmp(locale, "nb") == 0 ?
	    "NOK" : strcmp(locale, "en") == 0 ? "EUR" : "SEK");
	if (clients_unique_or_reply(req, &c, 1, 1) == -1)
		return;
	if (store_client_create(req->store, locale, &c) != STORE_OK) {
		(void)reply_internal_error(req);
		return;
	}
	log_info("client %lld created (%s) by user %lld", (long long)c.id,
	    c.status, (long long)req->user.id);
	(void)snprintf(location, sizeof(location), "/v1/clients/%lld",
	    (long long)c.id);
	if (clients_reply(req, 201, &c, NULL) == 0)
		(void)reply_header(req, "Location", location);
	client_cleanup(&c);
}

static void
clients_get(struct request *req)
{
	struct client	 c;
	cJSON		*pref;
	char		*text;

	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	if (client_action_refusal(CLIENT_ACTION_SEE_DETAILS, c.status, 1) !=
	    CLIENT_ACTION_OK) {
		(void)client_conflict_or_reply(req, c.status);
		goto out;
	}
	/* An integration gets no email, so it never has a setting. */
	if (req->user.role == ROLE_INTEGRATION) {
		(void)clients_reply(req, 200, &c, "null");
		goto out;
	}
	if ((pref = preference_json_or_reply(req, c.id)) == NULL)
		goto out;
	if ((text = cJSON_PrintUnformatted(pref)) == NULL)
		(void)reply_internal_error(req);
	else
		(void)clients_reply(req, 200, &c, text);
	cJSON_free(text);
	cJSON_Delete(pref);
out:
	client_cleanup(&c);
}

static void
clients_patch(struct request *req)
{
	struct client	 c;
	const char	*s;
	char		 locale[4];
	int		 rc;

	if (patch_begin_or_reply(req) == -1)
		return;
	if (client_load_to_change_or_reply(req, 0, &c) == -1) {
		store_rollback(req->store);
		return;
	}
	if ((s = json_get_string(req->body, "name")) != NULL)
		(void)snprintf(c.name, sizeof(c.name), "%s", s);
	if (clients_take_ids(req, &c) == -1)
		goto out;
	if (client_locale_or_reply(req, locale, sizeof(locale)) == -1)
		goto out;
	if (clients_unique_or_reply(req, &c,
	    json_get_string(req->body, "org_number") != NULL ||
	    json_get_string(req->body, "country") != NULL,
	    json_get_string(req->body, "external_ref") != NULL) == -1)
		goto out;
	rc = store_client_update(req->store, locale, &c);
	if (rc != STORE_OK || store_commit(req->store) == -1) {
		(void)reply_internal_error(req);
		goto out;
	}
	(void)clients_reply(req, 200, &c, NULL);
out:
	store_rollback(req->store);
	client_cleanup(&c);
}

/* Moves the path's client from one status to another, or answers 409. */
static void
clients_transition(struct request *req, const char *from, const char *to)
{
	struct client	 c;
	int		 rc;

	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	rc = store_client_transition(req->store, c.id, from, to);
	if (rc == STORE_CONFLICT) {
		struct client now;
		/* Name the status it has now, not the one first read. */
		if (store_client_get_visible(req->store, &req->user, c.id,
		    &now) == STORE_OK) {
			(void)client_conflict_or_reply(req, now.status);
			client_cleanup(&now);
		} else
			(void)client_conflict_or_reply(req, c.status);
	} else if (rc != STORE_OK)
		(void)reply_internal_error(req);
	else {
		log_info("client %lld: %s -> %s by user %lld",
		    (long long)c.id, from, to, (long long)req->user.id);
		clients_reply_current(req, c.id, 200);
	}
	client_cleanup(&c);
}

static void
clients_accept(struct request *req)
{
	clients_transition(req, "invitation", "active");
}

static void
clients_decline(struct request *req)
{
	clients_transition(req, "invitation", "declined");
}

static void
clients_verification(struct request *req)
{
	const char	*result = json_get_string(req->body, "result");

	clients_transition(req, "onboarding",
	    strcmp(result, "approved") == 0 ? "active" : "rejected");
}

static void
clients_balance(struct request *req)
{
	const char	*currency = json_get_string(req->body, "currency");
	struct client	 c;

	if (!input_currency_valid(currency)) {
		(void)reply_invalid_field(req, "currency",
		    "must be an ISO 4217 code such as SEK");
		return;
	}
	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	if (store_client_set_balance(req->store, c.id,
	    json_get_int(req->body, "amount_minor", 0), currency) !=
	    STORE_OK)
		(void)reply_internal_error(req);
	else
		clients_reply_current(req, c.id, 200);
	client_cleanup(&c);
}

const struct route clients_routes[] = {
	{ .method = "POST", .pattern = "/v1/clients", .handler = clients_create,
	    .roles = ROLE_ADMIN | ROLE_INTEGRATION, .body = ROUTE_BODY_SCHEMA,
	    .schema = &clients_create_schema,
	    .scope = SCOPE_CLIENTS_WRITE },
	{ .method = "GET", .pattern = "/v1/clients/{id}",
	    .handler = clients_get, .roles = ROUTE_ANYONE,
	    .body = ROUTE_BODY_NONE,
	    .scope = SCOPE_CLIENTS_READ },
	{ .method = "PATCH", .pattern = "/v1/clients/{id}",
	    .handler = clients_patch, .roles = ROLE_ADMIN | ROLE_INTEGRATION,
	    .body = ROUTE_BODY_SCHEMA, .schema = &clients_patch_schema,
	    .scope = SCOPE_CLIENTS_WRITE },
	{ .method = "POST", .pattern = "/v1/clients/{id}/accept",
	    .handler = clients_accept, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_NONE },
	{ .method = "POST", .pattern = "/v1/clients/{id}/decline",
	    .handler = clients_decline, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_NONE },
	{ .method = "POST", .pattern = "/v1/clients/{id}/verification",
	    .handler = clients_verification, .roles = ROLE_INTEGRATION,
	    .body = ROUTE_BODY_SCHEMA, .schema = &clients_verification_schema,
	    .scope = SCOPE_CLIENTS_WRITE },
	{ .method = "PUT", .pattern = "/v1/clients/{id}/balance",
	    .handler = clients_balance, .roles = ROLE_ADMIN | ROLE_INTEGRATION,
	    .body = ROUTE_BODY_SCHEMA, .schema = &clients_balance_schema,
	    .scope = SCOPE_BALANCES_WRITE },
};
const size_t clients_n_routes = sizeof(clients_routes) /
    sizeof(clients_routes[0]);
