/*
 * Login throttling: password checks are claimed in the database before a
 * password is hashed, per address and client, so that every API process
 * shares the count and parallel guesses cannot outrun it.
 */
#ifndef COMMON_STORE_LOGIN_H
#define COMMON_STORE_LOGIN_H

#include <stdint.h>

#include "store.h"

struct login_limits {
	int64_t		 per_source;	/* checks per window, one client */
	int64_t		 per_address;	/* checks per window, all clients */
	int64_t		 window;	/* seconds */
};

/*
 * Claims one password check of email from source (the client's IP
 * address) at now. STORE_OK when claimed: go on and check the password.
 * STORE_CONFLICT with *retry_after (seconds, at least 1) when the budget
 * of that source, or the address's budget over all sources, is used up
 * in the current window: answer without checking. STORE_ERROR.
 * A window starts at the first claim and lasts lim->window seconds; the
 * claim that uses up a budget starts a full window of refusals.
 */
int	store_login_claim(struct store *, const char *email,
	    const char *source, int64_t now, const struct login_limits *lim,
	    int64_t *retry_after);

/*
 * A successful login of email from source: clears that source's count and
 * gives the claim back to the address's count over all sources, so that
 * a user who logs in is never closer to a lock for it.
 */
int	store_login_release(struct store *, const char *email,
	    const char *source);

#endif
