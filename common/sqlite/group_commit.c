/*
 * Writes that share their commits. SQLite lets one transaction write at a
 * time and a commit costs an fsync (synchronous=FULL), so writes that
 * each committed alone queued behind one fsync apiece. Here the writers
 * of one database in this process take turns (write_turn.c) and share
 * transactions:
 *
 *  - every write runs on the database's one write connection of this
 *    process (sqlite_conn()), whose cache its own commits leave warm;
 *  - the first writer of a group opens a transaction on it (BEGIN
 *    IMMEDIATE) and, alone in it so far, needs no savepoint; each later
 *    writer's own transaction is a savepoint inside it;
 *  - a writer that ends well releases its savepoint and, when others are
 *    waiting for the turn, hands it on with the transaction still open;
 *    the last one (or one that finds the group old or large enough)
 *    commits for all, with one fsync;
 *  - a writer that fails rolls back to its savepoint: what the others of
 *    its group wrote stays and commits with them;
 *  - each writer's store_commit() returns only after the group's commit
 *    is durable, with its outcome, so no answer goes out before its data
 *    is on disk. Only a failed COMMIT, or an error after which SQLite
 *    itself ended the transaction, fails the whole group.
 *
 * A writer alone, as the worker's one sender, writes as it did without
 * groups: one transaction, no savepoint. The writers of a group read
 * what earlier ones wrote: the group's writes are exactly as if they
 * had come one after the other.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../clock.h"
#include "../log.h"
#include "sqlite.h"

/*
 * When a group commits though writers still wait: after this many
 * writes, or this long after it began, so that a steady stream of
 * writers cannot hold an answer back for long.
 */
#define GROUP_WRITES_MAX	64
#define GROUP_OPEN_MS		8

/*
 * How long this process's writers may follow one another without a gap,
 * and the gap then left: another process (the worker) waiting for the
 * lock polls every STORE_BUSY_POLL_MS and would otherwise never find it
 * free while group after group takes it.
 */
#define GROUP_CHAIN_MS		100

/* A writer whose savepoint is released, waiting for its group's commit. */
struct group_member {
	struct store		*st;
	int			 done;
	int			 rc;
	int			 busy;
	struct group_member	*next;
};

/* The writers of one database in this process, and their group. */
struct sqlite_writer {
	char			*path;
	int			 refs;
	struct sqlite_writer	*next;
	struct sqlite_turn	 turn;
	/* Below, but for done_mu and done_cv, only under the turn. */
	struct sqlite_store	*conn;		/* opened at the first write */
	int			 open;		/* the group's transaction */
	int			 lost;		/* SQLite ended it on an error */
	int			 writes;	/* released savepoints in it */
	struct timespec		 opened_at;
	struct timespec		 chain_start;
	struct group_member	*waiting;
	pthread_mutex_t		 done_mu;
	pthread_cond_t		 done_cv;
};

static pthread_mutex_t		 writers_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sqlite_writer	*writers;

/* Writes committed and the commits that carried them, for metrics. */
static atomic_llong		 group_writes, group_commits;

void
sqlite_write_counts(int64_t *writes, int64_t *commits)
{
	*writes = atomic_load(&group_writes);
	*commits = atomic_load(&group_commits);
}

/*
 * Connections share a writer by the path they opened: the process opens
 * its database by one configured path.
 */
int
sqlite_writer_attach(struct sqlite_store *sq, const char *path)
{
	struct sqlite_writer	*w;

	(void)pthread_mutex_lock(&writers_mu);
	for (w = writers; w != NULL; w = w->next)
		if (strcmp(w->path, path) == 0)
			break;
	if (w == NULL) {
		if ((w = calloc(1, sizeof(*w))) == NULL ||
		    (w->path = strdup(path)) == NULL) {
			free(w);
			(void)pthread_mutex_unlock(&writers_mu);
			log_warn("writer");
			return -1;
		}
		sqlite_turn_init(&w->turn);
		(void)pthread_mutex_init(&w->done_mu, NULL);
		(void)pthread_cond_init(&w->done_cv, NULL);
		w->next = writers;
		writers = w;
	}
	w->refs++;
	sq->writer = w;
	(void)pthread_mutex_unlock(&writers_mu);
	return 0;
}

