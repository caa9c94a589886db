/*
 * Stored answers for Idempotency-Key: their cleanup, and the calls
 * that find and record them, through the backend.
 * The backends are common/<backend>/idempotency.c.
 */
#include <stdlib.h>

#include "store_backend.h"

void
idempotent_reply_cleanup(struct idempotent_reply *r)
{
	free(r->body);
	r->body = NULL;
}

int
store_idempotency_find(struct store *st, int64_t user_id, const char *key,
    struct idempotent_reply *r)
{
	return st->be->idempotency_find(st, user_id, key, r);
}

int
store_idempotency_record(struct store *st, int64_t user_id, const char *key,
    const struct idempotent_reply *r)
{
	return st->be->idempotency_record(st, user_id, key, r);
}
