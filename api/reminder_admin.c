/*
 * The admin's view of reminders: the firm's reminders a page at a time,
 * a resend to the recipients whose delivery failed for good, and who
 * would receive a new reminder about a client, and why not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../common/reminder_rule.h"
#include "../common/rfc3339.h"
#include "../common/store_assignee.h"
#include "../common/store_outbox.h"
#include "../common/store_reminder.h"
#include "client_load.h"
#include "page.h"
#include "reminder_admin.h"
#include "route.h"

#define REMINDER_PAGE_DEFAULT	50
#define REMINDER_PAGE_MAX	100
#define REMINDER_REPLY_MAX	(4 * 1024 * 1024)
#define REMINDER_CURSOR_SORT	1

/* GET /v1/reminders's filters, read and checked. */
struct reminder_filters {
	struct reminder_query	 q;
	struct cursor		 cursor;
	uint32_t		 fingerprint;
};

/* Reads query parameter name as an RFC 3339 time; *out kept if absent. */
static int
reminder_time_query_or_reply(struct request *req, const char *name,
    int64_t *out)
{
	char	 v[64];
	int	 rc;

	if ((rc = request_query_or_reply(req, name, v, sizeof(v))) != 1)
		return rc;
	if (rfc3339_parse(v, out) == -1)
		return reply_invalid_query(req, name, "must be an RFC 3339 "
		    "date-time, such as 2026-03-02T10:15:00Z");
	return 0;
}

static int
reminder_filters_or_reply(struct request *req, struct reminder_filters *f)
{
	char	 v[32], fp[160];
	int	 rc;

	memset(f, 0, sizeof(*f));
	f->q.partner_id = req->user.partner_id;
	f->q.limit = REMINDER_PAGE_DEFAULT;
	f->q.until = INT64_MAX;
	if (request_query_id_or_reply(req, "client_id", &f->q.client_id) ==
	    -1 || request_query_id_or_reply(req, "sender_id",
	    &f->q.sender_id) == -1)
		return -1;
	if ((rc = request_query_or_reply(req, "state", v, sizeof(v))) == -1)
		return -1;
	if (rc == 1 && (f->q.state = reminder_state_name(v)) == NULL)
		return reply_invalid_query(req, "state", "must be pending, "
		    "delivered, failed, partly_failed or cancelled");
	if (reminder_time_query_or_reply(req, "since", &f->q.since) == -1 ||
	    reminder_time_query_or_reply(req, "until", &f->q.until) == -1)
		return -1;
	if (f->q.since >= f->q.until)
		return reply_invalid_query(req, "until", "must be later than "
		    "since");
	if (page_limit_or_reply(req, REMINDER_PAGE_MAX, &f->q.limit) == -1)
		return -1;
	/* A cursor continues only the filters it was made with. */
	(void)snprintf(fp, sizeof(fp), "reminders|%lld|%lld|%s|%lld|%lld",
	    (long long)f->q.client_id, (long long)f->q.sender_id,
	    f->q.state ? f->q.state : "", (long long)f->q.since,
	    (long long)f->q.until);
	f->fingerprint = cursor_fingerprint(fp);
	if ((rc = page_cursor_or_reply(req, f->fingerprint,
	    REMINDER_CURSOR_SORT, 1, &f->cursor)) == -1)
		return -1;
	f->q.has_after = rc == 1;
	f->q.after_at = f->cursor.count;
	f->q.after_id = f->cursor.id;
	return 0;
}

/* The page being written: rows come one per recipient, by reminder. */
struct reminder_page_walk {
	struct page	 pg;
	int64_t		 current;	/* the reminder being written, or 0 */
	int		 skipping;	/* the one past the page */
};

static void
reminder_recipient_write(struct jsonw *w, const struct reminder_recipient *r)
{
	jsonw_object_open(w);
	jsonw_key(w, "user_id");
	jsonw_int(w, r->user_id);
	jsonw_key(w, "name");
	jsonw_string(w, r->name);
	jsonw_key(w, "email");
	jsonw_string(w, r->email);
	jsonw_key(w, "status");
	jsonw_string(w, r->status);
	jsonw_key(w, "sent_at");
	if (r->sent_at > 0)
		jsonw_time(w, r->sent_at);
	else
		jsonw_null(w);
	jsonw_key(w, "error");
	if (r->error != NULL)
		jsonw_string(w, r->error);
	else
		jsonw_null(w);
	jsonw_key(w, "reason");
	if (r->reason != NULL)
		jsonw_string(w, r->reason);
	else
		jsonw_null(w);
	jsonw_object_close(w);
}

