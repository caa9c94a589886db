/*
 * PostgreSQL: claims of password checks per address and client (table
 * login_attempts).
 */
#include <string.h>

#include "../store_login.h"
#include "pg.h"

/* The source of the row that counts an address's checks from everyone. */
#define LOGIN_ALL_SOURCES	"*"
/*
 * The advisory lock space of claims (the schema's key plus one); the
 * lock within it is the address's hash.
 */
#define LOGIN_LOCK_SPACE	"7370617"

/* Adds one claim to the (email, source) row, starting a window if due. */
static int
login_count(struct store *st, const char *email, const char *source,
    int64_t now, int64_t limit, int64_t window)
{
	/*
	 * A row whose window has ended starts again at one; the claim that
	 * reaches the limit pushes the window's end a full window away.
	 */
	static const struct pg_query q = { "login_count",
	    "INSERT INTO login_attempts AS a (email, source, attempts, "
	    "window_end) VALUES ($1, $2, 1, $3::bigint + $4::bigint) "
	    "ON CONFLICT (email, source) DO UPDATE SET "
	    "attempts = CASE WHEN a.window_end <= $3 THEN 1 "
	    "ELSE a.attempts + 1 END, "
	    "window_end = CASE WHEN a.window_end <= $3 OR "
	    "a.attempts + 1 >= $5::bigint "
	    "THEN $3::bigint + $4::bigint ELSE a.window_end END" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_text(&par, email);
	pg_param_text(&par, source);
	pg_param_int64(&par, now);
	pg_param_int64(&par, window);
	pg_param_int64(&par, limit);
	return pg_run(st, &q, &par, "login claim", NULL);
}

int
pg_login_claim(struct store *st, const char *email, const char *source,
    int64_t now, const struct login_limits *lim, int64_t *retry_after)
{
	/*
	 * Read, decide and count under the address's advisory lock, held
	 * to the end of the transaction: the claims of every process on
	 * one address go one at a time, so no two see the same last free
	 * check.
	 */
	static const struct pg_query lock = { "login_lock",
	    "SELECT pg_advisory_xact_lock(" LOGIN_LOCK_SPACE ", "
	    "hashtext($1))" };
	static const struct pg_query q = { "login_check",
	    "SELECT source, attempts, window_end FROM login_attempts "
	    "WHERE email = $1 AND source IN ($2, '" LOGIN_ALL_SOURCES "') "
	    "AND window_end > $3" };
	struct pg_params	 par;
	PGresult		*r;
	int64_t			 attempts, end;
	int			 i, rc = STORE_ERROR, all;

	*retry_after = 0;
	if (store_begin(st) == -1)
		return STORE_ERROR;
	pg_params_init(&par);
	pg_param_text(&par, email);
	if (pg_run(st, &lock, &par, "login lock", NULL) != STORE_OK)
		goto out;
	pg_param_text(&par, source);
	pg_param_int64(&par, now);
	if (pg_run(st, &q, &par, "login check", &r) != STORE_OK)
		goto out;
	for (i = 0; i < PQntuples(r); i++) {
		all = strcmp(PQgetvalue(r, i, 0), LOGIN_ALL_SOURCES) == 0;
		attempts = pg_get_int64(r, i, 1);
		end = pg_get_int64(r, i, 2);
		if (attempts >= (all ? lim->per_address : lim->per_source) &&
		    end - now > *retry_after)
			*retry_after = end - now;
	}
	PQclear(r);
	if (*retry_after > 0) {
		rc = STORE_CONFLICT;
		goto out;
	}
	if (login_count(st, email, source, now, lim->per_source,
	    lim->window) != STORE_OK ||
	    login_count(st, email, LOGIN_ALL_SOURCES, now, lim->per_address,
	    lim->window) != STORE_OK)
		goto out;
	/* On failure store_commit() has rolled back. */
	return store_commit(st) == 0 ? STORE_OK : STORE_ERROR;
out:
	store_rollback(st);
	return rc;
}

int
pg_login_release(struct store *st, const char *email, const char *source)
{
	static const struct pg_query clear = { "login_clear",
	    "DELETE FROM login_attempts WHERE email = $1 AND source = $2" };
	/* A row back at zero says nothing: it goes. */
	static const struct pg_query give_back = { "login_give_back",
	    "UPDATE login_attempts SET attempts = attempts - 1 "
	    "WHERE email = $1 AND source = '" LOGIN_ALL_SOURCES "' "
	    "AND attempts > 0" };
	static const struct pg_query drop_empty = { "login_drop",
	    "DELETE FROM login_attempts "
	    "WHERE email = $1 AND source = '" LOGIN_ALL_SOURCES "' "
	    "AND attempts <= 0" };
	struct pg_params	 par;

	if (store_begin(st) == -1)
		return STORE_ERROR;
	pg_params_init(&par);
	pg_param_text(&par, email);
	pg_param_text(&par, source);
	if (pg_run(st, &clear, &par, "login clear", NULL) != STORE_OK)
		goto fail;
	par.n = 1;
	if (pg_run(st, &give_back, &par, "login give back", NULL) !=
	    STORE_OK ||
	    pg_run(st, &drop_empty, &par, "login drop", NULL) != STORE_OK)
		goto fail;
	return store_commit(st) == 0 ? STORE_OK : STORE_ERROR;
fail:
	store_rollback(st);
	return STORE_ERROR;
}
