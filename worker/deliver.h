/*
 * Outbox delivery: claims due messages one at a time, renders each, and
 * sends it over one SMTP connection for the whole batch.
 */
#ifndef WORKER_DELIVER_H
#define WORKER_DELIVER_H

#include <stdint.h>

#include "worker.h"

struct deliver_stats {
	int	sent;
	int	retried;	/* temporary failure, queued again */
	int	failed;		/* permanent failure */
};

/* Sends what is due at now until none is, or a stop is asked. 0 or -1. */
int	deliver_run(struct worker *, int64_t now, struct deliver_stats *);

/* Seconds to wait after the given failed attempt (1, 2, …). */
int64_t	deliver_backoff(int attempts);

#endif
