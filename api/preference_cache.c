/*
 * A copy of each recent viewer's digest settings, sorted by client, with
 * the stamp it was read at. A copy never changes once made: threads hold
 * it by reference while they read it, and a newer one takes its place.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../common/store_preference.h"
#include "../common/text.h"
#include "preference_cache.h"

/*
 * The viewers kept, the least recently used making room. A page of the
 * list needs its viewer's settings only, and the viewers of one process
 * at once are few.
 */
#define PREFERENCE_CACHE_USERS	64
/*
 * The most settings a copy holds (about 64 bytes each): a viewer with
 * more, a setting for nearly every client of a large firm, is asked per
 * page, and the copy remembers only that.
 */
#define PREFERENCE_CACHE_SETTINGS	2048

struct preference_copy {
	int64_t			 user_id;
	int64_t			 stamp;
	int			 too_many;
	struct preference	*v;		/* by client id */
	size_t			 n;
	size_t			 cap;
	unsigned		 refs;		/* the table's, and readers' */
	uint64_t		 used;
};

static pthread_mutex_t		 preference_cache_lock =
				    PTHREAD_MUTEX_INITIALIZER;
static struct preference_copy	*preference_cache[PREFERENCE_CACHE_USERS];
static uint64_t			 preference_cache_clock;

static void
preference_copy_free(struct preference_copy *c)
{
	if (c == NULL)
		return;
	free(c->v);
	free(c);
}

/* Drops a reference; the caller holds the lock. */
static void
preference_copy_unref(struct preference_copy *c)
{
	if (c != NULL && --c->refs == 0)
		preference_copy_free(c);
}

/* The viewer's copy at stamp, referenced, or NULL. */
static struct preference_copy *
preference_cache_get(int64_t user_id, int64_t stamp)
{
	struct preference_copy	*c, *found = NULL;
	size_t			 i;

	pthread_mutex_lock(&preference_cache_lock);
	for (i = 0; i < PREFERENCE_CACHE_USERS; i++) {
		c = preference_cache[i];
		if (c != NULL && c->user_id == user_id && c->stamp == stamp) {
			c->refs++;
			c->used = ++preference_cache_clock;
			found = c;
			break;
		}
	}
	pthread_mutex_unlock(&preference_cache_lock);
	return found;
}

static void
preference_cache_put(struct preference_copy *c)
{
	struct preference_copy	**slot = NULL, *old;
	size_t			  i;

	pthread_mutex_lock(&preference_cache_lock);
	for (i = 0; i < PREFERENCE_CACHE_USERS; i++) {
		old = preference_cache[i];
		/* The viewer's own place, else an empty one, else the oldest. */
		if (old != NULL && old->user_id == c->user_id) {
			slot = &preference_cache[i];
			break;
		}
		if (slot == NULL || (*slot != NULL &&
		    (old == NULL || old->used < (*slot)->used)))
			slot = &preference_cache[i];
	}
	old = *slot;
	c->refs++;
	c->used = ++preference_cache_clock;
	*slot = c;
	preference_copy_unref(old);
	pthread_mutex_unlock(&preference_cache_lock);
}

static void
preference_cache_release(struct preference_copy *c)
{
	pthread_mutex_lock(&preference_cache_lock);
	preference_copy_unref(c);
	pthread_mutex_unlock(&preference_cache_lock);
}

/* A store_preference_each() row into the copy at arg, in order. */
static int
preference_copy_add(const struct preference *p, void *arg)
{
	struct preference_copy	*c = arg;
	struct preference	*v;
	size_t			 cap;

	if (c->n == PREFERENCE_CACHE_SETTINGS) {
		c->too_many = 1;
		return -1;
	}
	if (c->n == c->cap) {
		cap = c->cap == 0 ? 16 : c->cap * 2;
		if (cap > PREFERENCE_CACHE_SETTINGS)
			cap = PREFERENCE_CACHE_SETTINGS;
		if ((v = reallocarray(c->v, cap, sizeof(*v))) == NULL) {
			log_warn("reallocarray");
			return -1;
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = *p;
	return 0;
}

/* The viewer's settings read afresh, referenced, or NULL on an error. */
static struct preference_copy *
preference_copy_read(struct store *st, const struct user *viewer)
{
	struct preference_copy	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("calloc");
		return NULL;
	}
	c->user_id = viewer->id;
	c->stamp = viewer->preferences_stamp;
	c->refs = 1;
	if (store_preference_each(st, viewer->id, preference_copy_add, c) !=
	    STORE_OK && !c->too_many) {
		preference_copy_free(c);
		return NULL;
	}
	if (c->too_many) {
		free(c->v);
		c->v = NULL;
		c->n = c->cap = 0;
	}
	preference_cache_put(c);
	return c;
}

/* A client id against a setting, for bsearch(). */
static int
preference_by_client(const void *key, const void *elem)
{
	const struct preference	*p = elem;

	return text_id_cmp(key, &p->client_id);
}

int
preference_cache_page(struct store *st, const struct user *viewer,
    const int64_t *ids, size_t n,
    int (*fn)(const struct client_page_fact *, void *), void *arg)
{
	struct preference_copy	*c;
	struct client_page_fact	 f;
	const struct preference	*p;
	size_t			 i;
	int			 rc = STORE_OK;

	/* Never a setting: nothing to look for. */
	if (viewer->preferences_stamp == 0 || n == 0)
		return STORE_OK;
	if ((c = preference_cache_get(viewer->id,
	    viewer->preferences_stamp)) == NULL &&
	    (c = preference_copy_read(st, viewer)) == NULL)
		return STORE_ERROR;
	if (c->too_many) {
		preference_cache_release(c);
		return store_client_page_facts(st, viewer->id, ids, n, fn, arg);
	}
	for (i = 0; i < n && rc == STORE_OK; i++) {
		if ((p = bsearch(&ids[i], c->v, c->n, sizeof(*c->v),
		    preference_by_client)) == NULL)
			continue;
		f.client_id = p->client_id;
		f.preference = p;
		if (fn(&f, arg) == -1)
			rc = STORE_ERROR;
	}
	preference_cache_release(c);
	return rc;
}
