/*
 * The worker loop and its signal handling: each pass runs the jobs
 * (digest.c, deliver.c, tidy.c) with a struct job of this worker's.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/log.h"
#include "../common/text.h"
#include "../common/store_outbox.h"
#include "deliver.h"
#include "digest.h"
#include "alerts.h"
#include "tidy.h"
#include "webhooks.h"
#include "worker.h"

static double
worker_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* One pass: the digests due now, then the outbox, then upkeep. */
static int
worker_pass(struct worker *w)
{
	struct job		 j = { .store = w->store, .cfg = w->cfg };
	struct digest_stats	 ds;
	struct deliver_stats	 dl;
	struct webhooks_stats	 wh;
	struct timespec		 t0, t1, t2, t3;
	int64_t			 now = store_now();
	int			 merges, raised, rc = 0;

	memset(&ds, 0, sizeof(ds));
	memset(&dl, 0, sizeof(dl));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Before the digests, which show the alerts. */
	if (alerts_run(&j, &raised) == -1)
		rc = -1;
	if (digest_run(&j, now, &ds) == -1)
		rc = -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Each claim reads the clock: what the digests queued is due too. */
	if (deliver_run(&j, &dl) == -1)
		rc = -1;
	clock_gettime(CLOCK_MONOTONIC, &t2);
	if (ds.written || ds.skipped || dl.sent || dl.retried || dl.failed ||
	    dl.cancelled || w->once)
		log_info("pass: digests written %d, skipped %d in %.1f ms; "
		    "emails sent %d, retried %d, failed %d, cancelled %d "
		    "in %.1f ms", ds.written, ds.skipped, worker_ms(&t0, &t1),
		    dl.sent, dl.retried, dl.failed, dl.cancelled,
		    worker_ms(&t1, &t2));
	if (webhooks_run(&j, &wh) == -1)
		rc = -1;
	if (wh.delivered || wh.failed || wh.disabled)
		log_info("pass: webhooks delivered %d, failed %d; endpoints "
		    "disabled %d", wh.delivered, wh.failed, wh.disabled);
	if (tidy_run(&j, &merges) == -1)
		rc = -1;
	clock_gettime(CLOCK_MONOTONIC, &t3);
	if (merges > 0)
		log_info("search index: merged in %d steps, %.1f ms", merges,
		    worker_ms(&t2, &t3));
	return rc;
}

/* Seconds to sleep: the poll interval, or less when a retry falls due. */
static int64_t
worker_sleep_for(struct worker *w)
{
	int64_t	 due, wait = w->cfg->worker_poll, now = store_now();

	if (store_outbox_next_due(w->store, &due) == STORE_OK &&
	    due - now < wait)
		wait = due > now ? due - now : 1;
	return wait;
}

int
worker_run(struct worker *w)
{
	struct timespec	 wait;
	sigset_t	 set;
	char		 where[512];
	int		 sig, rc = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* Signals are taken only between passes, never mid-message. */
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((w->store = store_open(w->cfg->db_path, 0)) == NULL)
		return 1;
	if (store_schema_version(w->store) < store_schema_latest(w->store)) {
		log_warnx("the database schema is older than this worker: "
		    "run portal-api migrate");
		rc = 1;
		goto out;
	}
	store_db_for_log(w->cfg->db_path, where, sizeof(where));
	log_info("worker started (database %s)", where);
	for (;;) {
		if (worker_pass(w) == -1)
			rc = 1;
		if (w->once)
			break;
		wait.tv_sec = (time_t)worker_sleep_for(w);
		wait.tv_nsec = 0;
		sig = sigtimedwait(&set, NULL, &wait);
		if (sig > 0) {
			log_info("signal %d: stopping", sig);
			break;
		}
		if (sig == -1 && errno != EAGAIN && errno != EINTR) {
			log_warn("sigtimedwait");
			rc = 1;
			break;
		}
	}
out:
	store_close(w->store);
	w->store = NULL;
	return rc;
}
