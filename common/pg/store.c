/*
 * The PostgreSQL connection: opening it without ever logging a password,
 * the session's settings, migrations from common/pg/schema.sql, prepared
 * statements, the helpers that run them and read their results, the
 * mapping of server errors onto the store's results and busy flag, and
 * transactions.
 *
 * One connection per struct store, as on SQLite: each API thread and
 * the worker own one, and no pool sits between (PORTAL_DB_POOL is not
 * read yet). A connection lost outside a transaction is opened again
 * by the next statement; inside one, the transaction fails as busy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "pg.h"

/* scripts/embed makes these from common/pg/schema.sql at build time. */
extern const char	pg_schema_sql[];
extern const size_t	pg_schema_sql_len;

/* The advisory lock key named in schema.sql: migrations take turns. */
#define PG_SCHEMA_LOCK		7370616
/* The oldest server the schema is written for. */
#define PG_SERVER_MIN		150000
/*
 * A statement may run this long: the API's default request deadline
 * (PORTAL_REQUEST_TIMEOUT_MS), which a store cannot read, as open()
 * gets only PORTAL_DB. A request past its deadline is answered 503 by
 * the dispatcher anyway; this frees the server's side of it too.
 */
#define PG_STATEMENT_TIMEOUT_MS	5000
/* Seconds to reach the server, unless the URI says (connect_timeout). */
#define PG_CONNECT_TIMEOUT	"10"

/* Room for a libpq message as logged. */
#define PG_MESSAGE_MAX		512

/*
 * Copies msg into out on one line, with every occurrence of each
 * secret (NULL or "" skipped) replaced by "***": libpq's messages about
 * a malformed URI quote the part they could not read, which may be the
 * password.
 */
