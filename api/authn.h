/*
 * Authentication of API requests: the Bearer token, then the user it
 * names, read afresh so that a deactivated user is refused at once.
 */
#ifndef API_AUTHN_H
#define API_AUTHN_H

#include "../common/token.h"
#include "http.h"

/*
 * The two steps of authenticating, which a write request takes apart:
 * the token is checked before its body is read, the user inside the
 * transaction that writes, so that a change of role or a deactivation
 * between the two is seen.
 *
 * authn_token_or_reply() checks the Authorization header's token into
 * *claims; authn_user_or_reply() reads the user it names into req->user.
 * Each answers 401 (with WWW-Authenticate), or 500 when the database
 * fails, and returns -1.
 */
int	authn_token_or_reply(struct request *, struct token_claims *claims);
int	authn_user_or_reply(struct request *,
	    const struct token_claims *claims);

/*
 * Writes the time of the request's API key's use when the one stored is
 * a minute old or more (so not a write per request) and the request was
 * answered below 400, in a transaction of its own after the request's. A failure is logged and changes nothing
 * of the answer.
 */
void	authn_key_touch(struct request *);

#endif
