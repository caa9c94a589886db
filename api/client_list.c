/*
 * The Clients page list and its tabs: which clients a caller sees in each
 * tab, searched, filtered and sorted, a page at a time with an opaque
 * cursor. Rows are kept for the page, then written with what they gain
 * (list_rows.h) by the streaming JSON writer.
 */
#include <stdio.h>
#include <string.h>

#include "../common/alert.h"
#include "../common/collate.h"
#include "../common/jsonw.h"
#include "../common/log.h"
#include "../common/org_number.h"
#include "../common/store_client.h"
#include "../common/text.h"
#include "client_export.h"
#include "list_rows.h"
#include "month_figures.h"
#include "page.h"
#include "route.h"

#define LIST_DEFAULT_LIMIT	50
#define LIST_Q_MAX		100	/* characters of a search */
#define LIST_REPLY_MAX		CLIENT_PAGE_BYTES_MAX

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
	{ "attention", CLIENT_SORT_ATTENTION },
};

/*
 * Which tabs a role has: bookkeepers never see invitations nor "all"; an
 * integration, assigned to no client, has every tab but "mine".
 */
static int
list_tab_allowed(enum role role, enum list_tab tab)
{
	switch (role) {
	case ROLE_ADMIN:
		return 1;
	case ROLE_BOOKKEEPER:
		return tab == TAB_ONBOARDING || tab == TAB_MINE;
	case ROLE_INTEGRATION:
		return tab != TAB_MINE;
	}
	return 0;
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
	int			 has_tab;
	/* The whole list as CSV, not a page. */
	int			 csv;
	/* A lookup of one client instead of a list: its key, or "". */
	char			 org_key[CLIENT_ORG_MAX * 4 + 1];
	char			 ref[CLIENT_REF_MAX * 4 + 1];
	/* month=: each row carries that month's figures; 0 for none. */
	int			 month;
	/* alert= (any of them) and attention=true (any alert). */
	unsigned		 alerts;
};

/*
 * Reads org_number or external_ref, the lookups of one client; neither
 * goes with a search or a cursor. 0, or -1 after answering.
 */
static int
list_lookup_params_or_reply(struct request *req, struct list_params *p)
{
	char	 v[CLIENT_ORG_MAX * 4 + 1];
	int	 org, ref;

	if ((org = request_query_or_reply(req, "org_number", v,
	    sizeof(v))) == -1)
		return -1;
	if (org == 1 && org_number_key(v, p->org_key, sizeof(p->org_key)) ==
	    -1)
		return reply_invalid_query(req, "org_number",
		    "must hold more than spaces and dashes");
	if ((ref = request_query_or_reply(req, "external_ref", p->ref,
	    sizeof(p->ref))) == -1)
		return -1;
	if (ref == 1 && (p->ref[0] == '\0' ||
	    text_utf8_length(p->ref, strlen(p->ref)) > CLIENT_REF_MAX))
		return reply_invalid_query(req, "external_ref",
		    "must be 1 to 100 characters");
	if (org == 1 && ref == 1)
		return reply_invalid_query(req, "external_ref",
		    "cannot be combined with org_number");
	if ((org == 1 || ref == 1) && p->csv)
		return reply_invalid_query(req, org == 1 ? "org_number" :
		    "external_ref", "finds one client: a CSV export takes "
		    "the whole list");
	if ((org == 1 || ref == 1) && (p->q[0] != '\0' || p->has_cursor))
		return reply_invalid_query(req, org == 1 ? "org_number" :
		    "external_ref", "finds one client: it takes no q and no "
		    "cursor");
	return 0;
}

/*
 * alert=NAME, as often as wanted: the clients with any of the alerts
 * named; attention=true: those with any alert at all.
 */
