/*
 * Upkeep of the database between passes: merging the search index's
 * segments, so that searches stay as fast as on a fresh index however
 * much the clients change.
 */
#ifndef WORKER_TIDY_H
#define WORKER_TIDY_H

#include "worker.h"

/*
 * Merges while there is work, a bounded amount per call; *merges counts
 * the steps that merged. 0 or -1.
 */
int	tidy_run(struct worker *, int *merges);

#endif
