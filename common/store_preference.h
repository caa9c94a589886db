/*
 * Notification preferences: per user and client, whether to get the
 * client in email digests and how often.
 */
#ifndef COMMON_STORE_PREFERENCE_H
#define COMMON_STORE_PREFERENCE_H

#include <stdint.h>

#include "store.h"

/* What a subscription without a frequency takes. */
#define PREFERENCE_DEFAULT_FREQUENCY	"weekly"

struct preference {
	int64_t		 user_id;
	int64_t		 client_id;
	int		 email;
	char		 frequency[8];	/* daily, weekly, monthly */
	/* In a digest only while the client has an alert (common/alert.h). */
	int		 alerts_only;
	int64_t		 starts_at;
	int64_t		 updated_at;
	/* Raised by each subscription and unsubscribe; see below. */
	int64_t		 generation;
};

/* STORE_OK, STORE_NOTFOUND or STORE_ERROR. */
int	store_preference_get(struct store *, int64_t user_id,
	    int64_t client_id, struct preference *out);
/*
 * Inserts or replaces the row of (user, client); its generation stays
 * (1 for a new row) whatever p->generation holds.
 */
int	store_preference_put(struct store *, const struct preference *);
/*
 * Gives the row of (user, client) the user's next generation: call it,
 * in the transaction of the put, when the put subscribes (email on where
 * it was off, absent, or at another frequency), so that unsubscribe links
 * sent before no longer reach it.
 */
int	store_preference_renew(struct store *, int64_t user_id,
	    int64_t client_id);
/*
 * The generation an unsubscribe link for the user's settings at
 * frequency carries: the highest of those rows, 1 when there is none.
 */
int	store_preference_generation(struct store *, int64_t user_id,
	    const char *frequency, int64_t *generation);
/*
 * Calls fn for each preference of the user, by client id, with the
 * client's name (valid during the call only).
 */
int	store_preference_list(struct store *, int64_t user_id,
	    int (*fn)(const struct preference *, const char *client_name,
	    void *), void *arg);
/*
 * Calls fn for each of the user's preferences, by client id, whether or
 * not the user may still see the client (a page of the list holds only
 * clients they see); stops at fn's -1 (STORE_ERROR). Read in the
 * transaction that read user->preferences_stamp, they are the settings
 * of that stamp.
 */
int	store_preference_each(struct store *, int64_t user_id,
	    int (*fn)(const struct preference *, void *), void *arg);
/*
 * Turns email off for the user's preferences at frequency, or only for
 * client_id when it is not 0, and gives the rows it changes the user's
 * next generation. Sets *changed to the rows changed. STORE_CONFLICT,
 * changing nothing, when one of those preferences has a generation later
 * than the link's (subscribed again, or unsubscribed by it already).
 * Run it in a write transaction: the check and the change are one.
 */
int	store_preference_unsubscribe(struct store *, int64_t user_id,
	    const char *frequency, int64_t client_id, int64_t generation,
	    int *changed);
/*
 * Whether an unsubscribe link would still work, changing nothing:
 * STORE_OK when it would, STORE_CONFLICT when store_preference_unsubscribe
 * would refuse it (spent, or subscribed again since), STORE_ERROR.
 */
int	store_preference_link_check(struct store *, int64_t user_id,
	    const char *frequency, int64_t client_id, int64_t generation);

#endif
