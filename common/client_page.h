/*
 * A page of the Clients list picked from rows met in any order. A search
 * finds its matches through trigrams, in no useful order: this keeps, in
 * a heap bounded by the page size, the rows that come first in the list's
 * order after the cursor, and counts every row it is offered, so that one
 * pass over the matches gives both the page and the total.
 */
#ifndef COMMON_CLIENT_PAGE_H
#define COMMON_CLIENT_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "collate.h"
#include "cursor.h"

enum client_sort {
	CLIENT_SORT_NAME = 1,
	CLIENT_SORT_NAME_DESC,
	CLIENT_SORT_MISSING,
	CLIENT_SORT_MISSING_DESC,
	/*
	 * By clients.attention (schema.sql, version 21), which orders the
	 * clients that need attention first, then by name: it takes the
	 * place of the count in keys and cursors.
	 */
	CLIENT_SORT_ATTENTION
};
#define CLIENT_SORTS	5

/* Where a row sits in every order of the list. */
struct client_key {
	int64_t		 id;
	/* missing receipts, or for CLIENT_SORT_ATTENTION the attention */
	int64_t		 missing;
	size_t		 keylen;
	uint8_t		 key[COLLATE_KEY_MAX];	/* ICU sort key of the name */
};

/* <0, 0, >0 as a comes before, with or after b in the order of sort. */
int	client_key_cmp(enum client_sort, const struct client_key *a,
	    const struct client_key *b);

struct client_page {
	enum client_sort	 sort;
	int			 has_after;
	struct client_key	 after;		/* rows must come after this */
	struct client_key	*rows;		/* heap, then sorted */
	size_t			 n;
	size_t			 cap;
	int64_t			 offered;	/* every row offered: the total */
};

/*
 * Room for cap rows after the cursor (NULL: from the start). 0, or -1
 * when out of memory or the cursor's key is too long.
 */
int	client_page_init(struct client_page *, enum client_sort,
	    const struct cursor *after, size_t cap);
/* Counts the row, and keeps it when it belongs on the page so far. */
void	client_page_offer(struct client_page *, int64_t id, int64_t missing,
	    const void *key, size_t keylen);
/* Puts rows[0..n) in list order; call once, after the last offer. */
void	client_page_sort(struct client_page *);
void	client_page_cleanup(struct client_page *);

#endif
