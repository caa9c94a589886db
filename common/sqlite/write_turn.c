/*
 * The write turn of this process's connections to one database: one
 * writer at a time uses the database's shared write connection
 * (group_commit.c), the others wait here in the order they came. A mutex would do the exclusion but not the order: on a busy
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

void
sqlite_turn_init(struct sqlite_turn *t)
{
	(void)pthread_mutex_init(&t->mu, NULL);
	t->held = 0;
	t->head = t->tail = NULL;
}

void
sqlite_turn_destroy(struct sqlite_turn *t)
{
	(void)pthread_mutex_destroy(&t->mu);
}

/* Takes w out of the queue; under t->mu. */
static void
turn_unqueue(struct sqlite_turn *t, struct turn_waiter *w)
{
	struct turn_waiter	**pp, *prev = NULL;

	for (pp = &t->head; *pp != NULL; prev = *pp, pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			if (t->tail == w)
				t->tail = prev;
			return;
		}
}

int
sqlite_turn_take(struct sqlite_turn *t, const struct timespec *until,
    int *queued)
{
	struct turn_waiter	 w;
	pthread_condattr_t	 attr;
	int			 rc = 0;

	*queued = 0;
	(void)pthread_mutex_lock(&t->mu);
	if (!t->held && t->head == NULL) {
		t->held = 1;
		(void)pthread_mutex_unlock(&t->mu);
		return 0;
	}
	*queued = 1;
	(void)pthread_condattr_init(&attr);
	(void)pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	(void)pthread_cond_init(&w.granted_cv, &attr);
	(void)pthread_condattr_destroy(&attr);
	w.granted = 0;
	w.next = NULL;
	if (t->tail != NULL)
		t->tail->next = &w;
	else
		t->head = &w;
	t->tail = &w;
	while (!w.granted)
		if (pthread_cond_timedwait(&w.granted_cv, &t->mu, until) ==
		    ETIMEDOUT && !w.granted) {
			turn_unqueue(t, &w);
			rc = -1;
			break;
		}
	(void)pthread_mutex_unlock(&t->mu);
	(void)pthread_cond_destroy(&w.granted_cv);
	return rc;
}

/* Hands the turn to the longest waiting writer, if any; under t->mu. */
static int
turn_hand_over(struct sqlite_turn *t)
{
	struct turn_waiter	*w;

	if ((w = t->head) == NULL)
		return 0;
	/* The turn stays held, by w now. */
	t->head = w->next;
	if (t->head == NULL)
		t->tail = NULL;
	w->granted = 1;
	(void)pthread_cond_signal(&w->granted_cv);
	return 1;
}

void
sqlite_turn_give(struct sqlite_turn *t)
{
	(void)pthread_mutex_lock(&t->mu);
	if (!turn_hand_over(t))
		t->held = 0;
	(void)pthread_mutex_unlock(&t->mu);
}

int
sqlite_turn_pass(struct sqlite_turn *t)
{
	int	 passed;

	(void)pthread_mutex_lock(&t->mu);
	passed = turn_hand_over(t);
	(void)pthread_mutex_unlock(&t->mu);
	return passed;
}
