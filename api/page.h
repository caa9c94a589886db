/*
 * Keyset pages as the list routes answer them: the "cursor" query
 * parameter read and checked, and {"data": [...], "total": n,
 * "next_cursor": ...} written row by row with the streaming writer.
 */
#ifndef API_PAGE_H
#define API_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../common/cursor.h"
#include "../common/jsonw.h"
#include "http.h"

/* page_cursor_or_reply()'s sort for a list whose cursors name none. */
#define PAGE_SORT_ANY	(-1)

/*
 * Reads the "cursor" query parameter into cur. It must decode, carry the
 * fingerprint query (a cursor only continues the query it came from),
 * the order sort unless that is PAGE_SORT_ANY, and no sort key when
 * keyless is set. Returns 1 with a cursor, 0 without one, -1 after
 * answering 400.
 */
int	page_cursor_or_reply(struct request *, uint32_t query, int sort,
	    int keyless, struct cursor *cur);

/*
 * Reads the "limit" query parameter, 1 to max, into *limit; left as it
 * is when absent. 0, or -1 after answering 400.
 */
int	page_limit_or_reply(struct request *, int max, int *limit);

struct page {
	struct buf	 out;
	struct jsonw	 w;		/* writes into out */
	int		 limit;
	int		 rows;
	int		 more;	/* a row past the page exists */
	/*
	 * The next page's cursor: sort and query from page_open(), the
	 * position of the last row taken filled in by the row callback.
	 */
	struct cursor	 last;
};

/*
 * Starts a page of at most limit rows in a reply of at most max bytes,
 * up to the opening of "data". The struct must stay where it is until
 * page_cleanup(), which frees what it holds.
 */
void	page_open(struct page *, int limit, size_t max, int sort,
	    uint32_t query);
/*
 * A row callback's first step: 1 when the row goes on the page (it is
 * counted; write it and its position), 0 when it is the one past the
 * page, which only tells that there is a next page.
 */
int	page_take(struct page *);
/*
 * Closes "data", writes "total" when total is not NULL and
 * "total_at_least" when at_least is not NULL, then "next_cursor", and
 * answers 200 with the page (500 when it failed).
 */
void	page_reply(struct request *, struct page *, const int64_t *total,
	    const int *at_least);
void	page_cleanup(struct page *);

#endif
