/*
 * Upkeep in short steps: each is its own write transaction, so API
 * writers wait for one step at most, never for the whole job. Merges the
 * search index and deletes idempotency keys and login attempts that have
 * served their time.
 */
#include "../common/log.h"
#include "../common/store_client.h"
#include "../common/store_event.h"
#include "../common/store_tidy.h"
#include "tidy.h"

/* A step's pages take some tens of milliseconds to merge. */
#define TIDY_PAGES	200
/* What is left after this many steps waits for the next pass. */
#define TIDY_STEPS_MAX	50
/* Rows deleted per transaction: a few milliseconds of writing. */
#define TIDY_BATCH	500
/* Batches per table and pass: a backlog is worked off over passes. */
#define TIDY_BATCHES_MAX	200

static int
tidy_merge(struct job *j, int *merges)
{
	int	 merged, i;

	*merges = 0;
	for (i = 0; i < TIDY_STEPS_MAX && !job_stopping(j); i++) {
		if (store_client_search_tidy(j->store, TIDY_PAGES, &merged) !=
		    STORE_OK)
			return -1;
		if (!merged)
			break;
		(*merges)++;
	}
	return 0;
}

/* Deletes with fn a batch at a time until a batch comes back short. */
static int
tidy_expire(struct job *j, int (*fn)(struct store *, int64_t, int,
    int *), int64_t now, int *total)
{
	int	 deleted, i;

	*total = 0;
	for (i = 0; i < TIDY_BATCHES_MAX && !job_stopping(j); i++) {
		if (fn(j->store, now, TIDY_BATCH, &deleted) != STORE_OK)
			return -1;
		*total += deleted;
		if (deleted < TIDY_BATCH)
			break;
	}
	return 0;
}

int
tidy_run(struct job *j, int *merges)
{
	int64_t	 now = store_now();
	int	 keys = 0, logins = 0, events = 0, rc = 0;

	if (tidy_merge(j, merges) == -1)
		rc = -1;
	if (tidy_expire(j, store_tidy_idempotency, now, &keys) == -1 ||
	    tidy_expire(j, store_tidy_logins, now, &logins) == -1 ||
	    tidy_expire(j, store_tidy_events, now, &events) == -1)
		rc = -1;
	if (keys > 0 || logins > 0 || events > 0)
		log_info("expired: %d idempotency keys, %d login attempts, "
		    "%d events", keys, logins, events);
	return rc;
}
