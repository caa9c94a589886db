/*
 * An event's JSON (event_json.h).
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "event_json.h"
#include "log.h"

int
event_json_write(struct jsonw *w, const struct event *ev)
{
	cJSON	*data;
	char	*text;

	if ((data = cJSON_Parse(ev->data)) == NULL ||
	    (text = cJSON_PrintUnformatted(data)) == NULL) {
		cJSON_Delete(data);
		log_warnx("event %lld: data is not JSON", (long long)ev->id);
		return -1;
	}
	jsonw_object_open(w);
	jsonw_key(w, "id");
	jsonw_int(w, ev->id);
	jsonw_key(w, "type");
	jsonw_string(w, ev->type);
	jsonw_key(w, "created_at");
	jsonw_time(w, ev->created_at);
	jsonw_key(w, "client_id");
	if (ev->client_id != 0)
		jsonw_int(w, ev->client_id);
	else
		jsonw_null(w);
	jsonw_key(w, "data");
	jsonw_raw(w, text, strlen(text));
	jsonw_object_close(w);
	cJSON_free(text);
	cJSON_Delete(data);
	return 0;
}
