/*
 * Upkeep of the database between passes: merging the search index's
 * segments, so that searches stay as fast as on a fresh index however
 * much the clients change, and deleting rows that have served their time
 * (idempotency keys after 24 hours, login attempts after their window),
 * so that those tables stay the size of their live rows.
 */
#ifndef WORKER_TIDY_H
#define WORKER_TIDY_H

#include "job.h"

/*
 * Merges while there is work, then deletes expired rows at the worker's
 * clock, a bounded amount per call; *merges counts the steps that
 * merged. 0 or -1 (what could be done is done).
 */
int	tidy_run(struct job *, int *merges);

#endif
