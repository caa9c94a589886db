/*
 * Users: roles, e-mail addresses as the store keeps them, and the
 * calls on users, through the backend.
 * The backends are common/<backend>/user.c.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "store_backend.h"

int
role_parse(const char *s, enum role *out)
{
	if (strcmp(s, "admin") == 0)
		*out = ROLE_ADMIN;
	else if (strcmp(s, "bookkeeper") == 0)
		*out = ROLE_BOOKKEEPER;
	else if (strcmp(s, "integration") == 0)
		*out = ROLE_INTEGRATION;
	else
		return -1;
	return 0;
}

const char *
role_name(enum role r)
{
	switch (r) {
	case ROLE_ADMIN:
		return "admin";
	case ROLE_BOOKKEEPER:
		return "bookkeeper";
	case ROLE_INTEGRATION:
		return "integration";
	}
	return "unknown";
}

int
user_email_normalize(char *s)
{
	char	*at = NULL, *p;

	for (p = s; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    *p == '<' ||
		    *p == '>' || *p == ',' || *p == ';' || *p == '"')
			return -1;
		else if (*p == '@') {
			if (at != NULL)
				return -1;
			at = p;
		}
	}
	if (at == NULL || at == s || at[1] == '\0' ||
	    (size_t)(p - s) > USER_EMAIL_MAX)
		return -1;
	return 0;
}

int
user_email_accept(char *s)
{
	return user_email_normalize(s) == 0 && address_valid(s) ? 0 : -1;
}

int
user_list_add(const struct user *u, void *arg)
{
	struct user_list	*l = arg;
	struct user		*v;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((v = realloc(l->v, l->cap * sizeof(*v))) == NULL)
			return -1;
		l->v = v;
	}
	l->v[l->n++] = *u;
	return 0;
}

int
store_user_get(struct store *st, int64_t id, struct user *out)
{
	return st->be->user_get(st, id, out);
}

int
store_user_get_to_change(struct store *st, int64_t id, struct user *out)
{
	return st->be->user_get_to_change(st, id, out);
}

int
store_user_get_by_email(struct store *st, const char *email, struct user *out)
{
	return st->be->user_get_by_email(st, email, out);
}

int
store_user_create(struct store *st, struct user *u)
{
	u->created_at = u->updated_at = store_now();
	return st->be->user_create(st, u);
}

int
store_user_update(struct store *st, struct user *u)
{
	u->updated_at = store_now();
	return st->be->user_update(st, u);
}

int
store_user_list(struct store *st, int64_t partner_id,
    int (*fn)(const struct user *, void *), void *arg)
{
	return st->be->user_list(st, partner_id, fn, arg);
}

int
store_user_addresses(struct store *st,
    int (*fn)(int64_t id, const char *email, void *), void *arg)
{
	return st->be->user_addresses(st, fn, arg);
}
