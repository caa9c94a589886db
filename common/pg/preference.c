/*
 * The PostgreSQL backend's queries on notification preferences.
 *
 * A generation is one more than the highest of the user's rows. Two
 * transactions computing max + 1 at once would hand out the same one,
 * so whoever raises it first locks the user's row (FOR NO KEY UPDATE:
 * it queues the raisers without blocking the foreign-key checks of
 * rows that reference the user), then reads the maximum in a statement
 * of its own, whose snapshot is taken after the lock is granted.
 */
#include <string.h>

#include "../log.h"
#include "../store_preference.h"
#include "pg.h"

#define PREFERENCE_COLUMNS \
	"p.user_id, p.client_id, p.email, p.frequency, p.starts_at, " \
	"p.updated_at, p.generation, p.alerts_only"

int
pg_preference_row(const PGresult *r, int i, struct preference *p)
{
	memset(p, 0, sizeof(*p));
	p->user_id = pg_get_int64(r, i, 0);
	p->client_id = pg_get_int64(r, i, 1);
	p->email = pg_get_bool(r, i, 2);
	p->starts_at = pg_get_int64(r, i, 4);
	p->updated_at = pg_get_int64(r, i, 5);
	p->generation = pg_get_int64(r, i, 6);
	p->alerts_only = pg_get_bool(r, i, 7);
	return pg_get_text(r, i, 3, p->frequency, sizeof(p->frequency)) ==
	    -1 ? STORE_ERROR : STORE_OK;
}

