/*
 * The seam between the store's calls (store.h, store_<module>.h) and the
 * database engines behind them. For common/store*.c and the backends
 * (common/<backend>/) alone: the API and the worker never include it.
 *
 * A backend is one const struct store_backend, a function per operation,
 * and a connection struct that starts with struct store. store_open()
 * (store.c) picks the backend from PORTAL_DB; each public call then does
 * what does not depend on the engine (the clock, a client's sort key and
 * search text, the nesting of transactions, the busy flag) and calls its
 * operation through st->be. An operation has the contract of the public
 * call of the same name without "store_" (see the module's header), but
 * for what the notes below say. The times a create or update writes
 * (created_at, updated_at of clients, users, partners and reminders)
 * come filled in; other writes read store_now() themselves.
 *
 * A new backend: a folder common/<name>/ with its files and a backend.c
 * defining its table, an extern line below, its folder in the Makefile's
 * STORE_BACKENDS, and its case in store_backend_for() (store.c).
 */
#ifndef COMMON_STORE_BACKEND_H
#define COMMON_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "collate.h"
#include "store.h"
#include "store_assignee.h"
#include "store_api_key.h"
#include "store_audit.h"
#include "store_event.h"
#include "store_webhook.h"
#include "store_threshold.h"
#include "store_client.h"
#include "store_digest.h"
#include "store_expense.h"
#include "store_idempotency.h"
#include "store_login.h"
#include "store_outbox.h"
#include "store_partner.h"
#include "store_preference.h"
#include "store_reminder.h"
#include "store_tidy.h"
#include "store_user.h"

struct store_backend;

/*
 * The head of every backend's connection (struct sqlite_store starts
 * with it): what the neutral layer keeps per connection. Each thread
 * owns one; none is shared.
 */
struct store {
	const struct store_backend *be;
	int		 reading;	/* depth of nested read transactions */
	int		 joined;	/* inside store_begin_request's */
	int		 busy;		/* a call met a lock held too long */
	int		 conflict;	/* lost to a concurrent transaction */
	/* store_set_deadline(): when has_deadline, CLOCK_MONOTONIC. */
	int		 has_deadline;
	struct timespec	 deadline;
};

/* The search text of a client: "name\norg_number" folded, up to 3x. */
#define CLIENT_SEARCH_TEXT_MAX	((CLIENT_NAME_MAX + CLIENT_ORG_MAX * 2) * 4 + 8)
#define CLIENT_SEARCH_FOLD_MAX	(CLIENT_SEARCH_TEXT_MAX * 3)

/*
 * What every backend keeps of a client's name, computed once in C so
 * that both give the same orders and matches: the ICU sort key in the
 * firm's locale, and the case-folded "name\norg_number" a search looks
 * inside (store_client.c).
 */
struct client_keys {
	uint8_t	 sort_key[COLLATE_KEY_MAX];
	size_t	 sort_key_len;
	char	 search[CLIENT_SEARCH_FOLD_MAX];
};

/*
 * Whether a (folded) search is long enough for a trigram index: three
 * characters or more. Shorter ones have no trigram to look up and scan
 * the firm's clients of one status instead (store_client.c).
 */
int	client_search_trigrams(const char *q);

struct store_backend {
	/*
	 * The connection. open() gets PORTAL_DB as given and returns a
	 * connection whose head has be set, or NULL, logged without any
	 * secret the string holds. global_init() runs once per process,
	 * for every backend, before any open(); NULL when there is
	 * nothing to do.
	 */
	void		 (*global_init)(const struct store_settings *);
	struct store	*(*open)(const char *db, int create);
	void		 (*close)(struct store *);
	/* The whole migration, in a transaction of its own. 0 or -1. */
	int		 (*migrate)(struct store *);
	int		 (*schema_version)(struct store *);
	/* The newest version the backend's migrations define. */
	int		 (*schema_latest)(void);
	int		 (*ping)(struct store *);

