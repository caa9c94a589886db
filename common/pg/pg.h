/*
 * The PostgreSQL backend's own header, for its files in common/pg/
 * alone: the connection behind struct store, its prepared statements,
 * the parameters and results its modules share, and the operations that
 * backend.c lists in pg_backend.
 */
#ifndef COMMON_PG_PG_H
#define COMMON_PG_PG_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "../store_backend.h"

/* More than the backend's statements: a full cache is a bug, logged. */
#define PG_STMT_MAX	256
#define PG_PARAM_MAX	16

/*
 * A statement of the backend: a static const per query, prepared on a
 * connection the first time it runs there, under its name (which must
 * be unique in the backend: the server keys prepared statements by it).
 */
struct pg_query {
	const char	*name;
	const char	*sql;
};

/* Room for a server's or libpq's message as logged. */
#define PG_MESSAGE_MAX	512

struct pg_copy_load;

/* A connection to the server, kept in a pool (pool.c). */
struct pg_conn {
	PGconn			*conn;
	/* The queries prepared on this session, compared by address. */
	const struct pg_query	*prepared[PG_STMT_MAX];
	int			 n_prepared;
	/* Given back with its ROLLBACK sent, not yet answered. */
	int			 ending;
	struct pg_conn		*next;	/* in the pool's idle list */
};

/*
 * The parameters of one statement, all sent as text but for bytea,
 * sent as binary; numbers are written into num[]. Nothing is copied:
 * strings must outlive the call that runs the statement.
 */
struct pg_params {
	const char	*value[PG_PARAM_MAX];
	int		 length[PG_PARAM_MAX];
	int		 format[PG_PARAM_MAX];
	char		 num[PG_PARAM_MAX][24];
	int		 n;
};

/* The most statements one exchange sends. */
#define PG_STEPS_MAX	8
/* The most a transaction defers (deferred.c); flushed when full. */
#define PG_DEFER_MAX	4

/* A statement of an exchange: q run with p (NULL: none). */
struct pg_step {
	const struct pg_query	*q;
	const struct pg_params	*p;
	const char		*what;		/* names it in the log */
	int			 unique;	/* as pg_run_unique() */
	PGresult		*res;		/* its rows; PQclear() it */
};

/* A deferred statement, with its own copy of its parameters. */
struct pg_deferred {
	struct pg_step		 step;
	struct pg_params	 par;
	char			*data;		/* the values par points to */
};

/*
 * A store: struct store first, so that each is the other. It holds a
 * connection of its pool while a transaction is open, and for one
 * statement outside any; none otherwise.
 */
struct pg_store {
	struct store		 base;
	struct pg_pool		*pool;
	struct pg_conn		*held;
	int			 tx;	/* a transaction of ours is open */
	int			 writing;	/* ... and it may write */
	/* The BEGIN that goes with the transaction's first statement. */
	const char		*begin;
	/* Statements that go with the next one (deferred.c). */
	struct pg_deferred	 deferred[PG_DEFER_MAX];
	int			 ndeferred;
	struct pg_copy_load	*load;	/* copy-to's table being loaded */
	/* The connection whose session holds a digest pass's lock. */
	struct pg_conn		*pass;
};

/*
 * The connection the store's open transaction holds, for what only
 * libpq's own calls can do (COPY), once its BEGIN and deferred
 * statements are sent; NULL when they failed.
 */
PGconn	*pg_conn(struct store *);

/*
 * Whether the store's transaction may write. Its reads of the rows a
 * write depends on lock them, as SQLite's one writer at a time would:
 * the caller's account FOR KEY SHARE (its change, FOR UPDATE, waits
 * for the caller's writes), a client or user about to change FOR
 * UPDATE (a concurrent write of another field waits, then reads what
 * this one committed).
 * Two writes that lock in opposite orders make a deadlock, which the
 * server settles by failing one (st->conflict): it runs again.
 */
int	pg_writing(struct store *);

