/*
 * Login throttling: claims of password checks, through the backend.
 * The backends are common/<backend>/login.c.
 */
#include "store_backend.h"

int
store_login_claim(struct store *st, const char *email, const char *source,
    int64_t now, const struct login_limits *lim, int64_t *retry_after)
{
	return st->be->login_claim(st, email, source, now, lim, retry_after);
}

int
store_login_release(struct store *st, const char *email, const char *source)
{
	return st->be->login_release(st, email, source);
}