void
sqlite_writer_detach(struct sqlite_store *sq)
{
	struct sqlite_writer	*w = sq->writer, **pp;

	if (w == NULL)
		return;
	sq->writer = NULL;
	(void)pthread_mutex_lock(&writers_mu);
	if (--w->refs > 0) {
		(void)pthread_mutex_unlock(&writers_mu);
		return;
	}
	for (pp = &writers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	(void)pthread_mutex_unlock(&writers_mu);
	if (w->conn != NULL)
		sqlite_conn_close(w->conn);
	sqlite_turn_destroy(&w->turn);
	(void)pthread_mutex_destroy(&w->done_mu);
	(void)pthread_cond_destroy(&w->done_cv);
	free(w->path);
	free(w);
}

static int64_t
group_ms_between(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * 1000 +
	    (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* Whether the open group must commit now, whoever waits. */
static int
group_due(struct sqlite_writer *w)
{
	struct timespec	 now;

	if (w->lost || w->writes >= GROUP_WRITES_MAX)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return group_ms_between(&w->opened_at, &now) >= GROUP_OPEN_MS;
}

/*
 * Ends the group's transaction, committing what its writers released,
 * and gives each of them the outcome. Under the turn.
 */
static void
group_end(struct sqlite_writer *w)
{
	struct store		*ws = &w->conn->base;
	struct group_member	*m;
	int			 rc = w->lost ? -1 : 0, busy;

	ws->busy = 0;
	if (rc == 0 && w->writes > 0)
		rc = sqlite_step_control(ws, "COMMIT");
	/* Nothing to keep, or a COMMIT that failed and left it open. */
	if (!sqlite3_get_autocommit(w->conn->db))
		(void)sqlite_step_control(ws, "ROLLBACK");
	busy = ws->busy;
	ws->busy = 0;
	if (rc == 0 && w->writes > 0) {
		atomic_fetch_add(&group_writes, w->writes);
		atomic_fetch_add(&group_commits, 1);
	} else if (rc == -1 && w->writes > 0)
		log_warnx("database: a group of %d writes is lost",
		    w->writes);
	(void)pthread_mutex_lock(&w->done_mu);
	for (m = w->waiting; m != NULL; m = m->next) {
		m->rc = rc;
		m->busy = busy;
		m->done = 1;
	}
	(void)pthread_cond_broadcast(&w->done_cv);
	(void)pthread_mutex_unlock(&w->done_mu);
	w->waiting = NULL;
	w->writes = 0;
	w->open = 0;
	w->lost = 0;
}

/*
 * A writer's part is done (released or rolled back): the turn goes on to
 * the next writer with the transaction open, or the group ends here.
 */
static void
group_settle(struct sqlite_writer *w)
{
	if (!group_due(w) && sqlite_turn_pass(&w->turn))
		return;
	group_end(w);
	sqlite_turn_give(&w->turn);
}

/*
 * Opens the group's transaction for its first writer, after a gap if
 * this process's writers have kept the lock for long (see
 * GROUP_CHAIN_MS). 0, or -1 logged on st.
 */
static int
group_open(struct sqlite_writer *w, struct store *st, int queued)
{
	struct timespec	 now, gap;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!queued)
		w->chain_start = now;
	else if (group_ms_between(&w->chain_start, &now) >= GROUP_CHAIN_MS) {
		gap.tv_sec = 0;
		gap.tv_nsec = 2 * STORE_BUSY_POLL_MS * 1000000L;
		nanosleep(&gap, NULL);
		clock_gettime(CLOCK_MONOTONIC, &w->chain_start);
	}
	if (sqlite_step_control(st, "BEGIN IMMEDIATE") == -1)
		return -1;
	w->open = 1;
	clock_gettime(CLOCK_MONOTONIC, &w->opened_at);
	return 0;
}

/* Waits for the end of the group m was added to; its outcome. */
static int
group_wait(struct sqlite_writer *w, struct group_member *m)
{
	(void)pthread_mutex_lock(&w->done_mu);
	while (!m->done)
		(void)pthread_cond_wait(&w->done_cv, &w->done_mu);
	(void)pthread_mutex_unlock(&w->done_mu);
	if (m->rc == -1 && m->busy)
		m->st->busy = 1;
	return m->rc;
}

/*
 * A writer's part is over: it leaves the group's connection and the
 * turn goes on. kept: its savepoint was released, and it waits for the
 * group's commit; the host waits for the group's end in any case.
 * Returns the outcome for a kept part, else -1.
 */
static int
group_leave(struct sqlite_store *sq, struct sqlite_writer *w, int kept)
{
	struct group_member	 me;

	memset(&me, 0, sizeof(me));
	me.st = &sq->base;
	if (kept) {
		w->writes++;
		me.next = w->waiting;
		w->waiting = &me;
	}
	sq->via = NULL;
	group_settle(w);
	return kept ? group_wait(w, &me) : -1;
}

/*
 * Undoes a writer's part, to its savepoint. Some errors (a full disk, an
 * I/O error) make SQLite roll back the whole transaction: the group's
 * other writes went with it.
 */
static void
group_undo_part(struct sqlite_store *sq, struct sqlite_writer *w)
{
	struct store	*st = &sq->base;

	if (sq->first) {
		/* The first writer's part is all there is: the transaction. */
		if (!sqlite3_get_autocommit(sqlite_db(st)))
			(void)sqlite_step_control(st, "ROLLBACK");
		w->lost = 1;
	} else if (sqlite3_get_autocommit(sqlite_db(st)) ||
	    sqlite_step_control(st, "ROLLBACK TO write") == -1 ||
	    sqlite_step_control(st, "RELEASE write") == -1)
		w->lost = 1;
	(void)group_leave(sq, w, 0);
}

/*
 * A write begins: the turn, waited for until the request's deadline (or
 * as long as the busy timeout), then a savepoint in the group's
 * transaction, which the first writer of a group opens on its own
 * connection.
 */
int
sqlite_begin(struct store *st)
{
	struct sqlite_store	*sq = (struct sqlite_store *)st;
	struct sqlite_writer	*w = sq->writer;
	struct timespec		 until;
	int			 queued;

	if (st->has_deadline)
		until = st->deadline;
	else
		clock_after(&until, STORE_BUSY_TIMEOUT_MS);
	if (sqlite_turn_take(&w->turn, &until, &queued) == -1) {
		log_warnx("database: no write turn by the deadline");
		st->busy = 1;
		return -1;
	}
	if (w->conn == NULL &&
	    (w->conn = sqlite_conn_open(w->path, 0)) == NULL) {
		sqlite_turn_give(&w->turn);
		return -1;
	}
	/* The write connection's busy handler waits as long as this one. */
	w->conn->base.has_deadline = st->has_deadline;
	w->conn->base.deadline = st->deadline;
	sq->via = w->conn;
	/*
	 * The first writer is alone in the transaction so far: it needs no
	 * savepoint, and a writer alone writes exactly as without groups.
	 */
	if ((sq->first = !w->open)) {
		if (group_open(w, st, queued) == -1) {
			sq->via = NULL;
			sqlite_turn_give(&w->turn);
			return -1;
		}
	} else if (sqlite_step_control(st, "SAVEPOINT write") == -1) {
		(void)group_leave(sq, w, 0);
		return -1;
	}
	return 0;
}

int
sqlite_commit(struct store *st)
{
	struct sqlite_store	*sq = (struct sqlite_store *)st;

	/* A read transaction of the connection's own. */
	if (sq->via == NULL)
		return sqlite_step_control(st, "COMMIT");
	if (!sq->first && sqlite_step_control(st, "RELEASE write") == -1) {
		sqlite_rollback(st);
		return -1;
	}
	return group_leave(sq, sq->writer, 1);
}

void
sqlite_rollback(struct store *st)
{
	struct sqlite_store	*sq = (struct sqlite_store *)st;

	if (sq->via == NULL) {
		if (!sqlite3_get_autocommit(sq->db))
			(void)sqlite_step_control(st, "ROLLBACK");
		return;
	}
	group_undo_part(sq, sq->writer);
}