	/*
	 * Transactions, below the nesting that store.c keeps (reads that
	 * nest, calls that join the request's transaction): begin() opens
	 * a write transaction, taking whatever turn the engine needs;
	 * begin_read() a read from one snapshot; commit() ends either, and
	 * on failure leaves store.c to call rollback(), which ends whatever
	 * is open (nothing: no error) and gives the turn back.
	 * in_transaction() is nonzero while one is open. 0 or -1, logged;
	 * a lock held too long by another sets st->busy.
	 */
	int		 (*begin)(struct store *);
	int		 (*begin_read)(struct store *);
	int		 (*commit)(struct store *);
	void		 (*rollback)(struct store *);
	int		 (*in_transaction)(struct store *);
	/*
	 * Since the process started: write transactions committed, and the
	 * commits to disk that carried them (fewer where writes share one).
	 */
	void		 (*write_counts)(int64_t *writes, int64_t *commits);

	/*
	 * Clients: one client's lifecycle (store_client.c). The keys come
	 * computed, and create gets the currency defaulted.
	 */
	int	(*client_create)(struct store *, const struct client_keys *,
		    struct client *c);
	int	(*client_get_visible)(struct store *,
		    const struct user *viewer, int64_t id, struct client *out);
	int	(*client_get_to_change)(struct store *,
		    const struct user *viewer, int64_t id, struct client *out);
	int	(*client_transition)(struct store *, int64_t id,
		    const char *from, const char *to);
	int	(*client_update)(struct store *, const struct client_keys *,
		    struct client *c);
	int	(*client_find)(struct store *, int64_t partner_id,
		    const char *org_key, const char *ref, int64_t *id);
	int	(*client_set_balance)(struct store *, int64_t id,
		    int64_t amount, const char *currency);

	/*
	 * The Clients list, its search and counters, and the upkeep of the
	 * search's index (store_client.c); *total is 0 on entry. A search's
	 * total may stop past CLIENT_SEARCH_COUNT_MAX, anywhere from one
	 * more on. A backend whose index needs no upkeep answers search_tidy
	 * with *merged 0.
	 */
	int	(*client_list)(struct store *, const struct client_query *q,
		    int (*fn)(const struct client_row *, void *), void *arg,
		    int64_t *total);
	int	(*client_status_count)(struct store *, int64_t partner_id,
		    int64_t user_id, const char *status, unsigned alerts,
		    int64_t *count);
	int	(*client_search_tidy)(struct store *, int pages, int *merged);
	/* n is 1 to CLIENT_LIST_MAX. */
	int	(*client_page_facts)(struct store *, int64_t viewer_id,
		    const int64_t *ids, size_t n,
		    int (*fn)(const struct client_page_fact *, void *),
		    void *arg);

	/*
	 * Expenses; the client's counters change in the same statement or
	 * transaction (store_expense.c).
	 */
	int	(*expense_upsert)(struct store *, int64_t client_id,
		    const struct expense_fields *f, struct expense *out,
		    int *created);
	/* n is at least 1. */
	int	(*expense_upsert_batch)(struct store *, int64_t client_id,
		    const struct expense_fields *f, int n,
		    int (*fn)(const struct expense *, int created, void *),
		    void *arg);
	int	(*expense_get)(struct store *, int64_t client_id, int64_t id,
		    struct expense *out);
	int	(*expense_delete)(struct store *, int64_t client_id,
		    int64_t id, const char *external_id, struct expense *out);
	int	(*expense_set_status)(struct store *, int64_t client_id,
		    int64_t id, const char *receipt_status,
		    const char *export_status, struct expense *out);
	int	(*expense_list)(struct store *, const struct expense_query *q,
		    int (*fn)(const struct expense *, void *), void *arg);
	int	(*expense_months)(struct store *, int64_t client_id, int from,
		    int to, int (*fn)(const struct expense_month *, void *),
		    void *arg);
	int	(*expense_months_of)(struct store *, const int64_t *ids,
		    size_t n, int month,
		    int (*fn)(const struct expense_month *, void *),
		    void *arg);
	int	(*expense_count)(struct store *, const struct expense_query *q,
		    int64_t *total);

