/*
 * The audit trail: who did what to which client, when, from where.
 */
#ifndef COMMON_STORE_AUDIT_H
#define COMMON_STORE_AUDIT_H

#include <stdint.h>

#include "store.h"

struct audit_event {
	int64_t		 id;
	int64_t		 user_id;
	const char	*user_name;
	int64_t		 client_id;	/* 0 when none */
	const char	*action;
	const char	*remote_addr;
	int64_t		 created_at;
};

int	store_audit_add(struct store *, int64_t partner_id, int64_t user_id,
	    int64_t client_id, const char *action, const char *remote_addr);

/*
 * Calls fn for up to limit events of the firm, newest first, with id
 * below before_id (0: from the newest); client_id 0 means every client.
 * Pointers in the event are valid during the callback only.
 */
int	store_audit_list(struct store *, int64_t partner_id, int64_t client_id,
	    int64_t before_id, int limit,
	    int (*fn)(const struct audit_event *, void *), void *arg);

#endif