/* Writes member key as {"id": id, "name": name}. */
static void
reminder_ref_write(struct jsonw *w, const char *key, int64_t id,
    const char *name)
{
	jsonw_key(w, key);
	jsonw_object_open(w);
	jsonw_key(w, "id");
	jsonw_int(w, id);
	jsonw_key(w, "name");
	jsonw_string(w, name);
	jsonw_object_close(w);
}

/* Opens the reminder's item, up to its list of recipients. */
static void
reminder_item_open(struct jsonw *w, const struct reminder_item *it)
{
	jsonw_object_open(w);
	jsonw_key(w, "id");
	jsonw_int(w, it->id);
	reminder_ref_write(w, "client", it->client_id, it->client_name);
	reminder_ref_write(w, "sender", it->sender_id, it->sender_name);
	jsonw_key(w, "created_at");
	jsonw_time(w, it->created_at);
	/* The array the notify request checked, as stored. */
	jsonw_key(w, "tasks");
	jsonw_raw(w, it->tasks_json, strlen(it->tasks_json));
	jsonw_key(w, "comment");
	jsonw_string(w, it->comment);
	jsonw_key(w, "state");
	jsonw_string(w, it->state);
	jsonw_key(w, "recipients");
	jsonw_array_open(w);
}

static void
reminder_item_close(struct jsonw *w)
{
	jsonw_array_close(w);
	jsonw_object_close(w);
}

static int
reminder_page_row(const struct reminder_item *it,
    const struct reminder_recipient *rec, void *arg)
{
	struct reminder_page_walk	*p = arg;

	if (it->id != p->current) {
		if (p->current != 0 && !p->skipping)
			reminder_item_close(&p->pg.w);
		p->current = it->id;
		if (!page_take(&p->pg)) {
			p->skipping = 1;
			return 0;
		}
		p->pg.last.count = it->created_at;
		p->pg.last.id = it->id;
		reminder_item_open(&p->pg.w, it);
	}
	if (p->skipping)
		return 0;
	if (rec != NULL)
		reminder_recipient_write(&p->pg.w, rec);
	return p->pg.w.error ? -1 : 0;
}

static void
reminder_admin_list(struct request *req)
{
	struct reminder_filters		 f;
	struct reminder_page_walk	 p;
	int				 limit;

	if (reminder_filters_or_reply(req, &f) == -1)
		return;
	limit = f.q.limit;
	memset(&p, 0, sizeof(p));
	page_open(&p.pg, limit, REMINDER_REPLY_MAX, REMINDER_CURSOR_SORT,
	    f.fingerprint);
	/* One more than the page: it only tells that there is a next. */
	f.q.limit = limit + 1;
	if (store_reminder_page(req->store, &f.q, reminder_page_row, &p) !=
	    STORE_OK) {
		(void)reply_internal_error(req);
		goto out;
	}
	if (p.current != 0 && !p.skipping)
		reminder_item_close(&p.pg.w);
	/* No total: counting a firm's reminders would read them all. */
	page_reply(req, &p.pg, NULL, NULL);
out:
	page_cleanup(&p.pg);
}

/* The preview's rows: each assignee and whether the rule lets them in. */
static int
reminder_preview_row(const struct user *u, void *arg)
{
	cJSON		*o;
	const char	*why = reminder_rule_refusal(u, 1);

	if ((o = reminder_person_add(arg, u)) == NULL ||
	    cJSON_AddStringToObject(o, "role", role_name(u->role)) == NULL ||
	    cJSON_AddBoolToObject(o, "will_receive", why == NULL) == NULL ||
	    (why != NULL ? cJSON_AddStringToObject(o, "reason", why) :
	    cJSON_AddNullToObject(o, "reason")) == NULL)
		return -1;
	return 0;
}

void
reminder_preview_reply(struct request *req, const struct client *c)
{
	cJSON	*doc = NULL, *list, *o;
	int	 n = 0, i;

	if ((doc = cJSON_CreateObject()) == NULL ||
	    json_add_int(doc, "client_id", c->id) == NULL ||
	    (list = cJSON_AddArrayToObject(doc, "recipients")) == NULL ||
	    store_assignee_list(req->store, c->id, reminder_preview_row,
	    list) != STORE_OK)
		goto fail;
	for (i = 0; i < cJSON_GetArraySize(list); i++) {
		o = cJSON_GetArrayItem(list, i);
		n += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o,
		    "will_receive"));
	}
	if (json_add_int(doc, "will_send", n) == NULL)
		goto fail;
	(void)reply_json(req, 200, doc);
	return;
