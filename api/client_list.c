/*
 * The Clients page list and its tabs: which clients a caller sees in each
 * tab, searched, filtered and sorted, a page at a time with an opaque
 * cursor. Rows are written with the streaming JSON writer.
 */
#include <stdio.h>
#include <string.h>

#include "../common/collate.h"
#include "../common/jsonw.h"
#include "../common/log.h"
#include "../common/store_client.h"
#include "../common/text.h"
#include "page.h"
#include "route.h"

#define LIST_DEFAULT_LIMIT	50
#define LIST_Q_MAX		100	/* characters of a search */
#define LIST_REPLY_MAX		(4 * 1024 * 1024)

enum list_tab {
	TAB_INVITATIONS,
	TAB_ONBOARDING,
	TAB_MINE,
	TAB_ALL
};

static const char *const list_tab_names[] = {
	"invitations", "onboarding", "mine", "all"
};
static const char *const list_tab_status[] = {
	"invitation", "onboarding", "active", "active"
};

static const struct {
	const char		*name;
	enum client_sort	 sort;
} list_sorts[] = {
	{ "name", CLIENT_SORT_NAME },
	{ "-name", CLIENT_SORT_NAME_DESC },
	{ "missing_receipts", CLIENT_SORT_MISSING },
	{ "-missing_receipts", CLIENT_SORT_MISSING_DESC },
};

/* Which tabs a role has: bookkeepers never see invitations nor "all". */
static int
list_tab_allowed(enum role role, enum list_tab tab)
{
	if (role == ROLE_ADMIN)
		return 1;
	return role == ROLE_BOOKKEEPER &&
	    (tab == TAB_ONBOARDING || tab == TAB_MINE);
}

struct list_params {
	enum list_tab		 tab;
	enum client_sort	 sort;
	int			 missing_only;
	int64_t			 assignee;
	int			 limit;
	char			 q[LIST_Q_MAX * 4 + 1];
	/* Folding can make one character three. */
	char			 q_folded[LIST_Q_MAX * 12 + 1];
	uint32_t		 query;	/* the cursor's fingerprint */
	struct cursor		 cursor;
	int			 has_cursor;
};

static int
list_params_or_reply(struct request *req, struct list_params *p)
{
	char		 v[64], fp[LIST_Q_MAX * 12 + 96];
	long long	 n;
	size_t		 i;
	int		 rc;

	memset(p, 0, sizeof(*p));
	p->tab = TAB_MINE;
	p->sort = CLIENT_SORT_NAME;
	p->limit = LIST_DEFAULT_LIMIT;

	if ((rc = request_query_or_reply(req, "tab", v, sizeof(v))) == -1)
		return -1;
	if (rc == 1) {
		for (i = 0; i < 4; i++)
			if (strcmp(v, list_tab_names[i]) == 0)
				break;
		if (i == 4)
			return reply_invalid_query(req, "tab", "must be "
			    "invitations, onboarding, mine or all");
		p->tab = (enum list_tab)i;
	}
	if (!list_tab_allowed(req->user.role, p->tab))
		return reply_problem(req, 403, PROBLEM_FORBIDDEN, "Forbidden",
		    "Your role does not have this tab.");
	if ((rc = request_query_or_reply(req, "sort", v, sizeof(v))) == -1)
		return -1;
	if (rc == 1) {
		for (i = 0; i < 4; i++)
			if (strcmp(v, list_sorts[i].name) == 0)
				break;
		if (i == 4)
			return reply_invalid_query(req, "sort", "must be name, "
			    "-name, missing_receipts or -missing_receipts");
		p->sort = list_sorts[i].sort;
	}
	if ((rc = request_query_or_reply(req, "missing_receipts", v,
	    sizeof(v))) == -1)
		return -1;
	if (rc == 1) {
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return reply_invalid_query(req, "missing_receipts",
			    "must be true or false");
		p->missing_only = strcmp(v, "true") == 0;
	}
	if ((rc = request_query_or_reply(req, "limit", v, sizeof(v))) == -1)
		return -1;
	if (rc == 1) {
		if (text_parse_int(v, 1, CLIENT_LIST_MAX, &n) == -1)
			return reply_invalid_query(req, "limit",
			    "must be an integer from 1 to 200");
		p->limit = (int)n;
	}
	if ((rc = request_query_or_reply(req, "assignee", v, sizeof(v))) ==
	    -1)
		return -1;
	if (rc == 1) {
		if (req->user.role != ROLE_ADMIN)
			return reply_problem(req, 403, PROBLEM_FORBIDDEN,
			    "Forbidden", "Only admins filter by assignee.");
		if (text_parse_int(v, 1, INT64_MAX, &n) == -1)
			return reply_invalid_query(req, "assignee",
			    "must be a user id");
		p->assignee = n;
	}
	if ((rc = request_query_or_reply(req, "q", p->q, sizeof(p->q))) == -1)
		return -1;
	if (rc == 1 && text_utf8_length(p->q, strlen(p->q)) > LIST_Q_MAX)
		return reply_invalid_query(req, "q", "is longer than 100 "
		    "characters");
	if (collate_fold(p->q, p->q_folded, sizeof(p->q_folded)) == -1)
		return reply_invalid_query(req, "q", "cannot be searched for");
	(void)snprintf(fp, sizeof(fp), "%d|%d|%d|%lld|%s", (int)p->tab,
	    (int)p->sort, p->missing_only, (long long)p->assignee,
	    p->q_folded);
	p->query = cursor_fingerprint(fp);
	if ((rc = page_cursor_or_reply(req, p->query, (int)p->sort, 0,
	    &p->cursor)) == -1)
		return -1;
	p->has_cursor = rc == 1;
	return 0;
}

