/*
 * The firm's feed of events (schema.sql version 17): what changed, in the
 * order the changes committed, numbered per firm. The triggers write it;
 * the store reads it a page at a time and deletes what is past keeping.
 */
#ifndef COMMON_STORE_EVENT_H
#define COMMON_STORE_EVENT_H

#include <stdint.h>

#include "store.h"

#define EVENT_LIST_MAX		200
#define EVENT_KEEP		(30 * 86400)	/* seconds an event is kept */

struct event {
	int64_t		 id;		/* stable across the feed and webhooks */
	int64_t		 seq;		/* the firm's number: the feed's order */
	const char	*type;
	int64_t		 client_id;	/* 0: none */
	const char	*data;		/* a JSON object's text */
	int64_t		 created_at;
};

/*
 * Calls fn for up to limit events of the firm numbered after after_seq,
 * in order; the event is valid during the call only. Stops at fn's -1
 * (STORE_ERROR). STORE_OK or STORE_ERROR.
 */
int	store_event_list(struct store *, int64_t partner_id,
	    int64_t after_seq, int limit,
	    int (*fn)(const struct event *, void *), void *arg);

/* Deletes up to max events older than EVENT_KEEP (store_tidy.h). */
int	store_tidy_events(struct store *, int64_t now, int max,
	    int *deleted);

#endif