fail:
	cJSON_Delete(doc);
	(void)reply_internal_error(req);
}

static void
reminder_recipients_preview(struct request *req)
{
	struct client	 c;

	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	reminder_preview_reply(req, &c);
	client_cleanup(&c);
}

/*
 * The failed recipients of a resend, copied out of the store's walk
 * (writes wait until it ends); as many as the reminder had recipients.
 */
struct reminder_failures {
	struct reminder_failure	*v;	/* owned */
	size_t			 n;
	size_t			 cap;
};

static int
reminder_failure_keep(const struct reminder_failure *f, void *arg)
{
	struct reminder_failures	*fs = arg;
	struct reminder_failure		*dst, *grown;
	size_t				 cap;

	if (fs->n == fs->cap) {
		cap = fs->cap ? fs->cap * 2 : 8;
		if ((grown = reallocarray(fs->v, cap, sizeof(*grown))) ==
		    NULL)
			return -1;
		fs->v = grown;
		fs->cap = cap;
	}
	dst = &fs->v[fs->n];
	*dst = *f;
	/* Owned here from now on; freed by reminder_failures_cleanup(). */
	if ((dst->payload = strdup(f->payload)) == NULL)
		return -1;
	fs->n++;
	return 0;
}

static void
reminder_failures_cleanup(struct reminder_failures *fs)
{
	size_t	 i;

	for (i = 0; i < fs->n; i++)
		free((char *)fs->v[i].payload);
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

/*
 * The failed email's payload addressed to u as the user is now: an
 * address corrected since the failure is the one the resend goes to.
 * cJSON_free() the result; NULL on failure.
 */
static char *
reminder_readdress(const char *payload, const struct user *u)
{
	cJSON	*doc, *to;
	char	*text = NULL;

	if ((doc = cJSON_Parse(payload)) == NULL)
		return NULL;
	if ((to = cJSON_CreateObject()) == NULL ||
	    !cJSON_ReplaceItemInObjectCaseSensitive(doc, "to", to)) {
		cJSON_Delete(to);
		goto out;
	}
	if (cJSON_AddStringToObject(to, "email", u->email) != NULL &&
	    cJSON_AddStringToObject(to, "name", u->name) != NULL)
		text = cJSON_PrintUnformatted(doc);
out:
	cJSON_Delete(doc);
	return text;
}

cJSON *
reminder_person_add(cJSON *list, const struct user *u)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddItemToArray(list, o);
	if (json_add_int(o, "user_id", u->id) == NULL ||
	    cJSON_AddStringToObject(o, "name", u->name) == NULL ||
	    cJSON_AddStringToObject(o, "email", u->email) == NULL)
		return NULL;
	return o;
}

void
reminder_queued_reply(struct request *req, int64_t id, cJSON *doc)
{
	char	 location[64];

	(void)snprintf(location, sizeof(location), "/v1/reminders/%lld",
	    (long long)id);
	(void)reply_json_at(req, 202, doc, location);
}

/*
 * Queues a new email to one failed recipient and points the recipient
 * at it. The Message-ID names the failed email it replaces, which is
 * replaced once: two resends never share one. STORE_* code.
 */
static int
reminder_requeue(struct request *req, int64_t reminder_id,
    const struct reminder_failure *f, const struct user *u)
{
	char	*payload, msgid[192];
	int64_t	 outbox_id;
	int	 rc, n;

	n = snprintf(msgid, sizeof(msgid), "reminder.%lld.%lld.resend.%lld@%s",
	    (long long)reminder_id, (long long)u->id, (long long)f->outbox_id,
	    config_mail_domain(req->cfg));
	if (n < 0 || (size_t)n >= sizeof(msgid))
		return STORE_ERROR;
	if ((payload = reminder_readdress(f->payload, u)) == NULL)
		return STORE_ERROR;
	rc = store_outbox_add(req->store, "reminder", u->id, u->email, payload,
	    msgid, &outbox_id);
	cJSON_free(payload);
	if (rc != STORE_OK)
		return rc;
	return store_reminder_relink(req->store, reminder_id, u->id,
	    f->outbox_id, outbox_id);
}

