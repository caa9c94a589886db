/*
 * civetweb set-up and the dispatcher: request id, CORS, routing, header
 * checks, authentication, bounded body reading, then one handler and one
 * reply, sent by this file alone.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <civetweb.h>

#include "../common/clock.h"
#include "../common/log.h"
#include "../common/text.h"
#include "authn.h"
#include "deadline.h"
#include "drain.h"
#include "idempotency.h"
#include "intake.h"
#include "metrics.h"
#include "route.h"
#include "server.h"

#define SERVER_HEADERS_MAX	8192	/* bytes of extra reply headers */
#define SERVER_REQUEST_HEADERS	"16384"	/* civetweb's max_request_size */

/* Written before mg_start, read-only after. */
static const struct config	*server_cfg;

static void *
server_init_thread(const struct mg_context *ctx, int type)
{
	(void)ctx;
	/* Type 1 is a worker thread: it gets its own database connection. */
	if (type != 1)
		return NULL;
	return store_open(server_cfg->db_path, 0);
}

static void
server_exit_thread(const struct mg_context *ctx, int type, void *p)
{
	(void)ctx;
	(void)type;
	store_close(p);
}

/* A client's id when it is short and plain, else a fresh random one. */
static void
server_request_id(struct mg_connection *conn, char *out, size_t outlen)
{
	const char	*h = mg_get_header(conn, "X-Request-Id");
	unsigned char	 rnd[12];
	size_t		 i, len;

	if (h != NULL && (len = strlen(h)) > 0 && len < outlen && len <= 36) {
		for (i = 0; i < len; i++) {
			char c = h[i];
			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			    c == '.'))
				break;
		}
		if (i == len) {
			memcpy(out, h, len + 1);
			return;
		}
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));
	text_hex(rnd, sizeof(rnd), out);
}

/*
 * The reply in one write. civetweb's header functions send each line by
 * itself, and with TCP_NODELAY each becomes a segment of its own: more
 * work for both ends than the rest of a page of clients. A handler that
 * streamed its reply (stream.h) has sent it already.
 */
static void
server_send(struct request *req)
{
	struct mg_connection	*conn = req->conn;
	struct buf		 out;
	char			 fallback[160];
	int			 body, n, ok;

	if (req->streamed)
		return;
	if (req->status == 0)
		(void)reply_internal_error(req);
	body = req->reply_len > 0 &&
	    strcmp(req->ri->request_method, "HEAD") != 0;
	buf_init(&out, SIZE_MAX);
	ok = buf_reserve(&out, 512 + req->headers.len +
	    (body ? req->reply_len : 0)) == 0 &&
	    reply_head(req, &out, req->reply_len) == 0 &&
	    (!body || buf_add(&out, req->reply_body, req->reply_len) == 0);
	if (ok)
		mg_write(conn, out.data, out.len);
	else {
		log_warnx("cannot build the reply headers (%s)", req->id);
		/* Still with the request id, which every reply carries. */
		n = snprintf(fallback, sizeof(fallback), "HTTP/1.1 500 "
		    "Internal Server Error\r\nContent-Length: 0\r\n"
		    "X-Request-Id: %s\r\nVary: Origin\r\n"
		    "Connection: close\r\n\r\n", req->id);
		if (n > 0 && (size_t)n < sizeof(fallback))
			mg_write(conn, fallback, (size_t)n);
	}
	buf_cleanup(&out);
}