/*
 * Opens a connection to uri with the session's settings (statement
 * timeout timeout_ms), waiting for the server no later than until; or
 * NULL, logged without the password unless quiet (a pool that already
 * said the server is down).
 */
PGconn	*pg_connect(const char *uri, int timeout_ms,
	    const struct timespec *until, int quiet);
/*
 * Waits until conn's socket is ready for events (POLLIN, POLLOUT), no
 * later than until (CLOCK_MONOTONIC). 0, or -1 past it or when poll()
 * fails.
 */
int	pg_poll(PGconn *, short events, const struct timespec *until);
/*
 * Copies msg into out on one line, with every occurrence of each
 * secret (NULL or "" skipped) replaced by "***": libpq's messages about
 * a malformed URI quote the part they could not read, which may be the
 * password.
 */
void	 pg_scrub(const char *msg, const char *const *secrets,
	    size_t nsecrets, char *out, size_t outlen);

/*
 * The pool of a database, shared by every store of the process open on
 * the same PORTAL_DB. pg_pool_get() opens the first connection (NULL,
 * logged, when it cannot); pg_pool_put() closes the pool with its last
 * store. pg_pool_take() answers an idle connection, a new one, or one
 * given back, by until (CLOCK_MONOTONIC); NULL, logged, when none comes
 * by then or the server cannot be reached. pg_pool_give() takes it back outside any
 * transaction.
 */
struct pg_pool;
struct pg_pool	*pg_pool_get(const char *uri);
void		 pg_pool_put(struct pg_pool *);
struct pg_conn	*pg_pool_take(struct pg_pool *, const struct timespec *until);
/* The longest a statement may run: when a wait without deadline ends. */
int		 pg_pool_timeout_ms(void);
/* The most connections a pool opens (PORTAL_DB_POOL). */
int		 pg_pool_max(void);
void		 pg_pool_give(struct pg_pool *, struct pg_conn *);
/* Closes c, whose session holds what no other taker may inherit. */
void		 pg_pool_discard(struct pg_pool *, struct pg_conn *);

void	pg_params_init(struct pg_params *);
void	pg_param_text(struct pg_params *, const char *);	/* NULL: NULL */
void	pg_param_int64(struct pg_params *, int64_t);
void	pg_param_bool(struct pg_params *, int);
void	pg_param_bytea(struct pg_params *, const void *, size_t);

/*
 * Runs q with p (NULL: none) on the connection, preparing q first when
 * this session has not. STORE_OK with *res (PQclear() it; res NULL: the
 * result is dropped); STORE_ERROR, logged with what, and the busy flag
 * set when the server is unreachable, cancelled the statement at the
 * timeout, or chose this transaction as a deadlock's or serialization's
 * victim: the caller answers 503 and the client tries again.
 * pg_run_unique() answers STORE_CONFLICT, unlogged, for a unique key's
 * refusal (SQLSTATE 23505). A failed statement aborts the transaction
 * it is in, so a call that expects a conflict inside a request's
 * transaction uses ON CONFLICT instead.
 */
int	pg_run(struct store *, const struct pg_query *q,
	    const struct pg_params *p, const char *what, PGresult **res);
int	pg_run_unique(struct store *, const struct pg_query *q,
	    const struct pg_params *p, const char *what, PGresult **res);

/*
 * Runs steps in order in one round trip (pipeline.c), as pg_run() runs
 * one, after the transaction's BEGIN and deferred statements when they
 * are still to go: STORE_OK with every step's res set, or the first
 * failure's result with none. Statements outside a transaction each
 * commit on their own, as pg_run()'s do. No steps (NULL, 0): sends what
 * is waiting.
 */
int	pg_run_steps(struct store *, struct pg_step *steps, int n);
/*
 * Queues q with a copy of p to go with the transaction's next statement
 * (pg_run() does, for a write transaction's statement run without a
 * result). STORE_OK, or STORE_ERROR (out of memory, or a full queue
 * that failed as it was sent).
 */
