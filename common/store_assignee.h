/*
 * Who is assigned to which client. Only active admins and bookkeepers of
 * the client's firm can be assigned.
 */
#ifndef COMMON_STORE_ASSIGNEE_H
#define COMMON_STORE_ASSIGNEE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_user.h"

#define ASSIGNEES_MAX	50

/* Calls fn for each assignee of the client (active or not), by name. */
int	store_assignee_list(struct store *, int64_t client_id,
	    int (*fn)(const struct user *, void *), void *arg);

/*
 * Checks that user_id may be assigned in the partner: STORE_OK, or
 * STORE_NOTFOUND when it is no active admin or bookkeeper of that firm.
 */
int	store_assignee_check(struct store *, int64_t partner_id,
	    int64_t user_id);

/* Adds one; an existing assignment is left as it is. */
int	store_assignee_add(struct store *, int64_t client_id, int64_t user_id);
/* STORE_OK or STORE_NOTFOUND when the user was not assigned. */
int	store_assignee_remove(struct store *, int64_t client_id,
	    int64_t user_id);
/* Removes every assignee of the client (inside the caller's transaction). */
int	store_assignee_clear(struct store *, int64_t client_id);

#endif
