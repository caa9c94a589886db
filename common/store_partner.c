/*
 * Queries on partners.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store_partner.h"
#include "store_sqlite.h"
#include "tz.h"

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

int
store_partner_get(struct store *st, int64_t id, struct partner *out)
{
	static const char sql[] =
	    "SELECT id, name, locale, timezone, created_at FROM partners "
	    "WHERE id = ?";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		out->id = sqlite3_column_int64(stmt, 0);
		rc = STORE_OK;
		if (store_column_text(stmt, 1, out->name, sizeof(out->name)) ||
		    store_column_text(stmt, 2, out->locale,
		    sizeof(out->locale)) ||
		    store_column_text(stmt, 3, out->timezone,
		    sizeof(out->timezone)))
			rc = STORE_ERROR;
		out->created_at = sqlite3_column_int64(stmt, 4);
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "partner get");
		rc = STORE_ERROR;
	}
	store_reset(stmt);
	return rc;
}

int
store_partner_list(struct store *st,
    int (*fn)(const struct partner *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT id, name, locale, timezone, created_at FROM partners "
	    "ORDER BY id";
	sqlite3_stmt	*stmt;
	struct partner	 p;
	int		 rc = STORE_OK, step;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		p.id = sqlite3_column_int64(stmt, 0);
		p.created_at = sqlite3_column_int64(stmt, 4);
		if (store_column_text(stmt, 1, p.name, sizeof(p.name)) ||
		    store_column_text(stmt, 2, p.locale, sizeof(p.locale)) ||
		    store_column_text(stmt, 3, p.timezone,
		    sizeof(p.timezone)) || fn(&p, arg) == -1) {
			rc = STORE_ERROR;
			break;
		}
	}
	if (rc == STORE_OK && step != SQLITE_DONE) {
		store_log_error(st, "partner list");
		rc = STORE_ERROR;
	}
	store_reset(stmt);
	return rc;
}
