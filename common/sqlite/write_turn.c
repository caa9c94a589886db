/*
 * The write turn of this process's SQLite connections: one writer at a
 * time asks SQLite for its lock, the others wait here in the order they
 * came. A mutex would do the exclusion but not the order: on a busy
 * machine a writer could lose the mutex to newcomers again and again
 * and wait past its deadline while others wrote hundreds of times. Here
 * the turn passes straight from one writer to the longest waiting one,
 * and a waiter gives up its place at its deadline.
 */
#include <errno.h>
#include <pthread.h>

#include "sqlite.h"

/* A writer waiting for its turn, on its own stack. */
struct turn_waiter {
	pthread_cond_t		 granted_cv;
	int			 granted;
	struct turn_waiter	*next;
};

static pthread_mutex_t	 turn_mu = PTHREAD_MUTEX_INITIALIZER;
static int		 turn_held;
static struct turn_waiter *turn_head, *turn_tail;

/* Takes w out of the queue; under turn_mu. */
static void
turn_unqueue(struct turn_waiter *w)
{
	struct turn_waiter	**pp, *prev = NULL;

	for (pp = &turn_head; *pp != NULL; prev = *pp, pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			if (turn_tail == w)
				turn_tail = prev;
			return;
		}
}

int
sqlite_turn_take(const struct timespec *until, int *queued)
{
	struct turn_waiter	 w;
	pthread_condattr_t	 attr;
	int			 rc = 0;

	*queued = 0;
	(void)pthread_mutex_lock(&turn_mu);
	if (!turn_held && turn_head == NULL) {
		turn_held = 1;
		(void)pthread_mutex_unlock(&turn_mu);
		return 0;
	}
	*queued = 1;
	(void)pthread_condattr_init(&attr);
	(void)pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	(void)pthread_cond_init(&w.granted_cv, &attr);
	(void)pthread_condattr_destroy(&attr);
	w.granted = 0;
	w.next = NULL;
	if (turn_tail != NULL)
		turn_tail->next = &w;
	else
		turn_head = &w;
	turn_tail = &w;
	while (!w.granted)
		if (pthread_cond_timedwait(&w.granted_cv, &turn_mu, until) ==
		    ETIMEDOUT && !w.granted) {
			turn_unqueue(&w);
			rc = -1;
			break;
		}
	(void)pthread_mutex_unlock(&turn_mu);
	(void)pthread_cond_destroy(&w.granted_cv);
	return rc;
}

void
sqlite_turn_give(void)
{
	struct turn_waiter	*w;

	(void)pthread_mutex_lock(&turn_mu);
	if ((w = turn_head) != NULL) {
		/* Handed over: the turn stays held. */
		turn_head = w->next;
		if (turn_head == NULL)
			turn_tail = NULL;
		w->granted = 1;
		(void)pthread_cond_signal(&w->granted_cv);
	} else
		turn_held = 0;
	(void)pthread_mutex_unlock(&turn_mu);
}
