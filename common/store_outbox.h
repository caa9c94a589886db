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
	char	 kind[24];	/* "digest", "reminder", "webhook_disabled" */
	int64_t	 user_id;
	char	 recipient[256];
	char	*payload;		/* owned; outbox_msg_cleanup() */
	char	 message_id[128];
	int	 attempts;		/* including the one now claimed */
	/*
	 * Set when the claim found that the recipient may no longer read
	 * it ("recipient_inactive", "recipient_unassigned"): the message is
	 * then already 'cancelled', and is not to be sent.
	 */
	char	 cancel_reason[32];
};

void	outbox_msg_cleanup(struct outbox_msg *);

/*
 * Queues a message due at once (inside the caller's transaction). Fills
 * *id. STORE_OK, STORE_CONFLICT when a message with this Message-ID is
 * queued already (another worker made the same digest: on PostgreSQL
 * this waits for that writer's transaction to end), or STORE_ERROR.
 */
int	store_outbox_add(struct store *, const char *kind, int64_t user_id,
	    const char *recipient, const char *payload, const char *message_id,
	    int64_t *id);

/*
 * Claims up to max of the oldest messages due at now, in one
 * transaction: queued and due, or claimed earlier by a worker whose
 * lease ran out. Marks each 'sending' with a lease until `until`. In the
 * same transaction, a digest loses the clients its reader can no longer
 * see, and a message whose reader may no longer read it is cancelled
 * instead (its cancel_reason set). STORE_OK with ms[0..*n-1] oldest
 * first (each freed with outbox_msg_cleanup()), STORE_NOTFOUND when none
 * is due, STORE_ERROR with nothing claimed.
 */
int	store_outbox_claim(struct store *, int64_t now, int64_t until,
	    struct outbox_msg *ms, int max, int *n);

/*
 * Moves the lease of the claim in hand on to until. STORE_CONFLICT when
 * the claim is no longer this one's (its lease ran out and another
 * worker took the message, or it was marked).
 */
int	store_outbox_renew(struct store *, int64_t id, int attempts,
	    int64_t until);

/*
 * Ends the claim in hand (m's id and attempt). STORE_CONFLICT, changing
 * nothing, when the message is no longer claimed by that attempt.
 */
int	store_outbox_sent(struct store *, const struct outbox_msg *m,
	    int64_t now);
/* Back to 'queued' until next_at, with the error kept. */
int	store_outbox_retry(struct store *, const struct outbox_msg *m,
	    int64_t next_at, const char *error);
int	store_outbox_failed(struct store *, const struct outbox_msg *m,
	    const char *error);

/* Messages still to send, and those failed for good. */
int	store_outbox_backlog(struct store *, int64_t *queued, int64_t *failed);

/* When the next queued message falls due; STORE_NOTFOUND if none. */
int	store_outbox_next_due(struct store *, int64_t *at);

#endif
