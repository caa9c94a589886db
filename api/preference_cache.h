/*
 * The viewer's digest settings for a page of the Clients list, from a
 * copy of each recent viewer's settings kept by the process with the
 * stamp they were read at (struct user's preferences_stamp, raised in
 * the transaction of every change to them): while the account read at
 * the start of the request carries that stamp, the copy is the settings,
 * whichever process changed them.
 */
#ifndef API_PREFERENCE_CACHE_H
#define API_PREFERENCE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/store_client.h"
#include "../common/store_user.h"

/*
 * Calls fn for each of the n clients of ids for which the viewer has a
 * setting, in no set order, as store_client_page_facts() does. The copy
 * is read again, in the caller's read transaction, when its stamp is not
 * the viewer's; a viewer with more settings than a copy holds is asked
 * with store_client_page_facts(). STORE_OK or STORE_ERROR (also fn's -1).
 */
int	preference_cache_page(struct store *, const struct user *viewer,
	    const int64_t *ids, size_t n,
	    int (*fn)(const struct client_page_fact *, void *), void *arg);

#endif
