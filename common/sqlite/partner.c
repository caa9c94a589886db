/*
 * The SQLite backend's queries on partners.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../log.h"
#include "../store_partner.h"
#include "sqlite.h"

int
sqlite_partner_create(struct store *st, struct partner *p)
{
	static const char sql[] =
	    "INSERT INTO partners (name, locale, timezone, created_at) "
	    "VALUES (?, ?, ?, ?)";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, p->locale, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, p->timezone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, p->created_at);
	if ((rc = sqlite_step_done(st, stmt, "partner insert")) == STORE_OK)
		p->id = sqlite3_last_insert_rowid(sqlite_db(st));
	return rc;
}

/* A sqlite_row() reader into the struct partner at arg. */
static int
partner_from_row(sqlite3_stmt *stmt, void *arg)
{
	struct partner	*p = arg;

	p->id = sqlite3_column_int64(stmt, 0);
	p->created_at = sqlite3_column_int64(stmt, 4);
	if (sqlite_column_text(stmt, 1, p->name, sizeof(p->name)) ||
	    sqlite_column_text(stmt, 2, p->locale, sizeof(p->locale)) ||
	    sqlite_column_text(stmt, 3, p->timezone, sizeof(p->timezone)))
		return STORE_ERROR;
	return STORE_OK;
}

int
sqlite_partner_get(struct store *st, int64_t id, struct partner *out)
{
	static const char sql[] =
	    "SELECT id, name, locale, timezone, created_at FROM partners "
	    "WHERE id = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	return sqlite_row(st, stmt, "partner get", partner_from_row, out);
}

struct partner_walk {
	int	(*fn)(const struct partner *, void *);
	void	*arg;
};

static int
partner_row(sqlite3_stmt *stmt, void *arg)
{
	struct partner_walk	*w = arg;
	struct partner		 p;

	if (partner_from_row(stmt, &p) != STORE_OK)
		return -1;
	return w->fn(&p, w->arg);
}

int
sqlite_partner_list(struct store *st,
    int (*fn)(const struct partner *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT id, name, locale, timezone, created_at FROM partners "
	    "ORDER BY id";
	sqlite3_stmt		*stmt;
	struct partner_walk	 w = { fn, arg };

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	return sqlite_rows(st, stmt, "partner list", partner_row, &w);
}
