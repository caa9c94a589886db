/*
 * API keys above the backends (store_api_key.h).
 */
#include "store_backend.h"

int
store_api_key_create(struct store *st, struct api_key *k,
    const uint8_t hash[API_KEY_HASH_LEN])
{
	k->created_at = store_now();
	return st->be->api_key_create(st, k, hash);
}

int
store_api_key_get(struct store *st, int64_t partner_id, int64_t id,
    struct api_key *out)
{
	return st->be->api_key_get(st, partner_id, id, out);
}

int
store_api_key_list(struct store *st, int64_t partner_id, int64_t after_id,
    int limit, int (*fn)(const struct api_key *, void *), void *arg,
    int64_t *total)
{
	return st->be->api_key_list(st, partner_id, after_id, limit, fn, arg,
	    total);
}

int
store_api_key_revoke(struct store *st, int64_t partner_id, int64_t id,
    int64_t now)
{
	return st->be->api_key_revoke(st, partner_id, id, now);
}

int
store_api_key_by_prefix(struct store *st, const char *prefix,
    struct api_key *out)
{
	return st->be->api_key_by_prefix(st, prefix, out);
}

int
store_api_key_touch(struct store *st, int64_t id, int64_t now)
{
	return st->be->api_key_touch(st, id, now);
}
