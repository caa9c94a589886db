/*
 * Liveness, readiness and the contract this binary was built with.
 */
#include "../common/log.h"
#include "drain.h"
#include "route.h"

/* scripts/embed makes these from openapi.yaml at build time. */
extern const char	openapi_yaml[];
extern const size_t	openapi_yaml_len;

static void
health_live(struct request *req)
{
	cJSON	*doc = cJSON_CreateObject();

	if (doc != NULL)
		cJSON_AddStringToObject(doc, "status", "ok");
	(void)reply_json(req, 200, doc);
}

static void
health_ready(struct request *req)
{
	cJSON	*doc;

	/* A load balancer that asks sends the next requests elsewhere. */
	if (drain_stopping()) {
		(void)reply_problem(req, 503, PROBLEM_UNAVAILABLE,
		    "Not ready", "The server is stopping.");
		return;
	}
	if (store_ping(req->store) == -1) {
		log_warnx("readiness: database does not answer");
		(void)reply_problem(req, 503, PROBLEM_UNAVAILABLE,
		    "Not ready", "The database is not reachable.");
		return;
	}
	if ((doc = cJSON_CreateObject()) != NULL)
		cJSON_AddStringToObject(doc, "status", "ready");
	(void)reply_json(req, 200, doc);
}

static void
health_openapi(struct request *req)
{
	(void)reply_raw(req, 200, "application/yaml", openapi_yaml,
	    openapi_yaml_len);
}

const struct route health_routes[] = {
	{ .method = "GET", .pattern = "/healthz", .handler = health_live,
	    .roles = ROUTE_PUBLIC, .body = ROUTE_BODY_NONE },
	{ .method = "GET", .pattern = "/readyz", .handler = health_ready,
	    .roles = ROUTE_PUBLIC, .body = ROUTE_BODY_NONE },
	{ .method = "GET", .pattern = "/openapi.yaml",
	    .handler = health_openapi, .roles = ROUTE_PUBLIC,
	    .body = ROUTE_BODY_NONE },
};
const size_t health_n_routes = sizeof(health_routes) /
    sizeof(health_routes[0]);
