/*
 * The audit trail, through the backend.
 * The backends are common/<backend>/audit.c.
 */
#include "store_backend.h"

int
store_audit_add(struct store *st, int64_t partner_id, int64_t user_id,
    int64_t client_id, const char *action, const char *remote_addr)
{
	return st->be->audit_add(st, partner_id, user_id, client_id, action,
	    remote_addr);
}

int
store_audit_list(struct store *st, int64_t partner_id, int64_t client_id,
    int64_t before_id, int limit,
    int (*fn)(const struct audit_event *, void *), void *arg)
{
	return st->be->audit_list(st, partner_id, client_id, before_id, limit,
	    fn, arg);
}
