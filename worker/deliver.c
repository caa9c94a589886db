/*
 * Delivery of the outbox. A message is claimed ('sending', with a lease)
 * before it is sent and marked after; while it is on the wire its lease
 * is renewed, so a slow server never hands it to a second worker. A
 * crash in between leaves it claimed, and once the lease runs out it is
 * sent again: at worst one message per connection twice, never lost. A
 * message whose reader may no longer read it is cancelled at its claim
 * and never sent.
 *
 * A pass runs in three stages (deliver_pipe.h): this thread claims due
 * messages a batch to a transaction and renders them, one sender per
 * PORTAL_SMTP_CONNECTIONS sends them, and a marker marks the outcomes.
 * The claim is what keeps two senders (or two workers) from sending one
 * message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/log.h"
#include "deliver.h"
#include "deliver_pipe.h"
#include "mail.h"

#define DELIVER_BACKOFF_FIRST	30
#define DELIVER_BACKOFF_MAX	3600

/* Claimed in one transaction at most. */
#define DELIVER_CLAIM_MAX		16

int64_t
deliver_backoff(int attempts)
{
	int64_t	 wait = DELIVER_BACKOFF_FIRST;

	while (--attempts > 0 && wait < DELIVER_BACKOFF_MAX)
		wait *= 2;
	return wait < DELIVER_BACKOFF_MAX ? wait : DELIVER_BACKOFF_MAX;
}

/*
 * Renders a claimed message and queues it for a sender; one that cannot
 * be rendered goes to the marker as failed, since rendering the same
 * payload again cannot succeed. Takes m's payload.
 */
static void
deliver_claimed(struct deliver_pipe *p, struct outbox_msg *m,
    const struct timespec *claimed_at, struct deliver_stats *stats)
{
	const struct config	*cfg = p->j->cfg;
	struct deliver_item	*it;

	if (m->cancel_reason[0] != '\0') {
		stats->cancelled++;
		log_info("outbox %lld: cancelled (%s), not sent",
		    (long long)m->id, m->cancel_reason);
		outbox_msg_cleanup(m);
		return;
	}
	if ((it = calloc(1, sizeof(*it))) == NULL) {
		/* Still claimed: sent once its lease runs out. */
		log_warn("calloc");
		outbox_msg_cleanup(m);
		return;
	}
	it->m = *m;
	m->payload = NULL;
	it->lease_at = *claimed_at;
	if (mail_render(it->m.payload, it->m.message_id, cfg->mail_from,
	    store_now(), &it->msg, &it->len) == -1) {
		log_warnx("outbox %lld: cannot render its payload",
		    (long long)it->m.id);
		it->outcome = DELIVER_FAILED;
		(void)snprintf(it->why, sizeof(it->why),
		    "the message could not be rendered");
	}
	pthread_mutex_lock(&p->mu);
	if (it->msg != NULL) {
		deliver_queue_put(&p->todo, it);
		pthread_cond_signal(&p->todo_cv);
	} else {
		deliver_queue_put(&p->done, it);
		pthread_cond_signal(&p->done_cv);
	}
	pthread_mutex_unlock(&p->mu);
}

/* How often the claimer looks at the leases of the messages waiting. */
#define DELIVER_RENEW_CHECK_MS	100

enum deliver_next { DELIVER_NEXT_CLAIM, DELIVER_NEXT_RENEW, DELIVER_NEXT_END };

/*
 * What the claimer does next: claim once the queue is half empty (while
 * claiming), renew the leases of the messages waiting once the oldest is
 * due (a slow server can hold them longer than a lease), or end once
 * the queue is empty (after claiming) or a stage failed.
 */
static enum deliver_next
deliver_next(struct deliver_pipe *p, int claiming, int *room)
{
	struct timespec		 now, until;
	enum deliver_next	 next;
	int			 target;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		if (p->fatal || p->sending == 0 ||
		    (!claiming && p->todo.n == 0)) {
			next = DELIVER_NEXT_END;
			break;
		}
		target = deliver_queue_target(p);
		if (claiming && p->todo.n < target &&
		    p->todo.n <= target / 2) {
			*room = target - p->todo.n;
			next = DELIVER_NEXT_CLAIM;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (p->todo.head != NULL &&
		    deliver_lease_due(p->j, &p->todo.head->lease_at, &now)) {
			next = DELIVER_NEXT_RENEW;
			break;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += DELIVER_RENEW_CHECK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&p->room_cv, &p->mu, &until);
	}
	pthread_mutex_unlock(&p->mu);
	return next;
}

/* A claim in the queue, as the claimer renews it. */
struct deliver_renewal {
	int64_t	 id;
	int	 attempts;
	int	 rc;
};

/*
 * Renews the leases of every message in the queue, in one transaction.
 * One whose lease another worker has taken meanwhile is not sent.
 */
