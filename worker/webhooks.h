/*
 * The webhooks job: each due delivery sent to its endpoint, signed, and
 * its outcome recorded; a failed one due again after a backoff, and an
 * endpoint that has failed for three days disabled.
 */
#ifndef WORKER_WEBHOOKS_H
#define WORKER_WEBHOOKS_H

#include "job.h"

struct webhooks_stats {
	int	 delivered;
	int	 failed;	/* attempts that failed; due again later */
	int	 disabled;	/* endpoints disabled */
};

/* Sends what is due at the worker's clock, a bounded number per pass. */
int	webhooks_run(struct job *, struct webhooks_stats *);

/* Seconds before attempt n + 1 after attempt n failed (n from 1). */
int64_t	webhooks_backoff(int attempt);

#endif
