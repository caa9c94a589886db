/*
 * Search index upkeep, in short steps: each is its own write transaction,
 * so API writers wait for one step at most, never for the whole merge.
 */
#include "../common/store_client.h"
#include "tidy.h"

/* A step's pages take some tens of milliseconds to merge. */
#define TIDY_PAGES	200
/* What is left after this many steps waits for the next pass. */
#define TIDY_STEPS_MAX	50

int
tidy_run(struct worker *w, int *merges)
{
	int	 merged, i;

	*merges = 0;
	for (i = 0; i < TIDY_STEPS_MAX && !worker_stopping(w); i++) {
		if (store_client_search_tidy(w->store, TIDY_PAGES, &merged) !=
		    STORE_OK)
			return -1;
		if (!merged)
			break;
		(*merges)++;
	}
	return 0;
}
