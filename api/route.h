/*
 * Routes as data: each resource file exports a table of these, routes.c
 * joins them, and the dispatcher authenticates, checks the body and then
 * runs the handler (after tmux's cmd_entry tables).
 */
#ifndef API_ROUTE_H
#define API_ROUTE_H

#include <stddef.h>

#include "../common/api_key.h"
#include "../common/json.h"
#include "../common/store_user.h"
#include "http.h"

#define ROUTE_PUBLIC	0u	/* no token needed */
#define ROUTE_STAFF	(ROLE_ADMIN | ROLE_BOOKKEEPER)
#define ROUTE_ANYONE	(ROLE_ADMIN | ROLE_BOOKKEEPER | ROLE_INTEGRATION)

enum route_body {
	ROUTE_BODY_NONE,	/* nothing, or an empty object */
	ROUTE_BODY_SCHEMA,	/* an object checked against route->schema */
	ROUTE_BODY_CUSTOM,	/* parsed strictly; the handler checks it */
	ROUTE_BODY_IGNORE	/* read within the limit, not parsed (forms) */
};

struct route {
	const char		*method;
	const char		*pattern;	/* "/v1/users/{id}" */
	void			(*handler)(struct request *);
	unsigned		 roles;		/* enum role bits, or PUBLIC */
	enum route_body		 body;
	const struct json_schema *schema;
	/*
	 * Set where a replayed answer would be wrong: one that hands out a
	 * short-lived secret, which must neither be stored nor served stale.
	 */
	int			 no_replay;
	/*
	 * What an API key needs to use the route: a scope (enum api_scope),
	 * ROUTE_SCOPE_ANY, or 0 when no key may, whatever its scopes.
	 */
	unsigned		 scope;
};

#define ROUTE_SCOPE_ANY	(~0u)

struct route_group {
	const struct route	*routes;
	const size_t		*n_routes;
};

/* Declared by each resource file. */
extern const struct route	auth_routes[], health_routes[], users_routes[],
				client_list_routes[], clients_routes[],
				assignees_routes[], access_routes[],
				expenses_routes[], preferences_routes[],
				reminders_routes[], reminder_admin_routes[],
				metrics_routes[],
				balances_routes[], api_keys_routes[],
				events_routes[], webhooks_routes[],
				overview_routes[], thresholds_routes[],
				unsubscribe_routes[];
extern const size_t		auth_n_routes, health_n_routes, users_n_routes,
				client_list_n_routes, clients_n_routes,
				assignees_n_routes, access_n_routes,
				expenses_n_routes, preferences_n_routes,
				reminders_n_routes, reminder_admin_n_routes,
				metrics_n_routes,
				balances_n_routes, api_keys_n_routes,
				events_n_routes, webhooks_n_routes,
				overview_n_routes, thresholds_n_routes,
				unsubscribe_n_routes;

/*
 * Finds the route for method and path, filling req->params. When the path
 * is known but not the method, returns NULL and writes the allowed
 * methods ("GET, PATCH") into allow; when the path is unknown, allow is "".
 */
const struct route	*route_find(const char *method, const char *path,
			    struct request *req, char *allow, size_t allowlen);

/* The route of method and pattern ("/v1/clients/{id}"), or NULL. */
const struct route	*route_named(const char *method, const char *pattern);

enum route_refusal {
	ROUTE_ALLOWED,
	ROUTE_REFUSED_ROLE,	/* the caller's role may not */
	ROUTE_REFUSED_KEY,	/* no API key may */
	ROUTE_REFUSED_SCOPE	/* the caller's API key lacks the scope */
};

/*
 * Whether the authenticated caller of req may use route r: the
 * dispatcher's check, and what the list's actions ask of each route.
 */
enum route_refusal	 route_refusal(const struct route *r,
			    const struct request *req);

/* Calls fn for every route, in table order. */
void	route_each(void (*fn)(const struct route *, void *), void *arg);

#endif
