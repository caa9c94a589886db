/*
 * Clients of a firm: their lifecycle and who may see which client; the
 * list behind the Clients page, with tabs, search, filter, locale-aware
 * sort, keyset paging and counts. store_client.c computes what every
 * backend keeps of a client; the queries are the backend's (for SQLite,
 * common/sqlite/client.c, client_list.c and client_sql.c).
 */
#ifndef COMMON_STORE_CLIENT_H
#define COMMON_STORE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "client_page.h"
#include "cursor.h"
#include "store.h"
#include "store_preference.h"
#include "store_user.h"

#define CLIENT_NAME_MAX		200
#define CLIENT_ORG_MAX		32
#define CLIENT_REF_MAX		100	/* code points of external_ref */
#define CLIENT_LIST_MAX		200
/*
 * The most a page of CLIENT_LIST_MAX rows takes, as JSON or CSV: a row
 * with ASSIGNEES_MAX assignees whose names are USER_NAME_MAX four-byte
 * characters holds about 41 kB, such a page about 8 MB; twice that
 * leaves room for what the API adds to each row. A bound, not an
 * allocation: pages take what their rows need.
 */
#define CLIENT_PAGE_BYTES_MAX	(16 * 1024 * 1024)
/*
 * A search's total counts its matches up to this many; past it, the
 * total is this and says "at least". Counting every match of "a" among
 * ten thousand clients costs several times the page itself, and counting
 * to 1,000 took a fifth of the searches' rate.
 */
#define CLIENT_SEARCH_COUNT_MAX	200

struct client {
	int64_t	 id;
	int64_t	 partner_id;
	char	 name[CLIENT_NAME_MAX * 4 + 1];
	char	 org_number[CLIENT_ORG_MAX + 1];
	char	 country[3];		/* whose rules org_number follows */
	/* The integrator's own reference, unique per firm; "" when none. */
	char	 external_ref[CLIENT_REF_MAX * 4 + 1];
	char	 contact_email[USER_EMAIL_MAX + 1];	/* "" when none */
	char	 status[16];
	int64_t	 balance_minor;
	char	 currency[4];
	int64_t	 missing_receipts;
	int64_t	 export_ready;
	unsigned alerts;		/* common/alert.h's bits */
	/*
	 * The client's row in the list, as the list shows it (clients.
	 * list_json, schema.sql version 4), assignees included: the details
	 * are this row and the fields above that it lacks. Owned;
	 * client_cleanup() frees.
	 */
	char	*list_json;
	int64_t	 created_at;
	int64_t	 updated_at;
};

void	client_cleanup(struct client *);

/*
 * Creates c in its partner with the sort key for locale. Fills id, times
 * and list_json (client_cleanup() it). c->org_number is in its normal
 * form (org_number.h) and is the key that must be unique among the firm's
 * clients not declined, as external_ref is among all of them.
 * STORE_OK, STORE_CONFLICT (store_client_find() names the holder) or
 * STORE_ERROR.
 */
int	store_client_create(struct store *, const char *locale,
	    struct client *c);

/*
 * Loads client id of the viewer's firm when the viewer may see it:
 * admins and integrations every client of their firm, bookkeepers only
 * the onboarding and active clients assigned to them. STORE_NOTFOUND
 * otherwise, so that existence never leaks.
 */
int	store_client_get_visible(struct store *, const struct user *viewer,
	    int64_t id, struct client *out);
/*
 * store_client_get_visible() of a client the write transaction goes on
 * to rewrite (store_client_update): a concurrent rewrite of the same
 * client waits for this one to end and then reads what it wrote, so
 * neither writes back a stale copy.
 */
int	store_client_get_to_change(struct store *, const struct user *viewer,
	    int64_t id, struct client *out);

/*
 * Moves the client from status from to status to, only if it is still in
 * from. STORE_OK, STORE_CONFLICT (it was not) or STORE_ERROR.
 */
int	store_client_transition(struct store *, int64_t id, const char *from,
	    const char *to);

