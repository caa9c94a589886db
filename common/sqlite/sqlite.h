/*
 * The SQLite backend's own header, for its files in common/sqlite/
 * alone: the connection behind struct store, its cache of prepared
 * statements, the helpers its modules share to step and read them, and
 * the operations that backend.c lists in sqlite_backend.
 */
#ifndef COMMON_SQLITE_SQLITE_H
#define COMMON_SQLITE_SQLITE_H

#include <pthread.h>
#include <sqlite3.h>
#include <time.h>
#include <stddef.h>

#include "../store_backend.h"

#define STORE_STMT_MAX	256

/*
 * The longest wait for the database's lock, and the poll of it: another
 * process's writes leave short gaps that long sleeps would miss.
 */
#define STORE_BUSY_TIMEOUT_MS	10000
#define STORE_BUSY_POLL_MS	4

struct sqlite_copy_table;
struct sqlite_writer;
struct turn_waiter;

/* A write turn (write_turn.c): writers queued in the order they came. */
struct sqlite_turn {
	pthread_mutex_t		 mu;
	int			 held;
	struct turn_waiter	*head, *tail;
};

/*
 * A connection: struct store first, so that each is the other. Between
 * a write's begin and its end, via is the database's write connection
 * (group_commit.c), and every statement of this one runs on it.
 */
struct sqlite_store {
	struct store	 base;
	sqlite3		*db;
	struct {
		const char	*sql;	/* a string literal: compared by address */
		sqlite3_stmt	*stmt;
	}		 cache[STORE_STMT_MAX];
	int		 n_cached;
	struct sqlite_writer *writer;	/* the writers of its database */
	struct sqlite_store *via;	/* the write connection, in a write */
	int		 first;		/* its write opened its group */
	/* copy-to's table being loaded (copy.c). */
	const struct sqlite_copy_table *load;
};

/* The connection statements run on now: in a write, the write one. */
static inline struct sqlite_store *
sqlite_conn(struct store *st)
{
	struct sqlite_store	*sq = (struct sqlite_store *)st;

	return sq->via != NULL ? sq->via : sq;
}

/* The SQLite handle statements run on now (see sqlite_conn()). */
static inline sqlite3 *
sqlite_db(struct store *st)
{
	return sqlite_conn(st)->db;
}

/*
 * Returns the prepared statement for sql (a string literal), prepared on
 * first use and reset with no bindings. NULL on error, logged. The caller
 * must sqlite_reset() it before returning, on every path.
 */
sqlite3_stmt	*sqlite_stmt(struct store *, const char *sql);
void		 sqlite_reset(sqlite3_stmt *);
/*
 * Runs a statement that returns no rows, then resets it. STORE_OK, or
 * STORE_ERROR logged with what. sqlite3_changes() still counts its rows.
 */
int		 sqlite_step_done(struct store *, sqlite3_stmt *,
		    const char *what);
/*
 * sqlite_step_done() for an INSERT that a unique key may refuse:
 * STORE_CONFLICT then, not logged.
 */
int		 sqlite_step_unique(struct store *, sqlite3_stmt *,
		    const char *what);

/*
 * The row readers of the three below, row(stmt, arg), read the current
 * row into arg; its columns last only until the next step or reset. A
 * reader returns 0, or -1 to stop: it logs what it found wrong itself,
 * and a caller's callback that asked to stop needs no log.
 */

/*
 * Steps stmt to its end, calling row for each row. STORE_OK; STORE_ERROR
 * when row returns -1 (no log here) or a step fails (logged with what).
 * Resets stmt on every path, so row must copy what it keeps.
 */
int		 sqlite_rows(struct store *, sqlite3_stmt *, const char *what,
		    int (*row)(sqlite3_stmt *, void *), void *arg);
/*
 * Steps stmt once and reads its first row with row (NULL: only whether
 * there is one). STORE_OK; STORE_NOTFOUND when there is none;
 * STORE_CONFLICT when a unique key refuses it (an INSERT's); STORE_ERROR
 * when row returns -1 (no log here) or the step fails (logged with what).
 * Resets stmt on every path; rows after the first are never stepped.
 */
