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
/*
 * The delivery states of a reminder, from its recipients' emails
 * (schema.sql, version 22): "pending" while one is queued or sending;
 * then "failed" (none sent), "partly_failed" (some sent, some failed),
 * "delivered" (sent, the others if any cancelled) or "cancelled" (all
 * cancelled). The store's own text for s, or NULL when s names none.
 */
const char	*reminder_state_name(const char *s);

/* A page of the firm's reminders, newest first by (created_at, id). */
struct reminder_query {
	int64_t		 partner_id;
	int64_t		 client_id;	/* 0: any */
	int64_t		 sender_id;	/* 0: any */
	const char	*state;		/* reminder_state_name(); NULL: any */
	int64_t		 since;		/* created_at >= since; 0: any */
	int64_t		 until;		/* created_at < until; INT64_MAX */
	/* Set: only reminders after this one, newest first. */
	int		 has_after;
	int64_t		 after_at;
	int64_t		 after_id;
	int		 limit;		/* reminders, not rows */
};

/* One reminder of a page; the texts last until the callback returns. */
struct reminder_item {
	int64_t		 id;
	int64_t		 client_id;
	const char	*client_name;
	int64_t		 sender_id;
	const char	*sender_name;
	const char	*tasks_json;
	const char	*comment;
	const char	*state;
	int64_t		 created_at;
};

/*
 * Calls fn for each recipient of each reminder of the page, in one
 * query: the reminders newest first, each one's recipients by name,
 * rec NULL for a reminder without any. fn's -1 stops the walk.
 */
int	store_reminder_page(struct store *, const struct reminder_query *q,
	    int (*fn)(const struct reminder_item *,
	    const struct reminder_recipient *rec, void *), void *arg);

/* A recipient whose email failed for good; payload lasts the call. */
struct reminder_failure {
	int64_t		 user_id;
	int		 assigned;	/* still assigned to the client */
	int64_t		 outbox_id;
	const char	*payload;	/* the failed email's */
};

/*
 * Calls fn with each recipient of the reminder whose current email has
 * failed for good, by name, and holds them (inside the caller's write
 * transaction) until it ends, so that two resends of one reminder take
 * turns and the second finds nothing left to send.
 */
int	store_reminder_failures(struct store *, int64_t reminder_id,
	    int (*fn)(const struct reminder_failure *, void *), void *arg);
/*
 * Points the recipient at the email of its resend, replacing the failed
 * one (old_outbox_id) it pointed at. STORE_OK, STORE_CONFLICT when it
 * no longer points at that one, or STORE_ERROR.
 */
int	store_reminder_relink(struct store *, int64_t reminder_id,
	    int64_t user_id, int64_t old_outbox_id, int64_t new_outbox_id);

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
 * the rate limits and their Retry-After), and fn called with each user
 * assigned to the client, by name, active or not and of any role (the
 * caller applies reminder_rule.h). STORE_NOTFOUND: no firm.
 */
int	store_reminder_context(struct store *, int64_t partner_id,
	    int64_t client_id, int64_t sender_id, int64_t since,
	    struct partner *firm, struct reminder_recent *recent,
	    int (*fn)(const struct user *, void *), void *arg);

#endif
