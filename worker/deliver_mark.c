/*
 * The marker: writes the senders' outcomes to the outbox, all those that
 * came in while the last batch was written in one transaction, and then
 * lets each sender whose message it marked end its next one.
 */
#include <stdlib.h>

#include "../common/log.h"
#include "deliver_pipe.h"

/*
 * Writes one outcome. STORE_CONFLICT, writing nothing, when the claim is
 * no longer this attempt's: its lease ran out and another worker has it.
 */
static int
deliver_mark_one(struct store *st, const struct deliver_item *it)
{
	switch (it->outcome) {
	case DELIVER_SENT:
		return store_outbox_sent(st, &it->m, it->at);
	case DELIVER_RETRY:
		return store_outbox_retry(st, &it->m, it->at, it->why);
	case DELIVER_FAILED:
		return store_outbox_failed(st, &it->m, it->why);
	case DELIVER_LOST:
		break;
	}
	return STORE_OK;
}

/*
 * All of them in one transaction, even one alone: a transaction takes its
 * turn among this process's writers (the claimer's claims), where a
 * statement on its own would meet their lock and sleep. When that fails,
 * one at a time, so that one that cannot be written does not keep the
 * others unmarked.
 */
static int
deliver_mark_batch(struct store *st, struct deliver_item *items, int *rcs)
{
	struct deliver_item	*it;
	int			 i, ok = 0;

	if (store_begin(st) == 0) {
		ok = 1;
		for (it = items, i = 0; it != NULL && ok; it = it->next, i++)
			if ((rcs[i] = deliver_mark_one(st, it)) == STORE_ERROR)
				ok = 0;
		if (ok && store_commit(st) == 0)
			return 0;
		store_rollback(st);
		ok = 0;
	}
	for (it = items, i = 0; it != NULL; it = it->next, i++)
		if ((rcs[i] = deliver_mark_one(st, it)) == STORE_ERROR)
			ok = -1;
	return ok;
}

/* Counts and logs a mark; one refused for another's claim is no fault. */
static void
deliver_mark_count(struct deliver_marker *mk, const struct deliver_item *it,
    int rc)
{
	if (rc == STORE_CONFLICT) {
		log_warnx("outbox %lld: claimed by another worker meanwhile; "
		    "left to it", (long long)it->m.id);
		return;
	}
	if (rc != STORE_OK)
		return;
	switch (it->outcome) {
	case DELIVER_SENT:
		mk->stats.sent++;
		log_info("outbox %lld: sent (%s)", (long long)it->m.id,
		    it->m.kind);
		break;
	case DELIVER_RETRY:
		mk->stats.retried++;
		break;
	case DELIVER_FAILED:
		mk->stats.failed++;
		break;
	case DELIVER_LOST:
		break;
	}
}

/*
 * The outcomes to mark; NULL once none is left and none will come. A
 * failed sender does not end the marking: what the others sent is marked.
 */
static struct deliver_item *
deliver_marker_next(struct deliver_pipe *p, int *n)
{
	struct deliver_item	*items;

	pthread_mutex_lock(&p->mu);
	while (p->done.n == 0 && (p->sending > 0 || p->claiming))
		pthread_cond_wait(&p->done_cv, &p->mu);
	*n = p->done.n;
	items = deliver_queue_take_all(&p->done);
	pthread_mutex_unlock(&p->mu);
	return items;
}

/* Tells the senders their messages are marked, or that all must stop. */
static void
deliver_marker_release(struct deliver_pipe *p, struct deliver_item *items,
    int failed)
{
	struct deliver_item	*it, *next;

	pthread_mutex_lock(&p->mu);
	for (it = items; it != NULL; it = it->next)
		if (it->sender != NULL)
			it->sender->unmarked--;
	if (failed) {
		p->fatal = 1;
		deliver_pipe_wake_all(p);
	} else
		pthread_cond_broadcast(&p->marked_cv);
	pthread_mutex_unlock(&p->mu);
	for (it = items; it != NULL; it = next) {
		next = it->next;
		deliver_item_free(it);
	}
}

void *
deliver_marker_main(void *arg)
{
	struct deliver_marker	*mk = arg;
	struct deliver_pipe	*p = mk->p;
	struct deliver_item	*items, *it;
	struct store		*st;
	int			*rcs, n, i, r;

	if ((st = store_open(p->j->cfg->db_path, 0)) == NULL) {
		mk->rc = -1;
		deliver_marker_release(p, NULL, 1);
		return NULL;
	}
	while ((items = deliver_marker_next(p, &n)) != NULL) {
		if ((rcs = calloc((size_t)n, sizeof(*rcs))) == NULL) {
			log_warn("calloc");
			r = -1;
		} else {
			r = deliver_mark_batch(st, items, rcs);
			for (it = items, i = 0; it != NULL; it = it->next, i++)
				deliver_mark_count(mk, it, rcs[i]);
		}
		free(rcs);
		deliver_marker_release(p, items, r == -1);
		if (r == -1) {
			mk->rc = -1;
			break;
		}
	}
	store_close(st);
	return NULL;
}
