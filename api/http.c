/*
 * Reply helpers and typed access to the parts of a request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../common/log.h"
#include "../common/json.h"
#include "../common/text.h"
#include "drain.h"
#include "http.h"

static void
reply_clear(struct request *req)
{
	free(req->reply_body);
	req->reply_body = NULL;
	req->reply_len = 0;
}

int
reply_raw(struct request *req, int status, const char *content_type,
    const char *body, size_t len)
{
	char	*copy;

	reply_clear(req);
	if ((copy = malloc(len + 1)) == NULL) {
		log_warn("malloc");
		req->status = 500;
		req->content_type = NULL;
		return -1;
	}
	memcpy(copy, body, len);
	copy[len] = '\0';
	req->status = status;
	req->content_type = content_type;
	req->reply_body = copy;
	req->reply_len = len;
	return 0;
}

void
reply_take(struct request *req, int status, const char *content_type,
    char *body, size_t len)
{
	reply_clear(req);
	req->status = status;
	req->content_type = content_type;
	req->reply_body = body;
	req->reply_len = len;
}

int
reply_json_at(struct request *req, int status, cJSON *doc,
    const char *location)
{
	if (reply_json(req, status, doc) == -1)
		return -1;
	return reply_header(req, "Location", location);
}

int
reply_jsonw(struct request *req, int status, struct buf *b, int error)
{
	char	*body;
	size_t	 len;

	if (error || (body = buf_steal(b, &len)) == NULL)
		return reply_internal_error(req);
	reply_take(req, status, "application/json", body, len);
	return 0;
}

void
reply_empty(struct request *req, int status)
{
	reply_clear(req);
	req->status = status;
	req->content_type = NULL;
}

static const char reply_fallback[] =
    "{\"type\":\"/problems/internal-error\",\"title\":\"Internal error\","
    "\"status\":500}";

static int
reply_doc(struct request *req, int status, const char *type, cJSON *doc)
{
	char	*text;

	reply_clear(req);
	if (doc == NULL || (text = cJSON_PrintUnformatted(doc)) == NULL) {
		cJSON_Delete(doc);
		log_warnx("cannot print a JSON reply");
		(void)reply_raw(req, 500, "application/problem+json",
		    reply_fallback, sizeof(reply_fallback) - 1);
		return -1;
	}
	cJSON_Delete(doc);
	req->status = status;
	req->content_type = type;
	req->reply_body = text;
	req->reply_len = strlen(text);
	return 0;
}

int
reply_json(struct request *req, int status, cJSON *doc)
{
	return reply_doc(req, status, "application/json", doc);
}

/*
 * The problem document; errors and the extension members (moved into
 * the document) are optional. Returns -1, for "return reply_...".
 */
