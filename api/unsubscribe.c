/*
 * A digest's unsubscribe link: the one-click POST of RFC 8058 from mail
 * clients, and for a person who follows the link in the email's body, a
 * GET that shows a form (and changes nothing) and the form's POST.
 */
#include <stdio.h>
#include <string.h>

#include "../common/accept.h"
#include "../common/log.h"
#include "../common/store_partner.h"
#include "../common/store_preference.h"
#include "../common/token.h"
#include "../common/unsubscribe_page.h"
#include "route.h"

/* A link whose signature held, and what it names. */
struct unsubscribe_link {
	struct token_claims	 claims;
	char			 token[TOKEN_MAX + 1];
	/* The firm's language, once the link's user was found; else "". */
	char			 locale[8];
};

/*
 * Whether the answer is a page rather than JSON: a browser's GET, unless
 * it prefers JSON; a POST only when the client prefers HTML (a browser
 * sending the page's form), so that mail clients and scripts, which send
 * no Accept or "*" + "/" + "*", keep their JSON.
 */
static int
unsubscribe_wants_html(struct request *req, int get)
{
	const char	*accept = mg_get_header(req->conn, "Accept");
	int		 html, json, problem;

	/* The representation depends on Accept: caches must know. */
	(void)reply_header(req, "Vary", "Accept");
	html = accept_quality(accept, "text/html");
	json = accept_quality(accept, "application/json");
	problem = accept_quality(accept, "application/problem+json");
	if (problem > json)
		json = problem;
	return get ? html >= json : html > json;
}

/*
 * A page as the whole reply, with the headers that keep it inert; every
 * page links to the web app's notification settings.
 */
static void
unsubscribe_page_reply(struct request *req, int status,
    struct unsubscribe_page *pg)
{
	struct buf	 b;
	char		*body, manage[512];
	size_t		 len;

	if (config_app_link(req->cfg, CONFIG_NOTIFICATIONS_PATH, manage,
	    sizeof(manage)) == 0)
		pg->manage_url = manage;
	buf_init(&b, UNSUBSCRIBE_PAGE_MAX);
	if (unsubscribe_page_write(&b, pg) == -1 ||
	    (body = buf_steal(&b, &len)) == NULL) {
		buf_cleanup(&b);
		log_warnx("cannot write an unsubscribe page");
		(void)reply_internal_error(req);
		return;
	}
	reply_take(req, status, "text/html; charset=utf-8", body, len);
	(void)reply_header(req, "Content-Security-Policy",
	    UNSUBSCRIBE_PAGE_CSP);
	(void)reply_header(req, "X-Frame-Options", "DENY");
	/* The page's URL holds the token: no other site may see it. */
	(void)reply_header(req, "Referrer-Policy", "no-referrer");
}

/*
 * The one answer for every link that cannot be used: a page saying so
 * (spent or not, in the firm's language once the link named a user), or
 * for API clients one problem whatever the cause.
 */
static void
unsubscribe_invalid_reply(struct request *req, int html,
    const struct unsubscribe_link *l, int spent)
{
	struct unsubscribe_page	 pg;

	if (!html) {
		(void)reply_problem(req, 400, PROBLEM_MALFORMED,
		    "Invalid unsubscribe link",
		    "The unsubscribe link is invalid or has expired.");
		return;
	}
	memset(&pg, 0, sizeof(pg));
	pg.kind = spent ? UNSUBSCRIBE_PAGE_SPENT : UNSUBSCRIBE_PAGE_INVALID;
	pg.locale = l->locale[0] != '\0' ? l->locale : NULL;
	unsubscribe_page_reply(req, 400, &pg);
}

/*
 * Reads and checks ?token=: signed, unexpired, of a user of the firm it
 * names, whose language it then reads. 0, or -1 answered.
 */
static int
unsubscribe_link_or_reply(struct request *req, int html,
    struct unsubscribe_link *l)
{
	struct user	 u;
	struct partner	 firm;
	int		 rc;

	memset(l, 0, sizeof(*l));
	rc = request_query_or_reply(req, "token", l->token, sizeof(l->token));
	if (rc == -1 && !html)
		return -1;
	if (rc != 1 || token_verify(req->cfg->secret, req->cfg->secret_len,
	    l->token, TOKEN_AUD_UNSUBSCRIBE, store_now(), &l->claims) == -1) {
		/* A repeated or overlong token is one more broken link. */
		unsubscribe_invalid_reply(req, html, l, 0);
		return -1;
	}
	rc = store_user_get(req->store, l->claims.user_id, &u);
	if (rc == STORE_OK && u.partner_id == l->claims.partner_id)
		rc = store_partner_get(req->store, u.partner_id, &firm);
	else if (rc == STORE_OK)
		rc = STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND) {
		unsubscribe_invalid_reply(req, html, l, 0);
		return -1;
	}
	if (rc != STORE_OK)
		return reply_internal_error(req);
	(void)snprintf(l->locale, sizeof(l->locale), "%s", firm.locale);
	return 0;
}