int	pg_defer(struct store *, const struct pg_query *q,
	    const struct pg_params *p, const char *what);
/* Drops what is queued: the transaction ended without it. */
void	pg_deferred_clear(struct store *);
/*
 * The exchange itself, on connection c: begin (NULL: none) first, then
 * the steps, waiting for the server no later than until; *begun says
 * whether begin was answered. pg_run_steps() wraps it with the pool and
 * the transaction.
 */
int	pg_pipeline(struct store *, struct pg_conn *c, const char *begin,
	    struct pg_step *steps, int n, const struct timespec *until,
	    int *begun);
/*
 * PQgetResult() that waits no later than until: NULL with *late set
 * when nothing came by then.
 */
PGresult *pg_result_by(PGconn *, const struct timespec *until, int *late);

/* Logs a failed result (NULL: no answer) and sets busy as it says. */
void	pg_log_result(struct store *, const PGresult *r, const char *what);
/*
 * A statement without parameters or rows, by the simple protocol: the
 * session's settings and transaction control. 0 or -1, logged.
 */
int	pg_command(struct store *, const char *sql, const char *what);

/*
 * Result readers; the value at (row, col) of a text-format result.
 * pg_get_text() copies into dst (always NUL-terminated, "" for NULL), -1
 * if cut. pg_get_bool() reads PostgreSQL's "t".
 */
int64_t	pg_get_int64(const PGresult *, int row, int col);
/* The text at (row, col), or NULL for NULL: as SQLite's column_text. */
const char *pg_get_text_or_null(const PGresult *, int row, int col);
int	pg_get_bool(const PGresult *, int row, int col);
int	pg_get_text(const PGresult *, int row, int col, char *dst,
	    size_t dstlen);
/* The number of rows an INSERT, UPDATE or DELETE changed. */
int64_t	pg_changes(const PGresult *);

/* The columns pg_user_each() reads, first in a statement, in order. */
#define PG_USER_ROW	"u.id, u.partner_id, u.email, u.name, u.role, u.active, " \
	"coalesce(u.locale, '')"

/*
 * Runs q, whose first columns are PG_USER_ROW, calling fn with each user
 * (no password hash); stops at fn's -1 (STORE_ERROR, no log).
 */
int	pg_user_each(struct store *, const struct pg_query *q,
	    const struct pg_params *par, const char *what,
	    int (*fn)(const struct user *, void *), void *arg);
/* As pg_user_each(), on the rows of a statement already run. */
int	pg_user_rows(const PGresult *, int (*fn)(const struct user *, void *),
	    void *arg);

/*
 * A firm by id ($1), for an exchange of several statements, and row i
 * of its result into p: STORE_OK or STORE_ERROR, logged.
 */
extern const struct pg_query	pg_partner_get_q;
/* The assignees of client $1, PG_USER_ROW, by name (assignee.c). */
extern const struct pg_query	pg_assignee_list_q;
int	pg_partner_from_row(const PGresult *, int i, struct partner *p);

/* The operations (backend.c), by module as in struct store_backend. */
void		 pg_global_init(const struct store_settings *);
struct store	*pg_open(const char *uri, int create);
void		 pg_close(struct store *);
int		 pg_migrate(struct store *);
int		 pg_schema_version(struct store *);
int		 pg_schema_latest(void);
int		 pg_ping(struct store *);
int		 pg_begin(struct store *);
int		 pg_begin_read(struct store *);
int		 pg_commit(struct store *);
void		 pg_rollback(struct store *);
int		 pg_in_transaction(struct store *);
void		 pg_write_counts(int64_t *writes, int64_t *commits);

int	pg_client_create(struct store *, const struct client_keys *,
	    struct client *c);
int	pg_client_get_visible(struct store *, const struct user *viewer,
	    int64_t id, struct client *out);
int	pg_client_get_to_change(struct store *, const struct user *viewer,
	    int64_t id, struct client *out);
