/*
 * Notification preferences as the API shows them, shared with the client
 * details.
 */
#ifndef API_PREFERENCES_H
#define API_PREFERENCES_H

#include "../common/store_preference.h"
#include "http.h"

/*
 * The caller's preference for client_id as a new JSON object, or a JSON
 * null when they have none; NULL after answering 500 itself.
 */
cJSON	*preference_json_or_reply(struct request *, int64_t client_id);

#endif