/* The page of a usable link, or of one that would be (CONFIRM, DONE). */
static void
unsubscribe_link_page_reply(struct request *req,
    const struct unsubscribe_link *l, enum unsubscribe_page_kind kind)
{
	struct unsubscribe_page	 pg;

	memset(&pg, 0, sizeof(pg));
	pg.kind = kind;
	pg.locale = l->locale;
	pg.frequency = l->claims.scope;
	pg.token = l->token;
	unsubscribe_page_reply(req, 200, &pg);
}

/*
 * What the link in the email's body opens: a form that asks, and posts
 * back to this URL. A GET never unsubscribes (link checkers and mail
 * scanners fetch links); it only tells a link that no longer works.
 */
static void
unsubscribe_show(struct request *req)
{
	struct unsubscribe_link	 l;
	int			 html, rc;

	html = unsubscribe_wants_html(req, 1);
	if (unsubscribe_link_or_reply(req, html, &l) == -1)
		goto out;
	rc = store_preference_link_check(req->store, l.claims.user_id,
	    l.claims.scope, l.claims.client_id, l.claims.generation);
	if (rc == STORE_CONFLICT)
		unsubscribe_invalid_reply(req, html, &l, 1);
	else if (rc != STORE_OK)
		(void)reply_internal_error(req);
	else
		unsubscribe_link_page_reply(req, &l, UNSUBSCRIBE_PAGE_CONFIRM);
out:
	explicit_bzero(&l, sizeof(l));
}

/*
 * RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no
 * login, and so does the form of the GET's page; the body is not looked
 * at. The signed token says whose digest at which frequency (and, when
 * it names one, which client), and the generation of those settings when
 * it was sent: a link works once, and not after the user subscribed
 * again.
 */
static void
unsubscribe_post(struct request *req)
{
	struct unsubscribe_link	 l;
	cJSON			*doc;
	int			 html, rc, changed;

	html = unsubscribe_wants_html(req, 0);
	if (unsubscribe_link_or_reply(req, html, &l) == -1)
		goto out;
	/* The generation check and the change are one transaction. */
	if (store_begin(req->store) == -1) {
		(void)reply_internal_error(req);
		goto out;
	}
	rc = store_preference_unsubscribe(req->store, l.claims.user_id,
	    l.claims.scope, l.claims.client_id, l.claims.generation, &changed);
	if (rc == STORE_CONFLICT) {
		store_rollback(req->store);
		log_info("user %lld: spent %s unsubscribe link (generation "
		    "%lld)", (long long)l.claims.user_id, l.claims.scope,
		    (long long)l.claims.generation);
		unsubscribe_invalid_reply(req, html, &l, 1);
		goto out;
	}
	if (rc != STORE_OK || store_commit(req->store) == -1) {
		store_rollback(req->store);
		(void)reply_internal_error(req);
		goto out;
	}
	log_info("user %lld unsubscribed from %s digests (%d clients)",
	    (long long)l.claims.user_id, l.claims.scope, changed);
	if (html) {
		unsubscribe_link_page_reply(req, &l, UNSUBSCRIBE_PAGE_DONE);
		goto out;
	}
	if ((doc = cJSON_CreateObject()) != NULL &&
	    (cJSON_AddStringToObject(doc, "frequency", l.claims.scope) ==
	    NULL || json_add_int(doc, "unsubscribed", changed) == NULL)) {
		cJSON_Delete(doc);
		doc = NULL;
	}
	(void)reply_json(req, 200, doc);
out:
	explicit_bzero(&l, sizeof(l));
}

const struct route unsubscribe_routes[] = {
	{ .method = "GET", .pattern = "/v1/unsubscribe",
	    .handler = unsubscribe_show, .roles = ROUTE_PUBLIC,
	    .body = ROUTE_BODY_NONE },
	{ .method = "POST", .pattern = "/v1/unsubscribe",
	    .handler = unsubscribe_post, .roles = ROUTE_PUBLIC,
	    .body = ROUTE_BODY_IGNORE },
};
const size_t unsubscribe_n_routes = sizeof(unsubscribe_routes) /
    sizeof(unsubscribe_routes[0]);
