/*
 * Partners: what a firm's locale and time zone may be, and the calls
 * on partners, through the backend.
 * The backends are common/<backend>/partner.c.
 */
#include <string.h>

#include "store_backend.h"
#include "tz.h"

const char *const partner_locales[] = { "sv", "da", "nb", "en", NULL };

int
partner_locale_valid(const char *s)
{
	size_t	 i;

	for (i = 0; partner_locales[i] != NULL; i++)
		if (strcmp(s, partner_locales[i]) == 0)
			return 1;
	return 0;
}

int
partner_timezone_valid(const char *tz)
{
	return tz_valid(tz);
}

int
store_partner_create(struct store *st, struct partner *p)
{
	p->created_at = store_now();
	return st->be->partner_create(st, p);
}

int
store_partner_get(struct store *st, int64_t id, struct partner *out)
{
	return st->be->partner_get(st, id, out);
}

int
store_partner_list(struct store *st, int (*fn)(const struct partner *, void *),
    void *arg)
{
	return st->be->partner_list(st, fn, arg);
}
