/*
 * The SQLite backend's reads for a whole page of the Clients list at
 * once: the viewer's digest settings, in one statement over the page's
 * ids.
 */
#include <string.h>

#include "../log.h"
#include "../store_client.h"
#include "../text.h"
#include "sqlite.h"

sqlite3_stmt *
sqlite_stmt_ids(struct store *st, const char *sql, const int64_t *ids,
    size_t n, char *list, size_t len)
{
	sqlite3_stmt	*stmt;

	if (text_id_list(ids, n, '[', ']', list, len) == -1) {
		log_warnx("%zu ids: too many for one statement", n);
		return NULL;
	}
	if ((stmt = sqlite_stmt(st, sql)) != NULL)
		sqlite3_bind_text(stmt, 1, list, -1, SQLITE_STATIC);
	return stmt;
}

struct page_facts_walk {
	int	(*fn)(const struct client_page_fact *, void *);
	void	*arg;
};

/* A row: the preference's columns (0-7). */
static int
page_facts_row(sqlite3_stmt *stmt, void *arg)
{
	struct page_facts_walk	*w = arg;
	struct client_page_fact	 f;
	struct preference	 p;

	memset(&f, 0, sizeof(f));
	if (sqlite_preference_row(stmt, &p) != STORE_OK)
		return -1;
	f.client_id = p.client_id;
	f.preference = &p;
	return w->fn(&f, w->arg);
}

int
sqlite_client_page_facts(struct store *st, int64_t viewer_id,
    const int64_t *ids, size_t n,
    int (*fn)(const struct client_page_fact *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT p.user_id, p.client_id, p.email, p.frequency, "
	    "p.starts_at, p.updated_at, p.generation, p.alerts_only "
	    "FROM notification_preferences p WHERE p.user_id = ?2 "
	    /*
	     * Ids the planner seeks one by one: as a join it would walk
	     * them all again for each of the viewer's settings.
	     */
	    "AND p.client_id IN (SELECT value FROM json_each(?1))";
	struct page_facts_walk	 w = { fn, arg };
	sqlite3_stmt		*stmt;
	char			 list[SQLITE_IDS_MAX];

	if ((stmt = sqlite_stmt_ids(st, sql, ids, n, list, sizeof(list))) ==
	    NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 2, viewer_id);
	return sqlite_rows(st, stmt, "page facts", page_facts_row, &w);
}
