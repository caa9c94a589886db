/*
 * Digest writing. For each firm and frequency, the slot of the current
 * period in the firm's zone; for each user due one, the digest and its
 * outbox email in one transaction, guarded by the unique (user,
 * frequency, period) row so that no run, restart or second worker writes
 * a period twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "../common/alert.h"
#include "../common/json.h"
#include "../common/log.h"
#include "../common/schedule.h"
#include "../common/store_digest.h"
#include "../common/store_expense.h"
#include "../common/store_outbox.h"
#include "../common/store_partner.h"
#include "../common/store_preference.h"
#include "../common/token.h"
#include "../common/tz.h"
#include "digest.h"

/* How long a one-click unsubscribe link in a digest keeps working. */
#define DIGEST_UNSUBSCRIBE_TTL	(90 * 86400)
/* Due users read at a time. */
#define DIGEST_PAGE		1000
/*
 * Digests written in one transaction at most, and the time after which
 * it commits with fewer: one commit to disk per user made a pass of
 * 10,000 users take 3 s, while a transaction held much longer would keep
 * the API's writes waiting.
 */
#define DIGEST_BATCH_MAX	200
#define DIGEST_TX_MS		5

struct digest_partners {
	struct partner	*v;
	size_t		 n, cap;
};

static int
digest_add_partner(const struct partner *p, void *arg)
{
	struct digest_partners	*a = arg;
	struct partner		*v;

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		if ((v = realloc(a->v, a->cap * sizeof(*v))) == NULL)
			return -1;
		a->v = v;
	}
	a->v[a->n++] = *p;
	return 0;
}

/* A client the digest lists, for what is written after the list. */
struct digest_listed {
	int64_t		 client_id;
	unsigned	 alerts, alerts_seen;
	cJSON		*item;		/* in the payload's clients */
};

struct digest_build {
	const struct job	*j;
	cJSON			*clients;
	struct digest_listed	*listed;
	size_t			 cap;
	int			 count;
	int			 outstanding;
};

/* The names of the alerts of bits, in their order, as a JSON array. */
static cJSON *
digest_alert_names(cJSON *o, const char *key, unsigned bits)
{
	cJSON	*a;
	int	 i;

	if ((a = cJSON_AddArrayToObject(o, key)) == NULL)
		return NULL;
	for (i = 0; i < ALERT_COUNT; i++)
		if ((bits & (1u << i)) != 0 &&
		    cJSON_AddItemToArray(a, cJSON_CreateString(alert_names[i]))
		    == 0)
			return NULL;
	return a;
}

/*
 * A client into the digest, most urgent first as the store gives them:
 * one with nothing outstanding (no missing receipt, nothing ready for
 * export, no alert) is left out, and so is one whose setting asks for
 * alerts only while it has none.
 */
