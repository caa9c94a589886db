/*
 * POST /v1/auth/token: email and password in, a signed access token out.
 * Unknown addresses, wrong passwords and deactivated users get the same
 * answer after the same work. Each password check is claimed against a
 * budget per address and client before the password is hashed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../common/password.h"
#include "../common/store_login.h"
#include "../common/token.h"
#include "route.h"

static const struct json_field auth_token_fields[] = {
	{ "email", JSON_KIND_STRING, 1, 1, USER_EMAIL_MAX, NULL },
	{ "password", JSON_KIND_STRING, 1, 1, USER_PASSWORD_MAX, NULL },
};
static const struct json_schema auth_token_schema = {
	auth_token_fields, sizeof(auth_token_fields) / sizeof(auth_token_fields[0])
};

static int
auth_locked_or_reply(struct request *req, int64_t retry_after)
{
	char	 secs[24];

	(void)snprintf(secs, sizeof(secs), "%lld", (long long)retry_after);
	(void)reply_problem(req, 429, PROBLEM_RATE_LIMITED,
	    "Too many login attempts",
	    "Too many login attempts for this address. Try again later.");
	(void)reply_header(req, "Retry-After", secs);
	return -1;
}

static void
auth_token(struct request *req)
{
	const struct config	*cfg = req->cfg;
	struct token_claims	 claims;
	struct login_limits	 lim;
	struct user		 u;
	const char		*hash;
	char			 email[USER_EMAIL_MAX + 1], *token = NULL;
	int64_t			 now = store_now(), retry;
	int			 rc, ok, shape_ok;
	cJSON			*doc;

	/* An address too long to store is no user's: never compare a cut one. */
	shape_ok = strlen(json_get_string(req->body, "email")) < sizeof(email);
	(void)snprintf(email, sizeof(email), "%s", shape_ok ?
	    json_get_string(req->body, "email") : "");
	shape_ok = shape_ok && user_email_normalize(email) == 0;
	/*
	 * The check is counted before the hash is computed, so that parallel
	 * guesses get no more checks than sequential ones. An unknown
	 * address is counted like a known one: the answer must not tell.
	 */
	if (shape_ok) {
		lim.per_source = cfg->login_max_failures;
		lim.per_address = cfg->login_max_per_address;
		lim.window = cfg->login_lockout;
		rc = store_login_claim(req->store, email,
		    request_remote_addr(req), now, &lim, &retry);
		if (rc == STORE_CONFLICT) {
			(void)auth_locked_or_reply(req, retry);
			return;
		}
		if (rc != STORE_OK) {
			(void)reply_internal_error(req);
			return;
		}
	}
	rc = shape_ok ? store_user_get_by_email(req->store, email, &u) :
	    STORE_NOTFOUND;
	if (rc == STORE_ERROR) {
		(void)reply_internal_error(req);
		return;
	}
	/* Verify against a dummy hash too: the time must not tell. */
	hash = rc == STORE_OK ? u.password_hash : password_dummy_hash();
	ok = hash != NULL && password_verify(json_get_string(req->body,
	    "password"), hash) && rc == STORE_OK && u.active;
	if (!ok) {
		/* The claim stays counted: that is the failure's cost. */
		log_info("login failed");
		(void)reply_problem(req, 401, PROBLEM_UNAUTHORIZED,
		    "Invalid credentials",
		    "The email address or password is wrong.");
		(void)reply_header(req, "WWW-Authenticate",
		    "Bearer realm=\"portal\"");
		goto out;
	}
	if (store_login_release(req->store, email, request_remote_addr(req)) ==
	    STORE_ERROR) {
		(void)reply_internal_error(req);
		goto out;
	}
	memset(&claims, 0, sizeof(claims));
	claims.aud = TOKEN_AUD_API;
	claims.user_id = u.id;
	claims.partner_id = u.partner_id;
	(void)snprintf(claims.role, sizeof(claims.role), "%s",
	    role_name(u.role));
	claims.iat = now;
	claims.exp = now + cfg->token_ttl;
	if (token_issue(cfg->secret, cfg->secret_len, &claims, &token) == -1) {
		log_warnx("cannot sign a token");
		(void)reply_internal_error(req);
		goto out;
	}
	log_info("login user=%lld", (long long)u.id);
	if ((doc = cJSON_CreateObject()) != NULL &&
	    (cJSON_AddStringToObject(doc, "access_token", token) == NULL ||
	    cJSON_AddStringToObject(doc, "token_type", "Bearer") == NULL ||
	    json_add_int(doc, "expires_in", cfg->token_ttl) == NULL)) {
		cJSON_Delete(doc);
		doc = NULL;
	}
	(void)reply_json(req, 200, doc);
out:
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	explicit_bzero(&u, sizeof(u));
}

const struct route auth_routes[] = {
	{ .method = "POST", .pattern = "/v1/auth/token", .handler = auth_token,
	    .roles = ROUTE_PUBLIC, .body = ROUTE_BODY_SCHEMA,
	    .schema = &auth_token_schema },
};
const size_t auth_n_routes = sizeof(auth_routes) / sizeof(auth_routes[0]);
