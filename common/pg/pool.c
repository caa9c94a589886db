/*
 * The connections a process keeps to one database (PORTAL_DB_POOL at
 * most), shared by its stores: an API thread holds one only for a
 * transaction or a statement, so 64 threads need a handful, and a
 * server's connection slots serve many processes.
 *
 * A connection is opened when a caller finds none idle and the pool is
 * below its size, and closed when it comes back broken; one that broke
 * while idle (the server restarted) is noticed when next taken. So the
 * pool heals by itself after an outage, and during one a caller fails
 * fast (connection refused) or at its deadline, never later.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../clock.h"
#include "../log.h"
#include "pg.h"

struct pg_pool {
	char		*uri;
	int		 refs;		/* stores open on it */
	int		 open;		/* connections, idle or held */
	int		 down;		/* the last connect failed */
	struct pg_conn	*idle;
	pthread_mutex_t	 mu;
	pthread_cond_t	 freed;		/* a connection or a slot came back */
	struct pg_pool	*next;
};

/* Written by pg_global_init() before any thread starts. */
static int	pg_pool_size = 10;
static int	pg_timeout_ms = 5000;

/* Every pool of the process, one per database it opens. */
static pthread_mutex_t	 pg_pools_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pg_pool	*pg_pools;

void
pg_global_init(const struct store_settings *set)
{
	if (set == NULL)
		return;
	if (set->pool > 0)
		pg_pool_size = set->pool;
	if (set->timeout_ms > 0)
		pg_timeout_ms = set->timeout_ms;
}

int
pg_pool_timeout_ms(void)
{
	return pg_timeout_ms;
}

int
pg_pool_max(void)
{
	return pg_pool_size;
}

static void
pg_conn_free(struct pg_conn *c)
{
	if (c == NULL)
		return;
	PQfinish(c->conn);
	free(c);
}

/*
 * A new connection by until, or NULL: logged once as the server goes
 * away.
 */
static struct pg_conn *
pg_pool_connect(struct pg_pool *pool, const struct timespec *until)
{
	struct pg_conn	*c;
	int		 was_down;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("calloc");
		return NULL;
	}
	(void)pthread_mutex_lock(&pool->mu);
	was_down = pool->down;
	(void)pthread_mutex_unlock(&pool->mu);
	c->conn = pg_connect(pool->uri, pg_timeout_ms, until, was_down);
	(void)pthread_mutex_lock(&pool->mu);
	pool->down = c->conn == NULL;
	(void)pthread_mutex_unlock(&pool->mu);
	if (c->conn == NULL) {
		free(c);
		return NULL;
	}
	if (was_down)
		log_info("database: reachable again");
	return c;
}

static void
pg_pool_free(struct pg_pool *pool)
{
	struct pg_conn	*c;

	while ((c = pool->idle) != NULL) {
		pool->idle = c->next;
		pg_conn_free(c);
	}
	(void)pthread_cond_destroy(&pool->freed);
	(void)pthread_mutex_destroy(&pool->mu);
	free(pool->uri);
	free(pool);
}

struct pg_pool *
pg_pool_get(const char *uri)
{
	pthread_condattr_t	 attr;
	struct timespec		 until;
	struct pg_pool		*pool;
	struct pg_conn		*c;

	(void)pthread_mutex_lock(&pg_pools_mu);
	for (pool = pg_pools; pool != NULL; pool = pool->next)
		if (strcmp(pool->uri, uri) == 0) {
			pool->refs++;
			(void)pthread_mutex_unlock(&pg_pools_mu);
			return pool;
		}
	/*
	 * The first store on a database opens a connection here, so that
	 * a wrong address, password or database stops the process at its
	 * start with the reason. The lock is held meanwhile: the stores
	 * opened beside it wait for the answer rather than race it.
	 */
	if ((pool = calloc(1, sizeof(*pool))) == NULL ||
	    (pool->uri = strdup(uri)) == NULL) {
		log_warn("pool");
		free(pool);
		goto fail;
	}
	(void)pthread_condattr_init(&attr);
	(void)pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	(void)pthread_cond_init(&pool->freed, &attr);
	(void)pthread_condattr_destroy(&attr);
	(void)pthread_mutex_init(&pool->mu, NULL);
	clock_after(&until, pg_timeout_ms);
	if ((c = pg_pool_connect(pool, &until)) == NULL) {
		pg_pool_free(pool);
		goto fail;
	}
	pool->idle = c;
	pool->open = 1;
	pool->refs = 1;
	pool->next = pg_pools;
	pg_pools = pool;
	(void)pthread_mutex_unlock(&pg_pools_mu);
	return pool;
fail:
	(void)pthread_mutex_unlock(&pg_pools_mu);
	return NULL;
}

