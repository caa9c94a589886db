/*
 * The PostgreSQL backend's queries on users.
 */
#include <string.h>

#include "../log.h"
#include "../store_user.h"
#include "pg.h"

#define USER_COLUMNS \
	"id, partner_id, email, name, role, active, password_hash, " \
	"created_at, updated_at, coalesce(locale, ''), preferences_stamp"

/* Row i of USER_COLUMNS into u. STORE_OK or STORE_ERROR, logged. */
static int
user_from_row(const PGresult *r, int i, struct user *u)
{
	u->id = pg_get_int64(r, i, 0);
	u->partner_id = pg_get_int64(r, i, 1);
	if (pg_get_text(r, i, 2, u->email, sizeof(u->email)) == -1 ||
	    pg_get_text(r, i, 3, u->name, sizeof(u->name)) == -1 ||
	    role_parse(PQgetvalue(r, i, 4), &u->role) == -1 ||
	    pg_get_text(r, i, 6, u->password_hash,
	    sizeof(u->password_hash)) == -1 ||
	    pg_get_text(r, i, 9, u->locale, sizeof(u->locale)) == -1) {
		log_warnx("user %lld: malformed row", (long long)u->id);
		return STORE_ERROR;
	}
	u->active = pg_get_bool(r, i, 5);
	u->created_at = pg_get_int64(r, i, 7);
	u->updated_at = pg_get_int64(r, i, 8);
	u->preferences_stamp = pg_get_int64(r, i, 10);
	return STORE_OK;
}

/* One user by a key (q's $1). */
static int
user_get_by(struct store *st, const struct pg_query *q,
    const struct pg_params *par, struct user *out)
{
	PGresult	*r;
	int		 rc;

	if ((rc = pg_run(st, q, par, "user get", &r)) != STORE_OK)
		return rc;
	rc = PQntuples(r) == 0 ? STORE_NOTFOUND : user_from_row(r, 0, out);
	PQclear(r);
	return rc;
}

int
pg_user_get(struct store *st, int64_t id, struct user *out)
{
	static const struct pg_query q = { "user_get",
	    "SELECT " USER_COLUMNS " FROM users WHERE id = $1" };
	/*
	 * The weakest lock that a change of the account waits for (it
	 * reads the user FOR UPDATE, see below): writes by the same caller
	 * go on side by side, and one that raises the caller's preference
	 * generation (FOR NO KEY UPDATE of the same row) does not wait for
	 * the others, nor deadlock with them.
	 */
	static const struct pg_query share = { "user_get_key_share",
	    "SELECT " USER_COLUMNS " FROM users WHERE id = $1 "
	    "FOR KEY SHARE" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, id);
	return user_get_by(st, pg_writing(st) ? &share : &q, &par, out);
}

int
pg_user_get_to_change(struct store *st, int64_t id, struct user *out)
{
	static const struct pg_query q = { "user_get_to_change",
	    "SELECT " USER_COLUMNS " FROM users WHERE id = $1 FOR UPDATE" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, id);
	return user_get_by(st, &q, &par, out);
}

