/*
 * Webhook endpoints and their deliveries in the store (schema.sql version
 * 18): what admins register, the deliveries a trigger queues for each
 * event an endpoint asked for, claimed by the worker under a lease, and
 * each attempt, kept for the deliveries list. SQLite's queries are in
 * common/sqlite/webhook.c, PostgreSQL's in common/pg/webhook.c.
 */
#ifndef COMMON_STORE_WEBHOOK_H
#define COMMON_STORE_WEBHOOK_H

#include <stdint.h>

#include "store.h"
#include "webhook.h"

#define WEBHOOK_EVENTS_MAX	160	/* the event types, space-separated */
#define WEBHOOK_ERROR_MAX	200
#define WEBHOOK_ATTEMPTS_MAX	200	/* a page of the attempts */
/* An endpoint failing this long is disabled. */
#define WEBHOOK_DISABLE_AFTER	(3 * 86400)

struct webhook_endpoint {
	int64_t		 id;
	int64_t		 partner_id;
	char		 url[WEBHOOK_URL_MAX + 1];
	char		 events[WEBHOOK_EVENTS_MAX + 1];
	char		 secret[WEBHOOK_SECRET_MAX + 1];
	int		 enabled;
	int64_t		 failing_since;		/* 0: not failing */
	int64_t		 disabled_at;		/* 0: never disabled */
	int64_t		 created_by;
	int64_t		 created_at;
	int64_t		 updated_at;
};

/* Stores e; fills its id and times. STORE_OK or STORE_ERROR. */
int	store_webhook_create(struct store *, struct webhook_endpoint *e);
/* Endpoint id of the firm. STORE_OK, STORE_NOTFOUND or STORE_ERROR. */
int	store_webhook_get(struct store *, int64_t partner_id, int64_t id,
	    struct webhook_endpoint *out);
/* Calls fn for each endpoint of the firm by id; stops at fn's -1. */
int	store_webhook_list(struct store *, int64_t partner_id,
	    int (*fn)(const struct webhook_endpoint *, void *), void *arg);
/* Deletes the endpoint with its deliveries and attempts. STORE_OK,
 * STORE_NOTFOUND or STORE_ERROR. */
int	store_webhook_delete(struct store *, int64_t partner_id, int64_t id);
/* A new secret for the endpoint; the next attempt signs with it. */
int	store_webhook_set_secret(struct store *, int64_t partner_id,
	    int64_t id, const char *secret);
/* Enables or disables the endpoint; enabling forgets its failures. */
int	store_webhook_set_enabled(struct store *, int64_t partner_id,
	    int64_t id, int enabled);

/* An attempt as the deliveries list shows it; valid during the call. */
struct webhook_attempt {
	int64_t		 id;
	int64_t		 delivery_id;
	int64_t		 event_id;
	const char	*event_type;	/* NULL once the event has expired */
	int		 attempt;	/* 1 for a delivery's first */
	int64_t		 attempted_at;
	int		 http_status;	/* 0: no answer */
	const char	*error;		/* NULL when delivered */
	int64_t		 duration_ms;
	int		 delivered;	/* the delivery, as it now is */
};

/*
 * Calls fn for up to limit attempts at endpoint id of the firm, newest
 * first, before before_id (0: from the newest); stops at fn's -1.
 */
int	store_webhook_attempts(struct store *, int64_t partner_id,
	    int64_t endpoint_id, int64_t before_id, int limit,
	    int (*fn)(const struct webhook_attempt *, void *), void *arg);

/* A delivery the worker has claimed, with what it needs to send it. */
struct webhook_job {
	int64_t		 delivery_id;
	int64_t		 endpoint_id;
	int		 attempt;		/* this one's number */
	char		 url[WEBHOOK_URL_MAX + 1];
	char		 secret[WEBHOOK_SECRET_MAX + 1];
	int64_t		 failing_since;		/* the endpoint's; 0: none */
	int64_t		 event_id;
	char		 event_type[32];
	int64_t		 client_id;		/* 0: none */
	int64_t		 event_at;
	char		*event_data;		/* JSON text; owned */
};

void	webhook_job_cleanup(struct webhook_job *);

/*
 * Claims the delivery due first at now, of an enabled endpoint, for
 * lease seconds, in a transaction of its own, and reads what sending it
 * needs into out (webhook_job_cleanup() it). STORE_OK, STORE_NOTFOUND
 * (none due) or STORE_ERROR. A delivery whose event has expired is
 * dropped on the way.
 */
int	store_webhook_claim(struct store *, int64_t now, int64_t lease,
	    struct webhook_job *out);

/* What one attempt came to. */
struct webhook_outcome {
	int64_t		 at;
	int		 http_status;	/* 0: no answer */
	const char	*error;		/* NULL: delivered */
	int64_t		 duration_ms;
	int64_t		 next_attempt_at;	/* when not delivered */
	int		 disable;	/* the endpoint has failed too long */
	/* With disable: the domain of the notices' Message-IDs. */
	const char	*mail_domain;
};

/*
 * Records the attempt of job and its outcome in a transaction of its
 * own: the attempt's row, the delivery done or due again, the endpoint's
 * run of failures; when outcome->disable, the endpoint disabled and an
 * email queued in the outbox to each active admin of the firm, in the
 * same transaction. Nothing when the lease was lost to another claimer
 * (the attempt number moved on).
 * STORE_OK or STORE_ERROR.
 */
int	store_webhook_record(struct store *, const struct webhook_job *job,
	    const struct webhook_outcome *outcome);

#endif
