/*
 * One exchange with the server, in libpq's pipeline mode: a
 * transaction's BEGIN when it is still to be sent, a Parse for each
 * statement the connection has not prepared, the statements, and one
 * Sync, written together; then the answers read back in that order.
 * Every answer the caller waits for costs a wake-up of both processes,
 * which on a busy machine costs more than the statement: so a read of
 * the Clients list waits twice (its BEGIN with the caller's account,
 * then the page with its counts) where it would wait five times.
 *
 * The connection is non-blocking meanwhile, and every wait for the
 * server is a poll() bounded by the deadline: a server that stopped
 * answering (a frozen process, a network cut that leaves TCP open)
 * costs the request its 503 at the deadline, and the connection.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "pg.h"

/* What each command of an exchange is, in the order it was sent. */
enum pg_sent_kind {
	PG_SENT_BEGIN,
	PG_SENT_PARSE,
	PG_SENT_STEP,
};

struct pg_sent {
	enum pg_sent_kind	 kind;
	int			 step;	/* the step it belongs to; -1: BEGIN */
};

/* Whether q is prepared on c, or its Parse goes out earlier in steps. */
static int
pg_pipeline_prepared(const struct pg_conn *c, const struct pg_step *steps,
    int upto, const struct pg_query *q)
{
	int	 i;

	for (i = 0; i < c->n_prepared; i++)
		if (c->prepared[i] == q)
			return 1;
	for (i = 0; i < upto; i++)
		if (steps[i].q == q)
			return 1;
	return 0;
}

/*
 * Sends a step, its Parse first when parse is set. 1, or 0 when libpq
 * could not send.
 */
static int
pg_pipeline_send(PGconn *conn, const struct pg_step *s, int parse)
{
	const struct pg_params	*p = s->p;
	int			 n = p != NULL ? p->n : 0;
	const char *const	*values = p != NULL ? p->value : NULL;
	const int		*lengths = p != NULL ? p->length : NULL;
	const int		*formats = p != NULL ? p->format : NULL;

	if (parse && PQsendPrepare(conn, s->q->name, s->q->sql, 0,
	    NULL) != 1)
		return 0;
	return PQsendQueryPrepared(conn, s->q->name, n, values, lengths,
	    formats, 0);
}

PGresult *
pg_result_by(PGconn *conn, const struct timespec *until, int *late)
{
	while (PQisBusy(conn)) {
		if (pg_poll(conn, POLLIN, until) == -1) {
			*late = 1;
			return NULL;
		}
		/* A lost connection: PQgetResult() tells why, at once. */
		if (PQconsumeInput(conn) == 0)
			break;
	}
	return PQgetResult(conn);
}

/* Sends what libpq holds, waiting no later than until. 0 or -1. */
static int
pg_flush_by(PGconn *conn, const struct timespec *until, int *late)
{
	int	 f;

	while ((f = PQflush(conn)) == 1) {
		if (pg_poll(conn, POLLIN | POLLOUT, until) == -1) {
			*late = 1;
			return -1;
		}
		/* The server may be waiting for its answers to be read. */
		if (PQconsumeInput(conn) == 0)
			return -1;
	}
	return f;
}

/*
 * The answer to the exchange's next command, with the NULL that ends
 * it read too; NULL when the connection gave none by the deadline.
 */
static PGresult *
pg_pipeline_next(PGconn *conn, const struct timespec *until, int *late)
{
	PGresult	*r, *more;

	if ((r = pg_result_by(conn, until, late)) == NULL)
		return NULL;
	if (PQresultStatus(r) == PGRES_PIPELINE_SYNC)
		return r;
	while ((more = pg_result_by(conn, until, late)) != NULL)
		PQclear(more);
	if (*late) {
		PQclear(r);
		return NULL;
	}
	return r;
}

