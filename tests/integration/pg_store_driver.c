/*
 * Runs one store operation on the database PORTAL_DB names and prints
 * its result as one JSON line, for tests/integration/test_pg_store_mail.py:
 * the mail side of the PostgreSQL store (expenses, preferences, digests,
 * reminders, the outbox) through the store's calls, before the client
 * operations that the API's routes and the worker also need exist.
 *
 *	pg_store_driver <operation> [argument ...]
 *
 * "-" is NULL where a call takes one. Every line has "rc", the STORE_*
 * result; the rest as each operation below prints.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/store.h"
#include "../../common/store_digest.h"
#include "../../common/store_expense.h"
#include "../../common/store_outbox.h"
#include "../../common/store_preference.h"
#include "../../common/store_reminder.h"
#include "../../common/store_user.h"

static char	**args;
static int	  nargs;

static const char *
arg_s(int i)
{
	if (i >= nargs) {
		fprintf(stderr, "missing argument %d\n", i + 1);
		exit(2);
	}
	return strcmp(args[i], "-") == 0 ? NULL : args[i];
}

static int64_t
arg_i(int i)
{
	const char	*s = arg_s(i);

	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

/* s as a JSON string (the tests' text needs only these escapes). */
static void
put_str(const char *s)
{
	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static int	first;

static int
put_id(int64_t id, void *arg)
{
	(void)arg;
	printf("%s%lld", first ? "" : ",", (long long)id);
	first = 0;
	return 0;
}

static int
put_user(const struct user *u, void *arg)
{
	return put_id(u->id, arg);
}

static int
put_expense(const struct expense *e, void *arg)
{
	return put_id(e->id, arg);
}

static int
put_preference(const struct preference *p, void *arg)
{
	(void)arg;
	printf("%s{\"client\":%lld,\"email\":%d,\"frequency\":",
	    first ? "" : ",", (long long)p->client_id, p->email);
	put_str(p->frequency);
	printf(",\"generation\":%lld}", (long long)p->generation);
	first = 0;
	return 0;
}

/* A listed preference: its client's name is not the driver's. */
static int
put_listed(const struct preference *p, const char *client_name, void *arg)
{
	(void)client_name;
	return put_preference(p, arg);
}

static int
put_item(const struct digest_item *it, void *arg)
{
	(void)arg;
	printf("%s{\"id\":%lld,\"name\":", first ? "" : ",",
	    (long long)it->client_id);
	put_str(it->name);
	printf(",\"missing\":%lld,\"ready\":%lld}",
	    (long long)it->missing_receipts, (long long)it->export_ready);
	first = 0;
	return 0;
}

static int
put_recipient(const struct reminder_recipient *r, void *arg)
{
	(void)arg;
	printf("%s{\"user\":%lld,\"name\":", first ? "" : ",",
	    (long long)r->user_id);
	put_str(r->name);
	fputs(",\"email\":", stdout);
	put_str(r->email);
	fputs(",\"status\":", stdout);
	put_str(r->status);
	fputs(",\"error\":", stdout);
	put_str(r->error);
	fputs(",\"reason\":", stdout);
	put_str(r->reason);
	printf(",\"sent_at\":%lld}", (long long)r->sent_at);
	first = 0;
	return 0;
}

static void
put_expense_row(int rc, const struct expense *e)
{
	printf("{\"rc\":%d", rc);
	if (rc == STORE_OK) {
		printf(",\"id\":%lld,\"external_id\":", (long long)e->id);
		put_str(e->external_id);
		printf(",\"amount_minor\":%lld,\"receipt\":",
		    (long long)e->amount_minor);
		put_str(e->receipt_status);
		fputs(",\"export\":", stdout);
		put_str(e->export_status);
	}
}

static int
expense_cmd(struct store *st, const char *op)
{
	struct expense_fields	 f;
	struct expense_query	 q;
	struct expense		 e;
	int64_t			 total = 0;
	int			 rc, created = -1;

	if (strcmp(op, "expense-upsert") == 0) {
		memset(&f, 0, sizeof(f));
		f.external_id = arg_s(1);
		f.amount_minor = arg_i(2);
		f.currency = "SEK";
		f.spent_at = 1700000000;
		f.merchant = "SJ";
		f.receipt_status = arg_s(3);
		f.export_status = arg_s(4);
		rc = store_expense_upsert(st, arg_i(0), &f, &e, &created);
		put_expense_row(rc, &e);
		printf(",\"created\":%d}\n", created);
	} else if (strcmp(op, "expense-get") == 0) {
		rc = store_expense_get(st, arg_i(0), arg_i(1), &e);
		put_expense_row(rc, &e);
		puts("}");
	} else if (strcmp(op, "expense-status") == 0) {
		rc = store_expense_set_status(st, arg_i(0), arg_i(1), arg_s(2),
		    arg_s(3), &e);
		put_expense_row(rc, &e);
		puts("}");
	} else if (strcmp(op, "expense-list") == 0) {
		memset(&q, 0, sizeof(q));
		q.client_id = arg_i(0);
		q.receipt_status = arg_s(1);
		q.export_status = arg_s(2);
		q.after_id = arg_i(3);
		q.limit = (int)arg_i(4);
		fputs("{\"ids\":[", stdout);
		rc = store_expense_list(st, &q, put_expense, NULL);
		if (rc == STORE_OK)
			rc = store_expense_count(st, &q, &total);
		printf("],\"count\":%lld,\"rc\":%d}\n", (long long)total, rc);
	} else
		return -1;
	return 0;
}

static int
preference_cmd(struct store *st, const char *op)
{
	struct preference	 p;
	int64_t			 gen = 0;
	int			 rc, changed = 0;

	if (strcmp(op, "pref-put") == 0) {
		memset(&p, 0, sizeof(p));
		p.user_id = arg_i(0);
		p.client_id = arg_i(1);
		p.email = (int)arg_i(2);
		(void)snprintf(p.frequency, sizeof(p.frequency), "%s",
		    arg_s(3));
		p.starts_at = arg_i(4);
		p.updated_at = store_now();
		printf("{\"rc\":%d}\n", store_preference_put(st, &p));
	} else if (strcmp(op, "pref-get") == 0) {
		rc = store_preference_get(st, arg_i(0), arg_i(1), &p);
		printf("{\"rc\":%d", rc);
		if (rc == STORE_OK) {
			first = 1;
			fputs(",\"row\":", stdout);
			(void)put_preference(&p, NULL);
		}
		puts("}");
	} else if (strcmp(op, "pref-renew") == 0) {
		/* In a transaction, as the API's route: the lock lasts. */
		if (store_begin(st) == -1)
			rc = STORE_ERROR;
		else if ((rc = store_preference_renew(st, arg_i(0),
		    arg_i(1))) == STORE_OK && store_commit(st) == -1)
			rc = STORE_ERROR;
		if (rc != STORE_OK)
			store_rollback(st);
		printf("{\"rc\":%d}\n", rc);
	} else if (strcmp(op, "pref-generation") == 0) {
		rc = store_preference_generation(st, arg_i(0), arg_s(1), &gen);
		printf("{\"rc\":%d,\"generation\":%lld}\n", rc,
		    (long long)gen);
	} else if (strcmp(op, "pref-list") == 0) {
		fputs("{\"rows\":[", stdout);
		rc = store_preference_list(st, arg_i(0), put_listed, NULL);
		printf("],\"rc\":%d}\n", rc);
	} else if (strcmp(op, "unsubscribe") == 0) {
		/* As the API's route: the check and the change together. */
		if (store_begin(st) == -1)
			rc = STORE_ERROR;
		else if ((rc = store_preference_unsubscribe(st, arg_i(0),
		    arg_s(1), arg_i(2), arg_i(3), &changed)) == STORE_OK &&
		    store_commit(st) == -1)
			rc = STORE_ERROR;
		if (rc != STORE_OK)
			store_rollback(st);
		printf("{\"rc\":%d,\"changed\":%d}\n", rc, changed);
	} else
		return -1;
	return 0;
}

static int
digest_cmd(struct store *st, const char *op)
{
	int	 rc;

	if (strcmp(op, "digest-users") == 0) {
		fputs("{\"ids\":[", stdout);
		rc = store_digest_due_users(st, arg_i(0), arg_s(1), arg_i(2),
		    arg_s(3), 0, INT_MAX, put_user, NULL);
		printf("],\"rc\":%d}\n", rc);
	} else if (strcmp(op, "digest-items") == 0) {
		fputs("{\"items\":[", stdout);
		rc = store_digest_items(st, arg_i(0), arg_s(1), arg_i(2),
		    put_item, NULL);
		printf("],\"rc\":%d}\n", rc);
	} else if (strcmp(op, "digest-record") == 0) {
		/* In a transaction, as the worker writes it. */
		if (store_begin(st) == -1)
			rc = STORE_ERROR;
		else if ((rc = store_digest_record(st, arg_i(0), arg_s(1),
		    arg_s(2), arg_i(3), (int)arg_i(4), arg_i(5))) ==
		    STORE_OK && store_commit(st) == -1)
			rc = STORE_ERROR;
		if (rc != STORE_OK)
			store_rollback(st);
		printf("{\"rc\":%d}\n", rc);
	} else
		return -1;
	return 0;
}

static int
reminder_cmd(struct store *st, const char *op)
{
	struct reminder		 r;
	struct reminder_recent	 recent;
	struct partner		 firm;
	int			 rc;

	memset(&r, 0, sizeof(r));
	if (strcmp(op, "reminder-add") == 0) {
		r.partner_id = arg_i(0);
		r.client_id = arg_i(1);
		r.sender_id = arg_i(2);
		r.tasks_json = (char *)arg_s(3);
		r.comment = (char *)arg_s(4);
		r.created_at = arg_i(5);
		rc = store_reminder_add(st, &r);
		printf("{\"rc\":%d,\"id\":%lld,\"created_at\":%lld}\n", rc,
		    (long long)r.id, (long long)r.created_at);
	} else if (strcmp(op, "reminder-recipient") == 0) {
		printf("{\"rc\":%d}\n", store_reminder_add_recipient(st,
		    arg_i(0), arg_i(1), arg_i(2)));
	} else if (strcmp(op, "reminder-get") == 0) {
		rc = store_reminder_get(st, arg_i(0), arg_i(1), &r);
		printf("{\"rc\":%d", rc);
		if (rc == STORE_OK) {
			printf(",\"client\":%lld,\"sender\":%lld,"
			    "\"sender_name\":", (long long)r.client_id,
			    (long long)r.sender_id);
			put_str(r.sender_name);
			printf(",\"tasks\":%s,\"comment\":", r.tasks_json);
			put_str(r.comment);
			printf(",\"created_at\":%lld", (long long)r.created_at);
			reminder_cleanup(&r);
		}
		puts("}");
	} else if (strcmp(op, "reminder-recipients") == 0) {
		fputs("{\"rows\":[", stdout);
		rc = store_reminder_recipients(st, arg_i(0), put_recipient,
		    NULL);
		printf("],\"rc\":%d}\n", rc);
	} else if (strcmp(op, "reminder-list") == 0) {
		fputs("{\"ids\":[", stdout);
		rc = store_reminder_list(st, arg_i(0), (int)arg_i(1), put_id,
		    NULL);
		printf("],\"rc\":%d}\n", rc);
	} else if (strcmp(op, "reminder-context") == 0) {
		fputs("{\"ids\":[", stdout);
		rc = store_reminder_context(st, arg_i(0), arg_i(1), arg_i(2),
		    arg_i(3), &firm, &recent, put_user, NULL);
		printf("],\"rc\":%d", rc);
		if (rc == STORE_OK) {
			fputs(",\"firm\":", stdout);
			put_str(firm.name);
			printf(",\"recent\":[%lld,%lld,%lld,%lld]",
			    (long long)recent.by_client,
			    (long long)recent.client_oldest,
			    (long long)recent.by_sender,
			    (long long)recent.sender_oldest);
		}
		puts("}");
	} else
		return -1;
	return 0;
}

#define CLAIM_BATCH_MAX	16

/* One claimed message as JSON, after a comma unless first. */
static void
outbox_claim_put(const struct outbox_msg *m, int comma)
{
	printf("%s{\"id\":%lld,\"attempts\":%d,\"kind\":", comma ? "," : "",
	    (long long)m->id, m->attempts);
	put_str(m->kind);
	fputs(",\"recipient\":", stdout);
	put_str(m->recipient);
	fputs(",\"message_id\":", stdout);
	put_str(m->message_id);
	fputs(",\"cancel\":", stdout);
	put_str(m->cancel_reason);
	printf(",\"payload\":%s}", m->payload);
}

static int
outbox_cmd(struct store *st, const char *op)
{
	struct outbox_msg	 m, ms[CLAIM_BATCH_MAX];
	int64_t			 id = 0, a = 0, b = 0;
	int			 rc, i, k, max, batch, got = 0;

	memset(&m, 0, sizeof(m));
	if (strcmp(op, "outbox-add") == 0) {
		rc = store_outbox_add(st, arg_s(0), arg_i(1), arg_s(2),
		    arg_s(3), arg_s(4), &id);
		printf("{\"rc\":%d,\"id\":%lld}\n", rc, (long long)id);
	} else if (strcmp(op, "claim") == 0) {
		/*
		 * Up to max claims, batch at a time (one transaction each),
		 * until none is due.
		 */
		max = nargs > 2 ? (int)arg_i(2) : 1;
		batch = nargs > 3 ? (int)arg_i(3) : 1;
		if (batch < 1 || batch > CLAIM_BATCH_MAX)
			batch = 1;
		fputs("{\"claims\":[", stdout);
		rc = STORE_OK;
		for (i = 0; i < max; i += got) {
			if ((rc = store_outbox_claim(st, arg_i(0), arg_i(1),
			    ms, batch < max - i ? batch : max - i,
			    &got)) != STORE_OK)
				break;
			for (k = 0; k < got; k++) {
				outbox_claim_put(&ms[k], i + k > 0);
				outbox_msg_cleanup(&ms[k]);
			}
		}
		printf("],\"rc\":%d}\n", rc);
	} else if (strcmp(op, "renew") == 0) {
		printf("{\"rc\":%d}\n", store_outbox_renew(st, arg_i(0),
		    (int)arg_i(1), arg_i(2)));
	} else if (strcmp(op, "sent") == 0 || strcmp(op, "retry") == 0 ||
	    strcmp(op, "failed") == 0) {
		m.id = arg_i(0);
		m.attempts = (int)arg_i(1);
		if (op[0] == 's')
			rc = store_outbox_sent(st, &m, arg_i(2));
		else if (op[0] == 'r')
			rc = store_outbox_retry(st, &m, arg_i(2), arg_s(3));
		else
			rc = store_outbox_failed(st, &m, arg_s(2));
		printf("{\"rc\":%d}\n", rc);
	} else if (strcmp(op, "backlog") == 0) {
		rc = store_outbox_backlog(st, &a, &b);
		printf("{\"rc\":%d,\"queued\":%lld,\"failed\":%lld}\n", rc,
		    (long long)a, (long long)b);
	} else if (strcmp(op, "next-due") == 0) {
		rc = store_outbox_next_due(st, &a);
		printf("{\"rc\":%d,\"at\":%lld}\n", rc, (long long)a);
	} else
		return -1;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct store	*st;
	const char	*db = getenv("PORTAL_DB");
	int		 rc;

	if (argc < 2 || db == NULL) {
		fprintf(stderr, "usage: PORTAL_DB=uri pg_store_driver "
		    "operation [argument ...]\n");
		return 2;
	}
	args = argv + 2;
	nargs = argc - 2;
	first = 1;
	store_global_init(&(struct store_settings){ .pool = 4,
	    .timeout_ms = 5000 });
	if ((st = store_open(db, 0)) == NULL)
		return 1;
	if (expense_cmd(st, argv[1]) == -1 &&
	    preference_cmd(st, argv[1]) == -1 &&
	    digest_cmd(st, argv[1]) == -1 &&
	    reminder_cmd(st, argv[1]) == -1 &&
	    outbox_cmd(st, argv[1]) == -1) {
		fprintf(stderr, "unknown operation %s\n", argv[1]);
		rc = 2;
	} else
		rc = 0;
	store_close(st);
	return rc;
}
