/*
 * Query plans of the Clients list and search (common/sqlite/client_sql.h)
 * on a database with the whole schema: each walks the index it was
 * written for, as the README's benchmarks assume. A plan that changes
 * fails here; PLAN_PRINT=1 prints the plans as they now are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "../../common/buf.h"
#include "../../common/sqlite/client_sql.h"
#include "../../common/sqlite/sqlite.h"

extern const char	schema_sql[];

struct plan {
	const char	*name;
	const char	*sql;
	/* EXPLAIN QUERY PLAN's lines, each indented by its depth. */
	const char	*want;
};

#define PLAN(s, w)	{ #s, s, w }

/*
 * Recorded before the statements were written out whole (from the same
 * text), on SQLite 3.40.1 with no planner statistics, as in a fresh
 * database. Another SQLite may word a plan differently: record it anew
 * with PLAN_PRINT=1 and read what changed.
 */
static const struct plan plans[] = {
	PLAN(client_list_firm_name_sql,
	    "SEARCH c USING INDEX clients_list_by_name (partner_id=? AND "
	    "status=? AND sort_key>?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_list_firm_name_desc_sql,
	    "SEARCH c USING INDEX clients_list_by_name (partner_id=? AND "
	    "status=? AND sort_key<?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_list_firm_low_balance_sql,
	    "SEARCH c USING INDEX clients_list_low_balance (partner_id=? AND "
	    "status=? AND sort_key>?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_list_firm_low_balance_desc_sql,
	    "SEARCH c USING INDEX clients_list_low_balance (partner_id=? AND "
	    "status=? AND sort_key<?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_list_firm_missing_sql,
	    "SEARCH c USING INDEX clients_list_by_missing (partner_id=? "
	    "AND status=? AND missing_receipts>?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_list_firm_missing_desc_sql,
	    "COMPOUND QUERY\n"
	    "  LEFT-MOST SUBQUERY\n"
	    "    CO-ROUTINE (subquery-2)\n"
	    "      SEARCH c USING INDEX clients_list_by_missing_desc "
	    "(partner_id=? AND status=? AND missing_receipts=? AND "
	    "sort_key>?)\n"
	    "      CORRELATED SCALAR SUBQUERY 1\n"
	    "        SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"
	    "    SCAN (subquery-2)\n"
	    "  UNION ALL\n"
	    "    CO-ROUTINE (subquery-5)\n"
	    "      SEARCH c USING INDEX clients_list_by_missing_desc "
	    "(partner_id=? AND status=? AND missing_receipts>? AND "
	    "missing_receipts<?)\n"
	    "      CORRELATED SCALAR SUBQUERY 4\n"
	    "        SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"
	    "    SCAN (subquery-5)\n"),
	PLAN(client_list_user_name_sql,
	    "SEARCH a USING COVERING INDEX assignments_by_name (user_id=? "
	    "AND status=? AND (sort_key,client_id)>(?,?))\n"
	    "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_list_user_name_desc_sql,
	    "SEARCH a USING COVERING INDEX assignments_by_name (user_id=? "
	    "AND status=? AND (sort_key,client_id)<(?,?))\n"
	    "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_list_user_missing_sql,
	    "SEARCH a USING COVERING INDEX assignments_by_missing "
	    "(user_id=? AND status=? AND missing_receipts>?)\n"
	    "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_list_user_missing_desc_sql,
	    "COMPOUND QUERY\n"
	    "  LEFT-MOST SUBQUERY\n"
	    "    CO-ROUTINE (subquery-2)\n"
	    "      SEARCH a USING COVERING INDEX assignments_by_name "
	    "(user_id=? AND status=? AND (sort_key,client_id)>(?,?))\n"
	    "      SEARCH r USING INTEGER PRIMARY KEY (rowid=?)\n"
	    "      CORRELATED SCALAR SUBQUERY 1\n"
	    "        SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"
	    "    SCAN (subquery-2)\n"
	    "  UNION ALL\n"
	    "    CO-ROUTINE (subquery-5)\n"
	    "      SEARCH a USING COVERING INDEX "
	    "assignments_by_missing_desc (user_id=? AND status=? AND "
	    "missing_receipts>? AND missing_receipts<?)\n"
	    "      SEARCH r USING INTEGER PRIMARY KEY (rowid=?)\n"
	    "      CORRELATED SCALAR SUBQUERY 4\n"
	    "        SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"
	    "    SCAN (subquery-5)\n"),
	PLAN(client_list_firm_attention_sql,
	    "SEARCH c USING INDEX clients_list_by_attention (partner_id=? "
	    "AND status=? AND (attention,sort_key)>(?,?))\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_list_user_attention_sql,
	    "SEARCH a USING COVERING INDEX assignments_by_attention "
	    "(user_id=? AND status=? AND "
	    "(attention,sort_key,client_id)>(?,?,?))\n"
	    "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_count_firm_month_sql,
	    "SEARCH c USING COVERING INDEX clients_list_by_missing_desc "
	    "(partner_id=? AND status=? AND missing_receipts>?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_count_user_month_sql,
	    "SEARCH a USING COVERING INDEX assignments_by_missing_desc "
	    "(user_id=? AND status=? AND missing_receipts>?)\n"
	    "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_search_page_sql,
	    "SCAN clients_fts VIRTUAL TABLE INDEX 64:M1><\n"
	    "SCALAR SUBQUERY 1\n"
	    "  SEARCH clients USING INDEX clients_list_by_name "
	    "(partner_id=? AND status=? AND sort_key>?)\n"
	    "SCALAR SUBQUERY 2\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 3\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 1\n"
	    "  SEARCH clients USING INDEX clients_list_by_name "
	    "(partner_id=? AND status=? AND sort_key>?)\n"
	    "SCALAR SUBQUERY 2\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 3\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SEARCH c USING INDEX clients_by_rank (list_rank=? AND "
	    "missing_receipts>?)\n"
	    "CORRELATED SCALAR SUBQUERY 4\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_search_page_desc_sql,
	    "SCAN clients_fts VIRTUAL TABLE INDEX 192:M1><\n"
	    "SCALAR SUBQUERY 1\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 2\n"
	    "  SEARCH clients USING INDEX clients_list_by_name "
	    "(partner_id=? AND status=? AND sort_key<?)\n"
	    "SCALAR SUBQUERY 3\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 1\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 2\n"
	    "  SEARCH clients USING INDEX clients_list_by_name "
	    "(partner_id=? AND status=? AND sort_key<?)\n"
	    "SCALAR SUBQUERY 3\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SEARCH c USING INDEX clients_by_rank (list_rank=? AND "
	    "missing_receipts>?)\n"
	    "CORRELATED SCALAR SUBQUERY 4\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_search_grams_page_sql,
	    "SEARCH g USING PRIMARY KEY (partner_id=? AND status=? AND "
	    "gram=? AND (sort_key,id)>(?,?))\n"
	    "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_search_grams_page_desc_sql,
	    "SEARCH g USING PRIMARY KEY (partner_id=? AND status=? AND "
	    "gram=? AND (sort_key,id)<(?,?))\n"
	    "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_search_count_sql,
	    "CO-ROUTINE (subquery-3)\n"
	    "  SCAN clients_fts VIRTUAL TABLE INDEX 0:M1><\n"
	    "  SCALAR SUBQUERY 1\n"
	    "    SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "  SCALAR SUBQUERY 2\n"
	    "    SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "  SCALAR SUBQUERY 1\n"
	    "    SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "  SCALAR SUBQUERY 2\n"
	    "    SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCAN (subquery-3)\n"),
	PLAN(client_search_count_missing_sql,
	    "CO-ROUTINE (subquery-4)\n"
	    "  SCAN clients_fts VIRTUAL TABLE INDEX 0:M1><\n"
	    "  SCALAR SUBQUERY 1\n"
	    "    SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "  SCALAR SUBQUERY 2\n"
	    "    SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "  SCALAR SUBQUERY 1\n"
	    "    SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "  SCALAR SUBQUERY 2\n"
	    "    SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "  SEARCH c USING COVERING INDEX clients_by_rank (list_rank=? "
	    "AND missing_receipts>?)\n"
	    "  CORRELATED SCALAR SUBQUERY 3\n"
	    "    SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"
	    "SCAN (subquery-4)\n"),
	PLAN(client_search_grams_count_sql,
	    "SCAN CONSTANT ROW\n"
	    "SCALAR SUBQUERY 1\n"
	    "  SEARCH client_gram_counts USING PRIMARY KEY (partner_id=? "
	    "AND status=? AND gram=?)\n"),
	PLAN(client_search_grams_count_missing_sql,
	    "CO-ROUTINE (subquery-2)\n"
	    "  SEARCH g USING PRIMARY KEY (partner_id=? AND status=? AND "
	    "gram=?)\n"
	    "  SEARCH r USING INTEGER PRIMARY KEY (rowid=?)\n"
	    "  CORRELATED SCALAR SUBQUERY 1\n"
	    "    SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"
	    "SCAN (subquery-2)\n"),
	PLAN(client_search_user_name_sql,
	    "SCAN clients_fts VIRTUAL TABLE INDEX 64:M1><\n"
	    "SCALAR SUBQUERY 2\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 3\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 2\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 3\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SEARCH c USING COVERING INDEX clients_by_rank (list_rank=? "
	    "AND missing_receipts>?)\n"
	    "CORRELATED SCALAR SUBQUERY 4\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"
	    "SEARCH a USING PRIMARY KEY (user_id=? AND client_id=?)\n"
	    "SCALAR SUBQUERY 1\n"
	    "  SEARCH clients USING INDEX clients_list_by_name "
	    "(partner_id=? AND status=? AND sort_key>?)\n"),
	PLAN(client_search_user_name_desc_sql,
	    "SCAN clients_fts VIRTUAL TABLE INDEX 192:M1><\n"
	    "SCALAR SUBQUERY 2\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 3\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 2\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 3\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SEARCH c USING COVERING INDEX clients_by_rank (list_rank=? "
	    "AND missing_receipts>?)\n"
	    "CORRELATED SCALAR SUBQUERY 4\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"
	    "SEARCH a USING PRIMARY KEY (user_id=? AND client_id=?)\n"
	    "SCALAR SUBQUERY 1\n"
	    "  SEARCH clients USING INDEX clients_list_by_name "
	    "(partner_id=? AND status=? AND sort_key<?)\n"),
	PLAN(client_match_firm_fts_sql,
	    "SCAN clients_fts VIRTUAL TABLE INDEX 0:M1><\n"
	    "SCALAR SUBQUERY 1\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 2\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 1\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 2\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SEARCH c USING COVERING INDEX clients_by_rank (list_rank=? "
	    "AND missing_receipts>?)\n"
	    "CORRELATED SCALAR SUBQUERY 3\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_match_firm_grams_sql,
	    "SEARCH g USING PRIMARY KEY (partner_id=? AND status=? AND "
	    "gram=?)\n"
	    "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_match_user_scan_sql,
	    "SEARCH a USING INDEX assignments_by_missing_desc (user_id=? "
	    "AND status=? AND missing_receipts>?)\n"
	    "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)\n"
	    "CORRELATED SCALAR SUBQUERY 1\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"),
	PLAN(client_match_user_fts_sql,
	    "SCAN clients_fts VIRTUAL TABLE INDEX 0:M1><\n"
	    "SCALAR SUBQUERY 1\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 2\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 1\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SCALAR SUBQUERY 2\n"
	    "  SEARCH client_statuses USING PRIMARY KEY (status=?)\n"
	    "SEARCH c USING COVERING INDEX clients_by_rank (list_rank=? "
	    "AND missing_receipts>?)\n"
	    "CORRELATED SCALAR SUBQUERY 3\n"
	    "  SEARCH m USING PRIMARY KEY (client_id=? AND month=?)\n"
	    "SEARCH a USING PRIMARY KEY (user_id=? AND client_id=?)\n"),
	PLAN(client_search_row_by_rank_sql,
	    "SEARCH c USING INDEX clients_by_rank (list_rank=?)\n"),
	PLAN(client_search_row_sql,
	    "SEARCH client_rows USING INTEGER PRIMARY KEY (rowid=?)\n"),
};

static sqlite3	*db;

static int
db_setup(void **state)
{
	char	*msg = NULL;

	(void)state;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite_functions_add(db) == -1 ||
	    sqlite3_exec(db, schema_sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "schema: %s\n", msg ? msg : "open failed");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
db_teardown(void **state)
{
	(void)state;
	sqlite3_close(db);
	return 0;
}

/* The plan of sql, one line a step, indented two spaces a level. */
static char *
plan_of(const char *sql)
{
	struct buf	 b, q;
	sqlite3_stmt	*stmt;
	int		 ids[64], depth[64], n = 0, i, d, parent;
	size_t		 len;
	char		*text;

	buf_init(&q, 1 << 16);
	assert_int_equal(buf_printf(&q, "EXPLAIN QUERY PLAN %s", sql), 0);
	if (sqlite3_prepare_v2(db, q.data, -1, &stmt, NULL) != SQLITE_OK)
		fail_msg("%s", sqlite3_errmsg(db));
	buf_cleanup(&q);
	buf_init(&b, 1 << 16);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		parent = sqlite3_column_int(stmt, 1);
		for (d = 0, i = 0; i < n; i++)
			if (ids[i] == parent)
				d = depth[i] + 1;
		assert_true(n < 64);
		ids[n] = sqlite3_column_int(stmt, 0);
		depth[n++] = d;
		assert_int_equal(buf_printf(&b, "%*s%s\n", d * 2, "",
		    (const char *)sqlite3_column_text(stmt, 3)), 0);
	}
	sqlite3_finalize(stmt);
	text = buf_steal(&b, &len);
	assert_non_null(text);
	return text;
}

static void
test_plans(void **state)
{
	const struct plan	*p;
	char			*got;
	size_t			 i;
	int			 bad = 0, print = getenv("PLAN_PRINT") != NULL;

	(void)state;
	for (i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
		p = &plans[i];
		got = plan_of(p->sql);
		if (print)
			printf("%s:\n%s\n", p->name, got);
		else if (strcmp(got, p->want) != 0) {
			printf("%s: plan changed\nwant:\n%sgot:\n%s", p->name,
			    p->want, got);
			bad++;
		}
		/* No statement reads the whole table or sorts its rows. */
		if (strstr(got, "SCAN c\n") != NULL ||
		    strstr(got, "SCAN clients\n") != NULL ||
		    strstr(got, "USE TEMP B-TREE FOR ORDER BY") != NULL) {
			printf("%s: scans or sorts\n%s", p->name, got);
			bad++;
		}
		free(got);
	}
	assert_int_equal(bad, 0);
}

/* How many times needle is in s. */
static int
occurrences(const char *s, const char *needle)
{
	int	 n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/*
 * The statements that compute a group's rank range write its shifts as
 * numbers: they must be those of the view list_rank_layout, and every
 * shift in them is one of a range's two ends.
 */
static void
test_rank_range_matches_layout(void **state)
{
	static const char *const ranged[] = {
		client_search_page_sql, client_search_page_desc_sql,
		client_search_count_sql, client_search_count_missing_sql,
		client_search_user_name_sql, client_search_user_name_desc_sql,
		client_match_firm_fts_sql, client_match_user_fts_sql,
	};
	sqlite3_stmt	*stmt;
	char		 first[160], last[160];
	size_t		 i;
	int		 partner, status, nfirst, nlast;

	(void)state;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT partner_shift, "
	    "status_shift FROM list_rank_layout", -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	partner = sqlite3_column_int(stmt, 0);
	status = sqlite3_column_int(stmt, 1);
	sqlite3_finalize(stmt);
	(void)snprintf(first, sizeof(first), "(SELECT (?1 << %d) + "
	    "(code << %d) FROM client_statuses WHERE status = ?2)", partner,
	    status);
	(void)snprintf(last, sizeof(last), "(SELECT (?1 << %d) + "
	    "((code + 1) << %d) - 1 FROM client_statuses WHERE status = ?2)",
	    partner, status);
	for (i = 0; i < sizeof(ranged) / sizeof(ranged[0]); i++) {
		nfirst = occurrences(ranged[i], first);
		nlast = occurrences(ranged[i], last);
		/* A page past a cursor needs one end of its range only. */
		if (nfirst + nlast == 0)
			fail_msg("statement %zu does not compute its rank range "
			    "as list_rank_layout says:\n%s", i, ranged[i]);
		/* No other shift of a rank. */
		assert_int_equal(occurrences(ranged[i], "<<"),
		    2 * (nfirst + nlast));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plans),
		cmocka_unit_test(test_rank_range_matches_layout),
	};

	return cmocka_run_group_tests(tests, db_setup, db_teardown);
}