int		 sqlite_row(struct store *, sqlite3_stmt *, const char *what,
		    int (*row)(sqlite3_stmt *, void *), void *arg);
/*
 * sqlite_row() for a statement that answers one row and ends (INSERT or
 * UPDATE ... RETURNING): a further step that is not the end is a
 * STORE_ERROR, logged with what. Resets stmt on every path.
 */
int		 sqlite_row_only(struct store *, sqlite3_stmt *,
		    const char *what, int (*row)(sqlite3_stmt *, void *),
		    void *arg);
/* A row reader of the one column of a row into arg, an int64_t. */
int		 sqlite_int64_read(sqlite3_stmt *, void *arg);

/* Runs a statement of transaction control, cached: 0, or -1 logged. */
int		 sqlite_step_control(struct store *, const char *sql);

/* Logs the connection's last error with a context word. */
void		 sqlite_log_error(struct store *, const char *what);

/* Copies a text column into dst (always NUL-terminated); -1 if cut. */
int		 sqlite_column_text(sqlite3_stmt *, int col, char *dst,
		    size_t dstlen);

/* The columns sqlite_user_each() reads, first in a statement, in order. */
#define STORE_USER_ROW	"u.id, u.partner_id, u.email, u.name, u.role, u.active, " \
	"coalesce(u.locale, '')"

/*
 * Steps stmt, whose first columns are STORE_USER_ROW, calling fn with each
 * user (no password hash); stops at fn's -1. Resets stmt.
 */
int	sqlite_user_each(struct store *, sqlite3_stmt *stmt, const char *what,
	    int (*fn)(const struct user *, void *), void *arg);

/*
 * A write turn (write_turn.c), taken in the order writers come: 0, or
 * -1 when until (CLOCK_MONOTONIC) passed first. *queued says whether
 * another writer had it. sqlite_turn_pass() hands a held turn to the
 * longest waiting writer: 1, or 0 when none waits and it stays held.
 */
void		 sqlite_turn_init(struct sqlite_turn *);
void		 sqlite_turn_destroy(struct sqlite_turn *);
int		 sqlite_turn_take(struct sqlite_turn *,
		    const struct timespec *until, int *queued);
void		 sqlite_turn_give(struct sqlite_turn *);
int		 sqlite_turn_pass(struct sqlite_turn *);

/*
 * A connection without writers (store.c): what sqlite_open() opens, and
 * the write connection itself. Its busy handler reads base's deadline.
 */
/* The SQL functions the schema and the statements call (search_grams). */
int		 sqlite_functions_add(sqlite3 *);
struct sqlite_store *sqlite_conn_open(const char *path, int create);
void		 sqlite_conn_close(struct sqlite_store *);
/*
 * The writers of a database path, shared by every connection of this
 * process to it and counted: 0, or -1 logged (group_commit.c).
 */
int		 sqlite_writer_attach(struct sqlite_store *, const char *path);
void		 sqlite_writer_detach(struct sqlite_store *);

/* The operations (backend.c), by module as in struct store_backend. */

void		 sqlite_global_init(const struct store_settings *);
struct store	*sqlite_open(const char *path, int create);
void		 sqlite_close(struct store *);
int		 sqlite_migrate(struct store *);
int		 sqlite_schema_version(struct store *);
int		 sqlite_schema_latest(void);
int		 sqlite_ping(struct store *);
int		 sqlite_begin(struct store *);
int		 sqlite_begin_read(struct store *);
int		 sqlite_commit(struct store *);
void		 sqlite_rollback(struct store *);
int		 sqlite_in_transaction(struct store *);
void		 sqlite_write_counts(int64_t *writes, int64_t *commits);

int	sqlite_client_create(struct store *, const struct client_keys *,
	    struct client *c);
int	sqlite_client_get_visible(struct store *, const struct user *viewer,
	    int64_t id, struct client *out);
int	sqlite_client_transition(struct store *, int64_t id, const char *from,
	    const char *to);
int	sqlite_client_update(struct store *, const struct client_keys *,
	    struct client *c);
