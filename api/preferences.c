/*
 * Email digest preferences per user and client, and the caller's list of
 * them. A digest's unsubscribe link is unsubscribe.c's.
 */
#include <stdio.h>
#include <string.h>

#include "../common/log.h"
#include "../common/schedule.h"
#include "../common/store_partner.h"
#include "client_load.h"
#include "preferences.h"
#include "route.h"

static const char *const preference_frequencies[] = {
	"daily", "weekly", "monthly", NULL
};

static const struct json_field preference_put_fields[] = {
	{ "email", JSON_KIND_BOOL, 1, 0, 0, NULL },
	{ "frequency", JSON_KIND_STRING, 0, 1, 8, preference_frequencies },
	{ "alerts_only", JSON_KIND_BOOL, 0, 0, 0, NULL },
};
static const struct json_schema preference_put_schema = {
	preference_put_fields,
	sizeof(preference_put_fields) / sizeof(preference_put_fields[0])
};

/*
 * The next digest that will carry this preference: its first delivery
 * (the first slot at or after its start) while that is still to come,
 * else the next slot. 0 when email is off.
 */
static int
preference_next_delivery(const char *zone, const struct preference *p,
    int64_t now, int64_t *next)
{
	enum schedule_freq	 f;
	int64_t			 first, after;

	*next = 0;
	if (!p->email)
		return 0;
	if (schedule_freq_parse(p->frequency, &f) == -1 ||
	    schedule_first_slot(zone, f, p->starts_at, &first) == -1)
		return -1;
	if (first > now) {
		*next = first;
		return 0;
	}
	if (schedule_next_slot(zone, f, now, &after) == -1)
		return -1;
	*next = after;
	return 0;
}

int
preference_write(struct jsonw *w, const char *zone,
    const struct preference *p, int64_t now)
{
	int64_t	 next;

	if (preference_next_delivery(zone, p, now, &next) == -1)
		return -1;
	jsonw_object_open(w);
	jsonw_key(w, "client_id");
	jsonw_int(w, p->client_id);
	jsonw_key(w, "email");
	jsonw_bool(w, p->email);
	jsonw_key(w, "frequency");
	jsonw_string(w, p->frequency);
	jsonw_key(w, "alerts_only");
	jsonw_bool(w, p->alerts_only);
	jsonw_key(w, "next_delivery_at");
	if (next > 0)
		jsonw_time(w, next);
	else
		jsonw_null(w);
	jsonw_key(w, "updated_at");
	jsonw_time(w, p->updated_at);
	jsonw_object_close(w);
	return 0;
}

/* preference_write()'s object as a cJSON tree; NULL on failure. */
static cJSON *
preference_doc(const char *zone, const struct preference *p)
{
	struct buf	 b;
	struct jsonw	 w;
	cJSON		*o = NULL;

	buf_init(&b, 4096);
	jsonw_init(&w, &b);
	if (preference_write(&w, zone, p, store_now()) == 0 && !w.error)
		o = cJSON_ParseWithLength(b.data, b.len);
	buf_cleanup(&b);
	return o;
}

static int
preference_zone_or_reply(struct request *req, char *zone, size_t len)
{
	struct partner	 p;

	if (firm_or_reply(req, &p) == -1)
		return -1;
	(void)snprintf(zone, len, "%s", p.timezone);
	return 0;
}

cJSON *
preference_json_or_reply(struct request *req, int64_t client_id)
{
	struct preference	 p;
	char			 zone[PARTNER_TZ_MAX + 1];
	cJSON			*doc;
	int			 rc;

	rc = store_preference_get(req->store, req->user.id, client_id, &p);
	if (rc == STORE_NOTFOUND)
		return cJSON_CreateNull();
	if (rc != STORE_OK ||
	    preference_zone_or_reply(req, zone, sizeof(zone)) == -1) {
		(void)reply_internal_error(req);
		return NULL;
	}
	if ((doc = preference_doc(zone, &p)) == NULL)
		(void)reply_internal_error(req);
	return doc;
}

static void
preference_get(struct request *req)
{
	struct client	 c;
	cJSON		*doc;

	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	if ((doc = preference_json_or_reply(req, c.id)) == NULL)
		goto out;
	if (cJSON_IsNull(doc)) {
		/* Never set: email off, weekly offered as the default. */
		cJSON_Delete(doc);
		if ((doc = cJSON_CreateObject()) == NULL ||
		    json_add_int(doc, "client_id", c.id) == NULL ||
		    cJSON_AddFalseToObject(doc, "email") == NULL ||
		    cJSON_AddStringToObject(doc, "frequency",
		    PREFERENCE_DEFAULT_FREQUENCY) == NULL ||
		    cJSON_AddFalseToObject(doc, "alerts_only") == NULL ||
		    cJSON_AddNullToObject(doc, "next_delivery_at") == NULL ||
		    cJSON_AddNullToObject(doc, "updated_at") == NULL) {
			cJSON_Delete(doc);
			doc = NULL;
		}
	}
	(void)reply_json(req, 200, doc);
out:
	client_cleanup(&c);
}

