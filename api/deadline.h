/*
 * Request deadlines that hold while civetweb blocks in a read. civetweb's
 * own timeout restarts with every byte, so a body sent a byte at a time
 * would keep a thread for as long as the sender likes. A watchdog thread
 * ends the reading side of a connection whose request has passed its
 * deadline; the blocked read then fails and the request is answered 408.
 */
#ifndef API_DEADLINE_H
#define API_DEADLINE_H

#include <time.h>

#include <civetweb.h>

/* Starts the watchdog for up to slots threads; 0 or -1 (logged). */
int	deadline_start(int slots);
void	deadline_stop(void);

/*
 * Watches conn's socket until deadline_disarm(): past until (a
 * CLOCK_MONOTONIC time) its reading side is shut. Does nothing when the
 * socket cannot be found; the reader's own checks then bound it less
 * tightly.
 */
void	deadline_arm(const struct mg_connection *conn,
	    const struct timespec *until);
/* Stops watching; returns 1 when the watchdog had cut the reading. */
int	deadline_disarm(void);

#endif
