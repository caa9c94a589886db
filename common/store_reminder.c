/*
 * Reminders: a reminder's cleanup, and the calls on reminders and
 * their recipients, through the backend.
 * The backends are common/<backend>/reminder.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store_backend.h"

const char *
reminder_state_name(const char *s)
{
	static const char *const states[] = {
		"pending", "delivered", "failed", "partly_failed", "cancelled"
	};
	size_t	 i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(s, states[i]) == 0)
			return states[i];
	return NULL;
}

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

int
store_reminder_page(struct store *st, const struct reminder_query *q,
    int (*fn)(const struct reminder_item *, const struct reminder_recipient *,
    void *), void *arg)
{
	struct reminder_query	 b = *q;

	/*
	 * One upper bound, the nearer of until and the cursor: every row
	 * of until's last second when until comes first (since < until, so
	 * until - 1 does not wrap).
	 */
	if (!b.has_after || b.until - 1 < b.after_at) {
		b.after_at = b.until - 1;
		b.after_id = INT64_MAX;
	}
	return st->be->reminder_page(st, &b, fn, arg);
}

int
store_reminder_failures(struct store *st, int64_t reminder_id,
    int (*fn)(const struct reminder_failure *, void *), void *arg)
{
	return st->be->reminder_failures(st, reminder_id, fn, arg);
}

int
store_reminder_relink(struct store *st, int64_t reminder_id, int64_t user_id,
    int64_t old_outbox_id, int64_t new_outbox_id)
{
	return st->be->reminder_relink(st, reminder_id, user_id, old_outbox_id,
	    new_outbox_id);
}
