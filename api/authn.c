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

int
authn_request_or_reply(struct request *req)
{
	const char		*h = mg_get_header(req->conn, "Authorization");
	struct token_claims	 claims;
	int			 rc;

	if (h == NULL)
		return authn_fail(req, NULL,
		    "This route needs a Bearer token.");
	if (strlen(h) > TOKEN_MAX + 16 || strncasecmp(h, "Bearer ", 7) != 0)
		return authn_fail(req, "invalid_request",
		    "The Authorization header is not a Bearer token.");
	h += 7;
	while (*h == ' ')
		h++;
	if (token_verify(req->cfg->secret, req->cfg->secret_len, h,
	    TOKEN_AUD_API, store_now(), &claims) == -1)
		return authn_fail(req, "invalid_token",
		    "The token is invalid or has expired.");
	rc = store_user_get(req->store, claims.user_id, &req->user);
	if (rc == STORE_ERROR)
		return reply_internal_error(req);
	if (rc == STORE_NOTFOUND || !req->user.active ||
	    req->user.partner_id != claims.partner_id)
		return authn_fail(req, "invalid_token",
		    "The token is invalid or has expired.");
	req->authenticated = 1;
	return 0;
}