/*
 * Changes name (and its keys), organisation number, country and
 * external_ref, and refreshes list_json. A changed org_number becomes the
 * client's key. STORE_OK, STORE_NOTFOUND, STORE_CONFLICT (another client
 * holds the number or the reference) or STORE_ERROR.
 */
int	store_client_update(struct store *, const char *locale,
	    struct client *c);
/*
 * The id of the firm's client not declined whose key is org_key (the
 * normal form of an organisation number), or, when org_key is NULL, of
 * the client whose external_ref is ref. STORE_OK, STORE_NOTFOUND or
 * STORE_ERROR.
 */
int	store_client_find(struct store *, int64_t partner_id,
	    const char *org_key, const char *ref, int64_t *id);
int	store_client_set_balance(struct store *, int64_t id, int64_t amount,
	    const char *currency);

/*
 * The list and its search (for SQLite, common/sqlite/client_list.c,
 * with its statements in client_sql.c).
 */

struct client_query {
	int64_t			 partner_id;
	int64_t			 user_id;	/* assigned to; 0: whole firm */
	const char		*status;
	enum client_sort	 sort;
	int			 missing_only;
	unsigned		 alerts;	/* any of these; 0: all */
	/*
	 * With missing_only, a month (year * 100 + month) in which the
	 * client's expenses miss a receipt; 0: any.
	 */
	int			 month;
	const char		*q;		/* case-folded; "" for none */
	const struct cursor	*after;		/* NULL: the first page */
	int			 limit;
};

/*
 * A row of the list: its JSON as the API shows it, and its sort keys.
 * Pointers are valid during the callback only.
 */
struct client_row {
	int64_t		 id;
	int64_t		 missing_receipts;
	const void	*sort_key;
	size_t		 sort_key_len;
	const char	*json;		/* json_len bytes, no NUL after */
	size_t		 json_len;
};

/*
 * Calls fn for up to q->limit rows in order, stopping at fn's -1, and
 * sets total to the rows the query matches over all pages: for a search,
 * up to CLIENT_SEARCH_COUNT_MAX, *at_least set when more match.
 */
int	store_client_list(struct store *, const struct client_query *,
	    int (*fn)(const struct client_row *, void *), void *arg,
	    int64_t *total, int *at_least);
/*
 * A client of the page with the viewer's digest setting for it; the
 * page's other facts (its assignees and their roles) are in its row.
 */
struct client_page_fact {
	int64_t			 client_id;
	const struct preference	*preference;
};

/*
 * Calls fn for each of the n clients of ids (up to CLIENT_LIST_MAX, each
 * once) for which the viewer has a digest setting, in no set order;
 * stops at fn's -1 (STORE_ERROR). One statement for the page, never one
 * per client. The pointers last during the call.
 */
int	store_client_page_facts(struct store *, int64_t viewer_id,
	    const int64_t *ids, size_t n,
	    int (*fn)(const struct client_page_fact *, void *), void *arg);

/*
 * Clients of status for the firm (user_id 0) or one assignee; with
 * alerts, only those with any of them (common/alert.h). From the kept
 * counters.
 */
int	store_client_status_count(struct store *, int64_t partner_id,
	    int64_t user_id, const char *status, unsigned alerts,
	    int64_t *count);

/*
 * One step of upkeep of the search's indexes (the trigram and the grams
 * of SQLite): merges up to pages pages of each one's segments, in a
 * transaction of its own. Each write adds
 * small segments to the index (FTS5 merges them only in part as it goes)
 * and a search reads every segment, so an index that is never merged gets
 * several times slower than a fresh one. *merged is nonzero when there
 * was work, and another step may find more. STORE_OK or STORE_ERROR.
 */
int	store_client_search_tidy(struct store *, int pages, int *merged);

/* Keys the store keeps for a name: ICU sort key and folded text. */
int	client_sort_key(const char *locale, const char *name, uint8_t *key,
	    size_t *keylen);

#endif
