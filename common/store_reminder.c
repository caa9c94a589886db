/*
 * Reminders: a reminder's cleanup, and the calls on reminders and
 * their recipients, through the backend.
 * The backends are common/<backend>/reminder.c.
 */
#include <stdlib.h>

#include "store_backend.h"

void
reminder_cleanup(struct reminder *r)
{
	free(r->tasks_json);
	free(r->comment);
	r->tasks_json = r->comment = NULL;
}

int
store_reminder_add(struct store *st, struct reminder *r)
{
	r->created_at = store_now();
	return st->be->reminder_add(st, r);
}

int
store_reminder_add_recipient(struct store *st, int64_t reminder_id,
    int64_t user_id, int64_t outbox_id)
{
	return st->be->reminder_add_recipient(st, reminder_id, user_id,
	    outbox_id);
}

int
store_reminder_get(struct store *st, int64_t partner_id, int64_t id,
    struct reminder *out)
{
	return st->be->reminder_get(st, partner_id, id, out);
}

int
store_reminder_recipients(struct store *st, int64_t reminder_id,
    int (*fn)(const struct reminder_recipient *, void *), void *arg)
{
	return st->be->reminder_recipients(st, reminder_id, fn, arg);
}

int
store_reminder_list(struct store *st, int64_t client_id, int limit,
    int (*fn)(int64_t, void *), void *arg)
{
	return st->be->reminder_list(st, client_id, limit, fn, arg);
}

int
store_reminder_context(struct store *st, int64_t partner_id,
    int64_t client_id, int64_t sender_id, int64_t since,
    struct partner *firm, struct reminder_recent *recent,
    int (*fn)(const struct user *, void *), void *arg)
{
	return st->be->reminder_context(st, partner_id, client_id, sender_id,
	    since, firm, recent, fn, arg);
}
