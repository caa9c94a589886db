/*
 * Loading the client named in the path as the caller may see it, and the
 * answers every client resource gives about it (clients, assignees,
 * expenses, access, preferences, reminders).
 */
#ifndef API_CLIENT_LOAD_H
#define API_CLIENT_LOAD_H

#include "../common/store_client.h"
#include "../common/store_partner.h"
#include "http.h"

/*
 * Loads the client of path parameter idx if the caller may see it; else
 * answers 404 (never 403) and returns -1. client_cleanup() the result.
 */
int	client_load_or_reply(struct request *, int idx, struct client *);
/* client_load_or_reply() of a client the write goes on to rewrite. */
int	client_load_to_change_or_reply(struct request *, int idx,
	    struct client *);

/* Answers 409 naming the client's current status; returns -1. */
int	client_conflict_or_reply(struct request *, const char *status);

/* The caller's firm; -1 after a 500. */
int	firm_or_reply(struct request *, struct partner *);
/* The firm's locale, for sort keys and messages; -1 after a 500. */
int	client_locale_or_reply(struct request *, char *locale, size_t len);

#endif