static void
pg_scrub(const char *msg, const char *const *secrets, size_t nsecrets,
    char *out, size_t outlen)
{
	size_t	 i, j, len, o = 0;
	int	 hit;

	for (i = 0; msg[i] != '\0' && o + 4 < outlen; ) {
		hit = 0;
		for (j = 0; j < nsecrets; j++) {
			if (secrets[j] == NULL ||
			    (len = strlen(secrets[j])) == 0 ||
			    strncmp(msg + i, secrets[j], len) != 0)
				continue;
			memcpy(out + o, "***", 3);
			o += 3;
			i += len;
			hit = 1;
			break;
		}
		if (hit)
			continue;
		out[o++] = msg[i] == '\n' || msg[i] == '\r' ||
		    msg[i] == '\t' ? ' ' : msg[i];
		i++;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/*
 * The password as a URI spells it: the userinfo's after its ':', and
 * the value of a password= parameter, both as written (percent-encoded
 * or not). Pieces of uri copied into raw1 and raw2 ("" when absent).
 */
static void
pg_uri_passwords(const char *uri, char *raw1, char *raw2, size_t len)
{
	const char	*host, *end, *at, *colon, *p;
	size_t		 n;

	raw1[0] = raw2[0] = '\0';
	if ((host = strstr(uri, "://")) != NULL) {
		host += 3;
		end = host + strcspn(host, "/?");
		at = NULL;
		for (p = host; p < end; p++)
			if (*p == '@')
				at = p;
		if (at != NULL &&
		    (colon = memchr(host, ':', (size_t)(at - host))) != NULL) {
			n = (size_t)(at - colon - 1);
			(void)snprintf(raw1, len, "%.*s", (int)n, colon + 1);
		}
	}
	if ((p = strstr(uri, "password=")) != NULL) {
		p += strlen("password=");
		n = strcspn(p, "& ");
		(void)snprintf(raw2, len, "%.*s", (int)n, p);
	}
}

/* Logs why conn is not open, naming the server and never the password. */
static void
pg_log_connect_error(const char *uri, PGconn *conn)
{
	char		 where[256], msg[PG_MESSAGE_MAX], raw1[256], raw2[256];
	const char	*secrets[3];

	pg_uri_passwords(uri, raw1, raw2, sizeof(raw1));
	secrets[0] = raw1;
	secrets[1] = raw2;
	secrets[2] = conn != NULL ? PQpass(conn) : NULL;
	pg_scrub(conn != NULL ? PQerrorMessage(conn) : "out of memory",
	    secrets, 3, msg, sizeof(msg));
	store_db_for_log(uri, where, sizeof(where));
	log_warnx("cannot open database %s: %s", where, msg);
}

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
	PGconn		*conn = ((struct pg_store *)st)->conn;
	const char	*state, *primary, *secrets[1];
	char		 msg[PG_MESSAGE_MAX];

	state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	primary = r != NULL ?
	    PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (PQstatus(conn) != CONNECTION_OK || pg_state_busy(state))
		st->busy = 1;
	secrets[0] = PQpass(conn);
	pg_scrub(primary != NULL ? primary : PQerrorMessage(conn), secrets,
	    1, msg, sizeof(msg));
	log_warnx("database %s: %s (%s)", what, msg,
	    state != NULL ? state : "no answer");
}

int
pg_command(struct store *st, const char *sql, const char *what)
{
	PGresult	*r;
	int		 rc = 0;

	r = PQexec(((struct pg_store *)st)->conn, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_log_result(st, r, what);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

/*
 * The server's warnings, into the log; libpq would print them on
 * stderr. Notices below warnings are not sent (client_min_messages).
 */
static void
pg_notice(void *arg, const char *message)
{
	char	 msg[PG_MESSAGE_MAX];

	(void)arg;
	pg_scrub(message, NULL, 0, msg, sizeof(msg));
	log_warnx("database: %s", msg);
}

/* What every session needs before its first statement. 0 or -1. */
static int
pg_session(struct store *st)
{
	struct pg_store	*pg = (struct pg_store *)st;
	char		 sql[96];
	int		 v = PQserverVersion(pg->conn);

	pg->n_prepared = 0;
	(void)PQsetNoticeProcessor(pg->conn, pg_notice, NULL);
	if (v < PG_SERVER_MIN) {
		log_warnx("database: PostgreSQL %d.%d is older than %d, "
		    "which the schema needs", v / 10000, v % 10000,
		    PG_SERVER_MIN / 10000);
		return -1;
	}
	(void)snprintf(sql, sizeof(sql), "SET statement_timeout = %d; "
	    "SET client_min_messages = warning", PG_STATEMENT_TIMEOUT_MS);
	return pg_command(st, sql, "session settings");
}

/*
 * A connection lost outside a transaction is opened again here, before
 * the next statement; within one, the transaction is gone and its
 * caller fails. 0 when the connection can take a statement, or -1 and
 * busy set.
 */
static int
pg_usable(struct store *st, int in_tx)
{
	struct pg_store	*pg = (struct pg_store *)st;

	if (PQstatus(pg->conn) == CONNECTION_OK)
		return 0;
	st->busy = 1;
	if (in_tx) {
		log_warnx("database: connection lost in a transaction");
		return -1;
	}
	PQreset(pg->conn);
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		log_warnx("database: cannot reach the server again");
		return -1;
	}
	if (pg_session(st) == -1)
		return -1;
	st->busy = 0;
	log_info("database: connection opened again");
	return 0;
}

static int
pg_tx_open(PGconn *conn)
{
	switch (PQtransactionStatus(conn)) {
	case PQTRANS_ACTIVE:
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		return 1;
	default:
		return 0;
	}
}

struct store *
pg_open(const char *uri, int create)
{
	/*
	 * connect_timeout before dbname: the URI, expanded from dbname,
	 * overrides it when it names one.
	 */
	static const char *const keys[] = {
		"connect_timeout", "application_name", "dbname", NULL
	};
	const char		*values[4];
	struct pg_store		*pg;
	struct store		*st;

	/* The database must exist: a server's databases are the DBA's. */
	(void)create;
	if ((pg = calloc(1, sizeof(*pg))) == NULL) {
		log_warn("calloc");
		return NULL;
	}
	st = &pg->base;
	st->be = &pg_backend;
	values[0] = PG_CONNECT_TIMEOUT;
	values[1] = "portal";
	values[2] = uri;
	values[3] = NULL;
	pg->conn = PQconnectdbParams(keys, values, 1);
	if (pg->conn == NULL || PQstatus(pg->conn) != CONNECTION_OK) {
		pg_log_connect_error(uri, pg->conn);
		goto fail;
	}
	if (pg_session(st) == -1)
		goto fail;
	return st;
fail:
	pg_close(st);
	return NULL;
}

void
pg_close(struct store *st)
{
	struct pg_store	*pg = (struct pg_store *)st;

	if (pg == NULL)
		return;
	PQfinish(pg->conn);
	free(pg);
}

/* pg_run() and, with unique set, pg_run_unique(). */
static int
pg_run_as(struct store *st, const struct pg_query *q,
    const struct pg_params *p, const char *what, PGresult **res, int unique)
{
	struct pg_store	*pg = (struct pg_store *)st;
	PGresult	*r;
	const char	*state;
	int		 i;

	if (res != NULL)
		*res = NULL;
	if (pg_usable(st, pg->tx) == -1)
		return STORE_ERROR;
	for (i = 0; i < pg->n_prepared && pg->prepared[i] != q; i++)
		;
	if (i == pg->n_prepared) {
		if (i == PG_STMT_MAX) {
			log_warnx("statement cache full: raise PG_STMT_MAX");
			return STORE_ERROR;
		}
		r = PQprepare(pg->conn, q->name, q->sql, 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			pg_log_result(st, r, q->name);
			PQclear(r);
			return STORE_ERROR;
		}
		PQclear(r);
		pg->prepared[pg->n_prepared++] = q;
	}
	r = PQexecPrepared(pg->conn, q->name, p != NULL ? p->n : 0,
	    p != NULL ? p->value : NULL, p != NULL ? p->length : NULL,
	    p != NULL ? p->format : NULL, 0);
	switch (PQresultStatus(r)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
		if (res != NULL)
			*res = r;
		else
			PQclear(r);
		return STORE_OK;
	default:
		break;
	}
	state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (unique && state != NULL && strcmp(state, "23505") == 0) {
		PQclear(r);
		return STORE_CONFLICT;
	}
	pg_log_result(st, r, what);
	PQclear(r);
	return STORE_ERROR;
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
 * Opens a transaction with sql; the connection is opened again first
 * when it was lost, as nothing is open to lose.
 */
static int
pg_begin_as(struct store *st, const char *sql)
{
	struct pg_store	*pg = (struct pg_store *)st;

	if (pg_usable(st, 0) == -1 || pg_command(st, sql, "begin") == -1)
		return -1;
	pg->tx = 1;
	return 0;
}

/* READ COMMITTED: each statement sees what committed before it. */
int
pg_begin(struct store *st)
{
	return pg_begin_as(st, "BEGIN ISOLATION LEVEL READ COMMITTED");
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
	    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

/*
 * COMMIT of a transaction that a failed statement aborted answers
 * ROLLBACK, not an error: that is a failure too.
 */
int
pg_commit(struct store *st)
{
	PGresult	*r;
	int		 rc = 0;

	r = PQexec(((struct pg_store *)st)->conn, "COMMIT");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		pg_log_result(st, r, "commit");
		rc = -1;
	} else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		log_warnx("database commit: the transaction had failed");
		rc = -1;
	}
	PQclear(r);
	if (rc == 0)
		((struct pg_store *)st)->tx = 0;
	return rc;
}

void
pg_rollback(struct store *st)
{
	struct pg_store	*pg = (struct pg_store *)st;

	if (PQstatus(pg->conn) == CONNECTION_OK && pg_tx_open(pg->conn))
		(void)pg_command(st, "ROLLBACK", "rollback");
	pg->tx = 0;
}

/* Open also when the connection was lost inside it: see pg_usable(). */
int
pg_in_transaction(struct store *st)
{
	struct pg_store	*pg = (struct pg_store *)st;

	return pg->tx || pg_tx_open(pg->conn);
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
		r = PQexec(((struct pg_store *)st)->conn, q);
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
