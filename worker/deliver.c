/*
 * Delivery of the outbox. A message is claimed ('sending', with a lease)
 * just before it is sent and marked after; while it is on the wire its
 * lease is renewed, so a slow server never hands it to a second worker.
 * A crash in between leaves it claimed, and once the lease runs out it is
 * sent again: at worst that one message twice (one per connection, with
 * several), never lost. 4xx replies
 * and connection failures retry with exponential backoff; 5xx replies
 * fail it with the server's reason. A message whose reader may no longer
 * read it is cancelled at its claim and never sent.
 *
 * With PORTAL_SMTP_CONNECTIONS above 1, as many senders run at once, each
 * a thread with its own SMTP connection and database connection, each
 * claiming and sending as above: the claim is what keeps two of them
 * (or two workers) from sending one message, so nothing else changes.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/log.h"
#include "../common/store_outbox.h"
#include "deliver.h"
#include "mail.h"
#include "smtp.h"

#define DELIVER_BACKOFF_FIRST	30
#define DELIVER_BACKOFF_MAX	3600
/* About two days of retries at the longest backoff, then give up. */
#define DELIVER_ATTEMPTS_MAX	60

/* The claim in hand and when its lease was last set (monotonic). */
struct deliver_lease {
	struct job		*j;
	const struct outbox_msg	*m;
	struct timespec		 set_at;
	int			 lost;	/* another worker has the message */
};

/*
 * The lease's end from now. The clock's seconds are whole and the one
 * running may be nearly over: one more makes the lease at least
 * PORTAL_OUTBOX_LEASE_SECONDS long.
 */
static int64_t
deliver_lease_end(const struct job *j)
{
	return store_now() + j->cfg->outbox_lease + 1;
}

/*
 * The smtp progress hook: renews the lease once it is down to half and a
 * second (curl calls about once a second while it waits, so it never
 * runs out between two calls), and not more than five times a second
 * (while data moves, curl calls far more often). -1, abandoning the
 * send, when the message is no longer ours.
 */
static int
deliver_lease_renew(void *arg)
{
	struct deliver_lease	*l = arg;
	struct timespec		 t;
	double			 used;
	int			 r;

	clock_gettime(CLOCK_MONOTONIC, &t);
	used = (double)(t.tv_sec - l->set_at.tv_sec) +
	    (double)(t.tv_nsec - l->set_at.tv_nsec) / 1e9;
	if (used < 0.2 || used <= (double)l->j->cfg->outbox_lease / 2 - 1)
		return 0;
	r = store_outbox_renew(l->j->store, l->m->id, l->m->attempts,
	    deliver_lease_end(l->j));
	if (r == STORE_OK) {
		l->set_at = t;
		return 0;
	}
	if (r == STORE_CONFLICT) {
		log_warnx("outbox %lld: the lease ran out and another worker "
		    "has it: abandoning the send", (long long)l->m->id);
		l->lost = 1;
		return -1;
	}
	/* A busy database is no proof the lease is gone: try again soon. */
	return 0;
}

/* A mark refused because the claim is no longer ours is no fault. */
static int
deliver_marked(const struct outbox_msg *m, int r)
{
	if (r == STORE_CONFLICT) {
		log_warnx("outbox %lld: claimed by another worker meanwhile; "
		    "left to it", (long long)m->id);
		return 0;
	}
	return r == STORE_OK ? 0 : -1;
}

int64_t
deliver_backoff(int attempts)
{
	int64_t	 wait = DELIVER_BACKOFF_FIRST;

	while (--attempts > 0 && wait < DELIVER_BACKOFF_MAX)
		wait *= 2;
	return wait < DELIVER_BACKOFF_MAX ? wait : DELIVER_BACKOFF_MAX;
}

static int
deliver_one(struct job *j, struct smtp **smtp, struct outbox_msg *m,
    struct timespec *claimed_at, struct deliver_stats *stats)
{
	const struct config	*cfg = j->cfg;
	struct deliver_lease	 lease;
	struct smtp_result	 res;
	char			*msg = NULL, why[OUTBOX_ERROR_MAX + 32];
	size_t			 len;
	int64_t			 now = store_now();
	int			 rc = 0, r;

