/*
 * The digest job: at each slot, one email per user and frequency for the
 * current period, listing the clients they subscribed to.
 */
#ifndef WORKER_DIGEST_H
#define WORKER_DIGEST_H

#include <stdint.h>

#include "job.h"

struct digest_stats {
	int	written;	/* queued in the outbox */
	int	skipped;	/* nothing outstanding */
};

/* Writes every digest due at now that is not written yet. 0 or -1. */
int	digest_run(struct job *, int64_t now, struct digest_stats *);

#endif