int
pg_user_get_by_email(struct store *st, const char *email, struct user *out)
{
	static const struct pg_query q = { "user_get_by_email",
	    "SELECT " USER_COLUMNS " FROM users WHERE email = $1" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_text(&par, email);
	return user_get_by(st, &q, &par, out);
}

/*
 * ON CONFLICT DO NOTHING, not a unique violation: an error would abort
 * the request's transaction, which goes on to answer the conflict.
 */
int
pg_user_create(struct store *st, struct user *u)
{
	static const struct pg_query q = { "user_create",
	    "INSERT INTO users (partner_id, email, name, role, active, "
	    "password_hash, created_at, updated_at, locale) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, '')) "
	    "ON CONFLICT (email) DO NOTHING RETURNING id" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, u->partner_id);
	pg_param_text(&par, u->email);
	pg_param_text(&par, u->name);
	pg_param_text(&par, role_name(u->role));
	pg_param_bool(&par, u->active);
	pg_param_text(&par, u->password_hash);
	pg_param_int64(&par, u->created_at);
	pg_param_int64(&par, u->updated_at);
	pg_param_text(&par, u->locale);
	if ((rc = pg_run(st, &q, &par, "user insert", &r)) != STORE_OK)
		return rc;
	if (PQntuples(r) == 0)
		rc = STORE_CONFLICT;
	else
		u->id = pg_get_int64(r, 0, 0);
	PQclear(r);
	return rc;
}

int
pg_user_update(struct store *st, struct user *u)
{
	static const struct pg_query q = { "user_update",
	    "UPDATE users SET name = $1, role = $2, active = $3, "
	    "updated_at = $4, locale = nullif($7, '') "
	    "WHERE id = $5 AND partner_id = $6" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_text(&par, u->name);
	pg_param_text(&par, role_name(u->role));
	pg_param_bool(&par, u->active);
	pg_param_int64(&par, u->updated_at);
	pg_param_int64(&par, u->id);
	pg_param_int64(&par, u->partner_id);
	pg_param_text(&par, u->locale);
	if ((rc = pg_run(st, &q, &par, "user update", &r)) != STORE_OK)
		return rc;
	if (pg_changes(r) != 1)
		rc = STORE_NOTFOUND;
	PQclear(r);
	return rc;
}

int
pg_user_rows(const PGresult *r, int (*fn)(const struct user *, void *),
    void *arg)
{
	struct user	 u;
	int		 i;

	memset(&u, 0, sizeof(u));
	for (i = 0; i < PQntuples(r); i++) {
		u.id = pg_get_int64(r, i, 0);
		u.partner_id = pg_get_int64(r, i, 1);
		u.active = pg_get_bool(r, i, 5);
		if (pg_get_text(r, i, 2, u.email, sizeof(u.email)) ||
		    pg_get_text(r, i, 3, u.name, sizeof(u.name)) ||
		    pg_get_text(r, i, 6, u.locale, sizeof(u.locale)) ||
		    role_parse(PQgetvalue(r, i, 4), &u.role) == -1 ||
		    fn(&u, arg) == -1)
			return STORE_ERROR;
	}
	return STORE_OK;
}

int
pg_user_each(struct store *st, const struct pg_query *q,
    const struct pg_params *par, const char *what,
    int (*fn)(const struct user *, void *), void *arg)
{
	PGresult	*r;
	int		 rc;

	if ((rc = pg_run(st, q, par, what, &r)) != STORE_OK)
		return rc;
	rc = pg_user_rows(r, fn, arg);
	PQclear(r);
	return rc;
}

int
pg_user_list(struct store *st, int64_t partner_id,
    int (*fn)(const struct user *, void *), void *arg)
{
	static const struct pg_query q = { "user_list",
	    "SELECT " USER_COLUMNS " FROM users WHERE partner_id = $1 "
	    "ORDER BY id" };
	struct pg_params	 par;
	struct user		 u;
	PGresult		*r;
	int			 i, rc;

	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	if ((rc = pg_run(st, &q, &par, "user list", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r); i++) {
		if (user_from_row(r, i, &u) != STORE_OK || fn(&u, arg) == -1) {
			rc = STORE_ERROR;
			break;
		}
	}
	/* The last row's password hash. */
	explicit_bzero(&u, sizeof(u));
	PQclear(r);
	return rc;
}

int
pg_user_addresses(struct store *st,
    int (*fn)(int64_t id, const char *email, void *), void *arg)
{
	static const struct pg_query q = { "user_addresses",
	    "SELECT id, email FROM users ORDER BY id" };
	PGresult	*r;
	int		 i, rc;

	if ((rc = pg_run(st, &q, NULL, "user addresses", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r); i++) {
		if (fn(pg_get_int64(r, i, 0), PQgetvalue(r, i, 1), arg) == -1) {
			rc = STORE_ERROR;
			break;
		}
	}
	PQclear(r);
	return rc;
}
