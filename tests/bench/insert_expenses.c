/*
 * The benchmark's yardstick for the expense batch: a plain program that
 * inserts the rows a batch of POST /v1/clients/{id}/expenses brings into
 * the same schema (its triggers keeping the counters, the list's rows and
 * the search's index, as for the API), 1,000 in one transaction with
 * SQLite's synchronous=FULL, one batch after another on one connection,
 * with nothing else: no HTTP, no JSON, no checks. The API's expenses a
 * second over this program's is the share of the work that is the rows'.
 *
 *   insert_expenses DB SECONDS CLIENT_ID...
 *
 * Inserts batches of 1,000 new expenses, each into the next client of the
 * list in turn, for about SECONDS, and prints
 *   insert-expenses: batches=N expenses=N seconds=S per_second=R
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sqlite3.h>

#define BATCH	1000

static const char *const merchants[] = { "SJ", "Clas Ohlson", "ICA Maxi",
	"Circle K", "Espresso House", "Åhléns", "Søstrene Grene",
	"Kjell & Company" };
/* As scripts/bench-routes.lua draws them. */
static const char *const receipts[] = { "attached", "attached", "attached",
	"missing", "not_required" };
static const char *const exports[] = { "pending", "ready", "exported",
	"exported" };
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static double
now(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
exec(sqlite3 *db, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "insert_expenses: %s: %s\n", sql,
		    msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* One batch of BATCH new expenses of client, in one transaction. */
static int
batch(sqlite3 *db, sqlite3_stmt *ins, long long client, long long run,
    long long n)
{
	char	 ext[64], spent[32];
	int	 i;

	if (exec(db, "BEGIN IMMEDIATE") == -1)
		return -1;
	for (i = 0; i < BATCH; i++) {
		snprintf(ext, sizeof(ext), "plain-%lld-%lld-%d", run, n, i);
		snprintf(spent, sizeof(spent), "2026-%02d-%02dT%02d:%02d:00Z",
		    1 + rand() % 12, 1 + rand() % 28, 7 + rand() % 15,
		    rand() % 60);
		sqlite3_bind_int64(ins, 1, client);
		sqlite3_bind_text(ins, 2, ext, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(ins, 3, 500 + rand() % 2500000);
		sqlite3_bind_text(ins, 4, spent, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 5, merchants[rand() % NELEM(merchants)],
		    -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, receipts[rand() % NELEM(receipts)],
		    -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 7, exports[rand() % NELEM(exports)], -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(ins, 8, (long long)time(NULL));
		if (sqlite3_step(ins) != SQLITE_DONE) {
			fprintf(stderr, "insert_expenses: insert: %s\n",
			    sqlite3_errmsg(db));
			sqlite3_reset(ins);
			(void)exec(db, "ROLLBACK");
			return -1;
		}
		sqlite3_reset(ins);
	}
	return exec(db, "COMMIT");
}

int
main(int argc, char *argv[])
{
	static const char sql[] =
	    "INSERT INTO expenses (client_id, external_id, amount_minor, "
	    "currency, spent_at, merchant, receipt_status, export_status, "
	    "created_at, updated_at) "
	    "VALUES (?1, ?2, ?3, 'SEK', ?4, ?5, ?6, ?7, ?8, ?8)";
	sqlite3		*db;
	sqlite3_stmt	*ins;
	double		 seconds, t0, t;
	long long	 n = 0, run = (long long)time(NULL);
	int		 nclients;

	if (argc < 4 || (seconds = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: insert_expenses DB SECONDS "
		    "CLIENT_ID...\n");
		return 2;
	}
	nclients = argc - 3;
	srand((unsigned)run);
	if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
		fprintf(stderr, "insert_expenses: %s: %s\n", argv[1],
		    sqlite3_errmsg(db));
		return 1;
	}
	/* What the store sets on every connection (common/sqlite/store.c). */
	if (exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;"
	    "PRAGMA mmap_size = 1073741824; PRAGMA busy_timeout = 5000") ==
	    -1 || sqlite3_prepare_v2(db, sql, -1, &ins, NULL) != SQLITE_OK) {
		fprintf(stderr, "insert_expenses: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	t0 = now();
	do {
		if (batch(db, ins, atoll(argv[3 + n % nclients]), run, n) ==
		    -1) {
			sqlite3_finalize(ins);
			sqlite3_close(db);
			return 1;
		}
		n++;
	} while ((t = now()) - t0 < seconds);
	printf("insert-expenses: batches=%lld expenses=%lld seconds=%.3f "
	    "per_second=%.0f\n", n, n * BATCH, t - t0, n * BATCH / (t - t0));
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return 0;
}