int	sqlite_client_find(struct store *, int64_t partner_id,
	    const char *org_key, const char *ref, int64_t *id);
int	sqlite_client_set_balance(struct store *, int64_t id, int64_t amount,
	    const char *currency);

int	sqlite_client_list(struct store *, const struct client_query *q,
	    int (*fn)(const struct client_row *, void *), void *arg,
	    int64_t *total);
int	sqlite_client_status_count(struct store *, int64_t partner_id,
	    int64_t user_id, const char *status, unsigned alerts,
	    int64_t *count);
int	sqlite_client_search_tidy(struct store *, int pages, int *merged);
int	sqlite_client_page_facts(struct store *, int64_t viewer_id,
	    const int64_t *ids, size_t n,
	    int (*fn)(const struct client_page_fact *, void *), void *arg);
/*
 * A sqlite_row() reader into the struct preference at arg, from columns
 * 0 to 7: user_id, client_id, email, frequency, starts_at, updated_at,
 * generation, alerts_only.
 */
int	sqlite_preference_row(sqlite3_stmt *, void *arg);
/*
 * sqlite_stmt() of sql with ?1 bound to the ids as a JSON array for
 * json_each(), written into list (len bytes, SQLITE_IDS_MAX for a page),
 * which must last until the statement is reset. NULL on failure.
 */
#define SQLITE_IDS_MAX	(CLIENT_LIST_MAX * 21 + 3)
sqlite3_stmt	*sqlite_stmt_ids(struct store *, const char *sql,
		    const int64_t *ids, size_t n, char *list, size_t len);

int	sqlite_expense_upsert(struct store *, int64_t client_id,
	    const struct expense_fields *f, struct expense *out, int *created);
int	sqlite_expense_upsert_batch(struct store *, int64_t client_id,
	    const struct expense_fields *f, int n,
	    int (*fn)(const struct expense *, int, void *), void *arg);
int	sqlite_expense_get(struct store *, int64_t client_id, int64_t id,
	    struct expense *out);
int	sqlite_expense_delete(struct store *, int64_t client_id, int64_t id,
	    const char *external_id, struct expense *out);
int	sqlite_expense_set_status(struct store *, int64_t client_id,
	    int64_t id, const char *receipt_status, const char *export_status,
	    struct expense *out);
int	sqlite_expense_list(struct store *, const struct expense_query *q,
	    int (*fn)(const struct expense *, void *), void *arg);
int	sqlite_firm_thresholds_get(struct store *, int64_t partner_id,
	    struct firm_thresholds *out);
int	sqlite_firm_thresholds_set(struct store *, int64_t partner_id,
	    const struct firm_thresholds *);
int	sqlite_client_thresholds_get(struct store *, int64_t client_id,
	    struct client_thresholds *out);
int	sqlite_client_thresholds_set(struct store *, int64_t client_id,
	    const struct client_thresholds *);
int	sqlite_alerts_due(struct store *, int max, int *n);
int	sqlite_expense_months(struct store *, int64_t client_id, int from,
	    int to, int (*fn)(const struct expense_month *, void *),
	    void *arg);
int	sqlite_expense_months_of(struct store *, const int64_t *ids,
	    size_t n, int month,
	    int (*fn)(const struct expense_month *, void *), void *arg);
int	sqlite_expense_count(struct store *, const struct expense_query *q,
	    int64_t *total);

int	sqlite_assignee_list(struct store *, int64_t client_id,
	    int (*fn)(const struct user *, void *), void *arg);
int	sqlite_assignee_check(struct store *, int64_t partner_id,
	    int64_t user_id);
int	sqlite_assignee_add(struct store *, int64_t client_id,
	    int64_t user_id);
int	sqlite_assignee_remove(struct store *, int64_t client_id,
	    int64_t user_id);
int	sqlite_assignee_clear(struct store *, int64_t client_id);

int	sqlite_user_get(struct store *, int64_t id, struct user *out);
int	sqlite_user_get_by_email(struct store *, const char *email,
	    struct user *out);
int	sqlite_user_create(struct store *, struct user *u);
int	sqlite_user_update(struct store *, struct user *u);
int	sqlite_user_list(struct store *, int64_t partner_id,
	    int (*fn)(const struct user *, void *), void *arg);