static int
list_alerts_or_reply(struct request *req, struct list_params *p)
{
	char		 v[32];
	unsigned	 bit;
	size_t		 i;
	int		 rc;

	for (i = 0; i <= ALERT_COUNT; i++) {
		if ((rc = request_query_nth_or_reply(req, "alert", i, v,
		    sizeof(v))) == -1)
			return -1;
		if (rc == 0)
			break;
		if ((bit = alert_bit(v)) == 0)
			return reply_invalid_query(req, "alert", "must be "
			    "low_balance, many_missing_receipts or "
			    "old_missing_receipts");
		p->alerts |= bit;
	}
	if (i > ALERT_COUNT)
		return reply_invalid_query(req, "alert",
		    "is given more often than there are alerts");
	if ((rc = request_query_or_reply(req, "attention", v, sizeof(v))) ==
	    -1)
		return -1;
	if (rc == 1 && strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
		return reply_invalid_query(req, "attention",
		    "must be true or false");
	/* Any alert: whichever alert= named are some of them. */
	if (rc == 1 && strcmp(v, "true") == 0 && p->alerts == 0)
		p->alerts = ALERT_ALL;
	return 0;
}

/* month=YYYY-MM, one of the months the overview keeps. */
static int
list_month_or_reply(struct request *req, struct list_params *p)
{
	char	 v[16];
	int	 rc, now, oldest;

	if ((rc = request_query_or_reply(req, "month", v, sizeof(v))) != 1)
		return rc;
	if (month_figures_now_or_reply(req, &now, &oldest) == -1)
		return -1;
	if (month_figures_parse(v, &p->month) == -1 || p->month > now ||
	    p->month < oldest)
		return reply_invalid_query(req, "month", "must be a month "
		    "(YYYY-MM) of the last 12 in the firm's time zone");
	return 0;
}

static int
list_params_or_reply(struct request *req, struct list_params *p)
{
	char		 v[64], fp[LIST_Q_MAX * 12 + 96];
	long long	 n;
	size_t		 i;
	int		 rc;

	memset(p, 0, sizeof(*p));
	/* The first tab the role has. */
	p->tab = req->user.role == ROLE_INTEGRATION ? TAB_ALL : TAB_MINE;
	p->sort = CLIENT_SORT_NAME;
	p->limit = LIST_DEFAULT_LIMIT;

	if (client_export_wanted_or_reply(req, &p->csv) == -1)
		return -1;
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
		p->has_tab = 1;
	}
	if (!list_tab_allowed(req->user.role, p->tab))
		return reply_problem(req, 403, PROBLEM_FORBIDDEN, "Forbidden",
		    "Your role does not have this tab.");
	if ((rc = request_query_or_reply(req, "sort", v, sizeof(v))) == -1)
		return -1;
	if (rc == 1) {
		for (i = 0; i < CLIENT_SORTS; i++)
			if (strcmp(v, list_sorts[i].name) == 0)
				break;
		if (i == CLIENT_SORTS)
			return reply_invalid_query(req, "sort", "must be name, "
			    "-name, missing_receipts, -missing_receipts or "
			    "attention");
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
	if (page_limit_or_reply(req, CLIENT_LIST_MAX, &p->limit) == -1 ||
	    list_month_or_reply(req, p) == -1 ||
	    list_alerts_or_reply(req, p) == -1)
		return -1;
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
	/* Without alerts, as before they were: cursors made then still go. */
	(void)snprintf(fp, sizeof(fp), "%d|%d|%d|%lld|%s", (int)p->tab,
	    (int)p->sort, p->missing_only, (long long)p->assignee,
	    p->q_folded);
	if (p->alerts != 0)
		(void)snprintf(fp + strlen(fp), sizeof(fp) - strlen(fp),
		    "|a%u", p->alerts);
	/* With missing_receipts=true the month filters; alone it does not. */
	if (p->missing_only && p->month != 0)
		(void)snprintf(fp + strlen(fp), sizeof(fp) - strlen(fp),
		    "|m%d", p->month);
	p->query = cursor_fingerprint(fp);
	if ((rc = page_cursor_or_reply(req, p->query, (int)p->sort, 0,
	    &p->cursor)) == -1)
		return -1;
	p->has_cursor = rc == 1;
	return list_lookup_params_or_reply(req, p);
}

/* A page being walked: its cursor, and its rows kept to be written. */
struct list_walk {
	struct page		*pg;
	struct list_rows	*rows;
	const char		*status;	/* the tab's, every row's */
};

static int
list_row(const struct client_row *r, void *arg)
{
	struct list_walk	*lw = arg;
	struct page		*pg = lw->pg;

	if (!page_take(pg))
		return 0;
	pg->last.id = r->id;
	pg->last.count = r->missing_receipts;
	if (r->sort_key_len > sizeof(pg->last.key))
		return -1;
	memcpy(pg->last.key, r->sort_key, r->sort_key_len);
	pg->last.keylen = r->sort_key_len;
	return list_rows_add(lw->rows, r->id, lw->status, r->json,
	    r->json_len);
}

/*
 * Whether the lookup's client c is in a tab of the caller (the one asked
 * for, if any). The store showed it to the caller: a bookkeeper sees only
 * assigned clients in onboarding or active.
 */
static int
list_lookup_shows(const struct request *req, const struct list_params *p,
    const struct client *c)
{
	size_t	 i;

	if ((p->missing_only && c->missing_receipts == 0) ||
	    (p->alerts != 0 && (c->alerts & p->alerts) == 0))
		return 0;
	if (p->has_tab)
		return strcmp(c->status, list_tab_status[p->tab]) == 0 &&
		    (p->tab != TAB_MINE || req->user.role == ROLE_BOOKKEEPER);
	for (i = 0; i < 4; i++)
		if (list_tab_allowed(req->user.role, (enum list_tab)i) &&
		    strcmp(c->status, list_tab_status[i]) == 0)
			return 1;
	return 0;
}

/*
 * One client by organisation number or external_ref, in the list's
 * shape: no row, or one, and no next page.
 */
static void
list_lookup(struct request *req, const struct list_params *p)
{
	struct list_rows lr;
	struct client	 c;
	struct page	 pg;
	int64_t		 id = 0, total = 0;
	int		 rc, at_least = 0;

	memset(&c, 0, sizeof(c));
	rc = store_client_find(req->store, req->user.partner_id,
	    p->org_key[0] != '\0' ? p->org_key : NULL, p->ref, &id);
	if (rc == STORE_OK) {
		rc = store_client_get_visible(req->store, &req->user, id, &c);
		total = rc == STORE_OK && list_lookup_shows(req, p, &c);
	}
	page_open(&pg, 1, LIST_REPLY_MAX, (int)p->sort, p->query);
	list_rows_init(&lr, req, p->month, 1);
	if (total == 1 && list_rows_add(&lr, c.id, c.status, c.list_json,
	    strlen(c.list_json)) == -1)
		rc = STORE_ERROR;
	/* With missing_receipts=true, a month asked for must miss one. */
	if (total == 1 && rc == STORE_OK && p->missing_only &&
	    p->month != 0) {
		rc = list_rows_figures(&lr);
		total = rc == STORE_OK && list_rows_missing(&lr, c.id) > 0;
	}
	if ((rc != STORE_OK && rc != STORE_NOTFOUND) ||
	    (total == 1 && list_rows_write(&lr, &pg.w) == -1))
		(void)reply_internal_error(req);
	else
		page_reply(req, &pg, &total, &at_least);
	page_cleanup(&pg);
	list_rows_cleanup(&lr);
	client_cleanup(&c);
}

/* GET: inside the dispatcher's read, so the page and its total agree. */
static void
list_clients(struct request *req)
{
	struct list_params	 p;
	struct client_query	 q;
	struct list_walk	 lw;
	struct list_rows	 lr;
	struct page		 pg;
	int64_t			 total = 0;
	int			 at_least = 0;

	if (list_params_or_reply(req, &p) == -1)
		return;
	if (p.org_key[0] != '\0' || p.ref[0] != '\0') {
		list_lookup(req, &p);
		return;
	}
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
	q.alerts = p.alerts;
	q.month = p.missing_only ? p.month : 0;
	q.q = p.q_folded;
	q.after = p.has_cursor ? &p.cursor : NULL;
	q.limit = p.limit + 1;
	/* A bookkeeper filtering by someone else sees only their own. */
	if (req->user.role == ROLE_BOOKKEEPER && q.user_id != req->user.id) {
		(void)reply_problem(req, 403, PROBLEM_FORBIDDEN, "Forbidden",
		    "Bookkeepers see only their own clients.");
		return;
	}
	if (p.csv) {
		client_export(req, &q, p.month);
		return;
	}

	page_open(&pg, p.limit, LIST_REPLY_MAX, (int)p.sort, p.query);
	/* One allocation for a usual page. */
	(void)buf_reserve(&pg.out,
	    (size_t)p.limit * LIST_ROW_REPLY_BYTES(p.month) + 256);
	list_rows_init(&lr, req, p.month, (size_t)q.limit);
	lw.pg = &pg;
	lw.rows = &lr;
	lw.status = q.status;
	/* The rows first, then the page's reads, all in this one read. */
	if (store_client_list(req->store, &q, list_row, &lw, &total,
	    &at_least) != STORE_OK || list_rows_write(&lr, &pg.w) == -1)
		(void)reply_internal_error(req);
	else
		page_reply(req, &pg, &total, &at_least);
	page_cleanup(&pg);
	list_rows_cleanup(&lr);
}

/*
 * Adds a tab with its count and how many of its clients need attention
 * (have any alert), from the kept counters; a tab that is empty is left
 * out unless always. 0, or -1 on a store error or out of memory.
 */
static int
list_tab_add(struct request *req, cJSON *tabs, const char *name,
    int64_t user_id, const char *status, int always)
{
	int64_t	 count, attention;
	cJSON	*t;

	if (store_client_status_count(req->store, req->user.partner_id,
	    user_id, status, 0, &count) != STORE_OK ||
	    store_client_status_count(req->store, req->user.partner_id,
	    user_id, status, ALERT_ALL, &attention) != STORE_OK)
		return -1;
	if (count == 0 && !always)
		return 0;
	if ((t = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddItemToArray(tabs, t);
	if (cJSON_AddStringToObject(t, "tab", name) == NULL ||
	    json_add_int(t, "count", count) == NULL ||
	    json_add_int(t, "attention", attention) == NULL)
		return -1;
	return 0;
}

static void
list_tabs(struct request *req)
{
	int64_t	 uid = req->user.id;
	cJSON	*doc, *tabs;
	/* The firm's view of an admin, without "mine". */
	int	 integration = req->user.role == ROLE_INTEGRATION;
	int	 firm = req->user.role == ROLE_ADMIN || integration;

	/* The dispatcher's read: the counts come from one snapshot. */
	if ((doc = cJSON_CreateObject()) == NULL ||
	    (tabs = cJSON_AddArrayToObject(doc, "tabs")) == NULL ||
	    (firm && list_tab_add(req, tabs, "invitations", 0, "invitation",
	    0) == -1) ||
	    list_tab_add(req, tabs, "onboarding", firm ? 0 : uid,
	    "onboarding", 0) == -1 ||
	    (!integration && list_tab_add(req, tabs, "mine", uid, "active",
	    1) == -1) ||
	    (firm && list_tab_add(req, tabs, "all", 0, "active", 1) == -1)) {
		cJSON_Delete(doc);
		(void)reply_internal_error(req);
		return;
	}
	(void)reply_json(req, 200, doc);
}

const struct route client_list_routes[] = {
	{ .method = "GET", .pattern = "/v1/clients", .handler = list_clients,
	    .roles = ROUTE_ANYONE, .body = ROUTE_BODY_NONE,
	    .scope = SCOPE_CLIENTS_READ },
	{ .method = "GET", .pattern = "/v1/clients/tabs", .handler = list_tabs,
	    .roles = ROUTE_ANYONE, .body = ROUTE_BODY_NONE,
	    .scope = SCOPE_CLIENTS_READ },
};
const size_t client_list_n_routes = sizeof(client_list_routes) /
    sizeof(client_list_routes[0]);
