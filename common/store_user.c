/*
 * Queries on users.
 */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "log.h"
#include "store_sqlite.h"
#include "store_user.h"

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

static int
user_from_row(sqlite3_stmt *stmt, struct user *u)
{
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

static int
user_get_one(struct store *st, sqlite3_stmt *stmt, struct user *out)
{
	int	 rc;

	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		rc = user_from_row(stmt, out);
		break;
	case SQLITE_DONE:
		rc = STORE_NOTFOUND;
		break;
	default:
		store_log_error(st, "user get");
		rc = STORE_ERROR;
	}
	store_reset(stmt);
	return rc;
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
	return user_get_one(st, stmt, out);
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
	return user_get_one(st, stmt, out);
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
	switch (sqlite3_step(stmt)) {
	case SQLITE_DONE:
		u->id = sqlite3_last_insert_rowid(st->db);
		rc = STORE_OK;
		break;
	case SQLITE_CONSTRAINT_UNIQUE:
		rc = STORE_CONFLICT;
		break;
	default:
		store_log_error(st, "user insert");
		rc = STORE_ERROR;
	}
	store_reset(stmt);
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

int
store_user_each(struct store *st, sqlite3_stmt *stmt, const char *what,
    int (*fn)(const struct user *, void *), void *arg)
{
	struct user	 u;
	int		 rc = STORE_OK, step;

	memset(&u, 0, sizeof(u));
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		u.id = sqlite3_column_int64(stmt, 0);
		u.partner_id = sqlite3_column_int64(stmt, 1);
		u.active = sqlite3_column_int(stmt, 5);
		if (store_column_text(stmt, 2, u.email, sizeof(u.email)) ||
		    store_column_text(stmt, 3, u.name, sizeof(u.name)) ||
		    role_parse((const char *)sqlite3_column_text(stmt, 4),
		    &u.role) == -1 || fn(&u, arg) == -1) {
			rc = STORE_ERROR;
			break;
		}
	}
	if (rc == STORE_OK && step != SQLITE_DONE) {
		store_log_error(st, what);
		rc = STORE_ERROR;
	}
	store_reset(stmt);
	return rc;
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

int
store_user_list(struct store *st, int64_t partner_id,
    int (*fn)(const struct user *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT " USER_COLUMNS " FROM users WHERE partner_id = ? "
	    "ORDER BY id";
	sqlite3_stmt	*stmt;
	struct user	 u;
	int		 rc = STORE_OK, step;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, partner_id);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (user_from_row(stmt, &u) != STORE_OK || fn(&u, arg) == -1) {
			rc = STORE_ERROR;
			break;
		}
	}
	if (rc == STORE_OK && step != SQLITE_DONE) {
		store_log_error(st, "user list");
		rc = STORE_ERROR;
	}
	explicit_bzero(&u, sizeof(u));
	store_reset(stmt);
	return rc;
}

int
store_user_addresses(struct store *st,
    int (*fn)(int64_t id, const char *email, void *), void *arg)
{
	static const char sql[] = "SELECT id, email FROM users ORDER BY id";
	sqlite3_stmt	*stmt;
	const char	*email;
	int		 rc = STORE_OK, step;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		email = (const char *)sqlite3_column_text(stmt, 1);
		if (fn(sqlite3_column_int64(stmt, 0), email != NULL ? email :
		    "", arg) == -1) {
			rc = STORE_ERROR;
			break;
		}
	}
	if (rc == STORE_OK && step != SQLITE_DONE) {
		store_log_error(st, "user addresses");
		rc = STORE_ERROR;
	}
	store_reset(stmt);
	return rc;
}
