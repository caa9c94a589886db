/*
 * The list's page held, then written with what each row gains, from a
 * fixed number of reads for the whole page.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/client_action.h"
#include "../common/log.h"
#include "../common/money.h"
#include "../common/reminder_rule.h"
#include "../common/store_client.h"
#include "../common/store_partner.h"
#include "../common/text.h"
#include "list_rows.h"
#include "preference_cache.h"
#include "preferences.h"
#include "route.h"


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
list_rows_init(struct list_rows *lr, struct request *req, int month,
    size_t rows)
{
	memset(lr, 0, sizeof(*lr));
	lr->req = req;
	lr->month = month;
	buf_init(&lr->json, CLIENT_PAGE_BYTES_MAX);
	/* A stored row is about 450 bytes; a failure leaves it to grow. */
	(void)buf_reserve(&lr->json, rows * 512);
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
	/* Statuses are short words: cut, never overrun. */
	strncpy(r->status, status, sizeof(r->status) - 1);
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

/* A page fact: the viewer's setting. */
static int
list_rows_fact(const struct client_page_fact *f, void *arg)
{
	struct list_row_ref	*r;

	if ((r = list_rows_find(arg, f->client_id)) != NULL) {
		r->preference = *f->preference;
		r->has_preference = 1;
	}
	return 0;
}

/*
 * The roles a reminder reaches, by the rule of the send itself
 * (reminder_rule.h) for an active assignee of each role, as the text a
 * stored row's assignee carries: "\"role\":\"bookkeeper\"". A row's
 * assignees are its active ones, and theirs are its only "role" keys.
 * Each with its table of shifts (Boyer-Moore-Horspool), made once: a
 * page looks for it in every row, and memmem() makes its tables anew
 * at each call.
 */
struct list_reach_role {
	char		 text[40];
	size_t		 len;
	unsigned char	 shift[256];	/* by the window's last byte */
};
static struct list_reach_role	 list_reach_roles[3];
static size_t			 list_reach_roles_n;

static void
list_reach_roles_find(void)
{
	static const enum role	 roles[] = { ROLE_ADMIN, ROLE_BOOKKEEPER,
				    ROLE_INTEGRATION };
	struct list_reach_role	*r;
	struct user		 u;
	size_t			 i, k;
	int			 n;

	memset(&u, 0, sizeof(u));
	u.active = 1;
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		u.role = roles[i];
		if (reminder_rule_refusal(&u, 1) != NULL)
			continue;
		r = &list_reach_roles[list_reach_roles_n];
		n = snprintf(r->text, sizeof(r->text), "\"role\":\"%s\"",
		    role_name(roles[i]));
		if (n <= 0 || (size_t)n >= sizeof(r->text))
			continue;
		r->len = (size_t)n;
		memset(r->shift, (int)r->len, sizeof(r->shift));
		for (k = 0; k + 1 < r->len; k++)
			r->shift[(unsigned char)r->text[k]] =
			    (unsigned char)(r->len - 1 - k);
		list_reach_roles_n++;
	}
}

/*
 * Whether a reminder about the client would reach anyone: an assignee
 * in its stored row of a role the rule lets through. Inside a string
 * every quote is escaped, so the text is only ever a member.
 */
static int
list_rows_reaches(const char *json, size_t len)
{
	const unsigned char		*h = (const unsigned char *)json;
	const struct list_reach_role	*r;
	size_t				 i, at;

	for (i = 0; i < list_reach_roles_n; i++) {
		r = &list_reach_roles[i];
		for (at = 0; at + r->len <= len;
		    at += r->shift[h[at + r->len - 1]])
			if (h[at + r->len - 1] ==
			    (unsigned char)r->text[r->len - 1] &&
			    memcmp(h + at, r->text, r->len) == 0)
				return 1;
	}
	return 0;
}

/* The viewer's settings, for the whole page. */
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
	rc = preference_cache_page(lr->req->store, &lr->req->user, ids, lr->n,
	    list_rows_fact, lr);
	free(ids);
	return rc;
}

/* The routes of list_action_routes, found once: the tables are static. */
static const struct route	*list_action_route[LIST_ACTION_ROUTES];
static pthread_once_t		 list_action_once = PTHREAD_ONCE_INIT;

/* Each set of actions as its JSON array, a bit per action: 16 short. */
static char			 list_action_json[1u << CLIENT_ACTIONS][96];
static size_t			 list_action_len[1u << CLIENT_ACTIONS];