/* The lock described above, for the rest of the caller's transaction. */
static int
preference_lock_user(struct store *st, int64_t user_id)
{
	static const struct pg_query q = { "preference_lock_user",
	    "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, user_id);
	return pg_run(st, &q, &par, "preference lock", NULL);
}

int
pg_preference_get(struct store *st, int64_t user_id, int64_t client_id,
    struct preference *out)
{
	static const struct pg_query q = { "preference_get",
	    "SELECT " PREFERENCE_COLUMNS " FROM notification_preferences p "
	    "WHERE p.user_id = $1 AND p.client_id = $2" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, user_id);
	pg_param_int64(&par, client_id);
	if ((rc = pg_run(st, &q, &par, "preference get", &r)) != STORE_OK)
		return rc;
	rc = PQntuples(r) == 0 ? STORE_NOTFOUND :
	    pg_preference_row(r, 0, out);
	PQclear(r);
	return rc;
}

/* The table has no id: an upsert burns no sequence number. */
int
pg_preference_put(struct store *st, const struct preference *p)
{
	static const struct pg_query q = { "preference_put",
	    "INSERT INTO notification_preferences (user_id, client_id, "
	    "email, frequency, starts_at, updated_at, alerts_only) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7) "
	    "ON CONFLICT (user_id, client_id) DO UPDATE SET "
	    "email = excluded.email, frequency = excluded.frequency, "
	    "starts_at = excluded.starts_at, "
	    "updated_at = excluded.updated_at, "
	    "alerts_only = excluded.alerts_only" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, p->user_id);
	pg_param_int64(&par, p->client_id);
	pg_param_bool(&par, p->email);
	pg_param_text(&par, p->frequency);
	pg_param_int64(&par, p->starts_at);
	pg_param_int64(&par, p->updated_at);
	pg_param_bool(&par, p->alerts_only);
	return pg_run(st, &q, &par, "preference put", NULL);
}

int
pg_preference_renew(struct store *st, int64_t user_id, int64_t client_id)
{
	/* Next of the user's, not of the row's: one link spans many rows. */
	static const struct pg_query q = { "preference_renew",
	    "UPDATE notification_preferences SET generation = "
	    "(SELECT max(generation) + 1 FROM notification_preferences "
	    "WHERE user_id = $1) WHERE user_id = $1 AND client_id = $2" };
	struct pg_params	 par;

	if (preference_lock_user(st, user_id) != STORE_OK)
		return STORE_ERROR;
	pg_params_init(&par);
	pg_param_int64(&par, user_id);
	pg_param_int64(&par, client_id);
	return pg_run(st, &q, &par, "preference renew", NULL);
}

int
pg_preference_generation(struct store *st, int64_t user_id,
    const char *frequency, int64_t *generation)
{
	static const struct pg_query q = { "preference_generation",
	    "SELECT coalesce(max(generation), 1) FROM notification_preferences "
	    "WHERE user_id = $1 AND frequency = $2" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, user_id);
	pg_param_text(&par, frequency);
	if ((rc = pg_run(st, &q, &par, "preference generation", &r)) !=
	    STORE_OK)
		return rc;
	*generation = pg_get_int64(r, 0, 0);
	PQclear(r);
	return rc;
}

/*
 * Runs q, a user's preferences ($1 the user), and hands fn each row's
 * preference and its column 8, the client's name, when q reads one.
 */
static int
preference_walk(struct store *st, const struct pg_query *q,
    int64_t user_id, const char *what,
    int (*fn)(const struct preference *, const char *, void *), void *arg)
{
	struct pg_params	 par;
	struct preference	 p;
	PGresult		*r;
	int			 i, rc;

	pg_params_init(&par);
	pg_param_int64(&par, user_id);
	if ((rc = pg_run(st, q, &par, what, &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && rc == STORE_OK; i++) {
		if ((rc = pg_preference_row(r, i, &p)) == STORE_OK &&
		    fn(&p, PQnfields(r) > 8 ? PQgetvalue(r, i, 8) : NULL,
		    arg) == -1)
			rc = STORE_ERROR;
	}
	PQclear(r);
	return rc;
}

int
pg_preference_list(struct store *st, int64_t user_id,
    int (*fn)(const struct preference *, const char *, void *), void *arg)
{
	/* Only clients the user may still see, as the client routes do. */
	static const struct pg_query q = { "preference_list",
	    "SELECT " PREFERENCE_COLUMNS ", c.name "
	    "FROM notification_preferences p "
	    "JOIN users u ON u.id = p.user_id "
	    "JOIN clients c ON c.id = p.client_id "
	    "WHERE p.user_id = $1 AND c.partner_id = u.partner_id "
	    "AND (u.role <> 'bookkeeper' OR (c.status IN ('onboarding', "
	    "'active') AND EXISTS (SELECT 1 FROM assignments a "
	    "WHERE a.client_id = c.id AND a.user_id = u.id))) "
	    "ORDER BY p.client_id" };

	return preference_walk(st, &q, user_id, "preference list", fn, arg);
}

struct preference_each_walk {
	int	(*fn)(const struct preference *, void *);
	void	*arg;
};

static int
preference_each_row(const struct preference *p, const char *name,
    void *arg)
{
	struct preference_each_walk	*w = arg;

	(void)name;
	return w->fn(p, w->arg);
}

int
pg_preference_each(struct store *st, int64_t user_id,
    int (*fn)(const struct preference *, void *), void *arg)
{
	static const struct pg_query q = { "preference_each",
	    "SELECT " PREFERENCE_COLUMNS " FROM notification_preferences p "
	    "WHERE p.user_id = $1 ORDER BY p.client_id" };
	struct preference_each_walk	 w = { fn, arg };

	return preference_walk(st, &q, user_id, "preference each",
	    preference_each_row, &w);
}

int
pg_preference_link_check(struct store *st, int64_t user_id,
    const char *frequency, int64_t client_id, int64_t generation)
{
	/* Rows with email off count too: a used link finds its own bump. */
	static const struct pg_query q = { "preference_unsubscribe_stale",
	    "SELECT EXISTS (SELECT 1 FROM notification_preferences "
	    "WHERE user_id = $1 AND frequency = $2 "
	    "AND ($3::bigint = 0 OR client_id = $3) "
	    "AND generation > $4::bigint)" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc, stale;

	pg_params_init(&par);
	pg_param_int64(&par, user_id);
	pg_param_text(&par, frequency);
	pg_param_int64(&par, client_id);
	pg_param_int64(&par, generation);
	if ((rc = pg_run(st, &q, &par, "preference unsubscribe check",
	    &r)) != STORE_OK)
		return rc;
	stale = pg_get_bool(r, 0, 0);
	PQclear(r);
	return stale ? STORE_CONFLICT : STORE_OK;
}

/*
 * The check comes after the lock, so that a link used twice at once
 * finds the first use's generation the second time.
 */
int
pg_preference_unsubscribe(struct store *st, int64_t user_id,
    const char *frequency, int64_t client_id, int64_t generation,
    int *changed)
{
	static const struct pg_query q = { "preference_unsubscribe",
	    "UPDATE notification_preferences SET email = false, "
	    "updated_at = $1, generation = (SELECT max(generation) + 1 "
	    "FROM notification_preferences WHERE user_id = $2) "
	    "WHERE user_id = $2 AND frequency = $3 AND email "
	    "AND ($4::bigint = 0 OR client_id = $4)" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	*changed = 0;
	if (preference_lock_user(st, user_id) != STORE_OK)
		return STORE_ERROR;
	if ((rc = pg_preference_link_check(st, user_id, frequency, client_id,
	    generation)) != STORE_OK)
		return rc;
	pg_params_init(&par);
	pg_param_int64(&par, store_now());
	pg_param_int64(&par, user_id);
	pg_param_text(&par, frequency);
	pg_param_int64(&par, client_id);
	if ((rc = pg_run(st, &q, &par, "preference unsubscribe", &r)) ==
	    STORE_OK) {
		*changed = (int)pg_changes(r);
		PQclear(r);
	}
	return rc;
}
