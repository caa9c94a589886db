/*
 * The SQLite backend's queries on users.
 */
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "sqlite.h"
#include "../store_user.h"

#define USER_COLUMNS \
	"id, partner_id, email, name, role, active, password_hash, " \
	"created_at, updated_at, coalesce(locale, ''), preferences_stamp"

/* A sqlite_row() reader of USER_COLUMNS into the struct user at arg. */
static int
user_from_row(sqlite3_stmt *stmt, void *arg)
{
	struct user	*u = arg;

	u->id = sqlite3_column_int64(stmt, 0);
	u->partner_id = sqlite3_column_int64(stmt, 1);
	if (sqlite_column_text(stmt, 2, u->email, sizeof(u->email)) == -1 ||
	    sqlite_column_text(stmt, 3, u->name, sizeof(u->name)) == -1 ||
	    role_parse((const char *)sqlite3_column_text(stmt, 4),
	    &u->role) == -1 ||
	    sqlite_column_text(stmt, 6, u->password_hash,
	    sizeof(u->password_hash)) == -1 ||
	    sqlite_column_text(stmt, 9, u->locale, sizeof(u->locale)) == -1) {
		log_warnx("user %lld: malformed row", (long long)u->id);
		return STORE_ERROR;
	}
	u->active = sqlite3_column_int(stmt, 5);
	u->created_at = sqlite3_column_int64(stmt, 7);
	u->updated_at = sqlite3_column_int64(stmt, 8);
	u->preferences_stamp = sqlite3_column_int64(stmt, 10);
	return STORE_OK;
}

int
sqlite_user_get(struct store *st, int64_t id, struct user *out)
{
	static const char sql[] =
	    "SELECT " USER_COLUMNS " FROM users WHERE id = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	return sqlite_row(st, stmt, "user get", user_from_row, out);
}

int
sqlite_user_get_by_email(struct store *st, const char *email,
    struct user *out)
{
	static const char sql[] =
	    "SELECT " USER_COLUMNS " FROM users WHERE email = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, email, -1, SQLITE_STATIC);
	return sqlite_row(st, stmt, "user get", user_from_row, out);
}

int
sqlite_user_create(struct store *st, struct user *u)
{
	static const char sql[] =
	    "INSERT INTO users (partner_id, email, name, role, active, "
	    "password_hash, created_at, updated_at, locale) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, nullif(?, ''))";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, u->partner_id);
	sqlite3_bind_text(stmt, 2, u->email, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, role_name(u->role), -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 5, u->active ? 1 : 0);
	sqlite3_bind_text(stmt, 6, u->password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, u->created_at);
	sqlite3_bind_int64(stmt, 8, u->updated_at);
	sqlite3_bind_text(stmt, 9, u->locale, -1, SQLITE_STATIC);
	if ((rc = sqlite_step_unique(st, stmt, "user insert")) == STORE_OK)
		u->id = sqlite3_last_insert_rowid(sqlite_db(st));
	return rc;
}

/* A walk over users: the one struct user each row is read into. */
struct user_walk {
	int		(*fn)(const struct user *, void *);
	void		*arg;
	struct user	 u;
};

/* A row of STORE_USER_ROW; the columns it lacks stay as they were. */
static int
user_each_row(sqlite3_stmt *stmt, void *arg)
{
	struct user_walk	*w = arg;
	struct user		*u = &w->u;

	u->id = sqlite3_column_int64(stmt, 0);
	u->partner_id = sqlite3_column_int64(stmt, 1);
	u->active = sqlite3_column_int(stmt, 5);
	if (sqlite_column_text(stmt, 2, u->email, sizeof(u->email)) ||
	    sqlite_column_text(stmt, 3, u->name, sizeof(u->name)) ||
	    sqlite_column_text(stmt, 6, u->locale, sizeof(u->locale)) ||
	    role_parse((const char *)sqlite3_column_text(stmt, 4),
	    &u->role) == -1)
		return -1;
	return w->fn(u, w->arg);
}

int
sqlite_user_each(struct store *st, sqlite3_stmt *stmt, const char *what,
    int (*fn)(const struct user *, void *), void *arg)
{
	struct user_walk	 w;

	memset(&w, 0, sizeof(w));
	w.fn = fn;
	w.arg = arg;
	return sqlite_rows(st, stmt, what, user_each_row, &w);
}

int
sqlite_user_update(struct store *st, struct user *u)
{
	static const char sql[] =
	    "UPDATE users SET name = ?1, role = ?2, active = ?3, "
	    "updated_at = ?4, locale = nullif(?7, '') "
	    "WHERE id = ?5 AND partner_id = ?6";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, role_name(u->role), -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, u->active ? 1 : 0);
	sqlite3_bind_int64(stmt, 4, u->updated_at);
	sqlite3_bind_int64(stmt, 5, u->id);
	sqlite3_bind_int64(stmt, 6, u->partner_id);
	sqlite3_bind_text(stmt, 7, u->locale, -1, SQLITE_STATIC);
	if ((rc = sqlite_step_done(st, stmt, "user update")) == STORE_OK &&
	    sqlite3_changes(sqlite_db(st)) != 1)
		rc = STORE_NOTFOUND;
	return rc;
}

/* A row of USER_COLUMNS, password hash included. */
static int
user_list_row(sqlite3_stmt *stmt, void *arg)
{
	struct user_walk	*w = arg;

	if (user_from_row(stmt, &w->u) != STORE_OK)
		return -1;
	return w->fn(&w->u, w->arg);
}

int
sqlite_user_list(struct store *st, int64_t partner_id,
    int (*fn)(const struct user *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT " USER_COLUMNS " FROM users WHERE partner_id = ? "
	    "ORDER BY id";
	sqlite3_stmt		*stmt;
	struct user_walk	 w;
	int			 rc;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	w.fn = fn;
	w.arg = arg;
	rc = sqlite_rows(st, stmt, "user list", user_list_row, &w);
	/* The last row's password hash. */
	explicit_bzero(&w.u, sizeof(w.u));
	return rc;
}

struct address_walk {
	int	(*fn)(int64_t id, const char *email, void *);
	void	*arg;
};

static int
address_row(sqlite3_stmt *stmt, void *arg)
{
	struct address_walk	*w = arg;
	const char		*email;

	email = (const char *)sqlite3_column_text(stmt, 1);
	return w->fn(sqlite3_column_int64(stmt, 0), email != NULL ? email :
	    "", w->arg);
}

int
sqlite_user_addresses(struct store *st,
    int (*fn)(int64_t id, const char *email, void *), void *arg)
{
	static const char sql[] = "SELECT id, email FROM users ORDER BY id";
	sqlite3_stmt		*stmt;
	struct address_walk	 w = { fn, arg };

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	return sqlite_rows(st, stmt, "user addresses", address_row, &w);
}
