/*
 * The firm's feed of events, for integrators: what changed, in the order
 * it committed, a page at a time from a cursor that never skips nor
 * repeats an event (the store numbers them per firm in commit order).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/event_json.h"
#include "../common/jsonw.h"
#include "../common/log.h"
#include "../common/store_event.h"
#include "../common/text.h"
#include "page.h"
#include "route.h"

#define EVENTS_DEFAULT_LIMIT	100
#define EVENTS_REPLY_MAX	(4 * 1024 * 1024)
#define EVENTS_CURSOR_SORT	1

struct events_page {
	struct jsonw	*w;
	int64_t		 last_seq;
	int		 rows;
	int		 limit;
	int		 more;
};

static int
events_row(const struct event *ev, void *arg)
{
	struct events_page	*p = arg;

	/* One more than the page: it only says there is more. */
	if (p->rows == p->limit) {
		p->more = 1;
		return 0;
	}
	if (event_json_write(p->w, ev) == -1)
		return -1;
	p->last_seq = ev->seq;
	p->rows++;
	return p->w->error ? -1 : 0;
}

static void
events_list(struct request *req)
{
	struct events_page	 p;
	struct cursor		 cur, next;
	struct jsonw		 w;
	struct buf		 out;
	char			 text[CURSOR_TEXT_MAX + 1];
	uint32_t		 query = cursor_fingerprint("events");

	memset(&p, 0, sizeof(p));
	p.limit = EVENTS_DEFAULT_LIMIT;
	if (page_limit_or_reply(req, EVENT_LIST_MAX, &p.limit) == -1)
		return;
	memset(&cur, 0, sizeof(cur));
	if (page_cursor_or_reply(req, query, EVENTS_CURSOR_SORT, 1, &cur) ==
	    -1)
		return;
	buf_init(&out, EVENTS_REPLY_MAX);
	jsonw_init(&w, &out);
	p.w = &w;
	/* A cursor names the next number to read: 1 at the start. */
	p.last_seq = cur.id > 0 ? cur.id - 1 : 0;
	jsonw_object_open(&w);
	jsonw_key(&w, "data");
	jsonw_array_open(&w);
	if (store_event_list(req->store, req->user.partner_id, p.last_seq,
	    p.limit + 1, events_row, &p) != STORE_OK) {
		(void)reply_internal_error(req);
		goto out;
	}
	jsonw_array_close(&w);
	/* Where the next read starts, even past the last event there is. */
	memset(&next, 0, sizeof(next));
	next.sort = EVENTS_CURSOR_SORT;
	next.query = query;
	next.id = p.last_seq + 1;
	if (cursor_encode(&next, text, sizeof(text)) == -1) {
		(void)reply_internal_error(req);
		goto out;
	}
	jsonw_key(&w, "next_cursor");
	jsonw_string(&w, text);
	jsonw_key(&w, "has_more");
	jsonw_bool(&w, p.more);
	jsonw_object_close(&w);
	(void)reply_jsonw(req, 200, &out, w.error);
out:
	buf_cleanup(&out);
}

const struct route events_routes[] = {
	{ .method = "GET", .pattern = "/v1/events", .handler = events_list,
	    .roles = ROLE_ADMIN | ROLE_INTEGRATION, .body = ROUTE_BODY_NONE,
	    .scope = SCOPE_EVENTS_READ },
};
const size_t events_n_routes = sizeof(events_routes) /
    sizeof(events_routes[0]);