/* CORS for the configured origins only; never "*". */
static int
server_cors(struct request *req, const char *allow)
{
	const char	*origin = mg_get_header(req->conn, "Origin");
	int		 ok;

	ok = origin != NULL && config_origin_allowed(req->cfg, origin);
	if (strcmp(req->ri->request_method, "OPTIONS") == 0) {
		if (!ok)
			return reply_problem(req, 403, PROBLEM_FORBIDDEN,
			    "Origin not allowed",
			    "This origin may not call the API from a browser.");
		reply_empty(req, 204);
		(void)reply_header(req, "Access-Control-Allow-Methods", allow);
		(void)reply_header(req, "Access-Control-Allow-Headers",
		    "Authorization, Content-Type, Idempotency-Key, "
		    "X-Request-Id");
		(void)reply_header(req, "Access-Control-Max-Age", "600");
	}
	if (ok) {
		(void)reply_header(req, "Access-Control-Allow-Origin", origin);
		(void)reply_header(req, "Access-Control-Expose-Headers",
		    "Location, Retry-After, X-Request-Id, Idempotent-Replayed, "
		    "Content-Disposition");
	}
	/* Vary: Origin is on every reply (reply_head). */
	return 0;
}

/*
 * The body read (intake_body_or_reply) checked as the route takes it:
 * its media type, strict JSON, the route's schema. 0, or -1 replied.
 */
static int
server_parse_or_reply(struct request *req)
{
	const char	*ct = mg_get_header(req->conn, "Content-Type");
	enum json_fault	 f;
	cJSON		*errors;
	size_t		 ctlen;

	if ((req->raw_len == 0 && req->route->body == ROUTE_BODY_NONE) ||
	    req->route->body == ROUTE_BODY_IGNORE)
		return 0;
	ctlen = ct ? strcspn(ct, ";") : 0;
	while (ctlen > 0 && ct[ctlen - 1] == ' ')
		ctlen--;
	if (ct == NULL || ctlen != 16 ||
	    strncasecmp(ct, "application/json", 16) != 0)
		return reply_problem(req, 415, PROBLEM_MEDIA_TYPE,
		    "Unsupported media type",
		    "Send the body as application/json.");
	if ((f = json_parse_strict(req->raw_body, req->raw_len, &req->body))
	    != JSON_OK)
		return reply_problem(req, 400, PROBLEM_MALFORMED,
		    "Malformed JSON", json_fault_text(f));
	if (req->route->body == ROUTE_BODY_CUSTOM)
		return 0;
	if ((errors = cJSON_CreateArray()) == NULL)
		return reply_internal_error(req);
	if (req->route->body == ROUTE_BODY_NONE) {
		if (!cJSON_IsObject(req->body) || req->body->child != NULL) {
			json_error_add(errors, "(body)",
			    "this request takes no body");
			return reply_problem_errors(req, 422,
			    PROBLEM_VALIDATION, "Invalid request body",
			    "This request takes no fields.", errors);
		}
	} else if (json_schema_check(req->body, req->route->schema, NULL,
	    errors) > 0)
		return reply_invalid_body(req, errors);
	cJSON_Delete(errors);
	return 0;
}

/* Headers the server acts on, each of which must come at most once. */
static int
server_repeated_header(const struct mg_request_info *ri)
{
	static const char *const once[] = { "Authorization", "Content-Type",
	    "Idempotency-Key", "Origin", "X-Request-Id", NULL };
	size_t	 i;

	for (i = 0; once[i] != NULL; i++)
		if (intake_header_count(ri, once[i]) > 1)
			return 1;
	return 0;
}

/*
 * The caller's role may use the route, and an API key has the scope the
 * route needs; else 403 naming what is missing. 0 or -1 (replied).
 */
static int
server_role_or_reply(struct request *req)
{
	const struct route	*r = req->route;
	char			 detail[96];

	switch (route_refusal(r, req)) {
	case ROUTE_ALLOWED:
		return 0;
	case ROUTE_REFUSED_ROLE:
		return reply_problem(req, 403, PROBLEM_FORBIDDEN, "Forbidden",
		    "Your role may not use this route.");
	case ROUTE_REFUSED_KEY:
		return reply_problem(req, 403, PROBLEM_FORBIDDEN, "Forbidden",
		    "API keys may not use this route.");
	case ROUTE_REFUSED_SCOPE:
		break;
	}
	(void)snprintf(detail, sizeof(detail), "The API key does not have "
	    "the scope %s.", api_scope_name(r->scope));
	return reply_problem_member(req, 403, PROBLEM_FORBIDDEN,
	    "Missing scope", detail, "required_scope",
	    api_scope_name(r->scope));
}

