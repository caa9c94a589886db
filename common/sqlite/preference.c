/*
 * The SQLite backend's queries on notification preferences.
 */
#include <string.h>

#include "../log.h"
#include "../store_preference.h"
#include "sqlite.h"

/* What sqlite_preference_row() reads, in its order. */
#define PREFERENCE_COLUMNS \
	"user_id, client_id, email, frequency, starts_at, updated_at, " \
	"generation, alerts_only"

int
sqlite_preference_row(sqlite3_stmt *stmt, void *arg)
{
	struct preference	*p = arg;

	memset(p, 0, sizeof(*p));
	p->user_id = sqlite3_column_int64(stmt, 0);
	p->client_id = sqlite3_column_int64(stmt, 1);
	p->email = sqlite3_column_int(stmt, 2);
	p->starts_at = sqlite3_column_int64(stmt, 4);
	p->updated_at = sqlite3_column_int64(stmt, 5);
	p->generation = sqlite3_column_int64(stmt, 6);
	p->alerts_only = sqlite3_column_int(stmt, 7);
	return sqlite_column_text(stmt, 3, p->frequency, sizeof(p->frequency))
	    == -1 ? STORE_ERROR : STORE_OK;
}

int
sqlite_preference_get(struct store *st, int64_t user_id, int64_t client_id,
    struct preference *out)
{
	static const char sql[] =
	    "SELECT " PREFERENCE_COLUMNS " FROM notification_preferences "
	    "WHERE user_id = ? AND client_id = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int64(stmt, 2, client_id);
	return sqlite_row(st, stmt, "preference get", sqlite_preference_row, out);
}

int
sqlite_preference_put(struct store *st, const struct preference *p)
{
	static const char sql[] =
	    "INSERT INTO notification_preferences (user_id, client_id, "
	    "email, frequency, starts_at, updated_at, alerts_only) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT (user_id, client_id) DO UPDATE SET "
	    "email = excluded.email, frequency = excluded.frequency, "
	    "starts_at = excluded.starts_at, updated_at = excluded.updated_at, "
	    "alerts_only = excluded.alerts_only";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, p->user_id);
	sqlite3_bind_int64(stmt, 2, p->client_id);
	sqlite3_bind_int(stmt, 3, p->email ? 1 : 0);
	sqlite3_bind_text(stmt, 4, p->frequency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, p->starts_at);
	sqlite3_bind_int64(stmt, 6, p->updated_at);
	sqlite3_bind_int(stmt, 7, p->alerts_only ? 1 : 0);
	return sqlite_step_done(st, stmt, "preference put");
}

int
sqlite_preference_renew(struct store *st, int64_t user_id, int64_t client_id)
{
	/* Next of the user's, not of the row's: one link spans many rows. */
	static const char sql[] =
	    "UPDATE notification_preferences SET generation = "
	    "(SELECT MAX(generation) + 1 FROM notification_preferences "
	    "WHERE user_id = ?1) WHERE user_id = ?1 AND client_id = ?2";
	sqlite3_stmt	*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_int64(stmt, 2, client_id);
	return sqlite_step_done(st, stmt, "preference renew");
}

int
sqlite_preference_generation(struct store *st, int64_t user_id,
    const char *frequency, int64_t *generation)
{
	static const char sql[] =
	    "SELECT COALESCE(MAX(generation), 1) FROM notification_preferences "
	    "WHERE user_id = ? AND frequency = ?";
	sqlite3_stmt	*stmt;
	int		 rc = STORE_OK;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, frequency, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*generation = sqlite3_column_int64(stmt, 0);
	else {
		sqlite_log_error(st, "preference generation");
		rc = STORE_ERROR;
	}
	sqlite_reset(stmt);
	return rc;
}

struct preference_walk {
	int	(*fn)(const struct preference *, const char *, void *);
	void	*arg;
};

/* A row of the list: the preference, then the client's name. */
static int
preference_row(sqlite3_stmt *stmt, void *arg)
{
	struct preference_walk	*w = arg;
	struct preference	 p;
	const char		*name;

	if (sqlite_preference_row(stmt, &p) != STORE_OK ||
	    (name = (const char *)sqlite3_column_text(stmt, 8)) == NULL)
		return -1;
	return w->fn(&p, name, w->arg);
}

