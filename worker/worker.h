/*
 * The worker's main loop: wake, do a pass over the jobs, sleep until the
 * next one is due, stop cleanly on a signal.
 */
#ifndef WORKER_WORKER_H
#define WORKER_WORKER_H

#include <stdint.h>

#include "../common/config.h"
#include "../common/store.h"

struct worker {
	const struct config	*cfg;
	struct store		*store;
	int			 once;		/* one pass, then exit */
	int64_t			 fixed_now;	/* --now, or 0 for the clock */
};

/* Runs until a signal (or one pass with once). Exit status. */
int	worker_run(struct worker *);

#endif