int	pg_client_transition(struct store *, int64_t id, const char *from,
	    const char *to);
int	pg_client_update(struct store *, const struct client_keys *,
	    struct client *c);
int	pg_client_find(struct store *, int64_t partner_id,
	    const char *org_key, const char *ref, int64_t *id);
int	pg_client_set_balance(struct store *, int64_t id, int64_t amount,
	    const char *currency);

int	pg_client_list(struct store *, const struct client_query *q,
	    int (*fn)(const struct client_row *, void *), void *arg,
	    int64_t *total);
int	pg_client_status_count(struct store *, int64_t partner_id,
	    int64_t user_id, const char *status, unsigned alerts,
	    int64_t *count);
int	pg_client_search_tidy(struct store *, int pages, int *merged);
int	pg_client_page_facts(struct store *, int64_t viewer_id,
	    const int64_t *ids, size_t n,
	    int (*fn)(const struct client_page_fact *, void *), void *arg);
/*
 * Row i of a preference's columns 0 to 7 (user_id, client_id, email,
 * frequency, starts_at, updated_at, generation, alerts_only) into p.
 */
int	pg_preference_row(const PGresult *, int i, struct preference *p);
/* Room for a page's ids as a bigint[] literal (text_id_list()). */
#define PG_IDS_MAX	(CLIENT_LIST_MAX * 21 + 3)

int	pg_expense_upsert(struct store *, int64_t client_id,
	    const struct expense_fields *f, struct expense *out,
	    int *created);
int	pg_expense_upsert_batch(struct store *, int64_t client_id,
	    const struct expense_fields *f, int n,
	    int (*fn)(const struct expense *, int, void *), void *arg);
int	pg_expense_get(struct store *, int64_t client_id, int64_t id,
	    struct expense *out);
int	pg_expense_delete(struct store *, int64_t client_id, int64_t id,
	    const char *external_id, struct expense *out);
int	pg_expense_set_status(struct store *, int64_t client_id, int64_t id,
	    const char *receipt_status, const char *export_status,
	    struct expense *out);
int	pg_expense_list(struct store *, const struct expense_query *q,
	    int (*fn)(const struct expense *, void *), void *arg);
int	pg_firm_thresholds_get(struct store *, int64_t partner_id,
	    struct firm_thresholds *out);
int	pg_firm_thresholds_set(struct store *, int64_t partner_id,
	    const struct firm_thresholds *);
int	pg_client_thresholds_get(struct store *, int64_t client_id,
	    struct client_thresholds *out);
int	pg_client_thresholds_set(struct store *, int64_t client_id,
	    const struct client_thresholds *);
int	pg_alerts_due(struct store *, int max, int *n);
int	pg_expense_months(struct store *, int64_t client_id, int from,
	    int to, int (*fn)(const struct expense_month *, void *),
	    void *arg);
int	pg_expense_months_of(struct store *, const int64_t *ids,
	    size_t n, int month,
	    int (*fn)(const struct expense_month *, void *), void *arg);
int	pg_expense_count(struct store *, const struct expense_query *q,
	    int64_t *total);

int	pg_assignee_list(struct store *, int64_t client_id,
	    int (*fn)(const struct user *, void *), void *arg);
int	pg_assignee_check(struct store *, int64_t partner_id,
	    int64_t user_id);
int	pg_assignee_add(struct store *, int64_t client_id, int64_t user_id);
int	pg_assignee_remove(struct store *, int64_t client_id,
	    int64_t user_id);
int	pg_assignee_clear(struct store *, int64_t client_id);

int	pg_user_get(struct store *, int64_t id, struct user *out);
int	pg_user_get_to_change(struct store *, int64_t id, struct user *out);
int	pg_user_get_by_email(struct store *, const char *email,
	    struct user *out);
int	pg_user_create(struct store *, struct user *u);
int	pg_user_update(struct store *, struct user *u);
int	pg_user_list(struct store *, int64_t partner_id,
	    int (*fn)(const struct user *, void *), void *arg);
