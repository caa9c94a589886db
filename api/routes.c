/*
 * The one route table, assembled from the resource files, and matching.
 */
#include <string.h>

#include "route.h"

static const struct route_group route_groups[] = {
	{ health_routes, &health_n_routes },
	{ metrics_routes, &metrics_n_routes },
	{ auth_routes, &auth_n_routes },
	{ users_routes, &users_n_routes },
	{ api_keys_routes, &api_keys_n_routes },
	{ events_routes, &events_n_routes },
	{ webhooks_routes, &webhooks_n_routes },
	{ overview_routes, &overview_n_routes },
	{ thresholds_routes, &thresholds_n_routes },
	/* Before clients_routes: "/v1/clients/tabs" is not a client id. */
	{ client_list_routes, &client_list_n_routes },
	{ clients_routes, &clients_n_routes },
	{ expenses_routes, &expenses_n_routes },
	{ balances_routes, &balances_n_routes },
	{ assignees_routes, &assignees_n_routes },
	{ access_routes, &access_n_routes },
	{ preferences_routes, &preferences_n_routes },
	{ unsubscribe_routes, &unsubscribe_n_routes },
	{ reminders_routes, &reminders_n_routes },
	{ reminder_admin_routes, &reminder_admin_n_routes },
};

#define ROUTE_N_GROUPS	(sizeof(route_groups) / sizeof(route_groups[0]))

/* Matches path against pattern segment by segment; {x} takes one. */
static int
route_match(const char *pattern, const char *path, struct request *req)
{
	const char	*p = pattern, *u = path;
	int		 n = 0;

	while (*p != '\0' && *u != '\0') {
		if (*p == '{') {
			size_t len = strcspn(u, "/");
			if (len == 0 || len >= HTTP_PARAM_MAX ||
			    n == HTTP_PARAMS_MAX)
				return 0;
			if (req != NULL) {
				memcpy(req->params[n], u, len);
				req->params[n][len] = '\0';
			}
			n++;
			u += len;
			p = strchr(p, '}');
			if (p == NULL)
				return 0;
			p++;
			continue;
		}
		if (*p != *u)
			return 0;
		p++;
		u++;
	}
	if (*p != '\0' || *u != '\0')
		return 0;
	if (req != NULL)
		req->n_params = n;
	return 1;
}

/* Appends ", method" (or the first method) to allow, when it fits. */
static void
route_allow_add(char *allow, size_t allowlen, size_t *used,
    const char *method)
{
	size_t	 n = strlen(method);

	if (*used + n + 3 >= allowlen)
		return;
	if (*used > 0) {
		memcpy(allow + *used, ", ", 2);
		*used += 2;
	}
	memcpy(allow + *used, method, n + 1);
	*used += n;
}

const struct route *
route_find(const char *method, const char *path, struct request *req,
    char *allow, size_t allowlen)
{
	const struct route	*r;
	size_t			 g, i, used = 0;

	allow[0] = '\0';
	for (g = 0; g < ROUTE_N_GROUPS; g++) {
		for (i = 0; i < *route_groups[g].n_routes; i++) {
			r = &route_groups[g].routes[i];
			if (!route_match(r->pattern, path, NULL))
				continue;
			if (strcmp(r->method, method) == 0) {
				(void)route_match(r->pattern, path, req);
				return r;
			}
			/*
			 * "GET, HEAD, PATCH": the Allow header of a 405. HEAD
			 * is served wherever GET is (server_handle).
			 */
			route_allow_add(allow, allowlen, &used, r->method);
			if (strcmp(r->method, "GET") == 0)
				route_allow_add(allow, allowlen, &used,
				    "HEAD");
		}
	}
	return NULL;
}

void
route_each(void (*fn)(const struct route *, void *), void *arg)
{
	size_t	 g, i;

	for (g = 0; g < ROUTE_N_GROUPS; g++)
		for (i = 0; i < *route_groups[g].n_routes; i++)
			fn(&route_groups[g].routes[i], arg);
}

const struct route *
route_named(const char *method, const char *pattern)
{
	const struct route	*r;
	size_t			 g, i;

	for (g = 0; g < ROUTE_N_GROUPS; g++)
		for (i = 0; i < *route_groups[g].n_routes; i++) {
			r = &route_groups[g].routes[i];
			if (strcmp(r->method, method) == 0 &&
			    strcmp(r->pattern, pattern) == 0)
				return r;
		}
	return NULL;
}

enum route_refusal
route_refusal(const struct route *r, const struct request *req)
{
	if ((r->roles & req->user.role) == 0)
		return ROUTE_REFUSED_ROLE;
	if (req->api_key[0] == '\0' || r->scope == ROUTE_SCOPE_ANY ||
	    (r->scope & req->key_scopes) != 0)
		return ROUTE_ALLOWED;
	return r->scope == 0 ? ROUTE_REFUSED_KEY : ROUTE_REFUSED_SCOPE;
}
