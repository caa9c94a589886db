/*
 * "Notify accountants": an admin asks every bookkeeper assigned to a
 * client to act on the ticked tasks. The reminder and one outbox email per
 * recipient are one transaction; the worker delivers them. Admins read
 * back who got what and each delivery's state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/client_action.h"
#include "../common/json.h"
#include "../common/log.h"
#include "../common/store_outbox.h"
#include "../common/store_partner.h"
#include "../common/reminder_rule.h"
#include "../common/store_reminder.h"
#include "client_load.h"
#include "reminder_admin.h"
#include "route.h"

#define REMINDER_COMMENT_MAX	2000
#define REMINDER_WINDOW		3600	/* seconds the limits count over */
#define REMINDER_LIST_MAX	50

static const char *const reminder_tasks[] = {
	"missing_receipts", "export_ready", "balance", NULL
};

static const struct json_field reminder_fields[] = {
	{ "tasks", JSON_KIND_STRING_ARRAY, 1, 1, 3, reminder_tasks },
	{ "comment", JSON_KIND_TEXT, 0, 0, REMINDER_COMMENT_MAX, NULL },
};
static const struct json_schema reminder_schema = { reminder_fields, 2 };

static int
reminder_rate_limited_or_reply(struct request *req, int64_t oldest,
    int64_t now)
{
	char	 secs[24];
	int64_t	 wait = oldest + REMINDER_WINDOW - now;

	(void)snprintf(secs, sizeof(secs), "%lld",
	    (long long)(wait > 0 ? wait : 1));
	(void)reply_problem(req, 429, PROBLEM_RATE_LIMITED,
	    "Too many reminders", "Too many reminders were sent for this "
	    "client or by you in the last hour. Try again later.");
	(void)reply_header(req, "Retry-After", secs);
	return -1;
}

