/*
 * A reply sent in pieces as a handler makes them, for answers too large
 * to hold (the client list's CSV export): the headers every reply has,
 * then HTTP/1.1 chunks, each written in one write.
 */
#ifndef API_STREAM_H
#define API_STREAM_H

#include <stddef.h>

#include "../common/buf.h"
#include "http.h"

struct stream {
	struct request	*req;
	struct buf	 frame;		/* a chunk as it goes out */
	int		 chunked;	/* 1.1; on 1.0 the close ends it */
	int		 body;		/* 0 for HEAD: headers only */
	int		 failed;	/* the client left, or it was cut */
};

/*
 * Sends status, content_type and the headers set so far (reply_header)
 * with a body of unknown length; from here on the dispatcher sends
 * nothing (req->streamed). 0, or -1 when the client is gone.
 * stream_cleanup() frees what the stream holds, on every path.
 */
int	stream_open(struct stream *, struct request *, int status,
	    const char *content_type);
/*
 * Sends len bytes as one chunk (none for len 0 or a HEAD request).
 * 0, or -1 when the client is gone or stopped reading for the
 * connection's timeout: stop making the rest.
 */
int	stream_write(struct stream *, const char *data, size_t len);
/* Ends the body: the last chunk. */
void	stream_close(struct stream *);
/*
 * Ends a body that failed part-way: no last chunk, and the connection is
 * closed, so that the client sees the answer cut short rather than
 * taking part of it for the whole.
 */
void	stream_abort(struct stream *);
void	stream_cleanup(struct stream *);

#endif