/* Records a refusal as a key's answer, in a transaction of its own. */
static void
server_record_refusal(struct request *req, const struct idempotency *idem)
{
	if (store_begin(req->store) == -1)
		goto fail;
	if (idempotency_record(req, idem) != STORE_OK) {
		store_rollback(req->store);
		goto fail;
	}
	if (store_commit(req->store) == 0)
		return;
fail:
	/* The refusal stands; a retry is refused afresh. */
	log_warnx("idempotency key not recorded");
}

/*
 * A write's body refused before its transaction: the answer, held until
 * the caller's account and role are checked in the transaction, so that
 * those answer first, as they would for a read (server_write_once).
 */
struct held_reply {
	int		 status;	/* 0: the body passed */
	const char	*content_type;
	char		*body;		/* owned */
	size_t		 len;
};

/* Moves the reply made so far into h, leaving none in req. */
static void
server_hold_reply(struct request *req, struct held_reply *h)
{
	h->status = req->status;
	h->content_type = req->content_type;
	h->body = req->reply_body;
	h->len = req->reply_len;
	req->status = 0;
	req->content_type = NULL;
	req->reply_body = NULL;
	req->reply_len = 0;
}

/* Times a write is run when the database ends it for a conflict. */
#define SERVER_WRITE_TRIES	3

/* Whether the request is still within its deadline. */
static int
server_in_time(const struct request *req)
{
	return clock_ms_until(&req->deadline) > 0;
}

/*
 * One run of a write in one transaction, from the check of the caller's
 * account to the recorded answer (see store_begin_request): a user
 * deactivated or demoted while the request waited for its turn is
 * refused, and a crash leaves the write and its Idempotency-Key answer
 * together or neither. What the handler wrote is kept only with an
 * answer below 400.
 */
static void
server_write_once(struct request *req, const struct token_claims *claims,
    const char *key, int keyed, struct held_reply *refusal)
{
	struct idempotency	 idem;

	if (store_begin_request(req->store) == -1) {
		(void)reply_internal_error(req);
		return;
	}
	/* The caller as of now, not as of the check before the body. */
	memset(&req->user, 0, sizeof(req->user));
	req->authenticated = 0;
	if (authn_user_or_reply(req, claims) == -1 ||
	    server_role_or_reply(req) == -1)
		goto rollback;
	if (refusal->status != 0) {
		reply_take(req, refusal->status, refusal->content_type,
		    refusal->body, refusal->len);
		refusal->body = NULL;
		goto rollback;
	}
	if (keyed && idempotency_check_or_reply(req, key, &idem) == -1)
		goto rollback;
	req->route->handler(req);
	if (req->status <= 0 || req->status >= 400) {
		store_rollback_request(req->store);
		if (keyed && idempotency_keeps(req))
			server_record_refusal(req, &idem);
		return;
	}
	if (keyed && idempotency_record(req, &idem) != STORE_OK) {
		(void)reply_internal_error(req);
		goto rollback;
	}
	if (store_commit_request(req->store) == -1)
		(void)reply_internal_error(req);
	return;
rollback:
	store_rollback_request(req->store);
}

/*
 * A write, run again from its start when the database ended it to
 * settle a conflict with another (two admins changing each other at
 * once): nothing of the lost run was kept, and the new run reads what
 * the winner committed, as if the two had come one after the other.
 * Not past the request's deadline: the client has its 503 by then.
 */
static void
server_handle_write(struct request *req, const struct token_claims *claims,
    struct held_reply *refusal)
{
	const char	*key;
	size_t		 headers;
	int		 keyed, tries;

