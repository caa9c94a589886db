/*
 * The PostgreSQL store: statements run on a connection of the pool,
 * held for a transaction or for one statement outside any, the helpers
 * that run them and read their results, the mapping of server errors
 * onto the store's results and busy flag, transactions, and migrations
 * from common/pg/schema.sql.
 *
 * A connection lost inside a transaction fails it as busy (the caller
 * answers 503 and the client tries again); the pool closes it, and the
 * next transaction gets a sound one.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../clock.h"
#include "../log.h"
#include "pg.h"

/* scripts/embed makes these from common/pg/schema.sql at build time. */
extern const char	pg_schema_sql[];
extern const size_t	pg_schema_sql_len;

/* The advisory lock key named in schema.sql: migrations take turns. */
#define PG_SCHEMA_LOCK		7370616

/* Write transactions committed by this process (pg_write_counts()). */
static atomic_llong	 pg_writes;

/* Whether a failure means "try again later" rather than a fault. */
static int
pg_state_busy(const char *state)
{
	static const char *const busy[] = {
		"40001",	/* serialization failure */
		"40P01",	/* deadlock: this transaction was chosen */
		"55P03",	/* lock not available */
		"57014",	/* statement timeout, or cancelled */
		"57P01", "57P02", "57P03",	/* server shutting down */
	};
	size_t	 i;

	if (state == NULL || strncmp(state, "08", 2) == 0)
		return 1;	/* no answer, or a connection exception */
	for (i = 0; i < sizeof(busy) / sizeof(busy[0]); i++)
		if (strcmp(state, busy[i]) == 0)
			return 1;
	return 0;
}

