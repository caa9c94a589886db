/*
 * Notification preferences, through the backend.
 * The backends are common/<backend>/preference.c.
 */
#include "store_backend.h"

int
store_preference_get(struct store *st, int64_t user_id, int64_t client_id,
    struct preference *out)
{
	return st->be->preference_get(st, user_id, client_id, out);
}

int
store_preference_put(struct store *st, const struct preference *p)
{
	return st->be->preference_put(st, p);
}

int
store_preference_renew(struct store *st, int64_t user_id, int64_t client_id)
{
	return st->be->preference_renew(st, user_id, client_id);
}

int
store_preference_generation(struct store *st, int64_t user_id,
    const char *frequency, int64_t *generation)
{
	return st->be->preference_generation(st, user_id, frequency,
	    generation);
}

int
store_preference_list(struct store *st, int64_t user_id,
    int (*fn)(const struct preference *, const char *, void *), void *arg)
{
	return st->be->preference_list(st, user_id, fn, arg);
}

int
store_preference_each(struct store *st, int64_t user_id,
    int (*fn)(const struct preference *, void *), void *arg)
{
	return st->be->preference_each(st, user_id, fn, arg);
}

int
store_preference_unsubscribe(struct store *st, int64_t user_id,
    const char *frequency, int64_t client_id, int64_t generation, int *changed)
{
	return st->be->preference_unsubscribe(st, user_id, frequency,
	    client_id, generation, changed);
}

int
store_preference_link_check(struct store *st, int64_t user_id,
    const char *frequency, int64_t client_id, int64_t generation)
{
	return st->be->preference_link_check(st, user_id, frequency,
	    client_id, generation);
}
