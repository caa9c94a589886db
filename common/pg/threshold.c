/*
 * The PostgreSQL backend's thresholds and alerts. The alerts are worked
 * out by the BEFORE trigger clients_alerts (schema.sql, version 9) when
 * a column it watches is written: writing missing_receipt_days as it is
 * makes it run for a client.
 */
#include <string.h>

#include "../buf.h"
#include "../log.h"
#include "pg.h"

int
pg_firm_thresholds_get(struct store *st, int64_t partner_id,
    struct firm_thresholds *out)
{
	static const struct pg_query defaults = { "firm_thresholds",
	    "SELECT coalesce(missing_receipts_above, -1), "
	    "coalesce(missing_receipt_days, -1) FROM partners WHERE id = $1" };
	static const struct pg_query lines = { "balance_thresholds",
	    "SELECT currency, amount_minor FROM balance_thresholds "
	    "WHERE partner_id = $1 ORDER BY currency COLLATE \"C\"" };
	struct threshold_line	*l;
	struct pg_params	 par;
	PGresult		*r;
	int			 i, rc;

	memset(out, 0, sizeof(*out));
	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	if ((rc = pg_run(st, &defaults, &par, "firm thresholds", &r)) !=
	    STORE_OK)
		return rc;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return STORE_NOTFOUND;
	}
	out->missing_receipts_above = pg_get_int64(r, 0, 0);
	out->missing_receipt_days = pg_get_int64(r, 0, 1);
	PQclear(r);
	if ((rc = pg_run(st, &lines, &par, "balance thresholds", &r)) !=
	    STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && i < THRESHOLD_LINES_MAX; i++) {
		l = &out->balance_below[i];
		if (pg_get_text(r, i, 0, l->currency, sizeof(l->currency)) ==
		    -1) {
			log_warnx("balance threshold: malformed currency");
			rc = STORE_ERROR;
			break;
		}
		l->amount_minor = pg_get_int64(r, i, 1);
		out->n_balance_below++;
	}
	PQclear(r);
	return rc;
}

/* The lines as two arrays of one length, as text: {"SEK"} and {100}. */
static int
firm_lines_arrays(const struct firm_thresholds *t, struct buf *currencies,
    struct buf *amounts)
{
	int	 i;

	(void)buf_addc(currencies, '{');
	(void)buf_addc(amounts, '{');
	for (i = 0; i < t->n_balance_below; i++) {
		(void)buf_printf(currencies, "%s\"%s\"", i ? "," : "",
		    t->balance_below[i].currency);
		(void)buf_printf(amounts, "%s%lld", i ? "," : "",
		    (long long)t->balance_below[i].amount_minor);
	}
	if (buf_addc(currencies, '}') == -1 || buf_addc(currencies, '\0') ==
	    -1 || buf_addc(amounts, '}') == -1 || buf_addc(amounts, '\0') ==
	    -1) {
		log_warnx("firm thresholds: cannot write the lines");
		return -1;
	}
	return 0;
}

/*
 * The defaults, the lines replaced, then every client's alerts worked
 * out again, each statement reading what the one before wrote.
 */
int
pg_firm_thresholds_set(struct store *st, int64_t partner_id,
    const struct firm_thresholds *t)
{
	static const struct pg_query defaults = { "firm_thresholds_set",
	    "UPDATE partners SET "
	    "missing_receipts_above = NULLIF($2::bigint, -1), "
	    "missing_receipt_days = NULLIF($3::bigint, -1) WHERE id = $1" };
	static const struct pg_query clear = { "balance_thresholds_clear",
	    "DELETE FROM balance_thresholds WHERE partner_id = $1" };
	static const struct pg_query lines = { "balance_thresholds_set",
	    "INSERT INTO balance_thresholds (partner_id, currency, "
	    "amount_minor) SELECT $1, c, a FROM unnest($2::text[], "
	    "$3::bigint[]) AS l (c, a)" };
	static const struct pg_query refresh = { "firm_alerts_refresh",
	    "UPDATE clients SET missing_receipt_days = missing_receipt_days "
	    "WHERE partner_id = $1" };
	struct pg_params	 par;
	struct buf		 currencies, amounts;
	PGresult		*r;
	int			 rc = STORE_ERROR;

	buf_init(&currencies, 1024);
	buf_init(&amounts, 1024);
	if (firm_lines_arrays(t, &currencies, &amounts) == -1)
		goto out;
	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	pg_param_int64(&par, t->missing_receipts_above);
	pg_param_int64(&par, t->missing_receipt_days);
	if ((rc = pg_run(st, &defaults, &par, "firm thresholds", &r)) !=
	    STORE_OK)
		goto out;
	rc = pg_changes(r) == 1 ? STORE_OK : STORE_NOTFOUND;
	PQclear(r);
	if (rc != STORE_OK)
		goto out;
	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	if ((rc = pg_run(st, &clear, &par, "balance thresholds", NULL)) !=
	    STORE_OK)
		goto out;
	pg_param_text(&par, currencies.data);
	pg_param_text(&par, amounts.data);
	if ((rc = pg_run(st, &lines, &par, "balance thresholds", NULL)) !=
	    STORE_OK)
		goto out;
	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	rc = pg_run(st, &refresh, &par, "firm alerts", NULL);
out:
	buf_cleanup(&currencies);
	buf_cleanup(&amounts);
	return rc;
}