	if (m->cancel_reason[0] != '\0') {
		stats->cancelled++;
		log_info("outbox %lld: cancelled (%s), not sent",
		    (long long)m->id, m->cancel_reason);
		return 0;
	}
	if (mail_render(m->payload, m->message_id, cfg->mail_from, now, &msg,
	    &len) == -1) {
		/* Rendering the same payload again cannot succeed. */
		log_warnx("outbox %lld: cannot render its payload",
		    (long long)m->id);
		stats->failed++;
		return deliver_marked(m, store_outbox_failed(j->store, m,
		    "the message could not be rendered"));
	}
	if (*smtp == NULL && (*smtp = smtp_open(cfg->smtp_url, cfg->smtp_user,
	    cfg->smtp_password)) == NULL) {
		free(msg);
		return -1;
	}
	memset(&lease, 0, sizeof(lease));
	lease.j = j;
	lease.m = m;
	lease.set_at = *claimed_at;
	memset(&res, 0, sizeof(res));
	smtp_set_progress(*smtp, deliver_lease_renew, &lease);
	r = smtp_send(*smtp, cfg->mail_from, m->recipient, msg, len, &res);
	smtp_set_progress(*smtp, NULL, NULL);
	now = store_now();
	if (r == 0) {
		stats->sent++;
		log_info("outbox %lld: sent (%s)", (long long)m->id, m->kind);
		rc = deliver_marked(m, store_outbox_sent(j->store, m, now));
		goto out;
	}
	if (lease.lost) {
		/* Its new claimer sends and marks it. */
		smtp_close(*smtp);
		*smtp = NULL;
		goto out;
	}
	/* The server's own reply line already starts with its code. */
	(void)snprintf(why, sizeof(why), "%s", res.message[0] != '\0' ?
	    res.message : "no reply from the mail server");
	if (res.temporary && m->attempts < DELIVER_ATTEMPTS_MAX) {
		int64_t next = now + deliver_backoff(m->attempts);
		stats->retried++;
		log_warnx("outbox %lld: attempt %d failed (%s), again in %llds",
		    (long long)m->id, m->attempts, why,
		    (long long)(next - now));
		rc = deliver_marked(m, store_outbox_retry(j->store, m, next,
		    why));
		/* A dead connection is not reused for the next message. */
		smtp_close(*smtp);
		*smtp = NULL;
	} else {
		stats->failed++;
		log_warnx("outbox %lld: failed for good (%s)", (long long)m->id,
		    why);
		rc = deliver_marked(m, store_outbox_failed(j->store, m, why));
	}
out:
	free(msg);
	return rc;
}

/* One sender: claims and sends over one connection until none is due. */
static int
deliver_loop(struct job *j, struct deliver_stats *stats)
{
	struct outbox_msg	 m;
	struct smtp		*smtp = NULL;
	struct timespec		 claimed_at;
	int			 rc = 0, r;

	while (!job_stopping(j)) {
		/*
		 * Each claim reads the clock: a lease counts from the moment
		 * its message is taken, not from the start of the pass.
		 */
		clock_gettime(CLOCK_MONOTONIC, &claimed_at);
		r = store_outbox_claim(j->store, store_now(),
		    deliver_lease_end(j), &m);
		if (r == STORE_NOTFOUND)
			break;
		if (r != STORE_OK) {
			rc = -1;
			break;
		}
		r = deliver_one(j, &smtp, &m, &claimed_at, stats);
		outbox_msg_cleanup(&m);
		if (r == -1) {
			rc = -1;
			break;
		}
	}
	smtp_close(smtp);
	return rc;
}

/* A sender of its own thread, with its own database connection. */
struct deliver_sender {
	pthread_t		 thread;
	struct job		 j;
	struct deliver_stats	 stats;
	int			 rc;
};

static void *
deliver_sender_main(void *arg)
{
	struct deliver_sender	*s = arg;

	if ((s->j.store = store_open(s->j.cfg->db_path, 0)) == NULL) {
		s->rc = -1;
		return NULL;
	}
	s->rc = deliver_loop(&s->j, &s->stats);
	store_close(s->j.store);
	return NULL;
}

static void
deliver_stats_add(struct deliver_stats *to, const struct deliver_stats *s)
{
	to->sent += s->sent;
	to->retried += s->retried;
	to->failed += s->failed;
	to->cancelled += s->cancelled;
}

int
deliver_run(struct job *j, struct deliver_stats *stats)
{
	struct deliver_sender	*senders;
	int64_t			 due;
	int			 n = (int)j->cfg->smtp_connections, started = 0;
	int			 i, rc;

	if (n <= 1)
		return deliver_loop(j, stats);
	/* No threads, connections or logins for a pass with nothing due. */
	rc = store_outbox_next_due(j->store, &due);
	if (rc == STORE_NOTFOUND || (rc == STORE_OK && due > store_now()))
		return 0;
	if ((senders = calloc((size_t)n - 1, sizeof(*senders))) == NULL) {
		log_warn("calloc");
		return deliver_loop(j, stats);
	}
	for (i = 0; i < n - 1; i++) {
		senders[i].j.cfg = j->cfg;
		if (pthread_create(&senders[i].thread, NULL,
		    deliver_sender_main, &senders[i]) != 0) {
			log_warnx("cannot start sender %d of %d: delivering "
			    "over fewer connections", i + 2, n);
			break;
		}
		started++;
	}
	rc = deliver_loop(j, stats);
	for (i = 0; i < started; i++) {
		(void)pthread_join(senders[i].thread, NULL);
		deliver_stats_add(stats, &senders[i].stats);
		if (senders[i].rc == -1)
			rc = -1;
	}
	free(senders);
	return rc;
}
