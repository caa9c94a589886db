/*
 * Partners (accounting firms): the tenant every other row belongs to.
 */
#ifndef COMMON_STORE_PARTNER_H
#define COMMON_STORE_PARTNER_H

#include <stdint.h>

#include "store.h"

#define PARTNER_NAME_MAX	200
#define PARTNER_TZ_MAX		64

struct partner {
	int64_t	 id;
	char	 name[PARTNER_NAME_MAX * 4 + 1];
	char	 locale[4];
	char	 timezone[PARTNER_TZ_MAX + 1];
	int64_t	 created_at;
};

/*
 * The languages of firms and of users' emails, NULL-terminated: sv, da,
 * nb and en.
 */
extern const char *const partner_locales[];
/* Nonzero for one of partner_locales. */
int	partner_locale_valid(const char *);
/* Nonzero when the zone names a file of the system's tz database. */
int	partner_timezone_valid(const char *);

/* Fills p->id. STORE_OK or STORE_ERROR. */
int	store_partner_create(struct store *, struct partner *p);
/* STORE_OK, STORE_NOTFOUND or STORE_ERROR. */
int	store_partner_get(struct store *, int64_t id, struct partner *out);
/* Calls fn for every partner, by id; stops at fn's -1. */
int	store_partner_list(struct store *,
	    int (*fn)(const struct partner *, void *), void *arg);

#endif
