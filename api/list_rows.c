/*
 * The list's page held, then written with what each row gains, from a
 * fixed number of reads for the whole page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/client_action.h"
#include "../common/jsonr.h"
#include "../common/log.h"
#include "../common/money.h"
#include "../common/reminder_rule.h"
#include "../common/store_client.h"
#include "../common/store_partner.h"
#include "list_rows.h"
#include "preferences.h"
#include "route.h"

/* The page's JSON; a row with every user of a firm assigned fits. */
#define LIST_ROWS_JSON_MAX	(4 * 1024 * 1024)

/*
 * The route each action stands for: the list offers an action only when
 * the dispatcher would let the caller use its route.
 */
static const struct {
	enum client_action	 action;
	const char		*method;
	const char		*pattern;
} list_action_routes[] = {
	{ CLIENT_ACTION_GO_TO_CLIENT, "POST", "/v1/clients/{id}/access" },
	{ CLIENT_ACTION_NOTIFY, "POST", "/v1/clients/{id}/notify-accountants" },
	{ CLIENT_ACTION_ASSIGN, "PUT", "/v1/clients/{id}/assignees" },
	{ CLIENT_ACTION_ASSIGN, "POST", "/v1/clients/{id}/assignees" },
	{ CLIENT_ACTION_SEE_DETAILS, "GET", "/v1/clients/{id}" },
};
#define LIST_ACTION_ROUTES \
	(sizeof(list_action_routes) / sizeof(list_action_routes[0]))

void
list_rows_init(struct list_rows *lr, struct request *req, int month)
{
	memset(lr, 0, sizeof(*lr));
	lr->req = req;
	lr->month = month;
	buf_init(&lr->json, LIST_ROWS_JSON_MAX);
}

void
list_rows_cleanup(struct list_rows *lr)
{
	buf_cleanup(&lr->json);
	free(lr->v);
	month_figures_free(&lr->figures);
	memset(lr, 0, sizeof(*lr));
}

int
list_rows_add(struct list_rows *lr, int64_t id, const char *status,
    const char *json, size_t len)
{
	struct list_row_ref	*v, *r;
	size_t			 cap;

	if (lr->n == lr->cap) {
		cap = lr->cap == 0 ? 64 : lr->cap * 2;
		if ((v = reallocarray(lr->v, cap, sizeof(*v))) == NULL) {
			log_warn("reallocarray");
			return -1;
		}
		lr->v = v;
		lr->cap = cap;
	}
	r = &lr->v[lr->n];
	memset(r, 0, sizeof(*r));
	r->id = id;
	(void)snprintf(r->status, sizeof(r->status), "%s", status);
	r->off = lr->json.len;
	r->len = len;
	if (buf_add(&lr->json, json, len) == -1) {
		log_warnx("client list: page too large");
		return -1;
	}
	lr->n++;
	return 0;
}

/* The page's ids, for the reads of the whole page. */
static int64_t *
list_rows_ids(const struct list_rows *lr)
{
	int64_t	*ids;
	size_t	 i;

	if ((ids = calloc(lr->n, sizeof(*ids))) == NULL) {
		log_warn("calloc");
		return NULL;
	}
	for (i = 0; i < lr->n; i++)
		ids[i] = lr->v[i].id;
	return ids;
}

int
list_rows_figures(struct list_rows *lr)
{
	int64_t	*ids;
	int	 rc;

	if (lr->figures_loaded || lr->month == 0 || lr->n == 0)
		return STORE_OK;
	if ((ids = list_rows_ids(lr)) == NULL)
		return STORE_ERROR;
	rc = month_figures_load_of(lr->req->store, ids, lr->n, lr->month,
	    &lr->figures);
	free(ids);
	lr->figures_loaded = rc == STORE_OK;
	return rc;
}

int64_t
list_rows_missing(const struct list_rows *lr, int64_t id)
{
	struct month_figures	 view;

	month_figures_of(&lr->figures, id, &view);
	return month_figures_missing(&view, lr->month);
}

static struct list_row_ref *
list_rows_find(struct list_rows *lr, int64_t id)
{
	size_t	 i;

	for (i = 0; i < lr->n; i++)
		if (lr->v[i].id == id)
			return &lr->v[i];
	return NULL;
}

/* A page fact: the viewer's setting, and whether a reminder reaches. */
static int
list_rows_fact(const struct client_page_fact *f, void *arg)
{
	struct list_row_ref	*r;

	if ((r = list_rows_find(arg, f->client_id)) == NULL)
		return 0;
	if (f->preference != NULL) {
		r->preference = *f->preference;
		r->has_preference = 1;
	}
	if (f->assignee != NULL && reminder_rule_refusal(f->assignee, 1) ==
	    NULL)
		r->has_recipient = 1;
	return 0;
}

