/*
 * Stopping gracefully. On SIGTERM the server stops taking connections,
 * lets the requests it has run to their answers, and only then stops
 * civetweb: mg_stop() cuts an answer being written, and a write whose
 * answer was cut may have committed, which a load balancer must not send
 * again elsewhere. A connection that was waiting to be taken is reset
 * before its request is read, so that one may be.
 */
#ifndef API_DRAIN_H
#define API_DRAIN_H

#include <civetweb.h>

/* Around each request: the requests in flight. */
void	drain_enter(void);
void	drain_leave(void);

/* Whether the server is stopping: answers close their connection. */
int	drain_stopping(void);

/*
 * Closes ctx's listening sockets (new connections are refused), then
 * waits until no request has been in flight for a short while, at most
 * wait_ms. 0, or -1 when requests were still running at the end.
 */
int	drain_run(struct mg_context *ctx, int wait_ms);
/* After mg_stop(): closes what stood in for the listeners. */
void	drain_end(void);

#endif
