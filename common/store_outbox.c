/*
 * The outbox: a message's cleanup, and the calls that add, claim and
 * mark messages, through the backend.
 * The backends are common/<backend>/outbox.c.
 */
#include <stdlib.h>

#include "store_backend.h"

void
outbox_msg_cleanup(struct outbox_msg *m)
{
	free(m->payload);
	m->payload = NULL;
}

int
store_outbox_add(struct store *st, const char *kind, int64_t user_id,
    const char *recipient, const char *payload, const char *message_id,
    int64_t *id)
{
	return st->be->outbox_add(st, kind, user_id, recipient, payload,
	    message_id, id);
}

int
store_outbox_claim(struct store *st, int64_t now, int64_t until,
    struct outbox_msg *ms, int max, int *n)
{
	return st->be->outbox_claim(st, now, until, ms, max, n);
}

int
store_outbox_renew(struct store *st, int64_t id, int attempts, int64_t until)
{
	return st->be->outbox_renew(st, id, attempts, until);
}

int
store_outbox_sent(struct store *st, const struct outbox_msg *m, int64_t now)
{
	return st->be->outbox_sent(st, m, now);
}

int
store_outbox_retry(struct store *st, const struct outbox_msg *m,
    int64_t next_at, const char *error)
{
	return st->be->outbox_retry(st, m, next_at, error);
}

int
store_outbox_failed(struct store *st, const struct outbox_msg *m,
    const char *error)
{
	return st->be->outbox_failed(st, m, error);
}

int
store_outbox_backlog(struct store *st, int64_t *queued, int64_t *failed)
{
	return st->be->outbox_backlog(st, queued, failed);
}

int
store_outbox_next_due(struct store *st, int64_t *at)
{
	return st->be->outbox_next_due(st, at);
}
