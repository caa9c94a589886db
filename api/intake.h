/*
 * What comes in before a handler may run: one framing of the request,
 * a path every proxy reads the same way, and a body read within its size
 * limit and the request's deadline.
 */
#ifndef API_INTAKE_H
#define API_INTAKE_H

#include <stdint.h>

#include "http.h"

/*
 * The slice of the request deadline that civetweb's own timeout is set
 * to: the time the headers may take, and the longest a read of the body
 * blocks before intake_body_or_reply() looks at the clock again.
 */
int64_t	intake_slice_ms(int64_t deadline_ms);

/*
 * Refuses a request whose end two parsers could find in two places
 * (Content-Length and Transfer-Encoding, two lengths, a length that is
 * not digits) with 400, and one with more headers than civetweb keeps
 * with 431. Either closes the connection after the reply: what follows
 * on it is never read as a request. Returns 0, or -1 when replied.
 */
int	intake_framing_or_reply(struct request *);

/*
 * Refuses a path with dot segments or empty segments ("//"), which a
 * proxy and this server could route apart, with 400. 0 or -1 (replied).
 */
int	intake_path_or_reply(struct request *);

/*
 * Reads the body into req->raw_body: 413 past the size limit, 408 when
 * the request's deadline passes first (the connection is then closed),
 * 400 when it cannot be read. 0 or -1 (replied).
 */
int	intake_body_or_reply(struct request *);

/* How many times the request carries header name. */
int	intake_header_count(const struct mg_request_info *, const char *name);

/* The connection ends after this reply, whatever the client asked. */
void	intake_close(struct request *);

#endif