	key = mg_get_header(req->conn, "Idempotency-Key");
	keyed = key != NULL && !req->route->no_replay &&
	    strcmp(req->ri->request_method, "POST") == 0;
	headers = req->headers.len;
	for (tries = 1; ; tries++) {
		server_write_once(req, claims, key, keyed, refusal);
		if (req->status < 500 || !store_conflict(req->store) ||
		    tries == SERVER_WRITE_TRIES || !server_in_time(req))
			return;
		log_info("write lost a conflict; running it again");
		store_busy_clear(req->store);
		free(req->reply_body);
		req->reply_body = NULL;
		req->reply_len = 0;
		req->content_type = NULL;
		req->status = 0;
		req->headers.len = headers;
		if (req->headers.data != NULL)
			req->headers.data[headers] = '\0';
	}
}

static void
server_handle(struct request *req)
{
	const struct mg_request_info	*ri = req->ri;
	const char			*method = ri->request_method;
	struct token_claims		 claims;
	struct held_reply		 refusal;
	char				 allow[96];
	int				 reading, writing;

	if (intake_framing_or_reply(req) == -1 ||
	    intake_path_or_reply(req) == -1)
		return;
	/* HEAD is GET without the body (server_send leaves it out). */
	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	req->route = route_find(method, ri->local_uri_raw, req, allow,
	    sizeof(allow));
	if (req->route == NULL && allow[0] == '\0') {
		(void)reply_not_found(req);
		if (strcmp(method, "OPTIONS") != 0)
			(void)server_cors(req, "");
		return;
	}
	if (req->route == NULL && strcmp(ri->request_method, "OPTIONS") == 0) {
		(void)server_cors(req, allow);
		return;
	}
	if (server_cors(req, allow) == -1)
		return;
	if (req->route == NULL) {
		(void)reply_problem(req, 405, PROBLEM_METHOD,
		    "Method not allowed",
		    "This resource does not support that method.");
		(void)reply_header(req, "Allow", allow);
		return;
	}
	if (server_repeated_header(ri)) {
		/* A proxy may read the other copy: a different caller or key. */
		(void)reply_problem(req, 400, PROBLEM_MALFORMED,
		    "Malformed request", "A header that must appear once was "
		    "sent more than once.");
		return;
	}
	if (req->store == NULL) {
		log_warnx("no database connection on this thread");
		(void)reply_problem(req, 503, PROBLEM_UNAVAILABLE,
		    "Service unavailable", "The database is not reachable.");
		return;
	}
	/*
	 * A read is answered from one snapshot, the caller's account
	 * included: one read transaction where there would be two.
	 */
	reading = strcmp(method, "GET") == 0 &&
	    req->route->roles != ROUTE_PUBLIC;
	writing = !reading && req->route->roles != ROUTE_PUBLIC;
	if (reading && store_begin_read(req->store) == -1) {
		(void)reply_internal_error(req);
		return;
	}
	if (req->route->roles != ROUTE_PUBLIC &&
	    authn_token_or_reply(req, &claims) == -1)
		goto out;
	/*
	 * A write checks the caller's account and role in its own
	 * transaction (server_write_once) and reads nothing before: a read of
	 * this thread's connection after another's commit can cost the
	 * engine more than the write (SQLite maps its file afresh: a third
	 * of a preference PUT). The body is read and parsed here, outside
	 * the transaction, so that a slow sender or a large body holds up no
	 * other write; its refusal answers after the caller's checks.
	 */
	if (intake_body_or_reply(req) == -1)
		goto out;
	if (writing) {
		memset(&refusal, 0, sizeof(refusal));
		if (server_parse_or_reply(req) == -1)
			server_hold_reply(req, &refusal);
		server_handle_write(req, &claims, &refusal);
		free(refusal.body);
		goto out;
	}
	if (req->route->roles != ROUTE_PUBLIC &&
	    (authn_user_or_reply(req, &claims) == -1 ||
	    server_role_or_reply(req) == -1))
		goto out;
	if (server_parse_or_reply(req) == -1)
		goto out;
	req->route->handler(req);
out:
	if (reading)
		store_rollback(req->store);
	authn_key_touch(req);
}

