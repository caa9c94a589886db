/*
 * Delivery of the outbox. A message is claimed ('sending', with a lease)
 * before it is sent and marked after; a crash in between leaves it
 * claimed, and once the lease runs out it is sent again: at worst that one
 * message twice, never lost. 4xx replies and connection failures retry
 * with exponential backoff; 5xx replies fail it with the server's reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../common/store_outbox.h"
#include "deliver.h"
#include "mail.h"
#include "smtp.h"

/* A claimed message not marked within this long is sent again. */
#define DELIVER_LEASE		300
#define DELIVER_BACKOFF_FIRST	30
#define DELIVER_BACKOFF_MAX	3600
/* About two days of retries at the longest backoff, then give up. */
#define DELIVER_ATTEMPTS_MAX	60

int64_t
deliver_backoff(int attempts)
{
	int64_t	 wait = DELIVER_BACKOFF_FIRST;

	while (--attempts > 0 && wait < DELIVER_BACKOFF_MAX)
		wait *= 2;
	return wait < DELIVER_BACKOFF_MAX ? wait : DELIVER_BACKOFF_MAX;
}

static int
deliver_one(struct worker *w, struct smtp **smtp, struct outbox_msg *m,
    int64_t now, struct deliver_stats *stats)
{
	const struct config	*cfg = w->cfg;
	struct smtp_result	 res;
	char			*msg = NULL, why[OUTBOX_ERROR_MAX + 32];
	size_t			 len;
	int			 rc = 0;

	if (mail_render(m->payload, m->message_id, cfg->mail_from, now, &msg,
	    &len) == -1) {
		/* Rendering the same payload again cannot succeed. */
		log_warnx("outbox %lld: cannot render its payload",
		    (long long)m->id);
		stats->failed++;
		return store_outbox_failed(w->store, m->id,
		    "the message could not be rendered") == STORE_OK ? 0 : -1;
	}
	if (*smtp == NULL && (*smtp = smtp_open(cfg->smtp_url, cfg->smtp_user,
	    cfg->smtp_password)) == NULL) {
		free(msg);
		return -1;
	}
	memset(&res, 0, sizeof(res));
	if (smtp_send(*smtp, cfg->mail_from, m->recipient, msg, len, &res) ==
	    0) {
		if (store_outbox_sent(w->store, m->id, now) != STORE_OK)
			rc = -1;
		stats->sent++;
		log_info("outbox %lld: sent (%s)", (long long)m->id, m->kind);
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
		if (store_outbox_retry(w->store, m->id, next, why) != STORE_OK)
			rc = -1;
		/* A dead connection is not reused for the next message. */
		smtp_close(*smtp);
		*smtp = NULL;
	} else {
		stats->failed++;
		log_warnx("outbox %lld: failed for good (%s)", (long long)m->id,
		    why);
		if (store_outbox_failed(w->store, m->id, why) != STORE_OK)
			rc = -1;
	}
out:
	free(msg);
	return rc;
}

int
deliver_run(struct worker *w, int64_t now, struct deliver_stats *stats)
{
	struct outbox_msg	 m;
	struct smtp		*smtp = NULL;
	int			 rc = 0, r;

	while (!worker_stopping(w)) {
		r = store_outbox_claim(w->store, now, DELIVER_LEASE, &m);
		if (r == STORE_NOTFOUND)
			break;
		if (r != STORE_OK) {
			rc = -1;
			break;
		}
		r = deliver_one(w, &smtp, &m, now, stats);
		outbox_msg_cleanup(&m);
		if (r == -1) {
			rc = -1;
			break;
		}
	}
	smtp_close(smtp);
	return rc;
}