void
pg_pool_put(struct pg_pool *pool)
{
	struct pg_pool	**pp;

	if (pool == NULL)
		return;
	(void)pthread_mutex_lock(&pg_pools_mu);
	if (--pool->refs > 0) {
		(void)pthread_mutex_unlock(&pg_pools_mu);
		return;
	}
	for (pp = &pg_pools; *pp != pool; pp = &(*pp)->next)
		;
	*pp = pool->next;
	(void)pthread_mutex_unlock(&pg_pools_mu);
	/* Every store is closed: no connection is held any more. */
	pg_pool_free(pool);
}

/*
 * Whether an idle connection can serve: the ROLLBACK it came back with
 * is answered, and it still has its server. Reading what is waiting on
 * its socket (libpq's never block) notices one the server closed, as a
 * restart does, without a round trip.
 */
static int
pg_conn_ready(struct pg_conn *c, const struct timespec *until)
{
	PGresult	*r;
	int		 ok = 1, late = 0;

	if (c->ending) {
		c->ending = 0;
		while ((r = pg_result_by(c->conn, until, &late)) != NULL) {
			if (PQresultStatus(r) != PGRES_COMMAND_OK)
				ok = 0;
			PQclear(r);
		}
		if (late)
			ok = 0;
	}
	return ok && PQconsumeInput(c->conn) == 1 &&
	    PQstatus(c->conn) == CONNECTION_OK &&
	    PQtransactionStatus(c->conn) == PQTRANS_IDLE;
}

struct pg_conn *
pg_pool_take(struct pg_pool *pool, const struct timespec *until)
{
	struct pg_conn	*c;
	int		 rc = 0;

	(void)pthread_mutex_lock(&pool->mu);
	for (;;) {
		if ((c = pool->idle) != NULL) {
			pool->idle = c->next;
			c->next = NULL;
			/* A ROLLBACK's answer may be on its way: not locked. */
			(void)pthread_mutex_unlock(&pool->mu);
			if (pg_conn_ready(c, until))
				return c;
			pg_conn_free(c);
			(void)pthread_mutex_lock(&pool->mu);
			pool->open--;
			continue;
		}
		if (pool->open < pg_pool_size)
			break;
		if (rc == ETIMEDOUT) {
			(void)pthread_mutex_unlock(&pool->mu);
			log_warnx("database: no connection free within %d ms "
			    "(PORTAL_DB_POOL=%d)", pg_timeout_ms,
			    pg_pool_size);
			return NULL;
		}
		rc = pthread_cond_timedwait(&pool->freed, &pool->mu, until);
	}
	pool->open++;
	(void)pthread_mutex_unlock(&pool->mu);
	if ((c = pg_pool_connect(pool, until)) != NULL)
		return c;
	(void)pthread_mutex_lock(&pool->mu);
	pool->open--;
	(void)pthread_cond_signal(&pool->freed);
	(void)pthread_mutex_unlock(&pool->mu);
	return NULL;
}

/* Takes c back into the idle list when keep is set; else closes it. */
static void
pg_pool_return(struct pg_pool *pool, struct pg_conn *c, int keep)
{
	(void)pthread_mutex_lock(&pool->mu);
	if (keep) {
		c->next = pool->idle;
		pool->idle = c;
		c = NULL;
	} else
		pool->open--;
	(void)pthread_cond_signal(&pool->freed);
	(void)pthread_mutex_unlock(&pool->mu);
	pg_conn_free(c);
}

void
pg_pool_discard(struct pg_pool *pool, struct pg_conn *c)
{
	pg_pool_return(pool, c, 0);
}

void
pg_pool_give(struct pg_pool *pool, struct pg_conn *c)
{
	int	 keep = 0;

	/*
	 * A connection comes back outside any transaction, or with its
	 * ROLLBACK sent: the server ends the transaction (and releases its
	 * locks) at once, and the next taker reads the answer. One that
	 * cannot (lost, or left in pipeline mode) is closed and its slot
	 * given back.
	 */
	if (PQstatus(c->conn) == CONNECTION_OK &&
	    PQpipelineStatus(c->conn) == PQ_PIPELINE_OFF) {
		switch (PQtransactionStatus(c->conn)) {
		case PQTRANS_IDLE:
			keep = 1;
			break;
		case PQTRANS_INTRANS:
		case PQTRANS_INERROR:
			keep = PQsendQuery(c->conn, "ROLLBACK") == 1;
			c->ending = keep;
			break;
		default:
			break;
		}
	}
	pg_pool_return(pool, c, keep);
}
