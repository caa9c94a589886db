/*
 * Chunked replies. civetweb 1.15 has mg_send_chunk(), but it makes three
 * writes of each chunk (size, data, CRLF), which TCP_NODELAY sends as
 * three segments; a chunk is framed here and written at once instead.
 */
#include <stdio.h>
#include <string.h>

#include <civetweb.h>

#include "../common/log.h"
#include "stream.h"

/* Size line and CRLF around a chunk's data. */
#define STREAM_FRAME_EXTRA	32

static int
stream_send(struct stream *s, const char *data, size_t len)
{
	int	 n;

	if (s->failed)
		return -1;
	n = mg_write(s->req->conn, data, len);
	if (n < 0 || (size_t)n != len) {
		/*
		 * Part of a chunk may have gone out (a client that stopped
		 * reading for the timeout): the connection can carry no
		 * other answer.
		 */
		stream_abort(s);
		return -1;
	}
	return 0;
}

int
stream_open(struct stream *s, struct request *req, int status,
    const char *content_type)
{
	const char	*version = req->ri->http_version;
	int		 rc;

	memset(s, 0, sizeof(*s));
	s->req = req;
	s->chunked = version == NULL || strcmp(version, "1.0") != 0;
	s->body = strcmp(req->ri->request_method, "HEAD") != 0;
	buf_init(&s->frame, SIZE_MAX);
	reply_empty(req, status);
	req->content_type = content_type;
	req->streamed = 1;
	if (reply_head(req, &s->frame, REPLY_STREAMED) == -1) {
		log_warnx("cannot build the reply headers (%s)", req->id);
		stream_abort(s);
		return -1;
	}
	rc = stream_send(s, s->frame.data, s->frame.len);
	buf_reset(&s->frame);
	return rc;
}

int
stream_write(struct stream *s, const char *data, size_t len)
{
	/* A chunk of 0 bytes would end the body. */
	if (s->failed || !s->body || len == 0)
		return s->failed ? -1 : 0;
	if (!s->chunked)
		return stream_send(s, data, len);
	buf_reset(&s->frame);
	if (buf_reserve(&s->frame, len + STREAM_FRAME_EXTRA) == -1 ||
	    buf_printf(&s->frame, "%zx\r\n", len) == -1 ||
	    buf_add(&s->frame, data, len) == -1 ||
	    buf_add(&s->frame, "\r\n", 2) == -1) {
		log_warnx("out of memory for a chunk (%s)", s->req->id);
		stream_abort(s);
		return -1;
	}
	return stream_send(s, s->frame.data, s->frame.len);
}

void
stream_close(struct stream *s)
{
	if (s->failed || !s->body || !s->chunked)
		return;
	(void)stream_send(s, "0\r\n\r\n", 5);
}

void
stream_abort(struct stream *s)
{
	s->failed = 1;
	mg_disable_connection_keep_alive(s->req->conn);
}

void
stream_cleanup(struct stream *s)
{
	buf_cleanup(&s->frame);
}
