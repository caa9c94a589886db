/*
 * An event as the API shows it, in the feed (GET /v1/events) and in a
 * webhook's body alike: {"id", "type", "created_at", "client_id",
 * "data"}.
 */
#ifndef COMMON_EVENT_JSON_H
#define COMMON_EVENT_JSON_H

#include "jsonw.h"
#include "store_event.h"

/*
 * Writes ev into w. Its data is read and written again, so that the two
 * backends' JSON text goes out the same. 0, or -1 when data is not JSON
 * (logged).
 */
int	event_json_write(struct jsonw *w, const struct event *ev);

#endif
