/*
 * The webhooks job (webhooks.h). A delivery is claimed under a lease in a
 * transaction of its own, sent with no transaction open, and its outcome
 * recorded in another: a worker that dies between the two leaves the
 * delivery to be sent again when the lease runs out, so an endpoint gets
 * each event at least once, under the same webhook-id.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/buf.h"
#include "../common/event_json.h"
#include "../common/jsonw.h"
#include "../common/log.h"
#include "../common/store_webhook.h"
#include "webhook_send.h"
#include "webhooks.h"

#define WEBHOOKS_PER_PASS	500
#define WEBHOOKS_LEASE		60	/* seconds; more than a request's */
#define WEBHOOKS_BODY_MAX	(256 * 1024)
/*
 * A pass sends webhooks for this long at most: endpoints that answer
 * slowly (up to the 15 s timeout each) must not hold back the next
 * pass's emails; what is left goes in the next pass.
 */
#define WEBHOOKS_PASS_MS	30000

int64_t
webhooks_backoff(int attempt)
{
	static const int64_t steps[] = { 30, 120, 600, 3600, 3 * 3600 };

	if (attempt >= 1 && (size_t)attempt <= sizeof(steps) / sizeof(steps[0]))
		return steps[attempt - 1];
	return 6 * 3600;
}

/*
 * The body, by the Standard Webhooks conventions: {"type", "timestamp",
 * "data"}, data the event as the feed shows it.
 */
static int
webhooks_body(const struct webhook_job *j, struct buf *out)
{
	struct event	 ev;
	struct jsonw	 w;

	memset(&ev, 0, sizeof(ev));
	ev.id = j->event_id;
	ev.type = j->event_type;
	ev.client_id = j->client_id;
	ev.data = j->event_data;
	ev.created_at = j->event_at;
	jsonw_init(&w, out);
	jsonw_object_open(&w);
	jsonw_key(&w, "type");
	jsonw_string(&w, j->event_type);
	jsonw_key(&w, "timestamp");
	jsonw_time(&w, j->event_at);
	jsonw_key(&w, "data");
	if (event_json_write(&w, &ev) == -1)
		return -1;
	jsonw_object_close(&w);
	return w.error ? -1 : 0;
}

/* Sends one claimed delivery and records what came of it. */
static int
webhooks_one(struct job *jb, struct webhook_job *j,
    struct webhooks_stats *stats)
{
	struct webhook_request	 req;
	struct webhook_result	 res;
	struct webhook_outcome	 o;
	struct buf		 body;
	char			 id[32];
	int			 rc = -1;

	buf_init(&body, WEBHOOKS_BODY_MAX);
	memset(&o, 0, sizeof(o));
	(void)snprintf(id, sizeof(id), "evt_%lld", (long long)j->event_id);
	if (webhooks_body(j, &body) == -1) {
		(void)snprintf(res.error, sizeof(res.error),
		    "the event could not be written");
		res.http_status = 0;
		res.delivered = 0;
		res.duration_ms = 0;
	} else {
		memset(&req, 0, sizeof(req));
		req.url = j->url;
		req.secret = j->secret;
		req.id = id;
		req.timestamp = store_now();
		req.body = body.data;
		req.body_len = body.len;
		req.allow_loopback = jb->cfg->webhook_allow_loopback != 0;
		if (webhook_send(&req, &res) == -1)
			goto out;
	}
	o.at = store_now();
	o.http_status = res.http_status;
	o.error = res.delivered ? NULL : res.error;
	o.duration_ms = res.duration_ms;
	o.next_attempt_at = o.at + webhooks_backoff(j->attempt);
	o.disable = !res.delivered && (j->failing_since != 0 ?
	    j->failing_since : o.at) <= o.at - WEBHOOK_DISABLE_AFTER;
	o.mail_domain = config_mail_domain(jb->cfg);
	if (store_webhook_record(jb->store, j, &o) != STORE_OK) {
		log_warnx("webhook %lld: attempt %d not recorded",
		    (long long)j->delivery_id, j->attempt);
		goto out;
	}
	if (res.delivered)
		stats->delivered++;
	else {
		stats->failed++;
		log_info("webhook %lld to endpoint %lld, attempt %d: %s",
		    (long long)j->delivery_id, (long long)j->endpoint_id,
		    j->attempt, res.error);
	}
	if (o.disable) {
		stats->disabled++;
		log_warnx("webhook endpoint %lld disabled: failing for three "
		    "days; its firm's admins are told", (long long)j->endpoint_id);
	}
	rc = 0;
out:
	buf_cleanup(&body);
	return rc;
}

int
webhooks_run(struct job *jb, struct webhooks_stats *stats)
{
	struct webhook_job	 j;
	struct timespec		 t0, t;
	int			 i, rc;

	memset(stats, 0, sizeof(*stats));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < WEBHOOKS_PER_PASS && !job_stopping(jb); i++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 >= WEBHOOKS_PASS_MS)
			break;
		rc = store_webhook_claim(jb->store, store_now(), WEBHOOKS_LEASE,
		    &j);
		if (rc == STORE_NOTFOUND)
			return 0;
		if (rc != STORE_OK)
			return -1;
		rc = webhooks_one(jb, &j, stats);
		webhook_job_cleanup(&j);
		if (rc == -1)
			return -1;
	}
	return 0;
}
