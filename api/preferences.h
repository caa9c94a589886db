/*
 * Notification preferences as the API shows them, shared with the client
 * details.
 */
#ifndef API_PREFERENCES_H
#define API_PREFERENCES_H

#include "../common/jsonw.h"
#include "../common/store_preference.h"
#include "http.h"

/*
 * The caller's preference for client_id as a new JSON object, or a JSON
 * null when they have none; NULL after answering 500 itself.
 */
cJSON	*preference_json_or_reply(struct request *, int64_t client_id);
/*
 * Writes p as the preference routes show it, its next delivery worked
 * out in the firm's zone at now. 0, or -1 when the zone or the
 * frequency is not one the schedule knows (nothing written).
 */
int	preference_write(struct jsonw *, const char *zone,
	    const struct preference *p, int64_t now);

#endif
