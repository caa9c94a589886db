/*
 * Request framing, path and body checks that civetweb does not make, or
 * makes more leniently than a proxy in front of us would.
 */
#include <string.h>
#include <strings.h>
#include <time.h>

#include <civetweb.h>

#include "../common/clock.h"
#include "../common/log.h"
#include "deadline.h"
#include "intake.h"

int64_t
intake_slice_ms(int64_t deadline_ms)
{
	int64_t	 slice = deadline_ms / 4;

	return slice > 1000 ? 1000 : slice;
}

void
intake_close(struct request *req)
{
	/*
	 * civetweb decides to keep a connection from the request alone; a
	 * "Connection: close" of ours it does not see.
	 */
	mg_disable_connection_keep_alive(req->conn);
	(void)reply_header(req, "Connection", "close");
}

int
intake_header_count(const struct mg_request_info *ri, const char *name)
{
	int	 i, n = 0;

	for (i = 0; i < ri->num_headers; i++)
		if (strcasecmp(ri->http_headers[i].name, name) == 0)
			n++;
	return n;
}

/* RFC 9110's Content-Length = 1*DIGIT (trailing blanks are the field's). */
static int
intake_length_valid(const char *v)
{
	size_t	 n = strspn(v, "0123456789");

	if (n == 0 || n > 18)
		return 0;
	return v[n + strspn(v + n, " \t")] == '\0';
}

int
intake_framing_or_reply(struct request *req)
{
	const struct mg_request_info	*ri = req->ri;
	const char			*cl, *te;
	int				 n_te, n_cl;

	/*
	 * civetweb keeps MG_MAX_HEADERS and drops the rest unseen: a full
	 * table may have hidden a Transfer-Encoding or an Authorization.
	 */
	if (ri->num_headers >= MG_MAX_HEADERS) {
		(void)reply_problem(req, 431, PROBLEM_TOO_LARGE,
		    "Too many headers", "The request has more header fields "
		    "than this server accepts.");
		intake_close(req);
		return -1;
	}
	n_te = intake_header_count(ri, "Transfer-Encoding");
	n_cl = intake_header_count(ri, "Content-Length");
	cl = mg_get_header(req->conn, "Content-Length");
	te = mg_get_header(req->conn, "Transfer-Encoding");
	/*
	 * Framing two parsers could read two ways is refused (smuggling).
	 * civetweb takes "identity" for no coding at all; so might no one
	 * else.
	 */
	if ((n_te > 0 && n_cl > 0) || n_cl > 1 || n_te > 1 ||
	    (te != NULL && strcasecmp(te, "chunked") != 0) ||
	    (cl != NULL && !intake_length_valid(cl))) {
		(void)reply_problem(req, 400, PROBLEM_MALFORMED,
		    "Malformed request", "A request carries one Content-Length "
		    "of digits or one Transfer-Encoding, not both or twice.");
		intake_close(req);
		return -1;
	}
	return 0;
}

/* Whether seg (len bytes) is "." or "..", percent-encoded or not. */
static int
intake_dot_segment(const char *seg, size_t len)
{
	size_t	 dots = 0;

	while (len > 0) {
		if (seg[0] == '.') {
			seg++;
			len--;
		} else if (len >= 3 && strncasecmp(seg, "%2e", 3) == 0) {
			seg += 3;
			len -= 3;
		} else
			return 0;
		dots++;
	}
	return dots == 1 || dots == 2;
}

int
intake_path_or_reply(struct request *req)
{
	const char	*p = req->ri->local_uri_raw, *seg;
	size_t		 len;

	/* "*" and absolute URIs for other hosts have no local path. */
	if (p == NULL || p[0] != '/')
		goto bad;
	for (seg = p + 1;; seg += len + 1) {
		len = strcspn(seg, "/");
		if (seg[len] == '\0')
			break;
		if (len == 0 || intake_dot_segment(seg, len))
			goto bad;
	}
	/* The last segment may be empty ("/v1/clients/"), not a dot. */
	if (intake_dot_segment(seg, len))
		goto bad;
	return 0;
bad:
	return reply_problem(req, 400, PROBLEM_MALFORMED, "Malformed path",
	    "Paths may not have empty, \".\" or \"..\" segments.");
}

static int
intake_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static int64_t
intake_ms_between(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * 1000 +
	    (b->tv_nsec - a->tv_nsec) / 1000000;
}

int
intake_body_or_reply(struct request *req)
{
	long long	 cl = req->ri->content_length;
	size_t		 max = (size_t)req->cfg->max_body;
	int64_t		 d = req->cfg->request_timeout_ms;
	int		 chunked, n, cut;
	struct timespec	 until = req->started, before, now;
	struct buf	 b;
	char		 chunk[8192];

	buf_init(&b, max + 1);
	if (cl > (long long)max)
		goto too_large;
	chunked = mg_get_header(req->conn, "Transfer-Encoding") != NULL;
	if (cl <= 0 && !chunked)
		goto done;
	/* The headers had one slice of the deadline (civetweb's timeout). */
	d -= intake_slice_ms(d);
	clock_add_ms(&until, d);
	deadline_arm(req->conn, &until);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &before);
		n = mg_read(req->conn, chunk, sizeof(chunk));
		if (n > 0 && buf_add(&b, chunk, (size_t)n) == -1)
			break;
		if (n > 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!intake_before(&now, &until))
			break;
		/* Nothing within civetweb's timeout; not yet the deadline. */
		if (n == 0 && !chunked && b.len < (size_t)cl)
			continue;
		break;
	}
	cut = deadline_disarm();
	if (cut || !intake_before(&now, &until))
		goto too_slow;
	if (n > 0)
		goto too_large;
	/* A chunked read fails when it waits too long. */
	if (n < 0 && chunked && intake_ms_between(&before, &now) >=
	    intake_slice_ms(req->cfg->request_timeout_ms))
		goto too_slow;
	/*
	 * A read that stops short of the length: the sender went quiet for
	 * longer than civetweb waits, or closed, or broke the chunking.
	 */
	if (n < 0 || (!chunked && b.len < (size_t)cl)) {
		buf_cleanup(&b);
		return reply_problem(req, 400, PROBLEM_MALFORMED,
		    "Malformed request", "The request body could not be read.");
	}
done:
	req->raw_body = buf_steal(&b, &req->raw_len);
	if (req->raw_body == NULL)
		return reply_internal_error(req);
	return 0;
too_slow:
	buf_cleanup(&b);
	log_info("request body not received within %lld ms",
	    (long long)req->cfg->request_timeout_ms);
	(void)reply_problem(req, 408, PROBLEM_TIMEOUT, "Request timeout",
	    "The request was not received within the server's deadline.");
	intake_close(req);
	return -1;
too_large:
	buf_cleanup(&b);
	(void)reply_problem(req, 413, PROBLEM_TOO_LARGE, "Body too large",
	    "The request body is larger than this server accepts.");
	/* The rest of the body is not read: the connection cannot be reused. */
	intake_close(req);
	return -1;
}
