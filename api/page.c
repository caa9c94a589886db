/*
 * Keyset pages for the list routes: the cursor a request continues from,
 * and the page it gets with the cursor of the next one.
 */
#include <stdio.h>
#include <string.h>

#include "../common/text.h"

#include "page.h"

int
page_cursor_or_reply(struct request *req, uint32_t query, int sort,
    int keyless, struct cursor *cur)
{
	char	 text[CURSOR_TEXT_MAX + 1];
	int	 rc;

	if ((rc = request_query_or_reply(req, "cursor", text,
	    sizeof(text))) != 1)
		return rc;
	if (cursor_decode(text, cur) == -1 || cur->query != query ||
	    (sort != PAGE_SORT_ANY && cur->sort != sort) ||
	    (keyless && cur->keylen != 0))
		return reply_invalid_query(req, "cursor",
		    "is not a cursor of this query");
	return 1;
}

int
page_limit_or_reply(struct request *req, int max, int *limit)
{
	char		 v[32], message[48];
	long long	 n;
	int		 rc;

	if ((rc = request_query_or_reply(req, "limit", v, sizeof(v))) != 1)
		return rc;
	if (text_parse_int(v, 1, max, &n) == -1) {
		(void)snprintf(message, sizeof(message),
		    "must be an integer from 1 to %d", max);
		return reply_invalid_query(req, "limit", message);
	}
	*limit = (int)n;
	return 0;
}

void
page_open(struct page *pg, int limit, size_t max, int sort, uint32_t query)
{
	memset(pg, 0, sizeof(*pg));
	buf_init(&pg->out, max);
	jsonw_init(&pg->w, &pg->out);
	pg->limit = limit;
	pg->last.sort = sort == PAGE_SORT_ANY ? 0 : (uint8_t)sort;
	pg->last.query = query;
	jsonw_object_open(&pg->w);
	jsonw_key(&pg->w, "data");
	jsonw_array_open(&pg->w);
}

int
page_take(struct page *pg)
{
	/* The query asks for one row more than the page holds. */
	if (pg->rows == pg->limit) {
		pg->more = 1;
		return 0;
	}
	pg->rows++;
	return 1;
}

void
page_reply(struct request *req, struct page *pg, const int64_t *total,
    const int *at_least)
{
	char	 next[CURSOR_TEXT_MAX + 1];

	jsonw_array_close(&pg->w);
	if (total != NULL) {
		jsonw_key(&pg->w, "total");
		jsonw_int(&pg->w, *total);
	}
	if (at_least != NULL) {
		jsonw_key(&pg->w, "total_at_least");
		jsonw_bool(&pg->w, *at_least);
	}
	jsonw_key(&pg->w, "next_cursor");
	if (pg->more) {
		if (cursor_encode(&pg->last, next, sizeof(next)) == -1) {
			(void)reply_internal_error(req);
			return;
		}
		jsonw_string(&pg->w, next);
	} else
		jsonw_null(&pg->w);
	jsonw_object_close(&pg->w);
	(void)reply_jsonw(req, 200, &pg->out, pg->w.error);
}

void
page_cleanup(struct page *pg)
{
	buf_cleanup(&pg->out);
}
