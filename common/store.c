/*
 * The store's connection calls above the backends: which backend a
 * PORTAL_DB names, the nesting of transactions (reads inside reads, a
 * handler's inside the request's), the busy flag and the clock. Each
 * call then runs through st->be (store_backend.h); no SQL here.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store.h"
#include "store_backend.h"

/* What a file path opens: the embedded default. */
static const struct store_backend *const store_default = &sqlite_backend;

/* Seconds added to the clock: the worker's --now replays another time. */
static int64_t	store_clock_shift;

/*
 * The one place that reads a backend from PORTAL_DB: a postgresql:// or
 * postgres:// URI is PostgreSQL, anything else a file for SQLite.
 */
static const struct store_backend *
store_backend_for(const char *db)
{
	if (strncmp(db, "postgresql://", strlen("postgresql://")) == 0 ||
	    strncmp(db, "postgres://", strlen("postgres://")) == 0)
		return &pg_backend;
	return store_default;
}

void
store_global_init(const struct store_settings *set)
{
	static const struct store_backend *const all[] = {
		&sqlite_backend, &pg_backend
	};
	size_t	 i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i]->global_init != NULL)
			all[i]->global_init(set);
}

struct store *
store_open(const char *db, int create)
{
	const struct store_backend	*be;

	if ((be = store_backend_for(db)) == NULL)
		return NULL;
	return be->open(db, create);
}

void
store_db_for_log(const char *db, char *out, size_t outlen)
{
	const char	*scheme_end, *host, *at, *rest;
	size_t		 n;

	if ((scheme_end = strstr(db, "://")) == NULL) {
		(void)snprintf(out, outlen, "%s", db);
		return;
	}
	host = scheme_end + 3;
	rest = host + strcspn(host, "/?");
	/* user[:password]@ comes before the host, inside the authority. */
	if ((at = memchr(host, '@', (size_t)(rest - host))) != NULL)
		host = at + 1;
	n = strcspn(rest, "?");
	(void)snprintf(out, outlen, "%.*s://%.*s%.*s",
	    (int)(scheme_end - db), db, (int)(rest - host), host, (int)n,
	    rest);
}

void
store_close(struct store *st)
{
	if (st != NULL)
		st->be->close(st);
}

int
store_migrate(struct store *st)
{
	return st->be->migrate(st);
}

int
store_schema_version(struct store *st)
{
	return st->be->schema_version(st);
}

int
store_schema_latest(struct store *st)
{
	return st->be->schema_latest();
}

int
store_ping(struct store *st)
{
	return st->be->ping(st);
}

int
store_busy(const struct store *st)
{
	return st->busy;
}

int
store_conflict(const struct store *st)
{
	return st->conflict;
}

void
store_busy_clear(struct store *st)
{
	st->busy = 0;
	st->conflict = 0;
}

void
store_set_deadline(struct store *st, const struct timespec *until)
{
	st->has_deadline = until != NULL;
	if (until != NULL)
		st->deadline = *until;
}

int
store_begin(struct store *st)
{
	if (st->joined)
		return 0;
	return st->be->begin(st);
}

/*
 * Reads nest: a handler's read inside the request's own (see
 * api/server.c) shares its snapshot, and only the outermost ends it.
 */
int
store_begin_read(struct store *st)
{
	if (st->reading > 0 || st->joined) {
		st->reading++;
		return 0;
	}
	if (st->be->begin_read(st) == -1)
		return -1;
	st->reading = 1;
	return 0;
}

int
store_commit(struct store *st)
{
	if (st->joined)
		return 0;
	if (st->be->commit(st) == -1) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

void
store_rollback(struct store *st)
{
	if (st->joined) {
		/* A handler's own end: the request's transaction decides. */
		if (st->reading > 0)
			st->reading--;
		return;
	}
	if (st->reading > 1) {
		st->reading--;
		return;
	}
	st->reading = 0;
	st->be->rollback(st);
}

int
store_begin_request(struct store *st)
{
	if (store_begin(st) == -1)
		return -1;
	st->joined = 1;
	return 0;
}

int
store_commit_request(struct store *st)
{
	st->joined = 0;
	st->reading = 0;
	return store_commit(st);
}

void
store_rollback_request(struct store *st)
{
	st->joined = 0;
	st->reading = 0;
	store_rollback(st);
}

int
store_in_transaction(struct store *st)
{
	return st->be->in_transaction(st);
}

void
store_write_counts(struct store *st, int64_t *writes, int64_t *commits)
{
	st->be->write_counts(writes, commits);
}

int64_t
store_now(void)
{
	return (int64_t)time(NULL) + store_clock_shift;
}

void
store_now_set(int64_t t)
{
	store_clock_shift = t - (int64_t)time(NULL);
}
