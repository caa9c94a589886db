/*
 * One HTTP request as the handlers see it, and the replies they give:
 * JSON documents and RFC 9457 problem details. The dispatcher in server.c
 * fills the request, runs one handler and sends the one reply it set.
 */
#ifndef API_HTTP_H
#define API_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <civetweb.h>
#include <cjson/cJSON.h>

#include "../common/api_key.h"
#include "../common/buf.h"
#include "../common/config.h"
#include "../common/store.h"
#include "../common/store_user.h"

#define HTTP_PARAMS_MAX		4
#define HTTP_PARAM_MAX		64

struct route;

struct request {
	struct mg_connection		*conn;
	const struct mg_request_info	*ri;
	const struct config		*cfg;
	struct store			*store;	/* the thread's connection */
	const struct route		*route;
	char				 id[40];	/* X-Request-Id */
	/* The client's address (request_find_client). */
	char				 client_addr[NETADDR_TEXT_MAX];
	struct timespec			 started;	/* CLOCK_MONOTONIC */
	struct timespec			 deadline;	/* started + timeout */
	/* Path parameters, in the order of the pattern's {…}. */
	char				 params[HTTP_PARAMS_MAX][HTTP_PARAM_MAX];
	int				 n_params;
	/* The caller, once authenticated. */
	int				 authenticated;
	struct user			 user;
	/*
	 * An API key's text when the caller sent one instead of a token
	 * ("" otherwise), and once authenticated its id and scopes; touch
	 * when its last use is to be written after the answer.
	 */
	char				 api_key[API_KEY_LEN + 1];
	int64_t				 key_id;
	unsigned			 key_scopes;
	int				 key_touch;
	/* The parsed body when the route takes one; owned here. */
	cJSON				*body;
	char				*raw_body;
	size_t				 raw_len;

	/* The reply. */
	int				 status;
	const char			*content_type;
	char				*reply_body;	/* owned */
	size_t				 reply_len;
	struct buf			 headers;	/* "Name: value\r\n" lines */
	/*
	 * Set once a handler has sent the reply itself, in pieces
	 * (stream.h): the dispatcher then sends nothing.
	 */
	int				 streamed;
};

/* Problem types, as relative URIs under /problems/. */
#define PROBLEM_VALIDATION	"validation-error"
#define PROBLEM_MALFORMED	"malformed-request"
#define PROBLEM_UNAUTHORIZED	"unauthorized"
#define PROBLEM_FORBIDDEN	"forbidden"
#define PROBLEM_NOT_FOUND	"not-found"
#define PROBLEM_METHOD		"method-not-allowed"
#define PROBLEM_CONFLICT	"conflict"
#define PROBLEM_TOO_LARGE	"payload-too-large"
#define PROBLEM_MEDIA_TYPE	"unsupported-media-type"
#define PROBLEM_RATE_LIMITED	"rate-limited"
#define PROBLEM_INTERNAL	"internal-error"
#define PROBLEM_UNAVAILABLE	"service-unavailable"
#define PROBLEM_TIMEOUT		"request-timeout"

/*
 * Sets the reply to doc (taken over, even on failure) as JSON with status.
 * Returns 0, or -1 after replacing the reply with a 500.
 */
int	reply_json(struct request *, int status, cJSON *doc);
/*
 * reply_json(), then, when that worked, a Location header naming what the
 * request made (a 201 or 202). 0 or -1.
 */
int	reply_json_at(struct request *, int status, cJSON *doc,
	    const char *location);
/* Sets the reply to raw bytes (copied) of the given type. */
int	reply_raw(struct request *, int status, const char *content_type,
	    const char *body, size_t len);
/*
 * Sets the reply to the JSON written into b by a struct jsonw, taking
 * its text over; answers 500 instead when the writer failed (error set).
 */
int	reply_jsonw(struct request *, int status, struct buf *b, int error);
/* Sets the reply to body, taken over (freed with free()). */
void	reply_take(struct request *, int status, const char *content_type,
	    char *body, size_t len);
/* A reply with no body (204). */
void	reply_empty(struct request *, int status);

