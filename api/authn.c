/*
 * Bearer-token authentication for every protected route.
 */
#include <string.h>
#include <strings.h>

#include "../common/log.h"
#include "../common/token.h"
#include "authn.h"

static int
authn_fail(struct request *req, const char *error, const char *detail)
{
	char	 value[96];

	(void)snprintf(value, sizeof(value), "Bearer realm=\"portal\"%s%s%s",
	    error ? ", error=\"" : "", error ? error : "", error ? "\"" : "");
	(void)reply_problem(req, 401, PROBLEM_UNAUTHORIZED,
	    "Authentication required", detail);
	(void)reply_header(req, "WWW-Authenticate", value);
	return -1;
}

/*
 * Tokens this thread has verified lately. A client sends the same token
 * with every request of a session, and checking its signature and claims
 * costs more than the rest of a small request. Of the checks, only the
 * times depend on when they are made: a token met again has those checked
 * again. The user is still read on every request, so that a deactivated
 * user is refused at once.
 */
#define AUTHN_CACHE		4
#define AUTHN_CACHE_TOKEN	512	/* longer tokens are not kept */

struct authn_verified {
	char			 token[AUTHN_CACHE_TOKEN];
	struct token_claims	 claims;
};

static _Thread_local struct authn_verified	 authn_cache[AUTHN_CACHE];
static _Thread_local unsigned			 authn_cache_next;

static int
authn_verify(const struct request *req, const char *token,
    struct token_claims *claims)
{
	struct authn_verified	*v;
	int64_t			 now = store_now();
	size_t			 i, len = strlen(token);
	int			 keep = len > 0 && len < AUTHN_CACHE_TOKEN;

	for (i = 0; keep && i < AUTHN_CACHE; i++) {
		v = &authn_cache[i];
		if (strcmp(v->token, token) != 0)
			continue;
		if (now >= v->claims.exp || v->claims.iat > now + TOKEN_SKEW)
			return -1;
		*claims = v->claims;
		return 0;
	}
	if (token_verify(req->cfg->secret, req->cfg->secret_len, token,
	    TOKEN_AUD_API, now, claims) == -1)
		return -1;
	if (keep) {
		v = &authn_cache[authn_cache_next++ % AUTHN_CACHE];
		memcpy(v->token, token, len + 1);
		v->claims = *claims;
	}
	return 0;
}

int
authn_token_or_reply(struct request *req, struct token_claims *claims)
{
	const char	*h = mg_get_header(req->conn, "Authorization");

	if (h == NULL)
		return authn_fail(req, NULL,
		    "This route needs a Bearer token.");
	if (strlen(h) > TOKEN_MAX + 16 || strncasecmp(h, "Bearer ", 7) != 0)
		return authn_fail(req, "invalid_request",
		    "The Authorization header is not a Bearer token.");
	h += 7;
	while (*h == ' ')
		h++;
	if (authn_verify(req, h, claims) == -1)
		return authn_fail(req, "invalid_token",
		    "The token is invalid or has expired.");
	return 0;
}

int
authn_user_or_reply(struct request *req, const struct token_claims *claims)
{
	int	 rc;

	rc = store_user_get(req->store, claims->user_id, &req->user);
	if (rc == STORE_ERROR)
		return reply_internal_error(req);
	if (rc == STORE_NOTFOUND || !req->user.active ||
	    req->user.partner_id != claims->partner_id)
		return authn_fail(req, "invalid_token",
		    "The token is invalid or has expired.");
	req->authenticated = 1;
	return 0;
}