/* The 409 of a resend that would send nothing; detail is fixed text. */
static void
reminder_nothing_to_resend(struct request *req, const char *detail)
{
	store_rollback(req->store);
	(void)reply_problem(req, 409, PROBLEM_CONFLICT, "Nothing to resend",
	    detail);
}

/*
 * POST /v1/reminders/{id}/resend. No reminder row is added, so the
 * notify limits, which count reminders, count nothing more.
 */
static void
reminder_resend(struct request *req)
{
	struct reminder_failures	 fs;
	struct reminder			 r;
	struct user			 u;
	cJSON				*doc = NULL, *queued = NULL;
	cJSON				*skipped = NULL, *o;
	const char			*why;
	int64_t				 id;
	size_t				 i;
	int				 rc;

	memset(&fs, 0, sizeof(fs));
	memset(&r, 0, sizeof(r));
	if (request_param_id_or_reply(req, 0, &id) == -1)
		return;
	if (store_begin(req->store) == -1)
		goto fail_early;
	rc = store_reminder_get(req->store, req->user.partner_id, id, &r);
	if (rc == STORE_NOTFOUND) {
		store_rollback(req->store);
		(void)reply_not_found(req);
		goto out;
	}
	if (rc != STORE_OK ||
	    store_reminder_failures(req->store, r.id, reminder_failure_keep,
	    &fs) != STORE_OK)
		goto fail;
	if (fs.n == 0) {
		reminder_nothing_to_resend(req, "No recipient of this reminder "
		    "has a delivery that failed for good: delivered and "
		    "pending emails are not sent again.");
		goto out;
	}
	if ((doc = cJSON_CreateObject()) == NULL ||
	    json_add_int(doc, "id", r.id) == NULL ||
	    cJSON_AddStringToObject(doc, "status", "queued") == NULL ||
	    (queued = cJSON_AddArrayToObject(doc, "queued")) == NULL ||
	    (skipped = cJSON_AddArrayToObject(doc, "skipped")) == NULL)
		goto fail;
	for (i = 0; i < fs.n; i++) {
		if (store_user_get(req->store, fs.v[i].user_id, &u) != STORE_OK)
			goto fail;
		/* The rule of a new reminder, as of now. */
		why = reminder_rule_refusal(&u, fs.v[i].assigned);
		if (why != NULL) {
			if ((o = reminder_person_add(skipped, &u)) == NULL ||
			    cJSON_AddStringToObject(o, "reason", why) == NULL)
				goto fail;
			continue;
		}
		if (reminder_requeue(req, r.id, &fs.v[i], &u) != STORE_OK ||
		    reminder_person_add(queued, &u) == NULL)
			goto fail;
	}
	if (cJSON_GetArraySize(queued) == 0) {
		reminder_nothing_to_resend(req, "Every recipient whose delivery "
		    "failed may no longer receive reminders (deactivated, "
		    "unassigned or no longer a bookkeeper).");
		goto out;
	}
	if (store_commit(req->store) == -1)
		goto fail;
	log_info("reminder %lld resent by user %lld to %d recipients",
	    (long long)r.id, (long long)req->user.id,
	    cJSON_GetArraySize(queued));
	reminder_queued_reply(req, r.id, doc);
	doc = NULL;
	goto out;
fail:
	store_rollback(req->store);
fail_early:
	(void)reply_internal_error(req);
out:
	cJSON_Delete(doc);
	reminder_failures_cleanup(&fs);
	reminder_cleanup(&r);
}

/*
 * Admins only, and no API key: reminders name people, their addresses
 * and why their mail failed, which is the firm's business, not an
 * integration's.
 */
const struct route reminder_admin_routes[] = {
	{ .method = "GET", .pattern = "/v1/reminders",
	    .handler = reminder_admin_list, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_NONE },
	{ .method = "POST", .pattern = "/v1/reminders/{id}/resend",
	    .handler = reminder_resend, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_NONE },
	{ .method = "GET",
	    .pattern = "/v1/clients/{id}/notify-accountants/recipients",
	    .handler = reminder_recipients_preview, .roles = ROLE_ADMIN,
	    .body = ROUTE_BODY_NONE },
};
const size_t reminder_admin_n_routes = sizeof(reminder_admin_routes) /
    sizeof(reminder_admin_routes[0]);
