/*
 * Stored answers for Idempotency-Key: a repeat of a POST returns the first
 * answer and does nothing twice. An answer is recorded in the transaction
 * of the write it answers (see store_begin_request), so a crash leaves
 * either both or neither.
 */
#ifndef COMMON_STORE_IDEMPOTENCY_H
#define COMMON_STORE_IDEMPOTENCY_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define IDEMPOTENCY_TTL		(24 * 3600)
#define IDEMPOTENCY_KEY_MAX	255
/* Larger answers are kept as a digest of their body, not verbatim. */
#define IDEMPOTENCY_BODY_MAX	65536

struct idempotent_reply {
	char	 request_hash[32];
	int	 status;
	char	 content_type[64];
	char	 location[256];
	char	 body_digest[64];	/* "" when the body is kept */
	char	*body;			/* owned; idempotent_reply_cleanup() */
	size_t	 body_len;
};

void	idempotent_reply_cleanup(struct idempotent_reply *);

/*
 * The answer kept for (user, key) within IDEMPOTENCY_TTL: STORE_OK with
 * *prev filled, STORE_NOTFOUND, or STORE_ERROR.
 */
int	store_idempotency_find(struct store *, int64_t user_id,
	    const char *key, struct idempotent_reply *prev);
/*
 * Keeps r as the answer to (user, key): an expired entry is replaced, a
 * live one left as it is. With r->body_digest set, the body is not kept.
 */
int	store_idempotency_record(struct store *, int64_t user_id,
	    const char *key, const struct idempotent_reply *r);

#endif
