/*
 * The watchdog of request deadlines (see deadline.h).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/log.h"
#include "deadline.h"

#define DEADLINE_TICK_MS	25

/* One per request thread; the lock orders arming against cutting. */
struct deadline_slot {
	pthread_mutex_t	 lock;
	int		 fd;		/* -1 when nothing is watched */
	struct timespec	 until;
	int		 cut;
};

static struct deadline_slot	*deadline_slots;
static int			 deadline_n_slots;
static atomic_int		 deadline_next_slot;
static atomic_int		 deadline_running;
static pthread_t		 deadline_thread;

/* This thread's slot, or NULL past the slots made at start. */
static _Thread_local struct deadline_slot	*deadline_mine;
static _Thread_local int			 deadline_have_slot;
/* The socket found for this thread's last connection. */
static _Thread_local int			 deadline_last_fd = -1;

static int
deadline_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *
deadline_watch(void *arg)
{
	struct timespec	 now, tick = { 0, DEADLINE_TICK_MS * 1000000L };
	int		 i;

	(void)arg;
	while (atomic_load(&deadline_running)) {
		nanosleep(&tick, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		for (i = 0; i < deadline_n_slots; i++) {
			struct deadline_slot *s = &deadline_slots[i];

			pthread_mutex_lock(&s->lock);
			/*
			 * The socket stays open while armed: civetweb closes it
			 * only after the request thread has disarmed.
			 */
			if (s->fd >= 0 && !s->cut &&
			    deadline_before(&s->until, &now)) {
				(void)shutdown(s->fd, SHUT_RD);
				s->cut = 1;
			}
			pthread_mutex_unlock(&s->lock);
		}
	}
	return NULL;
}

int
deadline_start(int slots)
{
	int	 i;

	if ((deadline_slots = calloc((size_t)slots,
	    sizeof(*deadline_slots))) == NULL) {
		log_warn("calloc");
		return -1;
	}
	for (i = 0; i < slots; i++) {
		pthread_mutex_init(&deadline_slots[i].lock, NULL);
		deadline_slots[i].fd = -1;
	}
	deadline_n_slots = slots;
	atomic_store(&deadline_running, 1);
	if (pthread_create(&deadline_thread, NULL, deadline_watch, NULL) != 0) {
		log_warnx("cannot start the deadline watchdog");
		atomic_store(&deadline_running, 0);
		return -1;
	}
	return 0;
}

void
deadline_stop(void)
{
	int	 i;

	if (!atomic_load(&deadline_running))
		return;
	atomic_store(&deadline_running, 0);
	pthread_join(deadline_thread, NULL);
	for (i = 0; i < deadline_n_slots; i++)
		pthread_mutex_destroy(&deadline_slots[i].lock);
	free(deadline_slots);
	deadline_slots = NULL;
	deadline_n_slots = 0;
}

/* Whether fd is the TCP connection from addr:port to local port lport. */
static int
deadline_is_socket(int fd, const char *addr, int port, int lport)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	char			 text[INET6_ADDRSTRLEN];
	const void		*a;
	int			 p, lp;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET)
		lp = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		lp = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return 0;
	len = sizeof(ss);
	if (lp != lport ||
	    getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET) {
		a = &((struct sockaddr_in *)&ss)->sin_addr;
		p = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	} else {
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		p = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return p == port &&
	    inet_ntop(ss.ss_family, a, text, sizeof(text)) != NULL &&
	    strcmp(text, addr) == 0;
}

/*
 * The socket civetweb serves conn on. civetweb does not hand it out; the
 * connection's addresses name it among the process's descriptors. A
 * keep-alive connection is found once.
 */
static int
deadline_socket(const struct mg_connection *conn)
{
	const struct mg_request_info	*ri = mg_get_request_info(conn);
	struct dirent			*de;
	DIR				*d;
	int				 fd, found = -1;

	if (ri == NULL)
		return -1;
	if (deadline_last_fd >= 0 && deadline_is_socket(deadline_last_fd,
	    ri->remote_addr, ri->remote_port, ri->server_port))
		return deadline_last_fd;
	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while (found == -1 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		fd = atoi(de->d_name);
		if (fd != dirfd(d) && deadline_is_socket(fd, ri->remote_addr,
		    ri->remote_port, ri->server_port))
			found = fd;
	}
	closedir(d);
	return deadline_last_fd = found;
}

void
deadline_arm(const struct mg_connection *conn, const struct timespec *until)
{
	int	 i, fd;

	if (!deadline_have_slot) {
		deadline_have_slot = 1;
		i = atomic_fetch_add(&deadline_next_slot, 1);
		deadline_mine = i < deadline_n_slots ? &deadline_slots[i] :
		    NULL;
	}
	if (deadline_mine == NULL || (fd = deadline_socket(conn)) == -1)
		return;
	pthread_mutex_lock(&deadline_mine->lock);
	deadline_mine->fd = fd;
	deadline_mine->until = *until;
	deadline_mine->cut = 0;
	pthread_mutex_unlock(&deadline_mine->lock);
}

int
deadline_disarm(void)
{
	int	 cut;

	if (deadline_mine == NULL)
		return 0;
	pthread_mutex_lock(&deadline_mine->lock);
	cut = deadline_mine->cut;
	deadline_mine->fd = -1;
	deadline_mine->cut = 0;
	pthread_mutex_unlock(&deadline_mine->lock);
	return cut;
}
