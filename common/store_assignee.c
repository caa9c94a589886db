/*
 * Assignments: who is assigned to which client, through the backend.
 * The backends are common/<backend>/assignee.c.
 */
#include "store_backend.h"

int
store_assignee_list(struct store *st, int64_t client_id,
    int (*fn)(const struct user *, void *), void *arg)
{
	return st->be->assignee_list(st, client_id, fn, arg);
}

int
store_assignee_check(struct store *st, int64_t partner_id, int64_t user_id)
{
	return st->be->assignee_check(st, partner_id, user_id);
}

int
store_assignee_add(struct store *st, int64_t client_id, int64_t user_id)
{
	return st->be->assignee_add(st, client_id, user_id);
}

int
store_assignee_remove(struct store *st, int64_t client_id, int64_t user_id)
{
	return st->be->assignee_remove(st, client_id, user_id);
}

int
store_assignee_clear(struct store *st, int64_t client_id)
{
	return st->be->assignee_clear(st, client_id);
}
