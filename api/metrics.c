/*
 * GET /metrics: Prometheus text exposition of the server's own counters
 * (requests by status class, latency sum), the outbox backlog and the
 * sizes of the tables that grow. Only totals: nothing names a firm, a
 * user or a client.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/store_outbox.h"
#include "../common/store_tidy.h"
#include "metrics.h"
#include "route.h"

static atomic_ullong	metrics_requests[6];	/* by status / 100 */
static atomic_ullong	metrics_micros;
static atomic_llong	metrics_started;

void
metrics_start(void)
{
	atomic_store(&metrics_started, (long long)time(NULL));
}

void
metrics_count(int status, double ms)
{
	int	 cls = status / 100;

	if (cls < 1 || cls > 5)
		cls = 0;
	atomic_fetch_add(&metrics_requests[cls], 1);
	atomic_fetch_add(&metrics_micros, (unsigned long long)(ms * 1000.0));
}

static void
metrics_get(struct request *req)
{
	struct buf		 b;
	struct table_rows	 tables[STORE_TIDY_TABLES];
	int64_t			 queued = 0, failed = 0, writes, commits;
	int			 i, err = 0;
	char			*body;
	size_t			 len;

	/*
	 * Counted at each scrape: about 0.6 ms per 10k rows, affordable at
	 * scrape intervals for tables of this size.
	 */
	if (store_outbox_backlog(req->store, &queued, &failed) != STORE_OK ||
	    store_tidy_count(req->store, tables) != STORE_OK) {
		(void)reply_internal_error(req);
		return;
	}
	store_write_counts(req->store, &writes, &commits);
	buf_init(&b, 8192);
	err |= buf_printf(&b, "# HELP portal_http_requests_total HTTP "
	    "requests answered, by status class.\n"
	    "# TYPE portal_http_requests_total counter\n");
	for (i = 1; i <= 5; i++)
		err |= buf_printf(&b, "portal_http_requests_total{class=\"%dxx\"}"
		    " %llu\n", i, (unsigned long long)atomic_load(
		    &metrics_requests[i]));
	err |= buf_printf(&b, "# HELP portal_http_request_seconds_sum Time "
	    "spent answering requests.\n"
	    "# TYPE portal_http_request_seconds_sum counter\n"
	    "portal_http_request_seconds_sum %.6f\n"
	    "# HELP portal_outbox_messages Emails waiting to be sent, and "
	    "failed for good.\n# TYPE portal_outbox_messages gauge\n"
	    "portal_outbox_messages{state=\"queued\"} %lld\n"
	    "portal_outbox_messages{state=\"failed\"} %lld\n"
	    "# HELP portal_start_time_seconds When this process started.\n"
	    "# TYPE portal_start_time_seconds gauge\n"
	    "portal_start_time_seconds %lld\n",
	    (double)atomic_load(&metrics_micros) / 1e6, (long long)queued,
	    (long long)failed, (long long)atomic_load(&metrics_started));
	err |= buf_printf(&b, "# HELP portal_db_writes_total Write "
	    "transactions committed.\n# TYPE portal_db_writes_total counter\n"
	    "portal_db_writes_total %lld\n"
	    "# HELP portal_db_commits_total Commits to disk that carried "
	    "them: fewer when concurrent writes share one.\n"
	    "# TYPE portal_db_commits_total counter\n"
	    "portal_db_commits_total %lld\n", (long long)writes,
	    (long long)commits);
	err |= buf_printf(&b, "# HELP portal_table_rows Rows in the tables "
	    "that grow with use.\n# TYPE portal_table_rows gauge\n");
	for (i = 0; i < STORE_TIDY_TABLES; i++)
		err |= buf_printf(&b, "portal_table_rows{table=\"%s\"} %lld\n",
		    tables[i].table, (long long)tables[i].rows);
	if (err || (body = buf_steal(&b, &len)) == NULL) {
		buf_cleanup(&b);
		(void)reply_internal_error(req);
		return;
	}
	reply_take(req, 200, "text/plain; version=0.0.4", body, len);
}

const struct route metrics_routes[] = {
	{ .method = "GET", .pattern = "/metrics", .handler = metrics_get,
	    .roles = ROUTE_PUBLIC, .body = ROUTE_BODY_NONE },
};
const size_t metrics_n_routes = sizeof(metrics_routes) /
    sizeof(metrics_routes[0]);