	/* Assignments (store_assignee.c). */
	int	(*assignee_list)(struct store *, int64_t client_id,
		    int (*fn)(const struct user *, void *), void *arg);
	int	(*assignee_check)(struct store *, int64_t partner_id,
		    int64_t user_id);
	int	(*assignee_add)(struct store *, int64_t client_id,
		    int64_t user_id);
	int	(*assignee_remove)(struct store *, int64_t client_id,
		    int64_t user_id);
	int	(*assignee_clear)(struct store *, int64_t client_id);

	/* Users (store_user.c). */
	int	(*user_get)(struct store *, int64_t id, struct user *out);
	int	(*user_get_to_change)(struct store *, int64_t id,
		    struct user *out);
	int	(*user_get_by_email)(struct store *, const char *email,
		    struct user *out);
	int	(*user_create)(struct store *, struct user *u);
	int	(*user_update)(struct store *, struct user *u);
	int	(*user_list)(struct store *, int64_t partner_id,
		    int (*fn)(const struct user *, void *), void *arg);
	int	(*user_addresses)(struct store *,
		    int (*fn)(int64_t id, const char *email, void *),
		    void *arg);

	/* Partners (store_partner.c). */
	int	(*partner_create)(struct store *, struct partner *p);
	int	(*partner_get)(struct store *, int64_t id,
		    struct partner *out);
	int	(*partner_list)(struct store *,
		    int (*fn)(const struct partner *, void *), void *arg);

	/* Notification preferences (store_preference.c). */
	int	(*preference_get)(struct store *, int64_t user_id,
		    int64_t client_id, struct preference *out);
	int	(*preference_put)(struct store *, const struct preference *p);
	int	(*preference_renew)(struct store *, int64_t user_id,
		    int64_t client_id);
	int	(*preference_generation)(struct store *, int64_t user_id,
		    const char *frequency, int64_t *generation);
	int	(*preference_list)(struct store *, int64_t user_id,
		    int (*fn)(const struct preference *, const char *,
		    void *), void *arg);
	int	(*preference_each)(struct store *, int64_t user_id,
		    int (*fn)(const struct preference *, void *), void *arg);
	int	(*preference_unsubscribe)(struct store *, int64_t user_id,
		    const char *frequency, int64_t client_id,
		    int64_t generation, int *changed);
	int	(*preference_link_check)(struct store *, int64_t user_id,
		    const char *frequency, int64_t client_id,
		    int64_t generation);

	/* Digests (store_digest.c). */
	int	(*digest_pass_begin)(struct store *, int64_t partner_id);
	void	(*digest_pass_end)(struct store *);
	int	(*digest_due_users)(struct store *, int64_t partner_id,
		    const char *frequency, int64_t slot_at, const char *period,
		    int64_t after_id, int limit,
		    int (*fn)(const struct user *, void *), void *arg);
	int	(*digest_items)(struct store *, int64_t user_id,
		    const char *frequency, int64_t slot_at,
		    int (*fn)(const struct digest_item *, void *), void *arg);
	int	(*digest_record)(struct store *, int64_t user_id,
		    const char *frequency, const char *period, int64_t slot_at,
		    int clients, int64_t outbox_id);
	int	(*digest_seen)(struct store *, int64_t user_id,
		    int64_t client_id, unsigned alerts);

