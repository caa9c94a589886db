/*
 * Outbox delivery: claims due messages a batch at a time, renders each,
 * and sends it over an SMTP connection kept for the whole pass, renewing
 * the claim's lease while it is on the wire; PORTAL_SMTP_CONNECTIONS
 * senders at once, each with its own connection, and the outcomes marked
 * while the next messages are sent.
 */
#ifndef WORKER_DELIVER_H
#define WORKER_DELIVER_H

#include <stdint.h>

#include "job.h"

struct deliver_stats {
	int	sent;
	int	retried;	/* temporary failure, queued again */
	int	failed;		/* permanent failure */
	int	cancelled;	/* its reader may no longer read it */
};

/*
 * Sends what is due until none is, or a stop is asked, claiming each
 * message at the clock's time then. 0 or -1.
 */
int	deliver_run(struct job *, struct deliver_stats *);

/* Seconds to wait after the given failed attempt (1, 2, …). */
int64_t	deliver_backoff(int attempts);

#endif
