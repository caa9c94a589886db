/*
 * API keys in the store: what an admin created, listed and revoked, and
 * the look-up that authenticates a request by a key's prefix. The store
 * holds a key's hash, never its text (api_key.h). SQLite's queries are in
 * common/sqlite/api_key.c, PostgreSQL's in common/pg/api_key.c.
 */
#ifndef COMMON_STORE_API_KEY_H
#define COMMON_STORE_API_KEY_H

#include <stdint.h>

#include "api_key.h"
#include "store.h"

#define API_KEY_LIST_MAX	200
/* last_used_at is written when it is this much older than a use. */
#define API_KEY_USE_GRAIN	60

struct api_key {
	int64_t		 id;
	int64_t		 partner_id;
	int64_t		 user_id;
	char		 name[API_KEY_NAME_MAX * 4 + 1];
	char		 prefix[API_KEY_PREFIX_LEN + 1];
	unsigned	 scopes;		/* enum api_scope bits */
	int64_t		 expires_at;		/* 0: never */
	int64_t		 last_used_at;		/* 0: never used */
	int64_t		 revoked_at;		/* 0: not revoked */
	int64_t		 created_by;
	int64_t		 created_at;
	uint8_t		 hash[API_KEY_HASH_LEN];	/* by auth only */
};

/* Stores k with hash; fills k->id and k->created_at. STORE_OK,
 * STORE_CONFLICT (the prefix is taken: draw another) or STORE_ERROR. */
int	store_api_key_create(struct store *, struct api_key *k,
	    const uint8_t hash[API_KEY_HASH_LEN]);
/* Key id of the firm. STORE_OK, STORE_NOTFOUND or STORE_ERROR. */
int	store_api_key_get(struct store *, int64_t partner_id, int64_t id,
	    struct api_key *out);
/*
 * Calls fn for up to limit keys of the firm by id, after after_id, and
 * sets *total to all of the firm's keys. Stops at fn's -1 (STORE_ERROR).
 */
int	store_api_key_list(struct store *, int64_t partner_id,
	    int64_t after_id, int limit,
	    int (*fn)(const struct api_key *, void *), void *arg,
	    int64_t *total);
/* Revokes key id of the firm at now, unless it is already. STORE_OK or
 * STORE_NOTFOUND (no such key) or STORE_ERROR. */
int	store_api_key_revoke(struct store *, int64_t partner_id, int64_t id,
	    int64_t now);
/* The key with prefix, its hash included. STORE_OK, STORE_NOTFOUND or
 * STORE_ERROR. */
int	store_api_key_by_prefix(struct store *, const char *prefix,
	    struct api_key *out);
/* Sets last_used_at to now if it is older. STORE_OK or STORE_ERROR. */
int	store_api_key_touch(struct store *, int64_t id, int64_t now);

#endif
