/*
 * The client named in the path, loaded as the caller may see it, and the
 * answers about it shared by every client resource.
 */
#include <stdio.h>
#include <string.h>

#include "../common/store_partner.h"
#include "client_load.h"

static int
client_load_as(struct request *req, int idx, struct client *c, int change)
{
	int64_t	 id;
	int	 rc;

	memset(c, 0, sizeof(*c));
	if (request_param_id_or_reply(req, idx, &id) == -1)
		return -1;
	rc = change ? store_client_get_to_change(req->store, &req->user, id,
	    c) : store_client_get_visible(req->store, &req->user, id, c);
	if (rc == STORE_ERROR)
		return reply_internal_error(req);
	if (rc == STORE_NOTFOUND)
		return reply_not_found(req);
	return 0;
}

int
client_load_or_reply(struct request *req, int idx, struct client *c)
{
	return client_load_as(req, idx, c, 0);
}

int
client_load_to_change_or_reply(struct request *req, int idx,
    struct client *c)
{
	return client_load_as(req, idx, c, 1);
}

int
client_conflict_or_reply(struct request *req, const char *status)
{
	return reply_problem_member(req, 409, PROBLEM_CONFLICT,
	    "Status conflict", "The client's current status does not allow "
	    "this.", "current_status", status);
}

int
firm_or_reply(struct request *req, struct partner *p)
{
	if (store_partner_get(req->store, req->user.partner_id, p) !=
	    STORE_OK)
		return reply_internal_error(req);
	return 0;
}

int
client_locale_or_reply(struct request *req, char *locale, size_t len)
{
	struct partner	 p;

	if (firm_or_reply(req, &p) == -1)
		return -1;
	(void)snprintf(locale, len, "%s", p.locale);
	return 0;
}
