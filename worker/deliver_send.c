/*
 * A sender: takes rendered messages from the claimer, sends each over its
 * own SMTP connection, kept from one message to the next, and hands the
 * outcome to the marker. While a message is on the wire its lease is
 * renewed, so a slow server never hands it to a second worker. 4xx
 * replies and connection failures retry with exponential backoff; 5xx
 * replies fail it with the server's reason.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/log.h"
#include "deliver_pipe.h"
#include "smtp.h"

/* About two days of retries at the longest backoff, then give up. */
#define DELIVER_ATTEMPTS_MAX	60

/* The claim in hand and when its lease was last set (monotonic). */
struct deliver_lease {
	struct job		*j;
	struct deliver_item	*it;
	int			 lost;	/* another worker has the message */
};

/*
 * Renews the lease once it is down to half and a second, and not more
 * than five times a second. -1 when the message is no longer ours.
 */
static int
deliver_lease_renew(void *arg)
{
	struct deliver_lease	*l = arg;
	struct deliver_item	*it = l->it;
	struct timespec		 t;
	int			 r;

	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!deliver_lease_due(l->j, &it->lease_at, &t))
		return 0;
	r = store_outbox_renew(l->j->store, it->m.id, it->m.attempts,
	    deliver_lease_end(l->j));
	if (r == STORE_OK) {
		it->lease_at = t;
		return 0;
	}
	if (r == STORE_CONFLICT) {
		log_warnx("outbox %lld: the lease ran out and another worker "
		    "has it: abandoning the send", (long long)it->m.id);
		l->lost = 1;
		return -1;
	}
	/* A busy database is no proof the lease is gone: try again soon. */
	return 0;
}

/*
 * The hook before a message's final dot: the server may take it only
 * once the one this connection sent before is marked.
 */
static int
deliver_sender_before_end(void *arg, int wait)
{
	struct deliver_sender	*s = arg;
	struct deliver_pipe	*p = s->p;
	int			 r;

	pthread_mutex_lock(&p->mu);
	while (wait && s->unmarked > 0 && !p->fatal)
		pthread_cond_wait(&p->marked_cv, &p->mu);
	r = p->fatal ? -1 : s->unmarked > 0;
	pthread_mutex_unlock(&p->mu);
	return r;
}

/* Keeps the moving average of a send's time, which paces the claims. */
static void
deliver_send_took(struct deliver_pipe *p, const struct timespec *t0,
    const struct timespec *t1)
{
	double	 took;

	took = (double)(t1->tv_sec - t0->tv_sec) +
	    (double)(t1->tv_nsec - t0->tv_nsec) / 1e9;
	pthread_mutex_lock(&p->mu);
	p->send_s = p->send_s == 0 ? took : 0.8 * p->send_s + 0.2 * took;
	pthread_mutex_unlock(&p->mu);
}

/* Sends it and sets its outcome. -1 only when no connection can be had. */
static int
deliver_send(struct deliver_sender *s, struct smtp **smtp,
    struct deliver_item *it)
{
	const struct config	*cfg = s->j.cfg;
	struct deliver_lease	 lease;
	struct smtp_result	 res;
	struct timespec		 t0, t1;
	int64_t			 now;
	int			 r;