void
pg_log_result(struct store *st, const PGresult *r, const char *what)
{
	PGconn		*conn = ((struct pg_store *)st)->held->conn;
	const char	*state, *primary, *secrets[1];
	char		 msg[PG_MESSAGE_MAX];

	state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	primary = r != NULL ?
	    PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (PQstatus(conn) != CONNECTION_OK || pg_state_busy(state))
		st->busy = 1;
	if (state != NULL &&
	    (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		st->conflict = 1;
	secrets[0] = PQpass(conn);
	pg_scrub(primary != NULL ? primary : PQerrorMessage(conn), secrets,
	    1, msg, sizeof(msg));
	log_warnx("database %s: %s (%s)", what, msg,
	    state != NULL ? state : "no answer");
}

/*
 * When the store stops waiting for the server: the request's deadline,
 * or the statement timeout (and slack ms more) from now.
 */
static void
pg_until(const struct store *st, int slack, struct timespec *until)
{
	if (st->has_deadline)
		*until = st->deadline;
	else
		clock_after(until, pg_pool_timeout_ms() + slack);
}

/*
 * The connection the store's next statement runs on: the one it holds,
 * or one taken from the pool, or NULL with busy set when none comes
 * within the deadline or the server cannot be reached.
 */
static struct pg_conn *
pg_hold(struct store *st)
{
	struct pg_store	*pg = (struct pg_store *)st;
	struct timespec	 until;

	if (pg->held != NULL)
		return pg->held;
	pg_until(st, 0, &until);
	if ((pg->held = pg_pool_take(pg->pool, &until)) == NULL)
		st->busy = 1;
	return pg->held;
}

/* Gives the held connection back unless a transaction keeps it. */
static void
pg_unhold(struct store *st)
{
	struct pg_store	*pg = (struct pg_store *)st;

	if (pg->held == NULL || pg->tx)
		return;
	pg_pool_give(pg->pool, pg->held);
	pg->held = NULL;
}

/* Gives the held connection back, whatever the transaction. */
static void
pg_release(struct store *st)
{
	struct pg_store	*pg = (struct pg_store *)st;

	pg->tx = 0;
	pg->begin = NULL;
	pg_deferred_clear(st);
	pg_unhold(st);
}

/*
 * A statement without parameters or rows, by the simple protocol, on
 * the held connection: transaction control and migrations. 0 or -1,
 * logged.
 */
int
pg_command(struct store *st, const char *sql, const char *what)
{
	struct pg_store	*pg = (struct pg_store *)st;
	PGresult	*r;
	int		 rc = 0;

	if ((pg->begin != NULL || pg->ndeferred > 0) &&
	    pg_run_steps(st, NULL, 0) != STORE_OK)
		return -1;
	r = PQexec(pg->held->conn, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_log_result(st, r, what);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

struct store *
pg_open(const char *uri, int create)
{
	struct pg_store		*pg;

	/* The database must exist: a server's databases are the DBA's. */
	(void)create;
	if ((pg = calloc(1, sizeof(*pg))) == NULL) {
		log_warn("calloc");
		return NULL;
	}
	pg->base.be = &pg_backend;
	if ((pg->pool = pg_pool_get(uri)) == NULL) {
		free(pg);
		return NULL;
	}
	return &pg->base;
}

void
pg_close(struct store *st)
{
	struct pg_store	*pg = (struct pg_store *)st;

	if (pg == NULL)
		return;
	pg_digest_pass_end(st);
	pg_release(st);
	pg_pool_put(pg->pool);
	free(pg);
}

int
pg_run_steps(struct store *st, struct pg_step *steps, int n)
{
	struct pg_store	*pg = (struct pg_store *)st;
	struct pg_step	 all[PG_STEPS_MAX];
	struct timespec	 until;
	int		 i, m = pg->ndeferred;
	int		 tries, begun, rc, busy = st->busy;

	if (m + n > PG_STEPS_MAX)
		abort();
	for (i = 0; i < m; i++)
		all[i] = pg->deferred[i].step;
	for (i = 0; i < n; i++)
		all[m + i] = steps[i];
	for (i = 0; i < m + n; i++)
		all[i].res = NULL;
	/* Without a request's deadline, the server cancels it first. */
	pg_until(st, 1000, &until);
	for (tries = 0; ; tries++) {
		if (pg_hold(st) == NULL) {
			rc = STORE_ERROR;
			break;
		}
		rc = pg_pipeline(st, pg->held, pg->begin, all, m + n, &until,
		    &begun);
		if (begun)
			pg->begin = NULL;
		/*
		 * A BEGIN that found its connection gone (the server
		 * restarted since it was used) is tried once more on
		 * another: nothing was open to lose.
		 */
		if (rc == STORE_OK || pg->begin == NULL || tries == 1 ||
		    PQstatus(pg->held->conn) == CONNECTION_OK)
			break;
		pg_pool_give(pg->pool, pg->held);
		pg->held = NULL;
	}
	for (i = 0; i < m; i++)
		pg->deferred[i].step.res = all[i].res;
	pg_deferred_clear(st);
	for (i = 0; i < n; i++)
		steps[i].res = all[m + i].res;
	if (rc == STORE_OK)
		st->busy = busy;
	pg_unhold(st);
	return rc;
}

/* pg_run() and, with unique set, pg_run_unique(). */
static int
pg_run_as(struct store *st, const struct pg_query *q,
    const struct pg_params *p, const char *what, PGresult **res, int unique)
{
	struct pg_store	*pg = (struct pg_store *)st;
	struct pg_step	 step = { q, p, what, unique, NULL };
	int		 rc;

	if (res == NULL && !unique && pg->tx && pg->writing)
		return pg_defer(st, q, p, what);
	rc = pg_run_steps(st, &step, 1);
	if (res != NULL)
		*res = step.res;
	else
		PQclear(step.res);
	return rc;
}

int
pg_run(struct store *st, const struct pg_query *q, const struct pg_params *p,
    const char *what, PGresult **res)
{
	return pg_run_as(st, q, p, what, res, 0);
}

int
pg_run_unique(struct store *st, const struct pg_query *q,
    const struct pg_params *p, const char *what, PGresult **res)
{
	return pg_run_as(st, q, p, what, res, 1);
}

void
pg_params_init(struct pg_params *p)
{
	memset(p, 0, sizeof(*p));
}

/* The next parameter's slot; the statements have few, fixed. */
static int
pg_param_next(struct pg_params *p)
{
	if (p->n == PG_PARAM_MAX)
		abort();
	return p->n++;
}

void
pg_param_text(struct pg_params *p, const char *s)
{
	p->value[pg_param_next(p)] = s;
}

void
pg_param_int64(struct pg_params *p, int64_t v)
{
	int	 i = pg_param_next(p);

	(void)snprintf(p->num[i], sizeof(p->num[i]), "%lld", (long long)v);
	p->value[i] = p->num[i];
}

void
pg_param_bool(struct pg_params *p, int v)
{
	p->value[pg_param_next(p)] = v ? "t" : "f";
}

void
pg_param_bytea(struct pg_params *p, const void *v, size_t len)
{
	int	 i = pg_param_next(p);

	p->value[i] = v;
	p->length[i] = (int)len;
	p->format[i] = 1;
}

int64_t
pg_get_int64(const PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

int
pg_get_bool(const PGresult *r, int row, int col)
{
	return PQgetvalue(r, row, col)[0] == 't';
}

const char *
pg_get_text_or_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

int
pg_get_text(const PGresult *r, int row, int col, char *dst, size_t dstlen)
{
	int	 n;

	n = snprintf(dst, dstlen, "%s", PQgetvalue(r, row, col));
	return (n < 0 || (size_t)n >= dstlen) ? -1 : 0;
}

int64_t
pg_changes(const PGresult *r)
{
	return strtoll(PQcmdTuples((PGresult *)r), NULL, 10);
}

/*
 * Opens a transaction with sql on a connection of the pool: the
 * connection is taken now, the BEGIN goes with the first statement.
 */
static int
pg_begin_as(struct store *st, const char *sql, int writing)
{
	struct pg_store	*pg = (struct pg_store *)st;

	if (pg_hold(st) == NULL)
		return -1;
	pg->tx = 1;
	pg->writing = writing;
	pg->begin = sql;
	return 0;
}

/* READ COMMITTED: each statement sees what committed before it. */
int
pg_begin(struct store *st)
{
	return pg_begin_as(st, "BEGIN ISOLATION LEVEL READ COMMITTED", 1);
}

/*
 * One snapshot for every read of the transaction (a list's page and
 * its counts agree); read only, so it never waits on a writer nor
 * fails to serialize.
 */
int
pg_begin_read(struct store *st)
{
	return pg_begin_as(st,
	    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0);
}

/*
 * COMMIT of a transaction that a failed statement aborted answers
 * ROLLBACK, not an error: that is a failure too. A failed commit keeps
 * the connection for the caller's rollback.
 */
int
pg_commit(struct store *st)
{
	static const struct pg_query commit = { "commit", "COMMIT" };
	struct pg_store	*pg = (struct pg_store *)st;
	struct pg_step	 step = { &commit, NULL, "commit", 0, NULL };
	int		 rc = 0;

	if (pg->held == NULL)
		return -1;
	if (pg->begin != NULL && pg->ndeferred == 0) {
		/* Nothing was run: nothing to commit. */
		pg_release(st);
		return 0;
	}
	/* With the statements still waiting, in one round trip. */
	if (pg_run_steps(st, &step, 1) != STORE_OK)
		return -1;
	if (strcmp(PQcmdStatus(step.res), "COMMIT") != 0) {
		log_warnx("database commit: the transaction had failed");
		rc = -1;
	}
	PQclear(step.res);
	if (rc == 0) {
		if (pg->writing)
			atomic_fetch_add(&pg_writes, 1);
		pg_release(st);
	}
	return rc;
}

/*
 * Each write is a COMMIT of its own here; PostgreSQL may flush several
 * in one write of its log, which it does not tell its clients.
 */
void
pg_write_counts(int64_t *writes, int64_t *commits)
{
	*writes = *commits = atomic_load(&pg_writes);
}

/*
 * pg_pool_give() ends what is open on the connection, without waiting
 * for the server's answer.
 */
void
pg_rollback(struct store *st)
{
	pg_release(st);
}

int
pg_in_transaction(struct store *st)
{
	return ((struct pg_store *)st)->tx;
}

PGconn *
pg_conn(struct store *st)
{
	struct pg_store	*pg = (struct pg_store *)st;

	/* What waits goes first; after a failure, libpq's calls fail. */
	if ((pg->begin != NULL || pg->ndeferred > 0) &&
	    pg_run_steps(st, NULL, 0) != STORE_OK)
		return NULL;
	return pg->held->conn;
}

int
pg_writing(struct store *st)
{
	struct pg_store	*pg = (struct pg_store *)st;

	return pg->tx && pg->writing;
}

int
pg_schema_version(struct store *st)
{
	static const struct pg_query exists = { "schema_version_exists",
	    "SELECT to_regclass('schema_version') IS NOT NULL" };
	static const struct pg_query latest = { "schema_version",
	    "SELECT coalesce(max(version), 0) FROM schema_version" };
	PGresult	*r;
	int		 v = -1;

	if (pg_run(st, &exists, NULL, "schema version", &r) != STORE_OK)
		return -1;
	if (!pg_get_bool(r, 0, 0))
		v = 0;
	PQclear(r);
	if (v == 0)
		return 0;
	if (pg_run(st, &latest, NULL, "schema version", &r) != STORE_OK)
		return -1;
	v = (int)pg_get_int64(r, 0, 0);
	PQclear(r);
	return v;
}

int
pg_ping(struct store *st)
{
	return pg_schema_version(st) > 0 ? 0 : -1;
}

/*
 * Finds the "-- version N" line at or after p in the schema; returns
 * its start or NULL, with N in *version.
 */
static const char *
pg_next_section(const char *p, int *version)
{
	static const char	 marker[] = "-- version ";
	const char		*q = p;
	long			 n;

	while ((q = strstr(q, marker)) != NULL) {
		if (q == pg_schema_sql || q[-1] == '\n') {
			n = strtol(q + sizeof(marker) - 1, NULL, 10);
			if (n > 0 && n < 100000) {
				*version = (int)n;
				return q;
			}
		}
		q += sizeof(marker) - 1;
	}
	return NULL;
}

int
pg_schema_latest(void)
{
	const char	*p = pg_schema_sql;
	int		 v, latest = 0;

	while ((p = pg_next_section(p, &v)) != NULL) {
		latest = v;
		p++;
	}
	return latest;
}

/*
 * One step of the migration in a transaction of its own, under the
 * schema's advisory lock so that processes starting together take
 * turns, and without the statement timeout (a later version's index
 * may take long to build): the text before the first section (version
 * 0, run every time), or section version, run when schema_version
 * lacks it and recorded there. 0 or -1, logged.
 */
static int
pg_migrate_step(struct store *st, int version, const char *sql, size_t len)
{
	char		*text = NULL, q[160];
	PGresult	*r;
	int		 have = 0;

	if (pg_begin(st) == -1)
		return -1;
	(void)snprintf(q, sizeof(q), "SET LOCAL statement_timeout = 0; "
	    "SELECT pg_advisory_xact_lock(%d)", PG_SCHEMA_LOCK);
	if (pg_command(st, q, "migration lock") == -1)
		goto fail;
	if (version > 0) {
		(void)snprintf(q, sizeof(q),
		    "SELECT 1 FROM schema_version WHERE version = %d",
		    version);
		r = PQexec(((struct pg_store *)st)->held->conn, q);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			pg_log_result(st, r, "migration");
			PQclear(r);
			goto fail;
		}
		have = PQntuples(r) > 0;
		PQclear(r);
	}
	if (!have) {
		if ((text = strndup(sql, len)) == NULL) {
			log_warn("strndup");
			goto fail;
		}
		if (pg_command(st, text, "migration") == -1)
			goto fail;
	}
	if (!have && version > 0) {
		(void)snprintf(q, sizeof(q), "INSERT INTO schema_version "
		    "(version, applied_at) VALUES (%d, %lld)", version,
		    (long long)store_now());
		if (pg_command(st, q, "migration") == -1)
			goto fail;
	}
	free(text);
	if (pg_commit(st) == -1) {
		pg_rollback(st);
		return -1;
	}
	if (!have && version > 0)
		log_info("database migrated to schema version %d", version);
	return 0;
fail:
	free(text);
	pg_rollback(st);
	return -1;
}

int
pg_migrate(struct store *st)
{
	const char	*p, *next;
	int		 v, nextv;

	p = pg_next_section(pg_schema_sql, &v);
	if (pg_migrate_step(st, 0, pg_schema_sql, p != NULL ?
	    (size_t)(p - pg_schema_sql) : pg_schema_sql_len) == -1)
		return -1;
	for (; p != NULL; p = next, v = nextv) {
		next = pg_next_section(p + 1, &nextv);
		if (pg_migrate_step(st, v, p, next != NULL ?
		    (size_t)(next - p) : strlen(p)) == -1)
			return -1;
	}
	return 0;
}