/* The viewer's settings and the reminders' reach, for the whole page. */
static int
list_rows_facts(struct list_rows *lr)
{
	int64_t	*ids;
	int	 rc;

	/* An integration gets no email and notifies no one. */
	if (lr->n == 0 || lr->req->user.role == ROLE_INTEGRATION)
		return STORE_OK;
	if ((ids = list_rows_ids(lr)) == NULL)
		return STORE_ERROR;
	rc = store_client_page_facts(lr->req->store, lr->req->user.id, ids,
	    lr->n, list_rows_fact, lr);
	free(ids);
	return rc;
}

/* Which actions' routes the caller may use at all: a bit per action. */
static unsigned
list_rows_routes_allowed(const struct request *req)
{
	const struct route	*r;
	unsigned		 allowed = 0, refused = 0, bit;
	size_t			 i;

	for (i = 0; i < LIST_ACTION_ROUTES; i++) {
		bit = 1u << list_action_routes[i].action;
		r = route_named(list_action_routes[i].method,
		    list_action_routes[i].pattern);
		if (r != NULL && route_refusal(r, req) == ROUTE_ALLOWED)
			allowed |= bit;
		else
			refused |= bit;
	}
	/* An action of two routes needs both. */
	return allowed & ~refused;
}

/* The balance of a stored row in the firm's language, or null. */
static void
list_rows_balance(struct jsonw *w, const char *json, size_t len,
    enum money_locale locale)
{
	struct jsonr	 row = { json, len }, balance, amount, cur;
	char		 code[4], text[MONEY_FORMAT_MAX];
	int64_t		 minor;

	if (jsonr_get(&row, "balance", &balance) == -1 ||
	    jsonr_get(&balance, "amount_minor", &amount) == -1 ||
	    jsonr_int(&amount, &minor) == -1 ||
	    jsonr_get(&balance, "currency", &cur) == -1 ||
	    !jsonr_string_plain(&cur) || cur.len != sizeof(code) + 1) {
		jsonw_null(w);
		return;
	}
	memcpy(code, cur.p + 1, sizeof(code) - 1);
	code[sizeof(code) - 1] = '\0';
	if (money_format(locale, minor, code, text, sizeof(text)) == 0)
		jsonw_string(w, text);
	else
		jsonw_null(w);
}

static void
list_rows_actions(struct jsonw *w, const struct list_row_ref *r,
    unsigned routes)
{
	int	 a;

	jsonw_array_open(w);
	for (a = 0; a < CLIENT_ACTIONS; a++)
		if ((routes & 1u << a) != 0 &&
		    client_action_refusal((enum client_action)a, r->status,
		    r->has_recipient) == CLIENT_ACTION_OK)
			jsonw_string(w, client_action_name(
			    (enum client_action)a));
	jsonw_array_close(w);
}

int
list_rows_write(struct list_rows *lr, struct jsonw *w)
{
	struct month_figures	 view;
	struct partner		 firm;
	struct list_row_ref	*r;
	enum money_locale	 locale;
	unsigned		 routes;
	int64_t			 now = store_now();
	size_t			 i;

	if (lr->n == 0)
		return 0;
	if (store_partner_get(lr->req->store, lr->req->user.partner_id,
	    &firm) != STORE_OK || list_rows_facts(lr) != STORE_OK ||
	    list_rows_figures(lr) != STORE_OK)
		return -1;
	locale = money_locale_parse(firm.locale);
	routes = list_rows_routes_allowed(lr->req);
	for (i = 0; i < lr->n; i++) {
		r = &lr->v[i];
		jsonw_object_extend(w, lr->json.data + r->off, r->len);
		jsonw_key(w, "balance_display");
		list_rows_balance(w, lr->json.data + r->off, r->len, locale);
		jsonw_key(w, "notification");
		if (!r->has_preference)
			jsonw_null(w);
		else if (preference_write(w, firm.timezone, &r->preference,
		    now) == -1) {
			log_warnx("client %lld: no next delivery in zone %s",
			    (long long)r->id, firm.timezone);
			return -1;
		}
		jsonw_key(w, "actions");
		list_rows_actions(w, r, routes);
		if (lr->month != 0) {
			jsonw_key(w, "month");
			month_figures_of(&lr->figures, r->id, &view);
			month_figures_write(w, &view, lr->month);
		}
		jsonw_object_close(w);
	}
	return w->error ? -1 : 0;
}