static int
server_dispatch(struct mg_connection *conn, void *cbdata)
{
	struct request	 req;
	struct timespec	 t0, t1;
	int		 status;

	(void)cbdata;
	drain_enter();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&req, 0, sizeof(req));
	req.started = t0;
	req.conn = conn;
	req.ri = mg_get_request_info(conn);
	req.cfg = server_cfg;
	req.store = mg_get_thread_pointer(conn);
	buf_init(&req.headers, SERVER_HEADERS_MAX);
	request_find_client(&req);
	server_request_id(conn, req.id, sizeof(req.id));
	log_set_request_id(req.id);

	req.deadline = t0;
	clock_add_ms(&req.deadline, server_cfg->request_timeout_ms);
	if (req.store != NULL) {
		store_busy_clear(req.store);
		store_set_deadline(req.store, &req.deadline);
	}
	server_handle(&req);
	/* A handler that left a transaction open has failed mid-way. */
	if (req.store != NULL && store_in_transaction(req.store)) {
		log_warnx("transaction left open by %s %s",
		    req.ri->request_method, req.route ? req.route->pattern :
		    "?");
		store_rollback(req.store);
		(void)reply_internal_error(&req);
	}
	/* Locked out of the database for too long: try again, not a fault. */
	if (req.status >= 500 && req.store != NULL && store_busy(req.store)) {
		(void)reply_problem(&req, 503, PROBLEM_UNAVAILABLE,
		    "Database busy", "The database is busy. Try again shortly.");
		(void)reply_header(&req, "Retry-After", "1");
	}
	/*
	 * Every 503 passes (no connection on this thread, a database that
	 * does not answer, a server that is stopping): say when to come back.
	 */
	if (req.status == 503 && !reply_header_get(&req, "Retry-After", NULL,
	    0))
		(void)reply_header(&req, "Retry-After", "1");
	server_send(&req);
	if (req.store != NULL)
		store_set_deadline(req.store, NULL);

	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* The path only: query strings may carry tokens. */
	log_info("%s %s %d %.2fms", req.ri->request_method, req.ri->local_uri,
	    req.status, (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	status = req.status;
	metrics_count(status, (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	log_set_request_id(NULL);
	cJSON_Delete(req.body);
	if (req.raw_body != NULL)
		explicit_bzero(req.raw_body, req.raw_len);
	free(req.raw_body);
	free(req.reply_body);
	buf_cleanup(&req.headers);
	explicit_bzero(&req.user, sizeof(req.user));
	drain_leave();
	return status;
}

static int
server_begin_request(struct mg_connection *conn)
{
	return server_dispatch(conn, NULL);
}

/* civetweb's own errors (bad request line, headers too large) as problems. */
static int
server_http_error(struct mg_connection *conn, int status, const char *msg)
{
	char	 body[256], len[16], id[40];
	int	 n;

	(void)msg;
	n = snprintf(body, sizeof(body), "{\"type\":\"/problems/%s\","
	    "\"title\":\"Request refused\",\"status\":%d,"
	    "\"detail\":\"The server could not accept this request.\"}",
	    status == 413 || status == 431 ? PROBLEM_TOO_LARGE :
	    status >= 500 ? PROBLEM_INTERNAL : PROBLEM_MALFORMED, status);
	if (n < 0 || (size_t)n >= sizeof(body))
		return 1;
	/* civetweb closes after its own refusals: say so in the reply. */
	mg_disable_connection_keep_alive(conn);
	(void)snprintf(len, sizeof(len), "%d", n);
	if (mg_response_header_start(conn, status) != 0)
		return 1;
	mg_response_header_add(conn, "Content-Type", "application/problem+json",
	    -1);
	mg_response_header_add(conn, "Content-Length", len, -1);
	mg_response_header_add(conn, "Cache-Control", "no-store", -1);
	server_request_id(conn, id, sizeof(id));
	mg_response_header_add(conn, "X-Request-Id", id, -1);
	mg_response_header_add(conn, "Vary", "Origin", -1);
	mg_response_header_send(conn);
	mg_write(conn, body, (size_t)n);
	log_info("refused by the HTTP parser: %d (%s)", status, id);
	return 0;
}

static int
server_log_message(const struct mg_connection *conn, const char *message)
{
	(void)conn;
	log_warnx("civetweb: %s", message);
	return 1;
}

int
server_run(const struct config *cfg)
{
	struct mg_callbacks	 cb;
	struct mg_context	*ctx;
	char			 threads[24], timeout[24], keep_alive[24];
	sigset_t		 set;
	int			 sig;
	const char		*options[] = {
		"listening_ports", cfg->listen,
		"num_threads", threads,
		"request_timeout_ms", timeout,
		"enable_keep_alive", "yes",
		"keep_alive_timeout_ms", keep_alive,
		"tcp_nodelay", "1",
		"max_request_size", SERVER_REQUEST_HEADERS,
		/*
		 * Paths are matched as sent: "%00" or "%2F" never turns into a
		 * NUL or a separator that cuts a route short.
		 */
		"decode_url", "no",
		/* Empty: civetweb answers no CORS preflight of its own. */
		"access_control_allow_origin", "",
		"access_control_allow_methods", "",
		"access_control_allow_headers", "",
		NULL
	};

	server_cfg = cfg;
	/*
	 * Threads inherit this mask: only the main thread takes signals.
	 * Set before the first thread (the deadline watchdog) starts, or a
	 * SIGTERM it took would end the process at once.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	metrics_start();
	/* A slot for each request thread, and a few for civetweb's own. */
	if (deadline_start((int)cfg->threads + 8) == -1)
		return 1;
	(void)snprintf(threads, sizeof(threads), "%lld", cfg->threads);
	/*
	 * civetweb's timeout bounds the headers and each blocking read of a
	 * body; the dispatcher holds the whole request to the deadline (see
	 * intake_body_or_reply). An idle keep-alive connection, which holds
	 * a thread, is let go within the deadline too.
	 */
	(void)snprintf(timeout, sizeof(timeout), "%lld",
	    (long long)intake_slice_ms(cfg->request_timeout_ms));
	(void)snprintf(keep_alive, sizeof(keep_alive), "%lld",
	    cfg->request_timeout_ms < 5000 ? cfg->request_timeout_ms : 5000);

	memset(&cb, 0, sizeof(cb));
	/*
	 * Every request goes through begin_request, which is in place before
	 * mg_start listens: no request can meet civetweb's own 404 in the gap
	 * before a handler is registered.
	 */
	cb.begin_request = server_begin_request;
	cb.init_thread = server_init_thread;
	cb.exit_thread = server_exit_thread;
	cb.http_error = server_http_error;
	cb.log_message = server_log_message;
	mg_init_library(0);
	if ((ctx = mg_start(&cb, NULL, options)) == NULL) {
		log_warnx("cannot listen on %s", cfg->listen);
		mg_exit_library();
		deadline_stop();
		return 1;
	}
	log_info("listening on http://%s", cfg->listen);
	while (sigwait(&set, &sig) != 0)
		;
	log_info("signal %d: stopping", sig);
	/* What is in flight has its deadline to finish, and a second. */
	if (drain_run(ctx, (int)cfg->request_timeout_ms + 1000) == 0)
		log_info("requests answered; stopping the server");
	mg_stop(ctx);
	drain_end();
	mg_exit_library();
	deadline_stop();
	return 0;
}
