/*
 * Stored answers for Idempotency-Key: a repeat of a POST returns the first
 * answer and does nothing twice.
 */
#ifndef COMMON_STORE_IDEMPOTENCY_H
#define COMMON_STORE_IDEMPOTENCY_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define IDEMPOTENCY_TTL		(24 * 3600)
#define IDEMPOTENCY_KEY_MAX	255

struct idempotent_reply {
	char	 request_hash[32];
	int	 status;		/* 0 while the first is in progress */
	char	 content_type[64];
	char	 location[256];
	char	*body;			/* owned; idempotent_reply_cleanup() */
	size_t	 body_len;
};

void	idempotent_reply_cleanup(struct idempotent_reply *);

/*
 * Claims (user, key) for a request with hash, unless a live claim exists:
 * STORE_OK when claimed (go on and handle it), STORE_CONFLICT with *prev
 * filled when the key was used within IDEMPOTENCY_TTL, STORE_ERROR.
 * An expired claim is replaced.
 */
int	store_idempotency_claim(struct store *, int64_t user_id,
	    const char *key, const char *hash, struct idempotent_reply *prev);
/* Stores the answer of the claimed request. */
int	store_idempotency_finish(struct store *, int64_t user_id,
	    const char *key, int status, const char *content_type,
	    const char *location, const char *body, size_t len);
/* Gives the key up (the request failed and may be tried again). */
int	store_idempotency_release(struct store *, int64_t user_id,
	    const char *key);

#endif