int	pg_user_addresses(struct store *,
	    int (*fn)(int64_t id, const char *email, void *), void *arg);

int	pg_partner_create(struct store *, struct partner *p);
int	pg_partner_get(struct store *, int64_t id, struct partner *out);
int	pg_partner_list(struct store *,
	    int (*fn)(const struct partner *, void *), void *arg);

int	pg_login_claim(struct store *, const char *email, const char *source,
	    int64_t now, const struct login_limits *lim, int64_t *retry_after);
int	pg_login_release(struct store *, const char *email,
	    const char *source);

int	pg_idempotency_find(struct store *, int64_t user_id,
	    const char *key, struct idempotent_reply *r);
int	pg_idempotency_record(struct store *, int64_t user_id,
	    const char *key, const struct idempotent_reply *r);

int	pg_preference_get(struct store *, int64_t user_id,
	    int64_t client_id, struct preference *out);
int	pg_preference_put(struct store *, const struct preference *p);
int	pg_preference_renew(struct store *, int64_t user_id,
	    int64_t client_id);
int	pg_preference_generation(struct store *, int64_t user_id,
	    const char *frequency, int64_t *generation);
int	pg_preference_list(struct store *, int64_t user_id,
	    int (*fn)(const struct preference *, const char *, void *),
	    void *arg);
int	pg_preference_each(struct store *, int64_t user_id,
	    int (*fn)(const struct preference *, void *), void *arg);
int	pg_preference_link_check(struct store *, int64_t user_id,
	    const char *frequency, int64_t client_id, int64_t generation);
int	pg_preference_unsubscribe(struct store *, int64_t user_id,
	    const char *frequency, int64_t client_id, int64_t generation,
	    int *changed);

int	pg_digest_pass_begin(struct store *, int64_t partner_id);
void	pg_digest_pass_end(struct store *);
int	pg_digest_due_users(struct store *, int64_t partner_id,
	    const char *frequency, int64_t slot_at, const char *period,
	    int64_t after_id, int limit,
	    int (*fn)(const struct user *, void *), void *arg);
int	pg_digest_items(struct store *, int64_t user_id,
	    const char *frequency, int64_t slot_at,
	    int (*fn)(const struct digest_item *, void *), void *arg);
int	pg_digest_record(struct store *, int64_t user_id,
	    const char *frequency, const char *period, int64_t slot_at,
	    int clients, int64_t outbox_id);
int	pg_digest_seen(struct store *, int64_t user_id, int64_t client_id,
	    unsigned alerts);

int	pg_reminder_add(struct store *, struct reminder *r);
int	pg_reminder_add_recipient(struct store *, int64_t reminder_id,
	    int64_t user_id, int64_t outbox_id);
int	pg_reminder_get(struct store *, int64_t partner_id, int64_t id,
	    struct reminder *out);
int	pg_reminder_recipients(struct store *, int64_t reminder_id,
	    int (*fn)(const struct reminder_recipient *, void *), void *arg);
int	pg_reminder_list(struct store *, int64_t client_id, int limit,
	    int (*fn)(int64_t, void *), void *arg);
int	pg_reminder_context(struct store *, int64_t partner_id,
	    int64_t client_id, int64_t sender_id, int64_t since,
	    struct partner *firm, struct reminder_recent *recent,
	    int (*fn)(const struct user *, void *), void *arg);
int	pg_reminder_page(struct store *, const struct reminder_query *q,
	    int (*fn)(const struct reminder_item *,
	    const struct reminder_recipient *, void *), void *arg);
int	pg_reminder_failures(struct store *, int64_t reminder_id,
	    int (*fn)(const struct reminder_failure *, void *), void *arg);
int	pg_reminder_relink(struct store *, int64_t reminder_id,
	    int64_t user_id, int64_t old_outbox_id, int64_t new_outbox_id);

