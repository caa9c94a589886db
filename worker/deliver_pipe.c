/*
 * The queues between the stages of a delivery pass. They take no lock:
 * every caller holds the pass's mutex (deliver_pipe.h).
 */
#include <stdlib.h>
#include <string.h>

#include "../common/store.h"
#include "deliver_pipe.h"

/*
 * Rendered messages waiting for a sender: one for each idle sender, or
 * what the senders send in DELIVER_AHEAD_S at the pace they have shown,
 * up to DELIVER_QUEUE_PER_SENDER each and DELIVER_QUEUE_MAX in all.
 * Enough that a sender never waits for a claim and claims come a few
 * dozen to a transaction; few enough that a stop sends them all within a
 * second, and that behind a slow server a worker holds no more than it
 * is sending, leaving the rest to other workers.
 */
#define DELIVER_AHEAD_S			0.2
#define DELIVER_QUEUE_PER_SENDER	32

void
deliver_pipe_init(struct deliver_pipe *p, const struct job *j)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->todo_cv, NULL);
	pthread_cond_init(&p->room_cv, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	pthread_cond_init(&p->marked_cv, NULL);
	p->j = j;
	p->todo_max = DELIVER_QUEUE_MAX;
	p->claiming = 1;
}

/* What no stage took is still claimed: sent once its lease ends. */
void
deliver_pipe_cleanup(struct deliver_pipe *p)
{
	deliver_queue_free(&p->todo);
	deliver_queue_free(&p->done);
	pthread_cond_destroy(&p->marked_cv);
	pthread_cond_destroy(&p->done_cv);
	pthread_cond_destroy(&p->room_cv);
	pthread_cond_destroy(&p->todo_cv);
	pthread_mutex_destroy(&p->mu);
}

void
deliver_pipe_wake_all(struct deliver_pipe *p)
{
	pthread_cond_broadcast(&p->todo_cv);
	pthread_cond_broadcast(&p->room_cv);
	pthread_cond_broadcast(&p->done_cv);
	pthread_cond_broadcast(&p->marked_cv);
}

int
deliver_queue_target(const struct deliver_pipe *p)
{
	double	 each = 0;
	int	 target, idle = p->sending - p->busy;

	if (p->send_s > 0)
		each = DELIVER_AHEAD_S / p->send_s;
	if (each > DELIVER_QUEUE_PER_SENDER)
		each = DELIVER_QUEUE_PER_SENDER;
	target = (int)(each * p->sending);
	if (target < idle)
		target = idle;
	return target < p->todo_max ? target : p->todo_max;
}

void
deliver_item_free(struct deliver_item *it)
{
	if (it == NULL)
		return;
	outbox_msg_cleanup(&it->m);
	free(it->msg);
	free(it);
}

void
deliver_queue_put(struct deliver_queue *q, struct deliver_item *it)
{
	it->next = NULL;
	if (q->tail != NULL)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	q->n++;
}

struct deliver_item *
deliver_queue_take(struct deliver_queue *q)
{
	struct deliver_item	*it = q->head;

	if (it == NULL)
		return NULL;
	if ((q->head = it->next) == NULL)
		q->tail = NULL;
	q->n--;
	it->next = NULL;
	return it;
}

struct deliver_item *
deliver_queue_take_all(struct deliver_queue *q)
{
	struct deliver_item	*all = q->head;

	q->head = q->tail = NULL;
	q->n = 0;
	return all;
}

void
deliver_queue_free(struct deliver_queue *q)
{
	struct deliver_item	*it, *next;

	for (it = deliver_queue_take_all(q); it != NULL; it = next) {
		next = it->next;
		deliver_item_free(it);
	}
}

/*
 * The clock's seconds are whole and the one running may be nearly over:
 * one more makes the lease at least PORTAL_OUTBOX_LEASE_SECONDS long.
 */
int64_t
deliver_lease_end(const struct job *j)
{
	return store_now() + j->cfg->outbox_lease + 1;
}

int
deliver_lease_due(const struct job *j, const struct timespec *set_at,
    const struct timespec *now)
{
	double	 used;

	used = (double)(now->tv_sec - set_at->tv_sec) +
	    (double)(now->tv_nsec - set_at->tv_nsec) / 1e9;
	return used >= 0.2 && used > (double)j->cfg->outbox_lease / 2 - 1;
}