int	sqlite_user_addresses(struct store *,
	    int (*fn)(int64_t id, const char *email, void *), void *arg);

int	sqlite_partner_create(struct store *, struct partner *p);
int	sqlite_partner_get(struct store *, int64_t id, struct partner *out);
int	sqlite_partner_list(struct store *,
	    int (*fn)(const struct partner *, void *), void *arg);

int	sqlite_preference_get(struct store *, int64_t user_id,
	    int64_t client_id, struct preference *out);
int	sqlite_preference_put(struct store *, const struct preference *p);
int	sqlite_preference_renew(struct store *, int64_t user_id,
	    int64_t client_id);
int	sqlite_preference_generation(struct store *, int64_t user_id,
	    const char *frequency, int64_t *generation);
int	sqlite_preference_list(struct store *, int64_t user_id,
	    int (*fn)(const struct preference *, const char *, void *),
	    void *arg);
int	sqlite_preference_each(struct store *, int64_t user_id,
	    int (*fn)(const struct preference *, void *), void *arg);
int	sqlite_preference_link_check(struct store *, int64_t user_id,
	    const char *frequency, int64_t client_id, int64_t generation);
int	sqlite_preference_unsubscribe(struct store *, int64_t user_id,
	    const char *frequency, int64_t client_id, int64_t generation,
	    int *changed);

int	sqlite_digest_pass_begin(struct store *, int64_t partner_id);
void	sqlite_digest_pass_end(struct store *);
int	sqlite_digest_due_users(struct store *, int64_t partner_id,
	    const char *frequency, int64_t slot_at, const char *period,
	    int64_t after_id, int limit,
	    int (*fn)(const struct user *, void *), void *arg);
int	sqlite_digest_items(struct store *, int64_t user_id,
	    const char *frequency, int64_t slot_at,
	    int (*fn)(const struct digest_item *, void *), void *arg);
int	sqlite_digest_record(struct store *, int64_t user_id,
	    const char *frequency, const char *period, int64_t slot_at,
	    int clients, int64_t outbox_id);
int	sqlite_digest_seen(struct store *, int64_t user_id, int64_t client_id,
	    unsigned alerts);

int	sqlite_reminder_add(struct store *, struct reminder *r);
int	sqlite_reminder_add_recipient(struct store *, int64_t reminder_id,
	    int64_t user_id, int64_t outbox_id);
int	sqlite_reminder_get(struct store *, int64_t partner_id, int64_t id,
	    struct reminder *out);
int	sqlite_reminder_recipients(struct store *, int64_t reminder_id,
	    int (*fn)(const struct reminder_recipient *, void *), void *arg);
int	sqlite_reminder_list(struct store *, int64_t client_id, int limit,
	    int (*fn)(int64_t, void *), void *arg);
int	sqlite_reminder_context(struct store *, int64_t partner_id,
	    int64_t client_id, int64_t sender_id, int64_t since,
	    struct partner *firm, struct reminder_recent *recent,
	    int (*fn)(const struct user *, void *), void *arg);
int	sqlite_reminder_page(struct store *, const struct reminder_query *q,
	    int (*fn)(const struct reminder_item *,
	    const struct reminder_recipient *, void *), void *arg);
int	sqlite_reminder_failures(struct store *, int64_t reminder_id,
	    int (*fn)(const struct reminder_failure *, void *), void *arg);
int	sqlite_reminder_relink(struct store *, int64_t reminder_id,
	    int64_t user_id, int64_t old_outbox_id, int64_t new_outbox_id);

int	sqlite_outbox_add(struct store *, const char *kind, int64_t user_id,
	    const char *recipient, const char *payload, const char *message_id,
	    int64_t *id);
int	sqlite_outbox_claim(struct store *, int64_t now, int64_t until,
	    struct outbox_msg *ms, int max, int *n);
int	sqlite_outbox_renew(struct store *, int64_t id, int attempts,
	    int64_t until);
int	sqlite_outbox_sent(struct store *, const struct outbox_msg *m,
	    int64_t now);
