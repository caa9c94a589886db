/*
 * The SQLite backend's queries on the feed of events (store_event.h).
 */
#include "../store_event.h"
#include "sqlite.h"

struct event_walk {
	int	(*fn)(const struct event *, void *);
	void	*arg;
};

static int
event_row(sqlite3_stmt *stmt, void *arg)
{
	struct event_walk	*w = arg;
	struct event		 ev;

	ev.id = sqlite3_column_int64(stmt, 0);
	ev.seq = sqlite3_column_int64(stmt, 1);
	ev.type = (const char *)sqlite3_column_text(stmt, 2);
	ev.client_id = sqlite3_column_int64(stmt, 3);
	ev.data = (const char *)sqlite3_column_text(stmt, 4);
	ev.created_at = sqlite3_column_int64(stmt, 5);
	if (ev.type == NULL || ev.data == NULL)
		return -1;
	return w->fn(&ev, w->arg);
}

int
sqlite_event_list(struct store *st, int64_t partner_id, int64_t after_seq,
    int limit, int (*fn)(const struct event *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT id, seq, type, coalesce(client_id, 0), data, created_at "
	    "FROM events WHERE partner_id = ? AND seq > ? "
	    "ORDER BY seq LIMIT ?";
	struct event_walk	 w = { fn, arg };
	sqlite3_stmt		*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	sqlite3_bind_int64(stmt, 2, after_seq);
	sqlite3_bind_int(stmt, 3, limit);
	return sqlite_rows(st, stmt, "event list", event_row, &w);
}
