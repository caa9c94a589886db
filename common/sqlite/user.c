/*
 * Queries on users.
 */
#include <stdlib.h>
#include <string.h>

#include "../address.h"
#include "../log.h"
#include "sqlite.h"
#include "../store_user.h"

int
role_parse(const char *s, enum role *out)
{
	if (strcmp(s, "admin") == 0)
		*out = ROLE_ADMIN;
	else if (strcmp(s, "bookkeeper") == 0)
		*out = ROLE_BOOKKEEPER;
	else if (strcmp(s, "integration") == 0)
		*out = ROLE_INTEGRATION;
	else
		return -1;
	return 0;
}

const char *
role_name(enum role r)
{
	switch (r) {
	case ROLE_ADMIN:
		return "admin";
	case ROLE_BOOKKEEPER:
		return "bookkeeper";
	case ROLE_INTEGRATION:
		return "integration";
	}
	return "unknown";
}

int
user_email_normalize(char *s)
{
	char	*at = NULL, *p;

	for (p = s; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    *p == '<' ||
		    *p == '>' || *p == ',' || *p == ';' || *p == '"')
			return -1;
		else if (*p == '@') {
			if (at != NULL)
				return -1;
			at = p;
		}
	}
	if (at == NULL || at == s || at[1] == '\0' ||
	    (size_t)(p - s) > USER_EMAIL_MAX)
		return -1;
	return 0;
}

int
user_email_accept(char *s)
{
	return user_email_normalize(s) == 0 && address_valid(s) ? 0 : -1;
}

#define USER_COLUMNS \
	"id, partner_id, email, name, role, active, password_hash, " \
	"created_at, updated_at"

/* A store_row() reader of USER_COLUMNS into the struct user at arg. */
static int
user_from_row(sqlite3_stmt *stmt, void *arg)
{
	struct user	*u = arg;

	u->id = sqlite3_column_int64(stmt, 0);
	u->partner_id = sqlite3_column_int64(stmt, 1);
	if (store_column_text(stmt, 2, u->email, sizeof(u->email)) == -1 ||
	    store_column_text(stmt, 3, u->name, sizeof(u->name)) == -1 ||
	    role_parse((const char *)sqlite3_column_text(stmt, 4),
	    &u->role) == -1 ||
	    store_column_text(stmt, 6, u->password_hash,
	    sizeof(u->password_hash)) == -1) {
		log_warnx("user %lld: malformed row", (long long)u->id);
		return STORE_ERROR;
	}
	u->active = sqlite3_column_int(stmt, 5);
	u->created_at = sqlite3_column_int64(stmt, 7);
	u->updated_at = sqlite3_column_int64(stmt, 8);
	return STORE_OK;
}

int
store_user_get(struct store *st, int64_t id, struct user *out)
{
	static const char sql[] =
	    "SELECT " USER_COLUMNS " FROM users WHERE id = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	return store_row(st, stmt, "user get", user_from_row, out);
}

int
store_user_get_by_email(struct store *st, const char *email,
    struct user *out)
{
	static const char sql[] =
	    "SELECT " USER_COLUMNS " FROM users WHERE email = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, email, -1, SQLITE_STATIC);
	return store_row(st, stmt, "user get", user_from_row, out);
}

int
store_user_create(struct store *st, struct user *u)
{
	static const char sql[] =
	    "INSERT INTO users (partner_id, email, name, role, active, "
	    "password_hash, created_at, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	u->created_at = u->updated_at = store_now();
	sqlite3_bind_int64(stmt, 1, u->partner_id);
	sqlite3_bind_text(stmt, 2, u->email, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, role_name(u->role), -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 5, u->active ? 1 : 0);
	sqlite3_bind_text(stmt, 6, u->password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, u->created_at);
	sqlite3_bind_int64(stmt, 8, u->updated_at);
	if ((rc = store_step_unique(st, stmt, "user insert")) == STORE_OK)
		u->id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int
user_list_add(const struct user *u, void *arg)
{
	struct user_list	*l = arg;
	struct user		*v;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((v = realloc(l->v, l->cap * sizeof(*v))) == NULL)
			return -1;
		l->v = v;
	}
	l->v[l->n++] = *u;
	return 0;
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
	if (store_column_text(stmt, 2, u->email, sizeof(u->email)) ||
	    store_column_text(stmt, 3, u->name, sizeof(u->name)) ||
	    role_parse((const char *)sqlite3_column_text(stmt, 4),
	    &u->role) == -1)
		return -1;
	return w->fn(u, w->arg);
}

int
store_user_each(struct store *st, sqlite3_stmt *stmt, const char *what,
    int (*fn)(const struct user *, void *), void *arg)
{
	struct user_walk	 w;

	memset(&w, 0, sizeof(w));
	w.fn = fn;
	w.arg = arg;
	return store_rows(st, stmt, what, user_each_row, &w);
}

int
store_user_update(struct store *st, struct user *u)
{
	static const char sql[] =
	    "UPDATE users SET name = ?, role = ?, active = ?, updated_at = ? "
	    "WHERE id = ? AND partner_id = ?";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	u->updated_at = store_now();
	sqlite3_bind_text(stmt, 1, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, role_name(u->role), -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, u->active ? 1 : 0);
	sqlite3_bind_int64(stmt, 4, u->updated_at);
	sqlite3_bind_int64(stmt, 5, u->id);
	sqlite3_bind_int64(stmt, 6, u->partner_id);
	if ((rc = store_step_done(st, stmt, "user update")) == STORE_OK &&
	    sqlite3_changes(st->db) != 1)
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
store_user_list(struct store *st, int64_t partner_id,
    int (*fn)(const struct user *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT " USER_COLUMNS " FROM users WHERE partner_id = ? "
	    "ORDER BY id";
	sqlite3_stmt		*stmt;
	struct user_walk	 w;
	int			 rc;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	w.fn = fn;
	w.arg = arg;
	rc = store_rows(st, stmt, "user list", user_list_row, &w);
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
store_user_addresses(struct store *st,
    int (*fn)(int64_t id, const char *email, void *), void *arg)
{
	static const char sql[] = "SELECT id, email FROM users ORDER BY id";
	sqlite3_stmt		*stmt;
	struct address_walk	 w = { fn, arg };

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	return store_rows(st, stmt, "user addresses", address_row, &w);
}