/* Records the failed answer r of command k: the exchange's result. */
static int
pg_pipeline_failed(struct store *st, const struct pg_step *steps,
    const struct pg_sent *k, const PGresult *r)
{
	const char	*state;

	state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (k->kind == PG_SENT_STEP && steps[k->step].unique &&
	    state != NULL && strcmp(state, "23505") == 0)
		return STORE_CONFLICT;
	pg_log_result(st, r, k->kind == PG_SENT_BEGIN ? "begin" :
	    k->kind == PG_SENT_PARSE ? steps[k->step].q->name :
	    steps[k->step].what);
	return STORE_ERROR;
}

int
pg_pipeline(struct store *st, struct pg_conn *c, const char *begin,
    struct pg_step *steps, int n, const struct timespec *until, int *begun)
{
	PGconn		*conn = c->conn;
	struct pg_sent	 sent[1 + 2 * PG_STEPS_MAX];
	PGresult	*r;
	int		 i, k, parse, nsent = 0, nparse = 0, rc = STORE_OK;
	int		 late = 0;

	*begun = 0;
	if (n > PG_STEPS_MAX)
		abort();
	for (i = 0; i < n; i++)
		steps[i].res = NULL;
	for (i = 0; i < n; i++)
		if (!pg_pipeline_prepared(c, steps, i, steps[i].q))
			nparse++;
	if (c->n_prepared + nparse > PG_STMT_MAX) {
		log_warnx("statement cache full: raise PG_STMT_MAX");
		return STORE_ERROR;
	}
	if (PQsetnonblocking(conn, 1) != 0 || PQenterPipelineMode(conn) != 1)
		goto lost;
	if (begin != NULL) {
		if (PQsendQueryParams(conn, begin, 0, NULL, NULL, NULL, NULL,
		    0) != 1)
			goto lost;
		sent[nsent].kind = PG_SENT_BEGIN;
		sent[nsent++].step = -1;
	}
	for (i = 0; i < n; i++) {
		parse = !pg_pipeline_prepared(c, steps, i, steps[i].q);
		if (!pg_pipeline_send(conn, &steps[i], parse))
			goto lost;
		if (parse) {
			sent[nsent].kind = PG_SENT_PARSE;
			sent[nsent++].step = i;
		}
		sent[nsent].kind = PG_SENT_STEP;
		sent[nsent++].step = i;
	}
	if (PQpipelineSync(conn) != 1 || pg_flush_by(conn, until, &late) != 0)
		goto lost;
	for (k = 0; k < nsent; k++) {
		if ((r = pg_pipeline_next(conn, until, &late)) == NULL)
			goto lost;
		switch (PQresultStatus(r)) {
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
			if (sent[k].kind == PG_SENT_BEGIN)
				*begun = 1;
			else if (sent[k].kind == PG_SENT_PARSE)
				c->prepared[c->n_prepared++] =
				    steps[sent[k].step].q;
			else {
				steps[sent[k].step].res = r;
				r = NULL;
			}
			break;
		case PGRES_PIPELINE_ABORTED:
			/* After the failure recorded below. */
			break;
		default:
			if (rc == STORE_OK)
				rc = pg_pipeline_failed(st, steps, &sent[k],
				    r);
			break;
		}
		PQclear(r);
	}
	r = pg_result_by(conn, until, &late);
	if (PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
		PQclear(r);
		goto lost;
	}
	PQclear(r);
	if (PQexitPipelineMode(conn) != 1 || PQsetnonblocking(conn, 0) != 0)
		goto lost;
	if (rc != STORE_OK)
		goto clear;
	return STORE_OK;
lost:
	/* The pool closes a connection left in pipeline mode. */
	if (late) {
		log_warnx("database %s: no answer by the deadline",
		    n > 0 ? steps[0].what : "begin");
		st->busy = 1;
	} else
		pg_log_result(st, NULL, n > 0 ? steps[0].what : "begin");
	rc = STORE_ERROR;
clear:
	for (i = 0; i < n; i++) {
		PQclear(steps[i].res);
		steps[i].res = NULL;
	}
	return rc;
}