static int
list_row(const struct client_row *r, void *arg)
{
	struct page	*pg = arg;

	if (!page_take(pg))
		return 0;
	pg->last.id = r->id;
	pg->last.count = r->missing_receipts;
	if (r->sort_key_len > sizeof(pg->last.key))
		return -1;
	memcpy(pg->last.key, r->sort_key, r->sort_key_len);
	pg->last.keylen = r->sort_key_len;

	/* The row as the store keeps it: list_json, kept by triggers. */
	jsonw_raw(&pg->w, r->json, r->json_len);
	return pg->w.error ? -1 : 0;
}

/* GET: inside the dispatcher's read, so the page and its total agree. */
static void
list_clients(struct request *req)
{
	struct list_params	 p;
	struct client_query	 q;
	struct page		 pg;
	int64_t			 total = 0;
	int			 at_least = 0;

	if (list_params_or_reply(req, &p) == -1)
		return;
	memset(&q, 0, sizeof(q));
	q.partner_id = req->user.partner_id;
	q.status = list_tab_status[p.tab];
	/* "mine", and a bookkeeper's onboarding, are their assigned ones. */
	if (p.tab == TAB_MINE || req->user.role == ROLE_BOOKKEEPER)
		q.user_id = req->user.id;
	if (p.assignee != 0)
		q.user_id = p.assignee;
	q.sort = p.sort;
	q.missing_only = p.missing_only;
	q.q = p.q_folded;
	q.after = p.has_cursor ? &p.cursor : NULL;
	q.limit = p.limit + 1;
	/* A bookkeeper filtering by someone else sees only their own. */
	if (req->user.role == ROLE_BOOKKEEPER && q.user_id != req->user.id) {
		(void)reply_problem(req, 403, PROBLEM_FORBIDDEN, "Forbidden",
		    "Bookkeepers see only their own clients.");
		return;
	}

	page_open(&pg, p.limit, LIST_REPLY_MAX, (int)p.sort, p.query);
	/* About 250 bytes a row: one allocation for a usual page. */
	(void)buf_reserve(&pg.out, (size_t)p.limit * 256 + 256);
	if (store_client_list(req->store, &q, list_row, &pg, &total,
	    &at_least) != STORE_OK)
		(void)reply_internal_error(req);
	else
		page_reply(req, &pg, &total, &at_least);
	page_cleanup(&pg);
}

static int
list_tab_add(cJSON *tabs, const char *name, int64_t count)
{
	cJSON	*t;

	if ((t = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddItemToArray(tabs, t);
	if (cJSON_AddStringToObject(t, "tab", name) == NULL ||
	    json_add_int(t, "count", count) == NULL)
		return -1;
	return 0;
}

static void
list_tabs(struct request *req)
{
	struct store	*st = req->store;
	int64_t		 pid = req->user.partner_id, uid = req->user.id;
	int64_t		 inv = 0, onb = 0, mine = 0, all = 0;
	cJSON		*doc, *tabs;
	int		 admin = req->user.role == ROLE_ADMIN, rc;

	/* The dispatcher's read: the four counts come from one snapshot. */
	rc = store_client_status_count(st, pid, uid, "active", &mine);
	if (rc == STORE_OK)
		rc = store_client_status_count(st, pid, admin ? 0 : uid,
		    "onboarding", &onb);
	if (rc == STORE_OK && admin)
		rc = store_client_status_count(st, pid, 0, "invitation", &inv);
	if (rc == STORE_OK && admin)
		rc = store_client_status_count(st, pid, 0, "active", &all);
	if (rc != STORE_OK) {
		(void)reply_internal_error(req);
		return;
	}
	if ((doc = cJSON_CreateObject()) == NULL ||
	    (tabs = cJSON_AddArrayToObject(doc, "tabs")) == NULL ||
	    (admin && inv > 0 && list_tab_add(tabs, "invitations", inv)) ||
	    (onb > 0 && list_tab_add(tabs, "onboarding", onb)) ||
	    list_tab_add(tabs, "mine", mine) ||
	    (admin && list_tab_add(tabs, "all", all))) {
		cJSON_Delete(doc);
		doc = NULL;
	}
	(void)reply_json(req, 200, doc);
}

const struct route client_list_routes[] = {
	{ .method = "GET", .pattern = "/v1/clients", .handler = list_clients,
	    .roles = ROUTE_STAFF, .body = ROUTE_BODY_NONE },
	{ .method = "GET", .pattern = "/v1/clients/tabs", .handler = list_tabs,
	    .roles = ROUTE_STAFF, .body = ROUTE_BODY_NONE },
};
const size_t client_list_n_routes = sizeof(client_list_routes) /
    sizeof(client_list_routes[0]);
