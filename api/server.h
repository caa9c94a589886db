/*
 * The HTTP server: civetweb set-up, the per-thread database connections
 * and the dispatcher that runs every request through the route table.
 */
#ifndef API_SERVER_H
#define API_SERVER_H

#include "../common/config.h"

/* Serves until SIGTERM or SIGINT. Returns the process exit status. */
int	server_run(const struct config *);

#endif
