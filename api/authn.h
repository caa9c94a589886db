/*
 * Authentication of API requests: the Bearer token, then the user it
 * names, read afresh so that a deactivated user is refused at once.
 */
#ifndef API_AUTHN_H
#define API_AUTHN_H

#include "http.h"

/*
 * Fills req->user from the Authorization header. Answers 401 (with
 * WWW-Authenticate) and returns -1 when there is no valid token for an
 * active user, or 503/500 when the database fails.
 */
int	authn_request_or_reply(struct request *);

#endif
