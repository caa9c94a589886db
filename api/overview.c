/*
 * A client's monthly overview: for each of the last months in the
 * firm's zone, newest first, its expenses exported, ready for export and
 * pending, their amounts per currency, and how many lack a receipt. Read
 * from the counters the store keeps as expenses are written: no request
 * counts expenses.
 */
#include <string.h>

#include "../common/jsonw.h"
#include "../common/log.h"
#include "../common/text.h"
#include "../common/tz.h"
#include "client_load.h"
#include "month_figures.h"
#include "route.h"

#define OVERVIEW_MONTHS_DEFAULT	3
#define OVERVIEW_REPLY_MAX	(256 * 1024)

static int
overview_months_or_reply(struct request *req, int *months)
{
	char		 v[32], message[64];
	long long	 n;
	int		 rc;

	*months = OVERVIEW_MONTHS_DEFAULT;
	if ((rc = request_query_or_reply(req, "months", v, sizeof(v))) != 1)
		return rc;
	if (text_parse_int(v, 1, MONTH_FIGURES_BACK, &n) == -1) {
		(void)snprintf(message, sizeof(message),
		    "must be an integer from 1 to %d", MONTH_FIGURES_BACK);
		return reply_invalid_query(req, "months", message);
	}
	*months = (int)n;
	return 0;
}

static void
overview_get(struct request *req)
{
	struct month_figures	 f;
	struct client		 c;
	struct jsonw		 w;
	struct buf		 out;
	int			 months, now, oldest, from, i;

	memset(&f, 0, sizeof(f));
	buf_init(&out, OVERVIEW_REPLY_MAX);
	if (client_load_or_reply(req, 0, &c) == -1)
		return;
	if (overview_months_or_reply(req, &months) == -1 ||
	    month_figures_now_or_reply(req, &now, &oldest) == -1)
		goto out;
	from = tz_month_add(now, -(months - 1));
	if (month_figures_load(req->store, c.id, from, now, &f) !=
	    STORE_OK) {
		(void)reply_internal_error(req);
		goto out;
	}
	jsonw_init(&w, &out);
	jsonw_object_open(&w);
	jsonw_key(&w, "client_id");
	jsonw_int(&w, c.id);
	jsonw_key(&w, "months");
	jsonw_array_open(&w);
	for (i = 0; i < months; i++)
		month_figures_write(&w, &f, tz_month_add(now, -i));
	jsonw_array_close(&w);
	jsonw_object_close(&w);
	(void)reply_jsonw(req, 200, &out, w.error);
out:
	buf_cleanup(&out);
	month_figures_free(&f);
	client_cleanup(&c);
}

const struct route overview_routes[] = {
	{ .method = "GET", .pattern = "/v1/clients/{id}/overview",
	    .handler = overview_get, .roles = ROUTE_ANYONE,
	    .body = ROUTE_BODY_NONE,
	    .scope = SCOPE_CLIENTS_READ },
};
const size_t overview_n_routes = sizeof(overview_routes) /
    sizeof(overview_routes[0]);