/* What one recipient's email says, as the worker's renderer reads it. */
static char *
reminder_payload(struct request *req, const struct partner *firm,
    const struct client *c, const struct user *to, const cJSON *tasks,
    const char *comment)
{
	cJSON	*doc, *o;
	char	*text = NULL, url[512], manage[512];
	int	 n;

	n = snprintf(url, sizeof(url), "%s/clients/%lld", req->cfg->app_url,
	    (long long)c->id);
	if (n < 0 || (size_t)n >= sizeof(url) ||
	    config_app_link(req->cfg, CONFIG_NOTIFICATIONS_PATH, manage,
	    sizeof(manage)) == -1)
		return NULL;
	if ((doc = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(doc, "kind", "reminder") == NULL ||
	    cJSON_AddStringToObject(doc, "locale", to->locale[0] != '\0' ?
	    to->locale : firm->locale) == NULL ||
	    (o = cJSON_AddObjectToObject(doc, "to")) == NULL ||
	    cJSON_AddStringToObject(o, "email", to->email) == NULL ||
	    cJSON_AddStringToObject(o, "name", to->name) == NULL ||
	    cJSON_AddStringToObject(doc, "firm", firm->name) == NULL ||
	    json_add_int(doc, "firm_id", firm->id) == NULL ||
	    cJSON_AddStringToObject(doc, "manage_url", manage) == NULL ||
	    (o = cJSON_AddObjectToObject(doc, "sender")) == NULL ||
	    cJSON_AddStringToObject(o, "name", req->user.name) == NULL ||
	    cJSON_AddStringToObject(o, "email", req->user.email) == NULL ||
	    (o = cJSON_AddObjectToObject(doc, "client")) == NULL ||
	    json_add_int(o, "id", c->id) == NULL ||
	    cJSON_AddStringToObject(o, "name", c->name) == NULL ||
	    cJSON_AddStringToObject(o, "url", url) == NULL ||
	    json_add_int(o, "balance_minor", c->balance_minor) == NULL ||
	    cJSON_AddStringToObject(o, "currency", c->currency) == NULL ||
	    json_add_int(o, "missing_receipts", c->missing_receipts) == NULL ||
	    json_add_int(o, "export_ready", c->export_ready) == NULL ||
	    cJSON_AddItemToObject(doc, "tasks",
	    cJSON_Duplicate(tasks, 1)) == 0 ||
	    cJSON_AddStringToObject(doc, "comment", comment) == NULL)
		goto out;
	text = cJSON_PrintUnformatted(doc);
out:
	cJSON_Delete(doc);
	return text;
}

/* The context's assignees kept as recipients: reminder_rule.h decides. */
static int
reminder_recipient_keep(const struct user *u, void *arg)
{
	if (reminder_rule_refusal(u, 1) != NULL)
		return 0;
	return user_list_add(u, arg);
}

/*
 * Reads ?dry_run: 1 for true, 0 for false or absent, -1 after
 * answering 400.
 */
static int
reminder_dry_run_or_reply(struct request *req)
{
	char	 v[8];
	int	 rc;

	if ((rc = request_query_or_reply(req, "dry_run", v, sizeof(v))) != 1)
		return rc;
	if (strcmp(v, "true") == 0)
		return 1;
	if (strcmp(v, "false") == 0)
		return 0;
	return reply_invalid_query(req, "dry_run", "must be true or false");
}

static void
reminder_create(struct request *req)
{
	const cJSON			*tasks;
	const char			*comment;
	struct user_list		 to;
	struct reminder			 r;
	struct partner			 firm;
	struct reminder_recent		 recent;
	struct client			 c;
	cJSON				*doc = NULL, *list;
	char				*payload, msgid[160];
	int64_t				 now = store_now();
	int64_t				 outbox_id;
	size_t				 i;
	int				 client_full, sender_full, dry_run;

	memset(&to, 0, sizeof(to));
	memset(&r, 0, sizeof(r));
	if ((dry_run = reminder_dry_run_or_reply(req)) == -1)
		return;
	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	tasks = cJSON_GetObjectItemCaseSensitive(req->body, "tasks");
	comment = json_get_string(req->body, "comment");
	if (comment == NULL)
		comment = "";
	/* The status first: the recipients are read in the write. */
	if (client_action_refusal(CLIENT_ACTION_NOTIFY, c.status, 1) !=
	    CLIENT_ACTION_OK) {
		(void)client_conflict_or_reply(req, c.status);
		goto out;
	}
	/* Who would receive it, by the same rule; nothing written or counted. */
	if (dry_run) {
		reminder_preview_reply(req, &c);
		goto out;
	}
	if (store_begin(req->store) == -1)
		goto fail_early;
	if (store_reminder_context(req->store, req->user.partner_id, c.id,
	    req->user.id, now - REMINDER_WINDOW, &firm, &recent,
	    reminder_recipient_keep, &to) != STORE_OK)
		goto fail;
	/* The hour's limits: PORTAL_NOTIFY_PER_{CLIENT,SENDER}_HOUR. */
	client_full = recent.by_client >= req->cfg->notify_per_client_hour;
	sender_full = recent.by_sender >= req->cfg->notify_per_sender_hour;
	if (client_full || sender_full) {
		store_rollback(req->store);
		/* Wait for the window that frees up last. */
		(void)reminder_rate_limited_or_reply(req,
		    client_full && sender_full ?
		    (recent.client_oldest > recent.sender_oldest ?
		    recent.client_oldest : recent.sender_oldest) :
		    client_full ? recent.client_oldest : recent.sender_oldest,
		    now);
		goto out;
	}
	if (client_action_refusal(CLIENT_ACTION_NOTIFY, c.status, to.n > 0) ==
	    CLIENT_ACTION_NO_RECIPIENT) {
		store_rollback(req->store);
		(void)reply_problem(req, 422, PROBLEM_VALIDATION,
		    "No bookkeeper assigned", "No active bookkeeper is "
		    "assigned to this client, so there is no one to notify.");
		goto out;
	}
	r.partner_id = req->user.partner_id;
	r.client_id = c.id;
	r.sender_id = req->user.id;
	if ((r.tasks_json = cJSON_PrintUnformatted(tasks)) == NULL ||
	    (r.comment = strdup(comment)) == NULL ||
	    store_reminder_add(req->store, &r) != STORE_OK)
		goto fail;
	if ((doc = cJSON_CreateObject()) == NULL ||
	    json_add_int(doc, "id", r.id) == NULL ||
	    cJSON_AddStringToObject(doc, "status", "queued") == NULL ||
	    (list = cJSON_AddArrayToObject(doc, "recipients")) == NULL)
		goto fail;
	for (i = 0; i < to.n; i++) {
		(void)snprintf(msgid, sizeof(msgid), "reminder.%lld.%lld@%s",
		    (long long)r.id, (long long)to.v[i].id,
		    config_mail_domain(req->cfg));
		payload = reminder_payload(req, &firm, &c, &to.v[i], tasks,
		    comment);
		if (payload == NULL ||
		    store_outbox_add(req->store, "reminder", to.v[i].id,
		    to.v[i].email, payload, msgid, &outbox_id) != STORE_OK) {
			cJSON_free(payload);
			goto fail;
		}
		cJSON_free(payload);
		if (store_reminder_add_recipient(req->store, r.id, to.v[i].id,
		    outbox_id) != STORE_OK ||
		    reminder_person_add(list, &to.v[i]) == NULL)
			goto fail;
	}
	if (json_add_time(doc, "created_at", r.created_at) == NULL ||
	    store_commit(req->store) == -1)
		goto fail;
	log_info("reminder %lld about client %lld by user %lld to %zu "
	    "bookkeepers", (long long)r.id, (long long)c.id,
	    (long long)req->user.id, to.n);
	reminder_queued_reply(req, r.id, doc);
	doc = NULL;
	goto out;
fail:
	store_rollback(req->store);
fail_early:
	(void)reply_internal_error(req);
out:
	cJSON_Delete(doc);
	reminder_cleanup(&r);
	free(to.v);
	client_cleanup(&c);
}

static int
reminder_recipient_json(const struct reminder_recipient *rr, void *arg)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddItemToArray(arg, o);
	if (json_add_int(o, "user_id", rr->user_id) == NULL ||
	    cJSON_AddStringToObject(o, "name", rr->name) == NULL ||
	    cJSON_AddStringToObject(o, "email", rr->email) == NULL ||
	    cJSON_AddStringToObject(o, "status", rr->status) == NULL ||
	    (rr->sent_at > 0 ? json_add_time(o, "sent_at", rr->sent_at) :
	    cJSON_AddNullToObject(o, "sent_at")) == NULL ||
	    (rr->error != NULL ? cJSON_AddStringToObject(o, "error",
	    rr->error) : cJSON_AddNullToObject(o, "error")) == NULL ||
	    (rr->reason != NULL ? cJSON_AddStringToObject(o, "reason",
	    rr->reason) : cJSON_AddNullToObject(o, "reason")) == NULL)
		return -1;
	return 0;
}

