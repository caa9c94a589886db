/*
 * The digest benchmark's data set, written through the project's own store
 * functions (no SQL here): one Swedish firm, N bookkeepers each assigned
 * and weekly subscribed to 3-5 clients, and the clients' expenses.
 *
 *   seed-digest DB USERS CLIENTS STARTS_AT
 *
 * DB must not exist. STARTS_AT (Unix seconds, a Monday 10:00 in
 * Copenhagen) is every subscription's first slot. One user in ten is
 * assigned only "clear" clients (nothing outstanding), so the worker
 * skips exactly those digests; the others have at least one client with
 * missing receipts or export-ready expenses. Prints what it made, then a
 * last line "expect_written=W expect_skipped=S" for scripts/bench-digest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../common/log.h"
#include "../../common/password.h"
#include "../../common/store.h"
#include "../../common/store_assignee.h"
#include "../../common/store_client.h"
#include "../../common/store_expense.h"
#include "../../common/store_partner.h"
#include "../../common/store_preference.h"
#include "../../common/store_user.h"
#include "../../common/text.h"

#define SEED_BATCH		1000	/* rows of a kind per transaction */
#define SEED_USERS_MAX		1000000
/* Enough clear clients (one in five) for a quiet user's five. */
#define SEED_CLIENTS_MIN	25
#define SEED_CLIENTS_MAX	1000000
#define SEED_PER_USER_MAX	5
/* One user in SEED_QUIET_EVERY sees only clear clients. */
#define SEED_QUIET_EVERY	10
/* One client in SEED_CLEAR_EVERY has nothing outstanding. */
#define SEED_CLEAR_EVERY	5

struct seed_counts {
	long long	 users, quiet, clients, clear, assignments, expenses;
};

/* A fixed xorshift: the same data set on every run and every libc. */
static uint64_t	 seed_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
seed_rand(uint32_t n)
{
	seed_state ^= seed_state << 13;
	seed_state ^= seed_state >> 7;
	seed_state ^= seed_state << 17;
	return (uint32_t)(seed_state % n);
}

static double
seed_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* Commits every SEED_BATCH-th call and opens the next transaction. */
static int
seed_batch(struct store *st, long long i)
{
	if (i % SEED_BATCH != SEED_BATCH - 1)
		return 0;
	if (store_commit(st) == -1)
		return -1;
	return store_begin(st);
}

static int
seed_clients(struct store *st, const struct partner *p, long long n,
    int64_t *ids, struct seed_counts *c)
{
	static const char *const first[] = {
		"Åkesson", "Øster", "Ærø", "Söderström", "Björk", "Fjällräv",
		"Kärnhus", "Östlund", "Håkansson", "Nørgaard", "Lindqvist",
		"Ängel"
	};
	static const char *const second[] = {
		"Bygg", "Fisk & Skaldjur", "Måleri", "Trädgård", "Café",
		"Elektriska", "Snickeri", "Rörläggning", "Bageri"
	};
	struct client	 cl;
	long long	 i;
	int		 w;

	for (i = 0; i < n; i++) {
		memset(&cl, 0, sizeof(cl));
		cl.partner_id = p->id;
		w = snprintf(cl.name, sizeof(cl.name), "%s %s %lld AB",
		    first[i % 12], second[(i / 12) % 9], i + 1);
		if (w < 0 || (size_t)w >= sizeof(cl.name))
			return -1;
		(void)snprintf(cl.org_number, sizeof(cl.org_number),
		    "556%07lld", i + 1);
		memcpy(cl.status, "active", sizeof("active"));
		memcpy(cl.currency, "SEK", 4);
		if (store_client_create(st, p->locale, &cl) != STORE_OK)
			return -1;
		client_cleanup(&cl);
		if (store_client_set_balance(st, cl.id,
		    (int64_t)seed_rand(5000000) - 1000000, "SEK") != STORE_OK)
			return -1;
		ids[i] = cl.id;
		c->clients++;
		if (i % SEED_CLEAR_EVERY == 0)
			c->clear++;
		if (seed_batch(st, i) == -1)
			return -1;
	}
	return 0;
}

/*
 * Client i of a busy kind (i % SEED_CLEAR_EVERY != 0) gets 1-3 expenses
 * missing a receipt and 0-3 ready for export; every client gets one
 * settled expense that counts for nothing.
 */
static int
seed_expenses(struct store *st, long long n, const int64_t *ids,
    struct seed_counts *c)
{
	struct expense_fields	 f;
	struct expense		 out;
	char			 ext[64];
	long long		 i, k, missing, ready, calls = 0;
	int			 created;

	for (i = 0; i < n; i++) {
		missing = i % SEED_CLEAR_EVERY ? 1 + i % 3 : 0;
		ready = i % SEED_CLEAR_EVERY ? i % 4 : 0;
		for (k = 0; k < missing + ready + 1; k++) {
			memset(&f, 0, sizeof(f));
			(void)snprintf(ext, sizeof(ext), "bench-%lld-%lld", i,
			    k);
			f.external_id = ext;
			f.amount_minor = 1000 + (int64_t)seed_rand(500000);
			f.currency = "SEK";
			f.spent_at = 1767225600 + (int64_t)seed_rand(86400 * 4);
			f.merchant = "Café Ødegård Smörgåsbar";
			if (k < missing) {
				f.receipt_status = "missing";
				f.export_status = "pending";
			} else if (k < missing + ready) {
				f.receipt_status = "attached";
				f.export_status = "ready";
			} else {
				f.receipt_status = "not_required";
				f.export_status = "exported";
			}
			if (store_expense_upsert(st, ids[i], &f, &out,
			    &created) != STORE_OK || seed_batch(st, calls++) ==
			    -1)
				return -1;
			c->expenses++;
		}
	}
	return 0;
}