/*
 * Sets an RFC 9457 problem reply. detail is a fixed text, never input.
 * errors (may be NULL) is a cJSON array, taken over. Always returns -1 so
 * that a helper can "return reply_problem(...)".
 */
int	reply_problem(struct request *, int status, const char *type,
	    const char *title, const char *detail);
int	reply_problem_errors(struct request *, int status, const char *type,
	    const char *title, const char *detail, cJSON *errors);
/* A problem with one extension member, such as "current_status". */
/* A problem with the field it is about and the id of what it names. */
int	reply_problem_id(struct request *, int status, const char *type,
	    const char *title, const char *detail, const char *field,
	    const char *id_name, int64_t id);
int	reply_problem_member(struct request *, int status, const char *type,
	    const char *title, const char *detail, const char *name,
	    const char *value);
/*
 * 422 "Invalid request body" listing errors (a cJSON array from
 * json_error_add(), taken over; NULL when out of memory).
 */
int	reply_invalid_body(struct request *, cJSON *errors);
/* The same with one error: field and message are fixed text. */
int	reply_invalid_field(struct request *, const char *field,
	    const char *message);
/* 400 "Invalid query parameter" with one error naming parameter name. */
int	reply_invalid_query(struct request *, const char *name,
	    const char *message);
/*
 * The start of every PATCH: 422 when the body names no field, else the
 * write transaction its read and write go in (a concurrent PATCH of
 * another field must not be undone by writing back a stale copy). 0,
 * or -1 after answering.
 */
int	patch_begin_or_reply(struct request *);
/* The usual 500: generic body; the cause is logged by the caller. */
int	reply_internal_error(struct request *);
/* 404 for anything the caller may not see, so existence never leaks. */
int	reply_not_found(struct request *);

/* reply_head()'s length of a body sent in pieces (stream.h). */
#define REPLY_STREAMED	((size_t)-1)
/*
 * Writes the reply's status line and headers, through the blank line
 * that ends them, into out: Content-Type, Content-Length len or, for
 * REPLY_STREAMED, Transfer-Encoding: chunked (on HTTP/1.0, which has no
 * chunks, the body ends with the connection instead), the request id,
 * the headers every reply has, the handler's (reply_header) and
 * Connection. 0 or -1.
 */
int	reply_head(struct request *, struct buf *out, size_t len);

/* Adds a response header; value is checked for CR and LF. 0 or -1. */
int	reply_header(struct request *, const char *name, const char *value);
/*
 * Whether the reply sets header name (1 or 0); its value is copied into
 * out when it fits in outlen (else out is "").
 */
int	reply_header_get(const struct request *, const char *name, char *out,
	    size_t outlen);

/*
 * Reads path parameter idx as a positive integer id; answers 404 itself
 * and returns -1 when it is not one.
 */
int	request_param_id_or_reply(struct request *, int idx, int64_t *out);

/*
 * Copies query parameter name (URL-decoded) into dst. Returns 1 when
 * present, 0 when absent, -1 after answering 400 (too long, repeated,
 * invalid UTF-8 or control characters).
 */
int	request_query_or_reply(struct request *, const char *name, char *dst,
	    size_t dstlen);
/*
 * The nth (from 0) of a parameter that may be given more than once;
 * the same answers, but for repeats.
 */
int	request_query_nth_or_reply(struct request *, const char *name,
	    size_t nth, char *dst, size_t dstlen);
/*
 * Reads query parameter name as a positive id into *out, 0 when absent.
 * 0, or -1 after answering 400.
 */
int	request_query_id_or_reply(struct request *, const char *name,
	    int64_t *out);

/* Whether query parameter name is there, whatever its value. */
int	request_query_has(const struct request *, const char *name);

/*
 * The client's address: the peer's, or behind a proxy named in
 * PORTAL_TRUSTED_PROXIES the one it gave in X-Forwarded-For
 * (netaddr_client). request_find_client() reads it, at dispatch.
 */
void	 request_find_client(struct request *);
const char *request_remote_addr(const struct request *);

#endif
