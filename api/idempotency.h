/*
 * Idempotency-Key on POSTs: a repeat of a request gets the first answer,
 * and the key never outlives a request that did not finish. All of it
 * runs inside the request's write transaction (store_begin_request), so
 * the answer is recorded with the write it answers or not at all.
 */
#ifndef API_IDEMPOTENCY_H
#define API_IDEMPOTENCY_H

#include "http.h"

struct idempotency {
	const char	*key;		/* the header's value, not owned */
	char		 hash[20];	/* of route, path, query and body */
};

/*
 * Checks the key and, when it answered before, replays that answer (or
 * refuses the key for a different request). Returns 0 to go on and run
 * the handler, or -1 when the reply is set.
 */
int	idempotency_check_or_reply(struct request *, const char *key,
	    struct idempotency *);
/* Whether the reply set by the handler is one to keep. */
int	idempotency_keeps(const struct request *);
/* Records the reply as the key's answer. STORE_OK or STORE_ERROR. */
int	idempotency_record(struct request *, const struct idempotency *);

#endif
