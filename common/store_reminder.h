/*
 * Reminders ("notify accountants"): who sent what about which client, to
 * whom, and each recipient's delivery state read from the outbox.
 */
#ifndef COMMON_STORE_REMINDER_H
#define COMMON_STORE_REMINDER_H

#include <stdint.h>

#include "store.h"
#include "store_partner.h"
#include "store_user.h"

struct reminder {
	int64_t	 id;
	int64_t	 partner_id;
	int64_t	 client_id;
	int64_t	 sender_id;
	char	 sender_name[USER_NAME_MAX * 4 + 1];
	char	*tasks_json;		/* owned; reminder_cleanup() */
	char	*comment;		/* owned */
	int64_t	 created_at;
};

struct reminder_recipient {
	int64_t		 user_id;
	const char	*name;
	const char	*email;
	const char	*status;	/* queued, sent, failed, cancelled */
	const char	*error;		/* NULL unless failed or retrying */
	int64_t		 sent_at;	/* 0 unless sent */
	/* Why it was cancelled (recipient_inactive, …); NULL unless so. */
	const char	*reason;
};

void	reminder_cleanup(struct reminder *);

/* Inserts r (inside the caller's transaction); fills id. */
int	store_reminder_add(struct store *, struct reminder *r);
int	store_reminder_add_recipient(struct store *, int64_t reminder_id,
	    int64_t user_id, int64_t outbox_id);
/* STORE_OK, STORE_NOTFOUND (not of that firm) or STORE_ERROR. */
int	store_reminder_get(struct store *, int64_t partner_id, int64_t id,
	    struct reminder *out);
int	store_reminder_recipients(struct store *, int64_t reminder_id,
	    int (*fn)(const struct reminder_recipient *, void *), void *arg);
/* Ids of the client's reminders, newest first, at most limit. */
int	store_reminder_list(struct store *, int64_t client_id, int limit,
	    int (*fn)(int64_t id, void *), void *arg);
/* The reminders of the rate limits' hour, each with its oldest's time. */
struct reminder_recent {
	int64_t	 by_client;
	int64_t	 client_oldest;		/* 0 when none */
	int64_t	 by_sender;
	int64_t	 sender_oldest;		/* 0 when none */
};

/*
 * What a new reminder needs, read together: the firm (for the e-mails),
 * the reminders since `since` about the client and by the sender (for
 * the rate limits and their Retry-After), and fn called with each active
 * bookkeeper assigned to the client, by name. STORE_NOTFOUND: no firm.
 */
int	store_reminder_context(struct store *, int64_t partner_id,
	    int64_t client_id, int64_t sender_id, int64_t since,
	    struct partner *firm, struct reminder_recent *recent,
	    int (*fn)(const struct user *, void *), void *arg);

#endif