static int
digest_add_item(const struct digest_item *it, void *arg)
{
	struct digest_build	*b = arg;
	struct digest_listed	*l;
	cJSON			*o;
	char			 url[512];
	size_t			 cap;
	int			 n;

	if ((it->missing_receipts == 0 && it->export_ready == 0 &&
	    it->alerts == 0) || (it->alerts_only && it->alerts == 0))
		return 0;
	if ((size_t)b->count == b->cap) {
		cap = b->cap ? b->cap * 2 : 16;
		if ((l = reallocarray(b->listed, cap, sizeof(*l))) == NULL)
			return -1;
		b->listed = l;
		b->cap = cap;
	}
	n = snprintf(url, sizeof(url), "%s/clients/%lld", b->j->cfg->app_url,
	    (long long)it->client_id);
	if (n < 0 || (size_t)n >= sizeof(url) ||
	    (o = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddItemToArray(b->clients, o);
	if (json_add_int(o, "id", it->client_id) == NULL ||
	    cJSON_AddStringToObject(o, "name", it->name) == NULL ||
	    json_add_int(o, "balance_minor", it->balance_minor) == NULL ||
	    cJSON_AddStringToObject(o, "currency", it->currency) == NULL ||
	    json_add_int(o, "missing_receipts", it->missing_receipts) ==
	    NULL ||
	    json_add_int(o, "export_ready", it->export_ready) == NULL ||
	    cJSON_AddStringToObject(o, "url", url) == NULL ||
	    digest_alert_names(o, "alerts", it->alerts) == NULL ||
	    digest_alert_names(o, "new_alerts", it->alerts &
	    ~it->alerts_seen) == NULL)
		return -1;
	l = &b->listed[b->count++];
	l->client_id = it->client_id;
	l->alerts = it->alerts;
	l->alerts_seen = it->alerts_seen;
	l->item = o;
	b->outstanding = 1;
	return 0;
}

/* A month's counts over its currencies. */
struct month_sum {
	int64_t	 exported, ready, pending, missing;
};

static int
digest_month_add(const struct expense_month *m, void *arg)
{
	struct month_sum	*s = arg;

	s->exported += m->exported;
	s->ready += m->ready;
	s->pending += m->pending;
	s->missing += m->missing_receipts;
	return 0;
}

/* This month's figures of a listed client, as the overview counts them. */
static int
digest_add_month(struct store *st, struct digest_listed *l, int month)
{
	struct month_sum	 s;
	cJSON			*o;

	memset(&s, 0, sizeof(s));
	if (store_expense_months(st, l->client_id, month, month,
	    digest_month_add, &s) != STORE_OK ||
	    (o = cJSON_AddObjectToObject(l->item, "month")) == NULL ||
	    json_add_int(o, "exported", s.exported) == NULL ||
	    json_add_int(o, "ready", s.ready) == NULL ||
	    json_add_int(o, "pending", s.pending) == NULL ||
	    json_add_int(o, "missing_receipts", s.missing) == NULL)
		return -1;
	return 0;
}

/*
 * What follows the list: each client's month, and the alerts it shows
 * remembered for the next digest to tell what is new.
 */
static int
digest_finish_items(struct store *st, struct digest_build *b,
    int64_t user_id, int month)
{
	struct digest_listed	*l;
	int			 i;

	for (i = 0; i < b->count; i++) {
		l = &b->listed[i];
		if (digest_add_month(st, l, month) == -1)
			return -1;
		if (l->alerts != l->alerts_seen && store_digest_seen(st,
		    user_id, l->client_id, l->alerts) != STORE_OK)
			return -1;
	}
	return 0;
}

/*
 * The one-click link that turns off this user's digests at frequency,
 * for the settings' generation now: it stops working once used or once
 * the user subscribes again.
 */
static int
digest_unsubscribe_url(const struct job *j, const struct user *u,
    const char *frequency, int64_t generation, char *out, size_t outlen)
{
	struct token_claims	 c;
	char			*token = NULL;
	int			 n;

	memset(&c, 0, sizeof(c));
	c.aud = TOKEN_AUD_UNSUBSCRIBE;
	c.user_id = u->id;
	c.partner_id = u->partner_id;
	(void)snprintf(c.scope, sizeof(c.scope), "%s", frequency);
	c.generation = generation;
	/*
	 * Real time, not the pass's (--now replays a schedule): the API
	 * checks the token against its own clock.
	 */
	c.iat = (int64_t)time(NULL);
	c.exp = c.iat + DIGEST_UNSUBSCRIBE_TTL;
	if (token_issue(j->cfg->secret, j->cfg->secret_len, &c, &token) == -1)
		return -1;
	n = snprintf(out, outlen, "%s/v1/unsubscribe?token=%s",
	    j->cfg->public_url, token);
	free(token);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/*
 * One user's digest, whole or not at all. 0 written or skipped or done
 * already by someone else, -1 on a fault.
 */
/*
 * One user's digest and its outbox email, in the caller's transaction.
 * STORE_OK with *queued (0: skipped, nothing outstanding), STORE_CONFLICT
 * when another worker wrote this period first, or STORE_ERROR.
 */
static int
digest_write_user(struct job *j, const struct partner *p,
    const struct user *u, const char *frequency, const char *period,
    int64_t slot, int *queued)
{
	struct store		*st = j->store;
	struct digest_build	 b;
	cJSON			*doc = NULL, *to;
	char			*payload = NULL, unsub[1024], msgid[160];
	char			 manage[512];
	int64_t			 outbox_id = 0, generation;
	int			 month, r = STORE_ERROR;

	memset(&b, 0, sizeof(b));
	b.j = j;
	if ((doc = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(doc, "kind", "digest") == NULL ||
	    cJSON_AddStringToObject(doc, "locale", u->locale[0] != '\0' ?
	    u->locale : p->locale) == NULL ||
	    (to = cJSON_AddObjectToObject(doc, "to")) == NULL ||
	    cJSON_AddStringToObject(to, "email", u->email) == NULL ||
	    cJSON_AddStringToObject(to, "name", u->name) == NULL ||
	    cJSON_AddStringToObject(doc, "firm", p->name) == NULL ||
	    json_add_int(doc, "firm_id", p->id) == NULL ||
	    cJSON_AddStringToObject(doc, "frequency", frequency) == NULL ||
	    cJSON_AddStringToObject(doc, "period", period) == NULL ||
	    config_app_link(j->cfg, CONFIG_NOTIFICATIONS_PATH, manage,
	    sizeof(manage)) == -1 ||
	    cJSON_AddStringToObject(doc, "manage_url", manage) == NULL ||
	    (b.clients = cJSON_AddArrayToObject(doc, "clients")) == NULL)
		goto out;
	if (store_digest_items(st, u->id, frequency, slot, digest_add_item,
	    &b) != STORE_OK)
		goto out;
	if (b.outstanding) {
		/* The month of the slot in the firm's zone. */
		if ((month = tz_month(p->timezone, slot)) == -1 ||
		    digest_finish_items(st, &b, u->id, month) == -1)
			goto out;
		/* Read with the items: the link covers what the digest lists. */
		if (store_preference_generation(st, u->id, frequency,
		    &generation) != STORE_OK ||
		    digest_unsubscribe_url(j, u, frequency, generation, unsub,
		    sizeof(unsub)) == -1 ||
		    cJSON_AddStringToObject(doc, "unsubscribe_url", unsub) ==
		    NULL)
			goto out;
		(void)snprintf(msgid, sizeof(msgid), "digest.%lld.%s.%s@%s",
		    (long long)u->id, frequency, period, config_mail_domain(j->cfg));
		if ((payload = cJSON_PrintUnformatted(doc)) == NULL)
			goto out;
		r = store_outbox_add(st, "digest", u->id, u->email, payload,
		    msgid, &outbox_id);
		if (r != STORE_OK)
			goto out;
	}
	r = store_digest_record(st, u->id, frequency, period, slot, b.count,
	    outbox_id);
	if (r == STORE_OK)
		*queued = b.outstanding;
out:
	free(b.listed);
	cJSON_free(payload);
	cJSON_Delete(doc);
	return r;
}

/*
 * Users' digests in one transaction, until they are written or the
 * transaction has run for DIGEST_TX_MS: one commit for many users, yet
 * short enough for the API's writes waiting behind it. Returns how many
 * were written (kept with the commit), or -1 on failure, or 0 with
 * *conflict set when another worker wrote one of them first (nothing
 * kept: the caller writes them one by one).
 */
static int
digest_write_batch(struct job *j, const struct partner *p,
    const struct user *users, size_t n, const char *frequency,
    const char *period, int64_t slot, struct digest_stats *stats,
    int *conflict)
{
	struct timespec	 t0, t;
	int		 written = 0, skipped = 0, queued, r;
	size_t		 i;

	*conflict = 0;
	if (store_begin(j->store) == -1)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		r = digest_write_user(j, p, &users[i], frequency, period,
		    slot, &queued);
		if (r != STORE_OK) {
			store_rollback(j->store);
			*conflict = r == STORE_CONFLICT;
			return r == STORE_CONFLICT ? 0 : -1;
		}
		if (queued)
			written++;
		else
			skipped++;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 >= DIGEST_TX_MS) {
			i++;
			break;
		}
	}
	if (store_commit(j->store) == -1)
		return -1;
	stats->written += written;
	stats->skipped += skipped;
	log_info("digests %s %s of partner %lld, users %lld to %lld: %d "
	    "queued, %d skipped (nothing outstanding)", frequency, period,
	    (long long)p->id, (long long)users[0].id,
	    (long long)users[i - 1].id, written, skipped);
	return (int)i;
}

/* One user's digest in a transaction of its own (after a conflict). */
static int
digest_write_one(struct job *j, const struct partner *p,
    const struct user *u, const char *frequency, const char *period,
    int64_t slot, struct digest_stats *stats)
{
	int	 queued, r;

	if (store_begin(j->store) == -1)
		return -1;
	r = digest_write_user(j, p, u, frequency, period, slot, &queued);
	if (r == STORE_CONFLICT) {
		/* Another worker wrote this period first: leave it theirs. */
		store_rollback(j->store);
		return 0;
	}
	if (r != STORE_OK) {
		store_rollback(j->store);
		return -1;
	}
	if (store_commit(j->store) == -1)
		return -1;
	if (queued)
		stats->written++;
	else
		stats->skipped++;
	log_info("digest %s %s for user %lld: %s", frequency, period,
	    (long long)u->id, queued ? "queued" :
	    "skipped (nothing outstanding)");
	return 0;
}

/* The due users of a page, in batches. 0, or -1 when one failed. */
static int
digest_write_page(struct job *j, const struct partner *p,
    const struct user_list *users, const char *frequency,
    const char *period, int64_t slot, struct digest_stats *stats)
{
	size_t	 k = 0, end;
	int	 n, conflict, rc = 0;

	while (k < users->n && !job_stopping(j)) {
		end = users->n - k < DIGEST_BATCH_MAX ? users->n :
		    k + DIGEST_BATCH_MAX;
		n = digest_write_batch(j, p, &users->v[k], end - k, frequency,
		    period, slot, stats, &conflict);
		if (n > 0) {
			k += (size_t)n;
			continue;
		}
		if (!conflict) {
			rc = -1;
			k = end;	/* the next batch may go through */
			continue;
		}
		for (; k < end && !job_stopping(j); k++)
			if (digest_write_one(j, p, &users->v[k], frequency,
			    period, slot, stats) == -1)
				rc = -1;
	}
	return rc;
}

static int
digest_run_partner(struct job *j, const struct partner *p, int64_t now,
    struct digest_stats *stats)
{
	static const enum schedule_freq freqs[] = {
		SCHEDULE_DAILY, SCHEDULE_WEEKLY, SCHEDULE_MONTHLY
	};
	struct user_list	 users;
	const char		*freq;
	char			 period[SCHEDULE_PERIOD_MAX];
	int64_t			 slot, after;
	size_t			 i;
	int			 r, rc = 0;

	memset(&users, 0, sizeof(users));
	for (i = 0; i < sizeof(freqs) / sizeof(freqs[0]); i++) {
		freq = schedule_freq_name(freqs[i]);
		r = schedule_current_slot(p->timezone, freqs[i], now, &slot);
		if (r == 1)
			continue;	/* this period's slot has not come */
		if (r == -1 || schedule_period(p->timezone, freqs[i], slot,
		    period, sizeof(period)) == -1) {
			log_warnx("partner %lld: no schedule in zone %s",
			    (long long)p->id, p->timezone);
			rc = -1;
			break;
		}
		/*
		 * A page of users at a time, read before their writes: memory
		 * stays flat whatever the firm's size, and the ones written
		 * are no longer due when the next page is read.
		 */
		after = 0;
		do {
			users.n = 0;
			if (store_digest_due_users(j->store, p->id, freq, slot,
			    period, after, DIGEST_PAGE, user_list_add,
			    &users) != STORE_OK) {
				rc = -1;
				break;
			}
			if (users.n == 0)
				break;
			after = users.v[users.n - 1].id;
			if (digest_write_page(j, p, &users, freq, period,
			    slot, stats) == -1)
				rc = -1;
		} while (users.n == DIGEST_PAGE && !job_stopping(j));
	}
	free(users.v);
	return rc;
}

int
digest_run(struct job *j, int64_t now, struct digest_stats *stats)
{
	struct digest_partners	 partners;
	size_t			 i;
	int			 rc = 0;

	memset(&partners, 0, sizeof(partners));
	if (store_partner_list(j->store, digest_add_partner, &partners) !=
	    STORE_OK) {
		free(partners.v);
		return -1;
	}
	for (i = 0; i < partners.n && !job_stopping(j); i++) {
		/* Each firm's pass is one worker's at a time. */
		switch (store_digest_pass_begin(j->store, partners.v[i].id)) {
		case STORE_OK:
			break;
		case STORE_CONFLICT:
			log_info("partner %lld: another worker is writing its "
			    "digests", (long long)partners.v[i].id);
			continue;
		default:
			rc = -1;
			continue;
		}
		if (digest_run_partner(j, &partners.v[i], now, stats) == -1)
			rc = -1;
		store_digest_pass_end(j->store);
	}
	free(partners.v);
	return rc;
}