int	sqlite_outbox_retry(struct store *, const struct outbox_msg *m,
	    int64_t next_at, const char *error);
int	sqlite_outbox_failed(struct store *, const struct outbox_msg *m,
	    const char *error);
int	sqlite_outbox_backlog(struct store *, int64_t *queued,
	    int64_t *failed);
int	sqlite_outbox_next_due(struct store *, int64_t *at);

int	sqlite_api_key_create(struct store *, struct api_key *k,
	    const uint8_t hash[API_KEY_HASH_LEN]);
int	sqlite_api_key_get(struct store *, int64_t partner_id, int64_t id,
	    struct api_key *out);
int	sqlite_api_key_list(struct store *, int64_t partner_id,
	    int64_t after_id, int limit,
	    int (*fn)(const struct api_key *, void *), void *arg,
	    int64_t *total);
int	sqlite_api_key_revoke(struct store *, int64_t partner_id,
	    int64_t id, int64_t now);
int	sqlite_api_key_by_prefix(struct store *, const char *prefix,
	    struct api_key *out);
int	sqlite_api_key_touch(struct store *, int64_t id, int64_t now);
int	sqlite_event_list(struct store *, int64_t partner_id,
	    int64_t after_seq, int limit,
	    int (*fn)(const struct event *, void *), void *arg);
int	sqlite_tidy_events(struct store *, int64_t now, int max,
	    int *deleted);
int	sqlite_webhook_create(struct store *, struct webhook_endpoint *e);
int	sqlite_webhook_get(struct store *, int64_t partner_id, int64_t id,
	    struct webhook_endpoint *out);
int	sqlite_webhook_list(struct store *, int64_t partner_id,
	    int (*fn)(const struct webhook_endpoint *, void *), void *arg);
int	sqlite_webhook_delete(struct store *, int64_t partner_id, int64_t id);
int	sqlite_webhook_set_secret(struct store *, int64_t partner_id, int64_t id,
	    const char *secret, int64_t now);
int	sqlite_webhook_set_enabled(struct store *, int64_t partner_id, int64_t id,
	    int enabled, int64_t now);
int	sqlite_webhook_attempts(struct store *, int64_t partner_id,
	    int64_t endpoint_id, int64_t before_id, int limit,
	    int (*fn)(const struct webhook_attempt *, void *), void *arg);
int	sqlite_webhook_claim(struct store *, int64_t now, int64_t lease,
	    struct webhook_job *out);
int	sqlite_webhook_record(struct store *, const struct webhook_job *job,
	    const struct webhook_outcome *outcome);
int	sqlite_audit_add(struct store *, int64_t partner_id, int64_t user_id,
	    int64_t client_id, const char *action, const char *remote_addr);
int	sqlite_audit_list(struct store *, int64_t partner_id,
	    int64_t client_id, int64_t before_id, int limit,
	    int (*fn)(const struct audit_event *, void *), void *arg);

int	sqlite_idempotency_find(struct store *, int64_t user_id,
	    const char *key, struct idempotent_reply *r);
int	sqlite_idempotency_record(struct store *, int64_t user_id,
	    const char *key, const struct idempotent_reply *r);

int	sqlite_login_claim(struct store *, const char *email,
	    const char *source, int64_t now, const struct login_limits *lim,
	    int64_t *retry_after);
int	sqlite_login_release(struct store *, const char *email,
	    const char *source);

int	sqlite_tidy_idempotency(struct store *, int64_t now, int max,
	    int *deleted);
int	sqlite_tidy_logins(struct store *, int64_t now, int max, int *deleted);
int	sqlite_tidy_count(struct store *, struct table_rows *out);

int	sqlite_copy_read(struct store *, const char *table,
	    int (*fn)(const char *const *values, int n, void *), void *arg);
int	sqlite_copy_begin(struct store *, int *empty);
int	sqlite_copy_load_begin(struct store *, const char *table);
int	sqlite_copy_load_row(struct store *, const char *const *values,
	    int n);
int	sqlite_copy_load_end(struct store *);
int	sqlite_copy_finish(struct store *);

#endif