	/* Reminders (store_reminder.c). */
	int	(*reminder_add)(struct store *, struct reminder *r);
	int	(*reminder_add_recipient)(struct store *, int64_t reminder_id,
		    int64_t user_id, int64_t outbox_id);
	int	(*reminder_get)(struct store *, int64_t partner_id, int64_t id,
		    struct reminder *out);
	int	(*reminder_recipients)(struct store *, int64_t reminder_id,
		    int (*fn)(const struct reminder_recipient *, void *),
		    void *arg);
	int	(*reminder_list)(struct store *, int64_t client_id, int limit,
		    int (*fn)(int64_t, void *), void *arg);
	int	(*reminder_context)(struct store *, int64_t partner_id,
		    int64_t client_id, int64_t sender_id, int64_t since,
		    struct partner *firm, struct reminder_recent *recent,
		    int (*fn)(const struct user *, void *), void *arg);
	/*
	 * The page's bounds come as the backend binds them: until is
	 * folded into after_at and after_id (store_reminder.c), which are
	 * set with or without a cursor, so created_at >= since, and
	 * (created_at, id) < (after_at, after_id) with after_at itself
	 * included when after_id is INT64_MAX. until is not to be read.
	 */
	int	(*reminder_page)(struct store *, const struct reminder_query *q,
		    int (*fn)(const struct reminder_item *,
		    const struct reminder_recipient *, void *), void *arg);
	int	(*reminder_failures)(struct store *, int64_t reminder_id,
		    int (*fn)(const struct reminder_failure *, void *),
		    void *arg);
	int	(*reminder_relink)(struct store *, int64_t reminder_id,
		    int64_t user_id, int64_t old_outbox_id,
		    int64_t new_outbox_id);

	/*
	 * The outbox; a claim is one transaction of its own (store_outbox.c).
	 */
	int	(*outbox_add)(struct store *, const char *kind,
		    int64_t user_id, const char *recipient,
		    const char *payload, const char *message_id, int64_t *id);
	int	(*outbox_claim)(struct store *, int64_t now, int64_t until,
		    struct outbox_msg *ms, int max, int *n);
	int	(*outbox_renew)(struct store *, int64_t id, int attempts,
		    int64_t until);
	int	(*outbox_sent)(struct store *, const struct outbox_msg *m,
		    int64_t now);
	int	(*outbox_retry)(struct store *, const struct outbox_msg *m,
		    int64_t next_at, const char *error);
	int	(*outbox_failed)(struct store *, const struct outbox_msg *m,
		    const char *error);
	int	(*outbox_backlog)(struct store *, int64_t *queued,
		    int64_t *failed);
	int	(*outbox_next_due)(struct store *, int64_t *at);

	/* Thresholds and alerts (store_threshold.c). */
	int	(*firm_thresholds_get)(struct store *, int64_t partner_id,
		    struct firm_thresholds *out);
	int	(*firm_thresholds_set)(struct store *, int64_t partner_id,
		    const struct firm_thresholds *);
	int	(*client_thresholds_get)(struct store *, int64_t client_id,
		    struct client_thresholds *out);
	int	(*client_thresholds_set)(struct store *, int64_t client_id,
		    const struct client_thresholds *);
	/* Inside store_alerts_due()'s transaction. */
	int	(*alerts_due)(struct store *, int max, int *n);

	/* The feed of events (store_event.c). */
	int	(*event_list)(struct store *, int64_t partner_id,
		    int64_t after_seq, int limit,
		    int (*fn)(const struct event *, void *), void *arg);
	int	(*tidy_events)(struct store *, int64_t now, int max,
		    int *deleted);

	/* Webhooks (store_webhook.c). */
	int	(*webhook_create)(struct store *, struct webhook_endpoint *e);
	int	(*webhook_get)(struct store *, int64_t partner_id, int64_t id,
		    struct webhook_endpoint *out);
	int	(*webhook_list)(struct store *, int64_t partner_id,
		    int (*fn)(const struct webhook_endpoint *, void *),
		    void *arg);
	int	(*webhook_delete)(struct store *, int64_t partner_id,
		    int64_t id);
	int	(*webhook_set_secret)(struct store *, int64_t partner_id,
		    int64_t id, const char *secret, int64_t now);
	int	(*webhook_set_enabled)(struct store *, int64_t partner_id,
		    int64_t id, int enabled, int64_t now);
	int	(*webhook_attempts)(struct store *, int64_t partner_id,
		    int64_t endpoint_id, int64_t before_id, int limit,
		    int (*fn)(const struct webhook_attempt *, void *),
		    void *arg);
	int	(*webhook_claim)(struct store *, int64_t now, int64_t lease,
		    struct webhook_job *out);
	int	(*webhook_record)(struct store *,
		    const struct webhook_job *job,
		    const struct webhook_outcome *outcome);