/* The reminder as GET shows it; NULL on failure. */
static cJSON *
reminder_json(struct request *req, int64_t id)
{
	struct reminder	 r;
	cJSON		*o, *s, *tasks, *list;

	if (store_reminder_get(req->store, req->user.partner_id, id, &r) !=
	    STORE_OK)
		return NULL;
	if ((o = cJSON_CreateObject()) == NULL)
		goto fail;
	tasks = cJSON_Parse(r.tasks_json);
	if (json_add_int(o, "id", r.id) == NULL ||
	    json_add_int(o, "client_id", r.client_id) == NULL ||
	    (s = cJSON_AddObjectToObject(o, "sender")) == NULL ||
	    json_add_int(s, "id", r.sender_id) == NULL ||
	    cJSON_AddStringToObject(s, "name", r.sender_name) == NULL ||
	    tasks == NULL || !cJSON_AddItemToObject(o, "tasks", tasks) ||
	    cJSON_AddStringToObject(o, "comment", r.comment) == NULL ||
	    json_add_time(o, "created_at", r.created_at) == NULL ||
	    (list = cJSON_AddArrayToObject(o, "recipients")) == NULL ||
	    store_reminder_recipients(req->store, r.id,
	    reminder_recipient_json, list) != STORE_OK)
		goto fail;
	reminder_cleanup(&r);
	return o;
fail:
	cJSON_Delete(o);
	reminder_cleanup(&r);
	return NULL;
}

static void
reminder_get(struct request *req)
{
	struct reminder	 r;
	int64_t		 id;
	int		 rc;

	if (request_param_id_or_reply(req, 0, &id) == -1)
		return;
	rc = store_reminder_get(req->store, req->user.partner_id, id, &r);
	reminder_cleanup(&r);
	if (rc == STORE_NOTFOUND) {
		(void)reply_not_found(req);
		return;
	}
	if (rc != STORE_OK) {
		(void)reply_internal_error(req);
		return;
	}
	(void)reply_json(req, 200, reminder_json(req, id));
}

struct reminder_ids {
	int64_t	 v[REMINDER_LIST_MAX];
	size_t	 n;
};

static int
reminder_collect_id(int64_t id, void *arg)
{
	struct reminder_ids	*ids = arg;

	if (ids->n == REMINDER_LIST_MAX)
		return -1;
	ids->v[ids->n++] = id;
	return 0;
}

static void
reminder_list(struct request *req)
{
	struct reminder_ids	 ids;
	struct client		 c;
	cJSON			*doc = NULL, *data, *o;
	size_t			 i;

	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	ids.n = 0;
	/* The ids first: each reminder is then read with its recipients. */
	if (store_reminder_list(req->store, c.id, REMINDER_LIST_MAX,
	    reminder_collect_id, &ids) != STORE_OK ||
	    (doc = cJSON_CreateObject()) == NULL ||
	    (data = cJSON_AddArrayToObject(doc, "data")) == NULL)
		goto fail;
	for (i = 0; i < ids.n; i++) {
		if ((o = reminder_json(req, ids.v[i])) == NULL)
			goto fail;
		cJSON_AddItemToArray(data, o);
	}
	(void)reply_json(req, 200, doc);
	goto out;
fail:
	cJSON_Delete(doc);
	(void)reply_internal_error(req);
out:
	client_cleanup(&c);
}

const struct route reminders_routes[] = {
	{ .method = "POST", .pattern = "/v1/clients/{id}/notify-accountants",
	    .handler = reminder_create, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_SCHEMA, .schema = &reminder_schema },
	{ .method = "GET", .pattern = "/v1/clients/{id}/reminders",
	    .handler = reminder_list, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_NONE },
	{ .method = "GET", .pattern = "/v1/reminders/{id}",
	    .handler = reminder_get, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_NONE },
};
const size_t reminders_n_routes = sizeof(reminders_routes) /
    sizeof(reminders_routes[0]);
