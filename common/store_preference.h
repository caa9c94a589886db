/*
 * Notification preferences: per user and client, whether to get the
 * client in email digests and how often.
 */
#ifndef COMMON_STORE_PREFERENCE_H
#define COMMON_STORE_PREFERENCE_H

#include <stdint.h>

#include "store.h"

struct preference {
	int64_t		 user_id;
	int64_t		 client_id;
	int		 email;
	char		 frequency[8];	/* daily, weekly, monthly */
	int64_t		 starts_at;
	int64_t		 updated_at;
};

/* STORE_OK, STORE_NOTFOUND or STORE_ERROR. */
int	store_preference_get(struct store *, int64_t user_id,
	    int64_t client_id, struct preference *out);
/* Inserts or replaces the row of (user, client). */
int	store_preference_put(struct store *, const struct preference *);
/* Calls fn for each preference of the user, by client id. */
int	store_preference_list(struct store *, int64_t user_id,
	    int (*fn)(const struct preference *, void *), void *arg);
/*
 * Turns email off for the user's preferences at frequency, or only for
 * client_id when it is not 0. Sets *changed to the rows changed.
 */
int	store_preference_unsubscribe(struct store *, int64_t user_id,
	    const char *frequency, int64_t client_id, int *changed);

#endif