static void
list_action_routes_find(void)
{
	size_t		 i, len;
	unsigned	 mask;
	int		 a;

	for (i = 0; i < LIST_ACTION_ROUTES; i++)
		list_action_route[i] = route_named(list_action_routes[i].method,
		    list_action_routes[i].pattern);
	list_reach_roles_find();
	for (mask = 0; mask < (1u << CLIENT_ACTIONS); mask++) {
		len = 0;
		list_action_json[mask][len++] = '[';
		for (a = 0; a < CLIENT_ACTIONS; a++) {
			if ((mask & 1u << a) == 0)
				continue;
			len += (size_t)snprintf(list_action_json[mask] + len,
			    sizeof(list_action_json[mask]) - len, "%s\"%s\"",
			    len > 1 ? "," : "",
			    client_action_name((enum client_action)a));
		}
		(void)snprintf(list_action_json[mask] + len,
		    sizeof(list_action_json[mask]) - len, "]");
		list_action_len[mask] = strlen(list_action_json[mask]);
	}
}

/* Which actions' routes the caller may use at all: a bit per action. */
static unsigned
list_rows_routes_allowed(const struct request *req)
{
	const struct route	*r;
	unsigned		 allowed = 0, refused = 0, bit;
	size_t			 i;

	(void)pthread_once(&list_action_once, list_action_routes_find);
	for (i = 0; i < LIST_ACTION_ROUTES; i++) {
		bit = 1u << list_action_routes[i].action;
		r = list_action_route[i];
		if (r != NULL && route_refusal(r, req) == ROUTE_ALLOWED)
			allowed |= bit;
		else
			refused |= bit;
	}
	/* An action of two routes needs both. */
	return allowed & ~refused;
}

/*
 * The balance of a stored row in the firm's language, or null. The row
 * is the store's (list_json), whose balance is written as
 * "balance":{"amount_minor":N,"currency":"XXX"}: read as that text, as
 * every row of every page has it read.
 */
static void
list_rows_balance(struct jsonw *w, const char *json, size_t len,
    enum money_locale locale)
{
	static const char	 key[] = "\"balance\":";
	static const char	 amount[] = "{\"amount_minor\":";
	static const char	 currency[] = ",\"currency\":\"";
	const char		*p = json, *end = json + len, *q;
	char			 code[4], text[MONEY_FORMAT_MAX];
	int64_t			 minor;

	/*
	 * The object after "balance": a brace in a name is in a string,
	 * whose quotes are escaped, so never after that key's text.
	 */
	for (;;) {
		if ((p = memchr(p, '{', (size_t)(end - p))) == NULL)
			goto null;
		if ((size_t)(p - json) >= sizeof(key) - 1 &&
		    memcmp(p - (sizeof(key) - 1), key, sizeof(key) - 1) == 0)
			break;
		p++;
	}
	if ((size_t)(end - p) < sizeof(amount) - 1 ||
	    memcmp(p, amount, sizeof(amount) - 1) != 0)
		goto null;
	p += sizeof(amount) - 1;
	if ((q = text_i64_prefix(p, end, &minor)) == NULL ||
	    (size_t)(end - q) < sizeof(currency) - 1 + 4 ||
	    memcmp(q, currency, sizeof(currency) - 1) != 0)
		goto null;
	q += sizeof(currency) - 1;
	if (q[3] != '"')
		goto null;
	memcpy(code, q, 3);
	code[3] = '\0';
	if (money_format(locale, minor, code, text, sizeof(text)) == 0) {
		jsonw_string(w, text);
		return;
	}
null:
	jsonw_null(w);
}

/* The actions of a row: a bit per action the caller may take now. */
static unsigned
list_rows_actions(const struct list_row_ref *r, unsigned routes)
{
	unsigned	 mask = 0;
	int		 a;

	for (a = 0; a < CLIENT_ACTIONS; a++)
		if ((routes & 1u << a) != 0 &&
		    client_action_refusal((enum client_action)a, r->status,
		    r->has_recipient) == CLIENT_ACTION_OK)
			mask |= 1u << a;
	return mask;
}

int
list_rows_write(struct list_rows *lr, struct jsonw *w)
{
	struct month_figures	 view;
	char			 last_status[sizeof(lr->v->status)] = "";
	unsigned		 actions = 0;
	int			 last_recipient = -1;
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
		/* Asked only when the caller may notify at all. */
		r->has_recipient = (routes & 1u << CLIENT_ACTION_NOTIFY) != 0 &&
		    list_rows_reaches(lr->json.data + r->off, r->len);
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
		/* A page's rows share their few statuses: one check each. */
		if (strcmp(r->status, last_status) != 0 ||
		    r->has_recipient != last_recipient) {
			memcpy(last_status, r->status, sizeof(last_status));
			last_recipient = r->has_recipient;
			actions = list_rows_actions(r, routes);
		}
		jsonw_key(w, "actions");
		jsonw_raw(w, list_action_json[actions],
		    list_action_len[actions]);
		if (lr->month != 0) {
			jsonw_key(w, "month");
			month_figures_of(&lr->figures, r->id, &view);
			month_figures_write(w, &view, lr->month);
		}
		jsonw_object_close(w);
	}
	return w->error ? -1 : 0;
}
