/*
 * Digests: who is due one, what goes in it, and its record, through
 * the backend.
 * The backends are common/<backend>/digest.c.
 */
#include "store_backend.h"

int
store_digest_due_users(struct store *st, int64_t partner_id,
    const char *frequency, int64_t slot_at, const char *period,
    int64_t after_id, int limit,
    int (*fn)(const struct user *, void *), void *arg)
{
	return st->be->digest_due_users(st, partner_id, frequency, slot_at,
	    period, after_id, limit, fn, arg);
}

int
store_digest_items(struct store *st, int64_t user_id, const char *frequency,
    int64_t slot_at, int (*fn)(const struct digest_item *, void *), void *arg)
{
	return st->be->digest_items(st, user_id, frequency, slot_at, fn, arg);
}

int
store_digest_record(struct store *st, int64_t user_id, const char *frequency,
    const char *period, int64_t slot_at, int clients, int64_t outbox_id)
{
	return st->be->digest_record(st, user_id, frequency, period, slot_at,
	    clients, outbox_id);
}

int
store_digest_seen(struct store *st, int64_t user_id, int64_t client_id,
    unsigned alerts)
{
	return st->be->digest_seen(st, user_id, client_id, alerts);
}

int
store_digest_pass_begin(struct store *st, int64_t partner_id)
{
	return st->be->digest_pass_begin(st, partner_id);
}

void
store_digest_pass_end(struct store *st)
{
	st->be->digest_pass_end(st);
}
