/*
 * The feed of events above the backends (store_event.h).
 */
#include "store_backend.h"

int
store_event_list(struct store *st, int64_t partner_id, int64_t after_seq,
    int limit, int (*fn)(const struct event *, void *), void *arg)
{
	return st->be->event_list(st, partner_id, after_seq, limit, fn, arg);
}

int
store_tidy_events(struct store *st, int64_t now, int max, int *deleted)
{
	return st->be->tidy_events(st, now, max, deleted);
}