static int
reply_problem_full(struct request *req, int status, const char *type,
    const char *title, const char *detail, cJSON *errors, cJSON *members)
{
	cJSON	*doc, *m;
	char	 uri[96];

	(void)snprintf(uri, sizeof(uri), "/problems/%s", type);
	if ((doc = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(doc, "type", uri) == NULL ||
	    cJSON_AddStringToObject(doc, "title", title) == NULL ||
	    json_add_int(doc, "status", status) == NULL ||
	    (detail != NULL &&
	    cJSON_AddStringToObject(doc, "detail", detail) == NULL)) {
		cJSON_Delete(errors);
		cJSON_Delete(members);
		cJSON_Delete(doc);
		(void)reply_doc(req, status, "application/problem+json", NULL);
		return -1;
	}
	while (members != NULL && (m = members->child) != NULL) {
		cJSON_DetachItemViaPointer(members, m);
		cJSON_AddItemToObject(doc, m->string, m);
	}
	cJSON_Delete(members);
	if (errors != NULL)
		cJSON_AddItemToObject(doc, "errors", errors);
	(void)reply_doc(req, status, "application/problem+json", doc);
	return -1;
}

int
reply_problem_errors(struct request *req, int status, const char *type,
    const char *title, const char *detail, cJSON *errors)
{
	return reply_problem_full(req, status, type, title, detail, errors,
	    NULL);
}

int
reply_problem_member(struct request *req, int status, const char *type,
    const char *title, const char *detail, const char *name,
    const char *value)
{
	cJSON	*m;

	if ((m = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(m, name, value) == NULL) {
		cJSON_Delete(m);
		m = NULL;
	}
	return reply_problem_full(req, status, type, title, detail, NULL, m);
}

int
reply_problem_id(struct request *req, int status, const char *type,
    const char *title, const char *detail, const char *field,
    const char *id_name, int64_t id)
{
	cJSON	*m;

	if ((m = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(m, "field", field) == NULL ||
	    json_add_int(m, id_name, id) == NULL) {
		cJSON_Delete(m);
		m = NULL;
	}
	return reply_problem_full(req, status, type, title, detail, NULL, m);
}

int
reply_problem(struct request *req, int status, const char *type,
    const char *title, const char *detail)
{
	return reply_problem_errors(req, status, type, title, detail, NULL);
}

int
patch_begin_or_reply(struct request *req)
{
	cJSON	*errors;

	if (req->body->child == NULL) {
		errors = cJSON_CreateArray();
		json_error_add(errors, "(body)", "must name at least one field");
		return reply_problem_errors(req, 422, PROBLEM_VALIDATION,
		    "Invalid request body", "Name at least one field to change.",
		    errors);
	}
	if (store_begin(req->store) == -1)
		return reply_internal_error(req);
	return 0;
}

int
reply_invalid_body(struct request *req, cJSON *errors)
{
	return reply_problem_errors(req, 422, PROBLEM_VALIDATION,
	    "Invalid request body", "One or more fields are missing or "
	    "invalid.", errors);
}

int
reply_invalid_field(struct request *req, const char *field,
    const char *message)
{
	cJSON	*errors = cJSON_CreateArray();

	json_error_add(errors, field, message);
	return reply_invalid_body(req, errors);
}

int
reply_invalid_query(struct request *req, const char *name,
    const char *message)
{
	cJSON	*errors = cJSON_CreateArray();

	json_error_add(errors, name, message);
	return reply_problem_errors(req, 400, PROBLEM_VALIDATION,
	    "Invalid query parameter", "One or more query parameters are "
	    "invalid.", errors);
}

int
reply_internal_error(struct request *req)
{
	return reply_problem(req, 500, PROBLEM_INTERNAL, "Internal error",
	    "The request could not be completed. It has been logged.");
}

int
reply_not_found(struct request *req)
{
	return reply_problem(req, 404, PROBLEM_NOT_FOUND, "Not found",
	    "No such resource.");
}

/* Whether the client's Connection header names token (comma list). */
static int
reply_connection_has(const char *h, const char *token)
{
	size_t	 n = strlen(token), len;

	while (*h != '\0') {
		h += strspn(h, " \t,");
		len = strcspn(h, " \t,");
		if (len == n && strncasecmp(h, token, n) == 0)
			return 1;
		h += len;
	}
	return 0;
}

/*
 * What civetweb would answer in Connection: the client's wish when it
 * states one, else HTTP/1.1's default of keep-alive.
 */
static const char *
reply_connection(const struct request *req, const char *version)
{
	const char	*h = mg_get_header(req->conn, "Connection");

	if (drain_stopping())
		return "close";
	if (h != NULL)
		return reply_connection_has(h, "keep-alive") ? "keep-alive" :
		    "close";
	return strcmp(version, "1.1") == 0 ? "keep-alive" : "close";
}

/*
 * The status line, Date and Connection are those that
 * mg_response_header_send would write.
 */
int
reply_head(struct request *req, struct buf *out, size_t len)
{
	/* The Date of this thread's last answer, made again each second. */
	static _Thread_local time_t	 date_at = -1;
	static _Thread_local char	 date[40];
	struct mg_connection		*conn = req->conn;
	const char			*version = req->ri->http_version;
	time_t				 now = time(NULL);
	struct tm			 tm;
	char				 num[24], *end = num + sizeof(num) - 1;
	int				 ok, until_close;

	if (version == NULL || strcmp(version, "1.0") != 0)
		version = "1.1";
	/* HTTP/1.0 has no chunks: the end of the connection ends the body. */
	until_close = len == REPLY_STREAMED && strcmp(version, "1.0") == 0;
	if (now != date_at) {
		if (gmtime_r(&now, &tm) == NULL || strftime(date, sizeof(date),
		    "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
			date[0] = '\0';
		date_at = now;
	}
	*end = '\0';
	/* Put together without printf: every answer has one. */
	ok = buf_adds(out, "HTTP/") == 0 && buf_adds(out, version) == 0 &&
	    buf_addc(out, ' ') == 0 &&
	    buf_adds(out, text_u64_before(end, (uint64_t)req->status, 3)) == 0 &&
	    buf_addc(out, ' ') == 0 &&
	    buf_adds(out, mg_get_response_code_text(conn, req->status)) == 0 &&
	    (req->content_type == NULL ||
	    (buf_adds(out, "\r\nContent-Type: ") == 0 &&
	    buf_adds(out, req->content_type) == 0)) &&
	    buf_adds(out, "\r\n") == 0;
	if (ok && len != REPLY_STREAMED)
		ok = buf_adds(out, "Content-Length: ") == 0 &&
		    buf_adds(out, text_u64_before(end, len, 1)) == 0 &&
		    buf_adds(out, "\r\n") == 0;
	else if (ok && !until_close)
		ok = buf_adds(out, "Transfer-Encoding: chunked\r\n") == 0;
	ok = ok && buf_adds(out, "X-Request-Id: ") == 0 &&
	    buf_adds(out, req->id) == 0 &&
	    buf_adds(out, "\r\nCache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\nVary: Origin\r\nDate: ") == 0 &&
	    buf_adds(out, date) == 0 && buf_adds(out, "\r\n") == 0 &&
	    buf_add(out, req->headers.data ? req->headers.data : "",
	    req->headers.len) == 0;
	/* Stopping: the client's next request goes elsewhere. */
	if (drain_stopping() || until_close)
		mg_disable_connection_keep_alive(conn);
	/* A handler's own Connection: close wins (see intake_close). */
	if (ok && !reply_header_get(req, "Connection", NULL, 0))
		ok = buf_adds(out, "Connection: ") == 0 &&
		    buf_adds(out, until_close ? "close" :
		    reply_connection(req, version)) == 0 &&
		    buf_adds(out, "\r\n") == 0;
	ok = ok && buf_add(out, "\r\n", 2) == 0;
	return ok ? 0 : -1;
}

int
reply_header(struct request *req, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
		return -1;
	return buf_printf(&req->headers, "%s: %s\r\n", name, value);
}

int
reply_header_get(const struct request *req, const char *name, char *out,
    size_t outlen)
{
	const char	*line = req->headers.data;
	size_t		 n = strlen(name), vlen;

	if (outlen > 0)
		out[0] = '\0';
	while (line != NULL && *line != '\0') {
		/* Lines are "Name: value\r\n", as reply_header() writes them. */
		if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
			vlen = strcspn(line + n + 2, "\r");
			if (vlen < outlen) {
				memcpy(out, line + n + 2, vlen);
				out[vlen] = '\0';
			}
			return 1;
		}
		if ((line = strstr(line, "\r\n")) != NULL)
			line += 2;
	}
	return 0;
}

int
request_param_id_or_reply(struct request *req, int idx, int64_t *out)
{
	long long	 v;

	if (idx >= req->n_params ||
	    text_parse_int(req->params[idx], 1, INT64_MAX, &v) == -1 ||
	    req->params[idx][0] == '0') {
		reply_not_found(req);
		return -1;
	}
	*out = v;
	return 0;
}

int
request_query_nth_or_reply(struct request *req, const char *name,
    size_t nth, char *dst, size_t dstlen)
{
	const char	*qs = req->ri->query_string;
	int		 n;

	dst[0] = '\0';
	if (qs == NULL)
		return 0;
	n = mg_get_var2(qs, strlen(qs), name, dst, dstlen, nth);
	if (n == -1)
		return 0;
	if (n < 0 || (size_t)n != strlen(dst) ||
	    !text_utf8_valid(dst, (size_t)n) || text_has_control(dst)) {
		dst[0] = '\0';
		return reply_invalid_query(req, name,
		    "is too long or not valid text");
	}
	return 1;
}

int
request_query_or_reply(struct request *req, const char *name, char *dst,
    size_t dstlen)
{
	const char	*qs = req->ri->query_string;
	char		 probe[8];
	int		 rc;

	if ((rc = request_query_nth_or_reply(req, name, 0, dst, dstlen)) != 1)
		return rc;
	if (mg_get_var2(qs, strlen(qs), name, probe, sizeof(probe), 1) != -1) {
		dst[0] = '\0';
		return reply_invalid_query(req, name,
		    "is given more than once");
	}
	return 1;
}

int
request_query_id_or_reply(struct request *req, const char *name,
    int64_t *out)
{
	char		 v[32];
	long long	 n;
	int		 rc;

	*out = 0;
	if ((rc = request_query_or_reply(req, name, v, sizeof(v))) != 1)
		return rc;
	if (text_parse_int(v, 1, INT64_MAX, &n) == -1)
		return reply_invalid_query(req, name, "must be a positive "
		    "integer id");
	*out = n;
	return 0;
}

int
request_query_has(const struct request *req, const char *name)
{
	const char	*qs = req->ri->query_string;
	char		 probe[8];

	/* -1 is "absent"; a value too long for probe answers -2. */
	return qs != NULL && mg_get_var2(qs, strlen(qs), name, probe,
	    sizeof(probe), 0) != -1;
}

void
request_find_client(struct request *req)
{
	const struct mg_request_info	*ri = req->ri;
	const char			*xff = NULL;
	int				 i;

	/* The last one: a proxy adds its own after any the client sent. */
	for (i = 0; i < ri->num_headers; i++)
		if (strcasecmp(ri->http_headers[i].name,
		    "X-Forwarded-For") == 0)
			xff = ri->http_headers[i].value;
	netaddr_client(ri->remote_addr, xff, req->cfg->trusted_proxies,
	    req->cfg->n_trusted_proxies, req->client_addr,
	    sizeof(req->client_addr));
}

const char *
request_remote_addr(const struct request *req)
{
	return req->client_addr;
}