static void
preference_put(struct request *req)
{
	struct preference	 p, old;
	struct client		 c;
	char			 zone[PARTNER_TZ_MAX + 1];
	int64_t			 now = store_now();
	int			 rc, same;

	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	if (preference_zone_or_reply(req, zone, sizeof(zone)) == -1)
		goto out;
	memset(&p, 0, sizeof(p));
	p.user_id = req->user.id;
	p.client_id = c.id;
	p.email = json_get_bool(req->body, "email", 0);
	p.updated_at = now;
	if (store_begin(req->store) == -1)
		goto fail;
	rc = store_preference_get(req->store, p.user_id, p.client_id, &old);
	if (rc == STORE_ERROR)
		goto fail;
	/* Left out: the frequency saved before, else the weekly default. */
	(void)snprintf(p.frequency, sizeof(p.frequency), "%s",
	    json_has(req->body, "frequency") ?
	    json_get_string(req->body, "frequency") :
	    rc == STORE_OK ? old.frequency : PREFERENCE_DEFAULT_FREQUENCY);
	p.alerts_only = json_get_bool(req->body, "alerts_only",
	    rc == STORE_OK ? old.alerts_only : 0);
	/*
	 * A new setting starts at the next Monday 10:00; saving the same
	 * subscription again keeps the start it has.
	 */
	same = rc == STORE_OK && old.email && p.email &&
	    strcmp(old.frequency, p.frequency) == 0;
	if (same)
		p.starts_at = old.starts_at;
	else if (schedule_start(zone, now, &p.starts_at) == -1)
		goto fail;
	/*
	 * Subscribing (again, or at another frequency) ends the unsubscribe
	 * links of the digests sent before: they were for another
	 * subscription.
	 */
	if (store_preference_put(req->store, &p) != STORE_OK ||
	    (p.email && !same && store_preference_renew(req->store,
	    p.user_id, p.client_id) != STORE_OK) ||
	    store_commit(req->store) == -1)
		goto fail;
	log_info("user %lld: client %lld email=%d %s", (long long)p.user_id,
	    (long long)p.client_id, p.email, p.frequency);
	(void)reply_json(req, 200, preference_doc(zone, &p));
	goto out;
fail:
	store_rollback(req->store);
	(void)reply_internal_error(req);
out:
	client_cleanup(&c);
}

struct preference_list {
	const char	*zone;
	cJSON		*data;
};

/* A preference in the caller's list, with its client's name. */
static int
preference_list_add(const struct preference *p, const char *client_name,
    void *arg)
{
	struct preference_list	*l = arg;
	cJSON			*o;

	if ((o = preference_doc(l->zone, p)) == NULL)
		return -1;
	if (cJSON_AddStringToObject(o, "client_name", client_name) == NULL) {
		cJSON_Delete(o);
		return -1;
	}
	cJSON_AddItemToArray(l->data, o);
	return 0;
}

static void
preference_list(struct request *req)
{
	struct preference_list	 l;
	char			 zone[PARTNER_TZ_MAX + 1];
	cJSON			*doc;

	if (preference_zone_or_reply(req, zone, sizeof(zone)) == -1)
		return;
	l.zone = zone;
	if ((doc = cJSON_CreateObject()) == NULL ||
	    (l.data = cJSON_AddArrayToObject(doc, "data")) == NULL ||
	    store_preference_list(req->store, req->user.id,
	    preference_list_add, &l) != STORE_OK) {
		cJSON_Delete(doc);
		(void)reply_internal_error(req);
		return;
	}
	(void)reply_json(req, 200, doc);
}

const struct route preferences_routes[] = {
	{ .method = "GET",
	    .pattern = "/v1/clients/{id}/notification-preference",
	    .handler = preference_get, .roles = ROUTE_STAFF,
	    .body = ROUTE_BODY_NONE },
	{ .method = "PUT",
	    .pattern = "/v1/clients/{id}/notification-preference",
	    .handler = preference_put, .roles = ROUTE_STAFF,
	    .body = ROUTE_BODY_SCHEMA, .schema = &preference_put_schema },
	{ .method = "GET", .pattern = "/v1/me/notification-preferences",
	    .handler = preference_list, .roles = ROUTE_STAFF,
	    .body = ROUTE_BODY_NONE },
};
const size_t preferences_n_routes = sizeof(preferences_routes) /
    sizeof(preferences_routes[0]);