int
sqlite_preference_list(struct store *st, int64_t user_id,
    int (*fn)(const struct preference *, const char *, void *), void *arg)
{
	/* Only clients the user may still see, as the client routes do. */
	static const char sql[] =
	    "SELECT p.user_id, p.client_id, p.email, p.frequency, "
	    "p.starts_at, p.updated_at, p.generation, p.alerts_only, c.name "
	    "FROM notification_preferences p "
	    "JOIN users u ON u.id = p.user_id "
	    "JOIN clients c ON c.id = p.client_id "
	    "WHERE p.user_id = ? AND c.partner_id = u.partner_id "
	    "AND (u.role <> 'bookkeeper' OR (c.status IN ('onboarding', "
	    "'active') AND EXISTS (SELECT 1 FROM assignments a "
	    "WHERE a.client_id = c.id AND a.user_id = u.id))) "
	    "ORDER BY p.client_id";
	sqlite3_stmt		*stmt;
	struct preference_walk	 w = { fn, arg };

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	return sqlite_rows(st, stmt, "preference list", preference_row, &w);
}

struct preference_each_walk {
	int	(*fn)(const struct preference *, void *);
	void	*arg;
};

static int
preference_each_row(sqlite3_stmt *stmt, void *arg)
{
	struct preference_each_walk	*w = arg;
	struct preference		 p;

	if (sqlite_preference_row(stmt, &p) != STORE_OK)
		return -1;
	return w->fn(&p, w->arg);
}

int
sqlite_preference_each(struct store *st, int64_t user_id,
    int (*fn)(const struct preference *, void *), void *arg)
{
	static const char sql[] =
	    "SELECT " PREFERENCE_COLUMNS " FROM notification_preferences "
	    "WHERE user_id = ? ORDER BY client_id";
	struct preference_each_walk	 w = { fn, arg };
	sqlite3_stmt			*stmt;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	return sqlite_rows(st, stmt, "preference each", preference_each_row,
	    &w);
}

int
sqlite_preference_link_check(struct store *st, int64_t user_id,
    const char *frequency, int64_t client_id, int64_t generation)
{
	/* Rows with email off count too: a used link finds its own bump. */
	static const char sql[] =
	    "SELECT EXISTS (SELECT 1 FROM notification_preferences "
	    "WHERE user_id = ?1 AND frequency = ?2 "
	    "AND (?3 = 0 OR client_id = ?3) AND generation > ?4)";
	sqlite3_stmt	*stmt;
	int		 rc = STORE_OK;

	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, user_id);
	sqlite3_bind_text(stmt, 2, frequency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, client_id);
	sqlite3_bind_int64(stmt, 4, generation);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		sqlite_log_error(st, "preference unsubscribe check");
		rc = STORE_ERROR;
	} else if (sqlite3_column_int(stmt, 0))
		rc = STORE_CONFLICT;
	sqlite_reset(stmt);
	return rc;
}

int
sqlite_preference_unsubscribe(struct store *st, int64_t user_id,
    const char *frequency, int64_t client_id, int64_t generation,
    int *changed)
{
	static const char sql[] =
	    "UPDATE notification_preferences SET email = 0, updated_at = ?1, "
	    "generation = (SELECT MAX(generation) + 1 "
	    "FROM notification_preferences WHERE user_id = ?2) "
	    "WHERE user_id = ?2 AND frequency = ?3 AND email = 1 "
	    "AND (?4 = 0 OR client_id = ?4)";
	sqlite3_stmt	*stmt;
	int		 rc;

	*changed = 0;
	if ((rc = sqlite_preference_link_check(st, user_id, frequency,
	    client_id, generation)) != STORE_OK)
		return rc;
	if ((stmt = sqlite_stmt(st, sql)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, store_now());
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_text(stmt, 3, frequency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, client_id);
	if ((rc = sqlite_step_done(st, stmt, "preference unsubscribe")) ==
	    STORE_OK)
		*changed = sqlite3_changes(sqlite_db(st));
	return rc;
}