	/* API keys (store_api_key.c). */
	int	(*api_key_create)(struct store *, struct api_key *k,
		    const uint8_t hash[API_KEY_HASH_LEN]);
	int	(*api_key_get)(struct store *, int64_t partner_id, int64_t id,
		    struct api_key *out);
	int	(*api_key_list)(struct store *, int64_t partner_id,
		    int64_t after_id, int limit,
		    int (*fn)(const struct api_key *, void *), void *arg,
		    int64_t *total);
	int	(*api_key_revoke)(struct store *, int64_t partner_id,
		    int64_t id, int64_t now);
	int	(*api_key_by_prefix)(struct store *, const char *prefix,
		    struct api_key *out);
	int	(*api_key_touch)(struct store *, int64_t id, int64_t now);

	/* The audit trail (store_audit.c). */
	int	(*audit_add)(struct store *, int64_t partner_id,
		    int64_t user_id, int64_t client_id, const char *action,
		    const char *remote_addr);
	int	(*audit_list)(struct store *, int64_t partner_id,
		    int64_t client_id, int64_t before_id, int limit,
		    int (*fn)(const struct audit_event *, void *), void *arg);

	/* Idempotency keys (store_idempotency.c). */
	int	(*idempotency_find)(struct store *, int64_t user_id,
		    const char *key, struct idempotent_reply *r);
	int	(*idempotency_record)(struct store *, int64_t user_id,
		    const char *key, const struct idempotent_reply *r);

	/*
	 * Login throttling, each call one transaction of its own
	 * (store_login.c).
	 */
	int	(*login_claim)(struct store *, const char *email,
		    const char *source, int64_t now,
		    const struct login_limits *lim, int64_t *retry_after);
	int	(*login_release)(struct store *, const char *email,
		    const char *source);

	/*
	 * Housekeeping, each batch one transaction of its own (store_tidy.c).
	 */
	int	(*tidy_idempotency)(struct store *, int64_t now, int max,
		    int *deleted);
	int	(*tidy_logins)(struct store *, int64_t now, int max,
		    int *deleted);
	int	(*tidy_count)(struct store *, struct table_rows *out);

	/*
	 * copy-to (store_copy.c), tables named as store_copy.c lists them.
	 * copy_read() calls fn with each row of a table in primary key
	 * order (text keys by their bytes), its n values the table's
	 * shared columns in the list's order, as text rendered as
	 * STORE_COPY_CANONICAL says (store_copy.h), NULL for NULL; they
	 * last until fn returns, and fn's -1 stops the read (STORE_ERROR,
	 * no log). The others make the backend a copy's target, and are
	 * NULL where it cannot be one: copy_begin() opens the write
	 * transaction of the whole copy, with no statement timeout, and
	 * sets *empty when no data table holds a row. copy_load_begin(),
	 * copy_load_row() (the values copy_read() gave) and
	 * copy_load_end() write one table's rows; what the target's
	 * schema derives by itself it may leave out. copy_finish() moves
	 * each identity sequence past the highest id, just before the
	 * commit. 0 or -1, logged.
	 */
	int	(*copy_read)(struct store *, const char *table,
		    int (*fn)(const char *const *values, int n, void *),
		    void *arg);
	int	(*copy_begin)(struct store *, int *empty);
	int	(*copy_load_begin)(struct store *, const char *table);
	int	(*copy_load_row)(struct store *, const char *const *values,
		    int n);
	int	(*copy_load_end)(struct store *);
	int	(*copy_finish)(struct store *);
};

/*
 * Appends a value to a COPY text line as STORE_COPY_CANONICAL says,
 * a tab before it unless first: NULL as \N, backslash, tab, newline
 * and carriage return escaped (store_copy.c). 0 or -1 (buf full).
 */
struct buf;
int	store_copy_field(struct buf *, const char *value, int first);

/*
 * The backends built in, each defined by its folder's backend.c; the
 * one a PORTAL_DB names is chosen in store_open() (store.c).
 */
extern const struct store_backend sqlite_backend;
extern const struct store_backend pg_backend;

#endif
