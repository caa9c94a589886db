/*
 * Queries on partners.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../log.h"
#include "../store_partner.h"
#include "sqlite.h"
#include "../tz.h"

int
partner_locale_valid(const char *s)
{
	return strcmp(s, "sv") == 0 || strcmp(s, "da") == 0 ||
	    strcmp(s, "nb") == 0 || strcmp(s, "en") == 0;
}

int
partner_timezone_valid(const char *tz)
{
	return tz_valid(tz);
}

int
store_partner_create(struct store *st, struct partner *p)
{
	static const char sql[] =
	    "INSERT INTO partners (name, locale, timezone, created_at) "
	    "VALUES (?, ?, ?, ?)";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	p->created_at = store_now();
	sqlite3_bind_text(stmt, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, p->locale, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, p->timezone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, p->created_at);
	if ((rc = store_step_done(st, stmt, "partner insert")) == STORE_OK)
		p->id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

/* A store_row() reader into the struct partner at arg. */
static int
partner_from_row(sqlite3_stmt *stmt, void *arg)
{
	struct partner	*p = arg;

	p->id = sqlite3_column_int64(stmt, 0);
	p->created_at = sqlite3_column_int64(stmt, 4);
	if (store_column_text(stmt, 1, p->name, sizeof(p->name)) ||
	    store_column_text(stmt, 2, p->locale, sizeof(p->locale)) ||
	    store_column_text(stmt, 3, p->timezone, sizeof(p->timezone)))
		return STORE_ERROR;
	return STORE_OK;
}

int
store_partner_get(struct store *st, int64_t id, struct partner *out)
{
	static const char sql[] =
	    "SELECT id, name, locale, timezone, created_at FROM partners "
	    "WHERE id = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	return store_row(st, stmt, "partner get", partner_from_row, out);
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
store_partner_list(struct store *st,
    int (*fn)(const struct partner *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT id, name, locale, timezone, created_at FROM partners "
	    "ORDER BY id";
	sqlite3_stmt		*stmt;
	struct partner_walk	 w = { fn, arg };

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	return store_rows(st, stmt, "partner list", partner_row, &w);
}
