/*
 * Digests: who is due one for a period, what goes in it, and the record
 * (user, frequency, period) that makes writing it twice impossible.
 */
#ifndef COMMON_STORE_DIGEST_H
#define COMMON_STORE_DIGEST_H

#include <stdint.h>

#include "store.h"
#include "store_user.h"

struct digest_item {
	int64_t		 client_id;
	const char	*name;
	int64_t		 balance_minor;
	const char	*currency;
	int64_t		 missing_receipts;
	int64_t		 export_ready;
	unsigned	 alerts;		/* common/alert.h's bits */
	/* The alerts the last digest that listed the client showed. */
	unsigned	 alerts_seen;
	int		 alerts_only;		/* the setting's */
};

/*
 * Takes the partner's digest pass for this worker until
 * store_digest_pass_end(): STORE_OK; STORE_CONFLICT when another worker
 * has it now, and this pass leaves the firm to it; STORE_ERROR. On
 * PostgreSQL it is a lock of the store's own session, which the server
 * lets go when the worker's connection ends, so that a worker killed
 * mid-pass leaves the firm to the next pass of another at once. SQLite
 * runs on one machine, where the digests' unique rows suffice: always
 * STORE_OK.
 */
int	store_digest_pass_begin(struct store *, int64_t partner_id);
void	store_digest_pass_end(struct store *);

/*
 * Calls fn with each active user of the partner who has email on for
 * some client at frequency since no later than slot_at, and no digest
 * yet for period: by id, those after after_id, at most limit of them
 * (a pass reads them a page at a time).
 */
int	store_digest_due_users(struct store *, int64_t partner_id,
	    const char *frequency, int64_t slot_at, const char *period,
	    int64_t after_id, int limit,
	    int (*fn)(const struct user *, void *), void *arg);

/*
 * Calls fn with each client that may go into the user's digest: email on
 * at that frequency since no later than slot_at, still active, and still
 * visible to the user. Most urgent first: in the order of the list's
 * sort=attention (clients.attention, then the name).
 */
int	store_digest_items(struct store *, int64_t user_id,
	    const char *frequency, int64_t slot_at,
	    int (*fn)(const struct digest_item *, void *), void *arg);

/*
 * Records the digest (inside the caller's transaction). outbox_id 0 for a
 * skipped one. STORE_CONFLICT when that period already has one.
 */
int	store_digest_record(struct store *, int64_t user_id,
	    const char *frequency, const char *period, int64_t slot_at,
	    int clients, int64_t outbox_id);
/*
 * Remembers the alerts client_id shows now as the ones the user's last
 * digest showed (inside the digest's transaction).
 */
int	store_digest_seen(struct store *, int64_t user_id, int64_t client_id,
	    unsigned alerts);

#endif
