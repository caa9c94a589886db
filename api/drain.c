/*
 * Stopping gracefully: see drain.h.
 *
 * civetweb has no call that closes its listeners alone, so they are found
 * among the process's sockets (listening, on one of the server's ports)
 * and shut: the kernel refuses new connections and resets those not yet
 * accepted. Each is then replaced, under the same descriptor, by one end
 * of a socket pair that never becomes readable, so that civetweb's
 * accept loop waits quietly until mg_stop() closes it.
 */
#include <dirent.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../common/clock.h"
#include "../common/log.h"
#include "drain.h"

/* How long no request may run before the server counts as drained. */
#define DRAIN_QUIET_MS	100
#define DRAIN_POLL_MS	20
#define DRAIN_PORTS_MAX	8

static atomic_int	 drain_in_flight;
static atomic_int	 drain_flag;
/* The pair whose one end stands in for each listener, open till exit. */
static int		 drain_pair[2] = { -1, -1 };

void
drain_enter(void)
{
	atomic_fetch_add(&drain_in_flight, 1);
}

void
drain_leave(void)
{
	atomic_fetch_sub(&drain_in_flight, 1);
}

int
drain_stopping(void)
{
	return atomic_load(&drain_flag);
}

/* The local TCP port fd listens on, or -1 when it is no listener. */
static int
drain_listener_port(int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	int			 on = 0;
	socklen_t		 onlen = sizeof(on);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &onlen) == -1 ||
	    !on || getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

/* Shuts every listener on one of ports; the number shut. */
static int
drain_close_listeners(const struct mg_server_port *ports, int nports)
{
	struct dirent	*de;
	DIR		*d;
	int		 fd, port, i, n = 0;

	if (drain_pair[0] == -1 &&
	    socketpair(AF_UNIX, SOCK_STREAM, 0, drain_pair) == -1) {
		log_warn("drain: socketpair");
		return 0;
	}
	if ((d = opendir("/proc/self/fd")) == NULL) {
		log_warn("drain: /proc/self/fd");
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		fd = atoi(de->d_name);
		if (fd <= 2 || fd == dirfd(d) || fd == drain_pair[0] ||
		    fd == drain_pair[1] || (port = drain_listener_port(fd)) < 0)
			continue;
		for (i = 0; i < nports; i++)
			if (ports[i].port == port)
				break;
		if (i == nports)
			continue;
		(void)shutdown(fd, SHUT_RDWR);
		if (dup2(drain_pair[0], fd) == -1)
			log_warn("drain: dup2");
		n++;
	}
	closedir(d);
	return n;
}

int
drain_run(struct mg_context *ctx, int wait_ms)
{
	struct mg_server_port	 ports[DRAIN_PORTS_MAX];
	struct timespec		 until, quiet, pause = { 0,
	    DRAIN_POLL_MS * 1000000L };
	int			 nports, left;

	atomic_store(&drain_flag, 1);
	nports = mg_get_server_ports(ctx, DRAIN_PORTS_MAX, ports);
	if (nports > 0 && drain_close_listeners(ports, nports) == 0)
		log_warnx("drain: no listener found to close");
	clock_gettime(CLOCK_MONOTONIC, &until);
	quiet = until;
	clock_add_ms(&until, wait_ms);
	clock_add_ms(&quiet, DRAIN_QUIET_MS);
	for (;;) {
		left = atomic_load(&drain_in_flight);
		if (left > 0) {
			clock_gettime(CLOCK_MONOTONIC, &quiet);
			clock_add_ms(&quiet, DRAIN_QUIET_MS);
		} else if (clock_ms_until(&quiet) <= 0)
			return 0;
		if (clock_ms_until(&until) <= 0)
			break;
		(void)nanosleep(&pause, NULL);
	}
	log_warnx("drain: %d requests still running after %d ms", left,
	    wait_ms);
	return -1;
}

void
drain_end(void)
{
	int	 i;

	for (i = 0; i < 2; i++)
		if (drain_pair[i] != -1) {
			(void)close(drain_pair[i]);
			drain_pair[i] = -1;
		}
}