int	pg_outbox_add(struct store *, const char *kind, int64_t user_id,
	    const char *recipient, const char *payload,
	    const char *message_id, int64_t *id);
int	pg_outbox_claim(struct store *, int64_t now, int64_t until,
	    struct outbox_msg *ms, int max, int *n);
int	pg_outbox_renew(struct store *, int64_t id, int attempts,
	    int64_t until);
int	pg_outbox_sent(struct store *, const struct outbox_msg *m,
	    int64_t now);
int	pg_outbox_retry(struct store *, const struct outbox_msg *m,
	    int64_t next_at, const char *error);
int	pg_outbox_failed(struct store *, const struct outbox_msg *m,
	    const char *error);
int	pg_outbox_backlog(struct store *, int64_t *queued, int64_t *failed);
int	pg_outbox_next_due(struct store *, int64_t *at);

int	pg_api_key_create(struct store *, struct api_key *k,
	    const uint8_t hash[API_KEY_HASH_LEN]);
int	pg_api_key_get(struct store *, int64_t partner_id, int64_t id,
	    struct api_key *out);
int	pg_api_key_list(struct store *, int64_t partner_id,
	    int64_t after_id, int limit,
	    int (*fn)(const struct api_key *, void *), void *arg,
	    int64_t *total);
int	pg_api_key_revoke(struct store *, int64_t partner_id,
	    int64_t id, int64_t now);
int	pg_api_key_by_prefix(struct store *, const char *prefix,
	    struct api_key *out);
int	pg_api_key_touch(struct store *, int64_t id, int64_t now);
int	pg_event_list(struct store *, int64_t partner_id,
	    int64_t after_seq, int limit,
	    int (*fn)(const struct event *, void *), void *arg);
int	pg_tidy_events(struct store *, int64_t now, int max,
	    int *deleted);
int	pg_webhook_create(struct store *, struct webhook_endpoint *e);
int	pg_webhook_get(struct store *, int64_t partner_id, int64_t id,
	    struct webhook_endpoint *out);
int	pg_webhook_list(struct store *, int64_t partner_id,
	    int (*fn)(const struct webhook_endpoint *, void *), void *arg);
int	pg_webhook_delete(struct store *, int64_t partner_id, int64_t id);
int	pg_webhook_set_secret(struct store *, int64_t partner_id, int64_t id,
	    const char *secret, int64_t now);
int	pg_webhook_set_enabled(struct store *, int64_t partner_id, int64_t id,
	    int enabled, int64_t now);
int	pg_webhook_attempts(struct store *, int64_t partner_id,
	    int64_t endpoint_id, int64_t before_id, int limit,
	    int (*fn)(const struct webhook_attempt *, void *), void *arg);
int	pg_webhook_claim(struct store *, int64_t now, int64_t lease,
	    struct webhook_job *out);
int	pg_webhook_record(struct store *, const struct webhook_job *job,
	    const struct webhook_outcome *outcome);
int	pg_audit_add(struct store *, int64_t partner_id, int64_t user_id,
	    int64_t client_id, const char *action, const char *remote_addr);
int	pg_audit_list(struct store *, int64_t partner_id, int64_t client_id,
	    int64_t before_id, int limit,
	    int (*fn)(const struct audit_event *, void *), void *arg);

int	pg_tidy_idempotency(struct store *, int64_t now, int max,
	    int *deleted);
int	pg_tidy_logins(struct store *, int64_t now, int max, int *deleted);
int	pg_tidy_count(struct store *, struct table_rows *out);

int	pg_copy_read(struct store *, const char *table,
	    int (*fn)(const char *const *values, int n, void *), void *arg);
int	pg_copy_begin(struct store *, int *empty);
int	pg_copy_load_begin(struct store *, const char *table);
int	pg_copy_load_row(struct store *, const char *const *values,
	    int n);
int	pg_copy_load_end(struct store *);
int	pg_copy_finish(struct store *);

#endif
