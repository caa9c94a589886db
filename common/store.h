/*
 * The database connection as the programs see it: opening, schema
 * migration, transactions, the clock. Each thread owns one struct store;
 * none is shared. PORTAL_DB alone chooses the engine behind it: a file
 * path opens SQLite (common/sqlite/), a postgresql:// or postgres:// URI
 * PostgreSQL, which this build lacks. store.c picks the backend once,
 * in store_open(); the API and the worker never reach the database but
 * through the store_*.h calls and never know which engine answers
 * (store_backend.h is the seam, for the store alone).
 */
#ifndef COMMON_STORE_H
#define COMMON_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Results of store calls that can fail in more than one way. */
#define STORE_OK	 0
#define STORE_ERROR	-1	/* database fault: logged, answer 5xx */
#define STORE_NOTFOUND	-2
#define STORE_CONFLICT	-3	/* a unique key or a state rule refused it */

struct store;

/*
 * Opens the database db names (a SQLite file, created when create is
 * set, with WAL, foreign keys, a busy timeout and synchronous=FULL).
 * Returns NULL on failure, logged, never with a password; a PostgreSQL
 * URI fails so for now. store_close() frees it.
 */
struct store	*store_open(const char *db, int create);
/*
 * PORTAL_DB as a log line may show it: a file path as it is; a URI
 * without its user information and its query, where a password can be.
 */
void		 store_db_for_log(const char *db, char *out, size_t outlen);
/*
 * What a process asks of its database connections. A backend reads what
 * applies to it: SQLite has no server to pool connections to nor a
 * statement to cancel.
 */
struct store_settings {
	/* Connections to a database server that a process keeps, at most. */
	int	pool;
	/*
	 * How long one statement may run, and how long a caller waits for
	 * a pooled connection: the request deadline, in milliseconds.
	 */
	int	timeout_ms;
	/*
	 * The process answers many reads at once (the API): an engine that
	 * can let its connections share one copy of the data does. Off for
	 * a process that mostly writes (the worker): on SQLite, sharing is
	 * a map of the file, which each commit makes every other
	 * connection map again.
	 */
	int	shared_reads;
};

/* Process-wide backend settings; call once before any store_open(). */
void		 store_global_init(const struct store_settings *);
void		 store_close(struct store *);

/* Applies the schema sections the file lacks. 0 or -1. */
int		 store_migrate(struct store *);
/* The schema version of the open file, or -1. */
int		 store_schema_version(struct store *);
/* Highest schema version the open database's backend defines. */
int		 store_schema_latest(struct store *);

/*
 * A write transaction / COMMIT / ROLLBACK. 0 or -1 (logged). On SQLite,
 * writers of one process take turns in the order they came, the wait
 * bounded by the request's deadline or the busy timeout, and writes that
 * come together share one transaction and its commit, each its own
 * savepoint (common/sqlite/group_commit.c): store_commit() returns once
 * the shared commit is durable, and a write rolled back leaves the
 * others of its group whole.
 */
int		 store_begin(struct store *);
/*
 * Several reads from one snapshot (BEGIN, deferred, on SQLite). Reads
 * nest; each ends with store_rollback(), and the outermost ends the
 * transaction.
 */
int		 store_begin_read(struct store *);
int		 store_commit(struct store *);
void		 store_rollback(struct store *);

/*
 * The dispatcher's transaction around a whole write request, the
 * caller's account check included: store_begin()'s transaction, then
 * store_commit_request() or store_rollback_request(). Inside it
 * store_begin(), store_begin_read(), store_commit() and store_rollback()
 * join it and do nothing: what a handler wrote is committed with its
 * answer, or not at all. 0 or -1 (logged).
 */
int		 store_begin_request(struct store *);
int		 store_commit_request(struct store *);
void		 store_rollback_request(struct store *);

/*
 * Nonzero while a transaction is open on the connection. Asked by the
 * API's dispatcher after each request: the connection serves the
 * thread's next request too, so one a handler left open must be rolled
 * back there, and the request answered as failed.
 */
int		 store_in_transaction(struct store *);

/*
 * Since the process started, for its metrics: the write transactions
 * committed, and the commits to disk that carried them (fewer when
 * concurrent writes share their commits).
 */
void		 store_write_counts(struct store *, int64_t *writes,
		    int64_t *commits);

/* A short read that proves the database answers; 0 or -1. */
int		 store_ping(struct store *);

/*
 * Nonzero when a call since store_busy_clear() failed because the database
 * was locked by someone else for too long: a 503, not a 500.
 */
int		 store_busy(const struct store *);
/*
 * Nonzero when, besides, the engine ended the transaction to settle a
 * conflict with a concurrent one (a deadlock's victim, a serialization
 * failure): the same work run again from its start will likely pass.
 * store_busy_clear() clears both.
 */
int		 store_conflict(const struct store *);
void		 store_busy_clear(struct store *);
/*
 * The time (CLOCK_MONOTONIC) past which the store's calls stop waiting
 * for a database server and fail as busy: the request's deadline, so
 * that a server that stopped answering costs a 503, not a hung request.
 * NULL: each exchange waits at most the store's timeout (store_settings).
 */
void		 store_set_deadline(struct store *, const struct timespec *);

/*
 * Current time in Unix seconds. store_now_set() moves this process's clock
 * so that it reads t now and runs on from there (the worker's --now);
 * call it before any thread starts.
 */
int64_t		 store_now(void);
void		 store_now_set(int64_t t);

#endif
