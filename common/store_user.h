/*
 * Users of a firm (admins, bookkeepers, integration accounts).
 */
#ifndef COMMON_STORE_USER_H
#define COMMON_STORE_USER_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define USER_EMAIL_MAX		254
#define USER_NAME_MAX		200
#define USER_PASSWORD_MIN	10
/* Code points; at 4 bytes each still under libxcrypt's 512-byte limit. */
#define USER_PASSWORD_MAX	120
#define USER_HASH_MAX		256

/* Bits, so a route can name the set of roles it admits. */
enum role {
	ROLE_ADMIN = 1,
	ROLE_BOOKKEEPER = 2,
	ROLE_INTEGRATION = 4
};

struct user {
	int64_t		 id;
	int64_t		 partner_id;
	char		 email[USER_EMAIL_MAX + 1];
	char		 name[USER_NAME_MAX * 4 + 1];
	enum role	 role;
	int		 active;
	/* The language of the user's emails; "" is the firm's. */
	char		 locale[4];
	char		 password_hash[USER_HASH_MAX];
	int64_t		 created_at;
	int64_t		 updated_at;
	/*
	 * Raised by every change to the user's digest settings that the
	 * list shows (schema.sql, version 26); 0: they never had one.
	 */
	int64_t		 preferences_stamp;
};

/* 0 and the role for "admin", "bookkeeper", "integration"; else -1. */
int		 role_parse(const char *, enum role *);
const char	*role_name(enum role);

/*
 * Lower-cases letters in place and checks the loose shape every stored
 * address has: ASCII only (so case folding is complete and a byte is a
 * character), one '@', something on each side, no spaces or controls.
 * 0 or -1. Enough to look an address up (a login); rows written before
 * address_valid() was the rule may fit only this.
 */
int	user_email_normalize(char *);
/*
 * user_email_normalize(), then the mailbox rule of address_valid(): for
 * an address about to be stored, so that the worker can send to it.
 * 0 or -1.
 */
int	user_email_accept(char *);

/* Fills u->id and the times. STORE_OK, STORE_CONFLICT (email taken) or
 * STORE_ERROR. */
int	store_user_create(struct store *, struct user *u);
/*
 * STORE_OK, STORE_NOTFOUND or STORE_ERROR. Inside a write transaction,
 * the account stays as read until the transaction ends: a request's
 * caller cannot be deactivated or demoted under it.
 */
int	store_user_get(struct store *, int64_t id, struct user *out);
/*
 * store_user_get() of a user the write transaction goes on to change:
 * a concurrent change of the same user waits for this one to end, and
 * then reads what it wrote, so neither writes back a stale copy.
 */
int	store_user_get_to_change(struct store *, int64_t id,
	    struct user *out);
int	store_user_get_by_email(struct store *, const char *email,
	    struct user *out);
/* Users collected by a callback; free(v) when done. */
struct user_list {
	struct user	*v;
	size_t		 n, cap;
};

/* A user callback appending to the struct user_list arg. */
int	user_list_add(const struct user *, void *arg);

/* Writes name, role and active of u (by id and partner). */
int	store_user_update(struct store *, struct user *u);
/* Calls fn for each user of the partner in id order; stops at fn's -1. */
int	store_user_list(struct store *, int64_t partner_id,
	    int (*fn)(const struct user *, void *), void *arg);
/*
 * Calls fn with the id and the stored address of each user of every firm,
 * in id order, the address as stored whatever its length; stops at fn's
 * -1. For start-up checks, not for requests.
 */
int	store_user_addresses(struct store *,
	    int (*fn)(int64_t id, const char *email, void *), void *arg);

#endif