/* Picks k distinct client indexes, clear ones only for a quiet user. */
static int
seed_pick(long long nclients, int quiet, long long *pick)
{
	long long	 nclear = (nclients + SEED_CLEAR_EVERY - 1) /
			    SEED_CLEAR_EVERY, j;
	int		 k = 3 + (int)seed_rand(3), have = 0, i, dup;

	while (have < k) {
		if (quiet)
			j = (long long)seed_rand((uint32_t)nclear) *
			    SEED_CLEAR_EVERY;
		else if (have == 0)	/* at least one busy client */
			do
				j = seed_rand((uint32_t)nclients);
			while (j % SEED_CLEAR_EVERY == 0);
		else
			j = seed_rand((uint32_t)nclients);
		for (dup = 0, i = 0; i < have; i++)
			dup |= pick[i] == j;
		if (!dup)
			pick[have++] = j;
	}
	return k;
}

static int
seed_users(struct store *st, const struct partner *p, long long n,
    long long nclients, const int64_t *ids, int64_t starts_at,
    struct seed_counts *c)
{
	struct user		 u;
	struct preference	 pref;
	long long		 i, pick[SEED_PER_USER_MAX];
	char			 hash[USER_HASH_MAX];
	int			 k, j, quiet;

	/* One yescrypt hash for all: seeding must not take 10,000 of them. */
	if (password_hash("bench-digest-password", hash, sizeof(hash)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		memset(&u, 0, sizeof(u));
		u.partner_id = p->id;
		u.role = ROLE_BOOKKEEPER;
		u.active = 1;
		(void)snprintf(u.email, sizeof(u.email),
		    "bokforare%06lld@bench.example", i + 1);
		(void)snprintf(u.name, sizeof(u.name),
		    "Bokförare Åsa Ørsted %lld", i + 1);
		memcpy(u.password_hash, hash, sizeof(u.password_hash));
		if (store_user_create(st, &u) != STORE_OK)
			return -1;
		c->users++;
		quiet = i % SEED_QUIET_EVERY == 0;
		c->quiet += quiet;
		k = seed_pick(nclients, quiet, pick);
		for (j = 0; j < k; j++) {
			memset(&pref, 0, sizeof(pref));
			pref.user_id = u.id;
			pref.client_id = ids[pick[j]];
			pref.email = 1;
			memcpy(pref.frequency, "weekly", sizeof("weekly"));
			pref.starts_at = starts_at;
			pref.updated_at = starts_at - 4 * 86400;
			if (store_assignee_add(st, pref.client_id, u.id) !=
			    STORE_OK || store_preference_put(st, &pref) !=
			    STORE_OK)
				return -1;
			c->assignments++;
		}
		if (seed_batch(st, i) == -1)
			return -1;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: seed-digest DB USERS CLIENTS STARTS_AT\n");
}

int
main(int argc, char **argv)
{
	struct store		*st = NULL;
	struct partner		 p;
	struct seed_counts	 c;
	struct timespec		 t0, t1;
	long long		 nusers, nclients, starts_at;
	int64_t			*ids = NULL;
	int			 rc = 1, open_tx = 0;

	if (argc != 5 ||
	    text_parse_int(argv[2], 1, SEED_USERS_MAX, &nusers) == -1 ||
	    text_parse_int(argv[3], SEED_CLIENTS_MIN, SEED_CLIENTS_MAX,
	    &nclients) == -1 ||
	    text_parse_int(argv[4], 0, INT64_MAX / 2, &starts_at) == -1) {
		usage();
		return 2;
	}
	log_init("seed-digest", LOG_LEVEL_WARN);
	if (access(argv[1], F_OK) == 0) {
		fprintf(stderr, "seed-digest: %s exists; remove it first\n",
		    argv[1]);
		return 1;
	}
	memset(&c, 0, sizeof(c));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((ids = calloc((size_t)nclients, sizeof(*ids))) == NULL ||
	    (st = store_open(argv[1], 1)) == NULL || store_migrate(st) == -1)
		goto out;

	memset(&p, 0, sizeof(p));
	(void)snprintf(p.name, sizeof(p.name), "Bänkbyrån Revision AB");
	memcpy(p.locale, "sv", 3);
	(void)snprintf(p.timezone, sizeof(p.timezone), "Europe/Copenhagen");
	if (store_begin(st) == -1)
		goto out;
	open_tx = 1;
	if (store_partner_create(st, &p) != STORE_OK ||
	    seed_clients(st, &p, nclients, ids, &c) == -1 ||
	    seed_expenses(st, nclients, ids, &c) == -1 ||
	    seed_users(st, &p, nusers, nclients, ids, (int64_t)starts_at,
	    &c) == -1 || store_commit(st) == -1)
		goto out;
	open_tx = 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);

	printf("seed-digest: 1 firm (sv, Europe/Copenhagen); %lld "
	    "bookkeepers, %lld of them with only clear clients; %lld "
	    "clients, %lld with nothing outstanding; %lld assignments, each "
	    "a weekly email subscription from %lld; %lld expenses; "
	    "in %.0f ms\n", c.users, c.quiet, c.clients, c.clear,
	    c.assignments, starts_at, c.expenses, seed_ms(&t0, &t1));
	printf("expect_written=%lld expect_skipped=%lld\n", c.users - c.quiet,
	    c.quiet);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "seed-digest: seeding failed\n");
	if (open_tx)
		store_rollback(st);
	store_close(st);
	free(ids);
	return rc;
}