	memset(&lease, 0, sizeof(lease));
	lease.j = &s->j;
	lease.it = it;
	if (it->lost) {
		it->outcome = DELIVER_LOST;
		return 0;
	}
	/* It waited in the queue: its lease may be due for renewal. */
	if (deliver_lease_renew(&lease) == -1) {
		it->outcome = DELIVER_LOST;
		return 0;
	}
	if (*smtp == NULL && (*smtp = smtp_open(cfg->smtp_url, cfg->smtp_user,
	    cfg->smtp_password)) == NULL)
		return -1;
	memset(&res, 0, sizeof(res));
	smtp_set_progress(*smtp, deliver_lease_renew, &lease);
	smtp_set_before_end(*smtp, deliver_sender_before_end, s);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = smtp_send(*smtp, cfg->mail_from, it->m.recipient, it->msg, it->len,
	    &res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	deliver_send_took(s->p, &t0, &t1);
	smtp_set_progress(*smtp, NULL, NULL);
	smtp_set_before_end(*smtp, NULL, NULL);
	now = store_now();
	if (r == 0) {
		it->outcome = DELIVER_SENT;
		it->at = now;
		return 0;
	}
	if (lease.lost) {
		/* Its new claimer sends and marks it. */
		it->outcome = DELIVER_LOST;
		smtp_close(*smtp);
		*smtp = NULL;
		return 0;
	}
	/* The server's own reply line already starts with its code. */
	(void)snprintf(it->why, sizeof(it->why), "%s", res.message[0] != '\0' ?
	    res.message : "no reply from the mail server");
	if (res.temporary && it->m.attempts < DELIVER_ATTEMPTS_MAX) {
		it->outcome = DELIVER_RETRY;
		it->at = now + deliver_backoff(it->m.attempts);
		log_warnx("outbox %lld: attempt %d failed (%s), again in %llds",
		    (long long)it->m.id, it->m.attempts, it->why,
		    (long long)(it->at - now));
		/* A dead connection is not reused for the next message. */
		smtp_close(*smtp);
		*smtp = NULL;
	} else {
		it->outcome = DELIVER_FAILED;
		log_warnx("outbox %lld: failed for good (%s)",
		    (long long)it->m.id, it->why);
	}
	return 0;
}

/* The next message to send; NULL when there is none and none will come. */
static struct deliver_item *
deliver_sender_next(struct deliver_pipe *p)
{
	struct deliver_item	*it = NULL;

	pthread_mutex_lock(&p->mu);
	while (p->todo.n == 0 && p->claiming && !p->fatal)
		pthread_cond_wait(&p->todo_cv, &p->mu);
	if (!p->fatal && (it = deliver_queue_take(&p->todo)) != NULL) {
		p->busy++;
		if (p->todo.n <= deliver_queue_target(p) / 2)
			pthread_cond_signal(&p->room_cv);
	}
	pthread_mutex_unlock(&p->mu);
	return it;
}

static void
deliver_sender_stop(struct deliver_sender *s, int failed)
{
	struct deliver_pipe	*p = s->p;

	pthread_mutex_lock(&p->mu);
	if (failed) {
		s->rc = -1;
		p->fatal = 1;
	}
	p->sending--;
	deliver_pipe_wake_all(p);
	pthread_mutex_unlock(&p->mu);
}

void *
deliver_sender_main(void *arg)
{
	struct deliver_sender	*s = arg;
	struct deliver_pipe	*p = s->p;
	struct deliver_item	*it;
	struct smtp		*smtp = NULL;
	int			 failed = 0, r;

	if ((s->j.store = store_open(s->j.cfg->db_path, 0)) == NULL) {
		deliver_sender_stop(s, 1);
		return NULL;
	}
	while ((it = deliver_sender_next(p)) != NULL) {
		r = deliver_send(s, &smtp, it);
		pthread_mutex_lock(&p->mu);
		p->busy--;
		/* One more sender without a message: room for the claimer. */
		pthread_cond_signal(&p->room_cv);
		if (r == -1 || it->outcome == DELIVER_LOST) {
			pthread_mutex_unlock(&p->mu);
			/* If still claimed, sent once its lease runs out. */
			deliver_item_free(it);
			if (r == -1) {
				failed = 1;
				break;
			}
			continue;
		}
		if (it->outcome == DELIVER_SENT) {
			it->sender = s;
			s->unmarked++;
		}
		deliver_queue_put(&p->done, it);
		pthread_cond_signal(&p->done_cv);
		pthread_mutex_unlock(&p->mu);
	}
	smtp_close(smtp);
	store_close(s->j.store);
	s->j.store = NULL;
	deliver_sender_stop(s, failed);
	return NULL;
}
