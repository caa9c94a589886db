/*
 * The outbox: every email, written in the transaction that caused it and
 * then delivered by the worker at least once and, but for a crash between
 * sending and marking, exactly once.
 */
#ifndef COMMON_STORE_OUTBOX_H
#define COMMON_STORE_OUTBOX_H

#include <stdint.h>

#include "store.h"

#define OUTBOX_ERROR_MAX	256

struct outbox_msg {
	int64_t	 id;
	char	 kind[16];
	int64_t	 user_id;
	char	 recipient[256];
	char	*payload;		/* owned; outbox_msg_cleanup() */
	char	 message_id[128];
	int	 attempts;		/* including the one now claimed */
};

void	outbox_msg_cleanup(struct outbox_msg *);

/*
 * Queues a message due at once (inside the caller's transaction). Fills
 * *id. STORE_OK or STORE_ERROR.
 */
int	store_outbox_add(struct store *, const char *kind, int64_t user_id,
	    const char *recipient, const char *payload, const char *message_id,
	    int64_t *id);

/*
 * Claims the oldest due message: queued and due, or claimed earlier by a
 * worker that did not finish within the lease. Marks it 'sending' until
 * now + lease. STORE_OK with *msg, STORE_NOTFOUND when none is due.
 */
int	store_outbox_claim(struct store *, int64_t now, int64_t lease,
	    struct outbox_msg *msg);

int	store_outbox_sent(struct store *, int64_t id, int64_t now);
/* Back to 'queued' until next_at, with the error kept. */
int	store_outbox_retry(struct store *, int64_t id, int64_t next_at,
	    const char *error);
int	store_outbox_failed(struct store *, int64_t id, const char *error);

/* Messages still to send, and those failed for good. */
int	store_outbox_backlog(struct store *, int64_t *queued, int64_t *failed);

/* When the next queued message falls due; STORE_NOTFOUND if none. */
int	store_outbox_next_due(struct store *, int64_t *at);

#endif