static int
deliver_renew(struct deliver_pipe *p)
{
	const struct job	*j = p->j;
	struct deliver_renewal	 rn[DELIVER_QUEUE_MAX];
	struct deliver_item	*it;
	struct timespec		 t;
	int64_t			 until = deliver_lease_end(j);
	int			 n = 0, i, rc = 0;

	pthread_mutex_lock(&p->mu);
	for (it = p->todo.head; it != NULL && n < DELIVER_QUEUE_MAX;
	    it = it->next, n++) {
		rn[n].id = it->m.id;
		rn[n].attempts = it->m.attempts;
	}
	pthread_mutex_unlock(&p->mu);
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (store_begin(j->store) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++)
		if ((rn[i].rc = store_outbox_renew(j->store, rn[i].id,
		    rn[i].attempts, until)) == STORE_ERROR)
			rc = -1;
	if (rc == -1 || store_commit(j->store) == -1) {
		store_rollback(j->store);
		return -1;
	}
	pthread_mutex_lock(&p->mu);
	for (it = p->todo.head; it != NULL; it = it->next)
		for (i = 0; i < n; i++)
			if (rn[i].id == it->m.id) {
				if (rn[i].rc == STORE_OK)
					it->lease_at = t;
				else
					it->lost = 1;
				break;
			}
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < n; i++)
		if (rn[i].rc == STORE_CONFLICT)
			log_warnx("outbox %lld: the lease ran out in the queue "
			    "and another worker has it: not sent",
			    (long long)rn[i].id);
	return 0;
}

/* No more claims: a sender that finds the queue empty may end. */
static void
deliver_claims_end(struct deliver_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	p->claiming = 0;
	deliver_pipe_wake_all(p);
	pthread_mutex_unlock(&p->mu);
}

/*
 * Claims what is due until none is, a stop is asked or a stage failed,
 * and keeps the leases of the messages waiting until the queue is empty.
 */
static int
deliver_claim(struct deliver_pipe *p, struct deliver_stats *stats)
{
	const struct job	*j = p->j;
	struct outbox_msg	 ms[DELIVER_CLAIM_MAX];
	struct timespec		 claimed_at;
	const struct timespec	 renew_pause = { 0,
	    DELIVER_RENEW_CHECK_MS * 1000000L };
	enum deliver_next	 next;
	int			 claiming = 1, room = 0, n, i, r, rc = 0;

	while ((next = deliver_next(p, claiming, &room)) != DELIVER_NEXT_END) {
		if (next == DELIVER_NEXT_RENEW) {
			/*
			 * On a failure (the database busy beyond its
			 * timeout) again a little later: the senders' own
			 * renewal before each send tries too.
			 */
			if (deliver_renew(p) == -1)
				(void)nanosleep(&renew_pause, NULL);
			continue;
		}
		if (job_stopping(j)) {
			claiming = 0;
			deliver_claims_end(p);
			continue;
		}
		/*
		 * Each claim reads the clock: a lease counts from the moment
		 * its message is taken, not from the start of the pass.
		 */
		clock_gettime(CLOCK_MONOTONIC, &claimed_at);
		r = store_outbox_claim(j->store, store_now(),
		    deliver_lease_end(j), ms, room < DELIVER_CLAIM_MAX ?
		    room : DELIVER_CLAIM_MAX, &n);
		if (r != STORE_OK) {
			if (r != STORE_NOTFOUND)
				rc = -1;
			claiming = 0;
			deliver_claims_end(p);
			continue;
		}
		for (i = 0; i < n; i++)
			deliver_claimed(p, &ms[i], &claimed_at, stats);
	}
	return rc;
}

static void
deliver_stats_add(struct deliver_stats *to, const struct deliver_stats *s)
{
	to->sent += s->sent;
	to->retried += s->retried;
	to->failed += s->failed;
	to->cancelled += s->cancelled;
}

/* Starts the marker and the senders; how many senders run. */
static int
deliver_start(struct deliver_pipe *p, struct deliver_marker *mk,
    struct deliver_sender *senders, int n)
{
	int	 i;

	p->sending = n;
	mk->p = p;
	if (pthread_create(&mk->thread, NULL, deliver_marker_main, mk) != 0) {
		log_warnx("cannot start the outbox's marker");
		return -1;
	}
	for (i = 0; i < n; i++) {
		senders[i].p = p;
		senders[i].j.cfg = p->j->cfg;
		if (pthread_create(&senders[i].thread, NULL,
		    deliver_sender_main, &senders[i]) != 0)
			break;
	}
	if (i < n) {
		log_warnx("cannot start sender %d of %d: delivering over fewer "
		    "connections", i + 1, n);
		pthread_mutex_lock(&p->mu);
		p->sending = i;
		deliver_pipe_wake_all(p);
		pthread_mutex_unlock(&p->mu);
	}
	return i;
}

int
deliver_run(struct job *j, struct deliver_stats *stats)
{
	struct deliver_pipe	 p;
	struct deliver_marker	 mk;
	struct deliver_sender	*senders;
	int64_t			 due;
	int			 n = (int)j->cfg->smtp_connections, started;
	int			 i, rc;

	/* No threads, connections or logins for a pass with nothing due. */
	rc = store_outbox_next_due(j->store, &due);
	if (rc == STORE_NOTFOUND || (rc == STORE_OK && due > store_now()))
		return 0;
	if (n < 1)
		n = 1;
	if ((senders = calloc((size_t)n, sizeof(*senders))) == NULL) {
		log_warn("calloc");
		return -1;
	}
	deliver_pipe_init(&p, j);
	memset(&mk, 0, sizeof(mk));
	if ((started = deliver_start(&p, &mk, senders, n)) == -1) {
		rc = -1;
		goto out;
	}
	rc = started > 0 ? deliver_claim(&p, stats) : -1;
	deliver_claims_end(&p);
	for (i = 0; i < started; i++) {
		(void)pthread_join(senders[i].thread, NULL);
		if (senders[i].rc == -1)
			rc = -1;
	}
	(void)pthread_join(mk.thread, NULL);
	deliver_stats_add(stats, &mk.stats);
	if (mk.rc == -1)
		rc = -1;
out:
	deliver_pipe_cleanup(&p);
	free(senders);
	return rc;
}