int
pg_client_thresholds_get(struct store *st, int64_t client_id,
    struct client_thresholds *out)
{
	static const struct pg_query q = { "client_thresholds",
	    "SELECT coalesce(balance_below, -1), "
	    "coalesce(balance_below_currency, ''), "
	    "coalesce(missing_receipts_above, -1), "
	    "coalesce(missing_receipt_days, -1) FROM clients WHERE id = $1" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	memset(out, 0, sizeof(*out));
	pg_params_init(&par);
	pg_param_int64(&par, client_id);
	if ((rc = pg_run(st, &q, &par, "client thresholds", &r)) != STORE_OK)
		return rc;
	if (PQntuples(r) == 0)
		rc = STORE_NOTFOUND;
	else if (pg_get_text(r, 0, 1, out->balance_below.currency,
	    sizeof(out->balance_below.currency)) == -1) {
		log_warnx("client thresholds: malformed currency");
		rc = STORE_ERROR;
	} else {
		out->balance_below.amount_minor = pg_get_int64(r, 0, 0);
		out->missing_receipts_above = pg_get_int64(r, 0, 2);
		out->missing_receipt_days = pg_get_int64(r, 0, 3);
	}
	PQclear(r);
	return rc;
}

int
pg_client_thresholds_set(struct store *st, int64_t client_id,
    const struct client_thresholds *t)
{
	static const struct pg_query q = { "client_thresholds_set",
	    "UPDATE clients SET balance_below = NULLIF($1::bigint, -1), "
	    "balance_below_currency = CASE WHEN $1::bigint = -1 THEN NULL "
	    "ELSE $2 END, missing_receipts_above = NULLIF($3::bigint, -1), "
	    "missing_receipt_days = NULLIF($4::bigint, -1) WHERE id = $5" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, t->balance_below.amount_minor);
	pg_param_text(&par, t->balance_below.currency);
	pg_param_int64(&par, t->missing_receipts_above);
	pg_param_int64(&par, t->missing_receipt_days);
	pg_param_int64(&par, client_id);
	if ((rc = pg_run(st, &q, &par, "client thresholds", &r)) != STORE_OK)
		return rc;
	rc = pg_changes(r) == 0 ? STORE_NOTFOUND : STORE_OK;
	PQclear(r);
	return rc;
}

int
pg_alerts_due(struct store *st, int max, int *n)
{
	/*
	 * The due time holds the thresholds already: only the bit is left
	 * to set, which clients_alerts does not watch. Reads
	 * clients_missing_due, whose WHERE it repeats.
	 */
	static const struct pg_query q = { "alerts_due",
	    "UPDATE clients SET alerts = alerts | 4, "
	    "attention = attention - 1152921504606846976 WHERE id IN "
	    "(SELECT id FROM clients "
	    "WHERE missing_due_at <= extract(epoch FROM now()) "
	    "AND missing_due_at IS NOT NULL AND alerts & 4 = 0 "
	    "ORDER BY missing_due_at LIMIT $1 FOR NO KEY UPDATE SKIP LOCKED)" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, max);
	if ((rc = pg_run(st, &q, &par, "alerts due", &r)) != STORE_OK)
		return rc;
	*n = (int)pg_changes(r);
	PQclear(r);
	return STORE_OK;
}
