/*
 * A client's lifecycle on PostgreSQL: creation, reading one client for a
 * viewer, status transitions, renames and balances. The list and search
 * over clients are in client_list.c; the keys and times of a client come
 * computed from store_client.c, and list_json is the trigger's
 * (schema.sql), read back with RETURNING.
 */
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../store_client.h"
#include "pg.h"

/* Keeps list_json, column col of r's first row, in c. */
static int
client_keep_json(const PGresult *r, int col, struct client *c)
{
	free(c->list_json);
	if ((c->list_json = strdup(PQgetvalue(r, 0, col))) == NULL) {
		log_warn("strdup");
		return STORE_ERROR;
	}
	return STORE_OK;
}

/*
 * A unique key refused a client's number or reference: the caller had
 * found it free (the API checks first, in the same transaction), so a
 * concurrent transaction took it since. Reported as a lost conflict:
 * the request runs again and its check then names the winner.
 */
static int
client_unique_lost(struct store *st, int rc)
{
	if (rc != STORE_CONFLICT)
		return rc;
	log_info("client insert or update lost a unique key to another");
	st->busy = 1;
	st->conflict = 1;
	return STORE_ERROR;
}

int
pg_client_create(struct store *st, const struct client_keys *k,
    struct client *c)
{
	static const struct pg_query q = { "client_create",
	    "INSERT INTO clients (partner_id, name, org_number, "
	    "contact_email, status, sort_key, search_text, balance_minor, "
	    "currency, created_at, updated_at, country, org_key, "
	    "external_ref, onboarding_since) "
	    "VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, $7, 0, $8, $9, $10, "
	    "$11, $3, NULLIF($12, ''), "
	    "CASE WHEN $5 = 'onboarding' THEN $9::bigint END) "
	    "RETURNING id, list_json" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, c->partner_id);
	pg_param_text(&par, c->name);
	pg_param_text(&par, c->org_number);
	pg_param_text(&par, c->contact_email);
	pg_param_text(&par, c->status);
	pg_param_bytea(&par, k->sort_key, k->sort_key_len);
	pg_param_text(&par, k->search);
	pg_param_text(&par, c->currency);
	pg_param_int64(&par, c->created_at);
	pg_param_int64(&par, c->updated_at);
	pg_param_text(&par, c->country);
	pg_param_text(&par, c->external_ref);
	if ((rc = pg_run_unique(st, &q, &par, "client insert", &r)) !=
	    STORE_OK)
		return client_unique_lost(st, rc);
	if (PQntuples(r) != 1) {
		log_warnx("client insert: no row returned");
		rc = STORE_ERROR;
	} else if ((rc = client_keep_json(r, 1, c)) == STORE_OK)
		c->id = pg_get_int64(r, 0, 0);
	PQclear(r);
	return rc;
}

/* Both statements of pg_client_get_visible() read these, in order. */
#define CLIENT_COLUMNS \
	"c.id, c.partner_id, c.name, c.org_number, " \
	"coalesce(c.contact_email, ''), c.status, c.balance_minor, " \
	"c.currency, c.missing_receipts, c.export_ready, " \
	"c.created_at, c.updated_at, c.list_json, c.country, " \
	"coalesce(c.external_ref, ''), c.alerts"

/* Row 0 of CLIENT_COLUMNS into c; STORE_ERROR, logged, if malformed. */
static int
client_from_row(const PGresult *r, struct client *c)
{
	memset(c, 0, sizeof(*c));
	c->id = pg_get_int64(r, 0, 0);
	c->partner_id = pg_get_int64(r, 0, 1);
	if (pg_get_text(r, 0, 2, c->name, sizeof(c->name)) == -1 ||
	    pg_get_text(r, 0, 3, c->org_number,
	    sizeof(c->org_number)) == -1 ||
	    pg_get_text(r, 0, 4, c->contact_email,
	    sizeof(c->contact_email)) == -1 ||
	    pg_get_text(r, 0, 5, c->status, sizeof(c->status)) == -1 ||
	    pg_get_text(r, 0, 7, c->currency, sizeof(c->currency)) == -1 ||
	    pg_get_text(r, 0, 13, c->country, sizeof(c->country)) == -1 ||
	    pg_get_text(r, 0, 14, c->external_ref,
	    sizeof(c->external_ref)) == -1)
		goto bad;
	c->balance_minor = pg_get_int64(r, 0, 6);
	c->missing_receipts = pg_get_int64(r, 0, 8);
	c->export_ready = pg_get_int64(r, 0, 9);
	c->alerts = (unsigned)pg_get_int64(r, 0, 15);
	c->created_at = pg_get_int64(r, 0, 10);
	c->updated_at = pg_get_int64(r, 0, 11);
	if ((c->list_json = strdup(PQgetvalue(r, 0, 12))) == NULL)
		goto bad;
	return STORE_OK;
bad:
	log_warnx("client %lld: malformed row", (long long)c->id);
	client_cleanup(c);
	return STORE_ERROR;
}

/* One client as the viewer may see it, by firm or by assignment. */
static int
client_get_as(struct store *st, const struct user *viewer, int64_t id,
    const struct pg_query *firm, const struct pg_query *assigned,
    struct client *out)
{
	struct pg_params	 par;
	PGresult		*r;
	int			 bookkeeper = viewer->role == ROLE_BOOKKEEPER;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, id);
	pg_param_int64(&par, viewer->partner_id);
	if (bookkeeper)
		pg_param_int64(&par, viewer->id);
	if ((rc = pg_run(st, bookkeeper ? assigned : firm, &par,
	    "client get", &r)) != STORE_OK)
		return rc;
	rc = PQntuples(r) == 0 ? STORE_NOTFOUND : client_from_row(r, out);
	PQclear(r);
	return rc;
}

#define CLIENT_BY_FIRM	"SELECT " CLIENT_COLUMNS " FROM clients c " \
	"WHERE c.id = $1 AND c.partner_id = $2"
#define CLIENT_BY_ASSIGNMENT	"SELECT " CLIENT_COLUMNS " FROM clients c " \
	"JOIN assignments a ON a.client_id = c.id AND a.user_id = $3 " \
	"WHERE c.id = $1 AND c.partner_id = $2 " \
	"AND c.status IN ('onboarding', 'active')"

/*
 * No lock, in a write transaction too: the expense batches, whose
 * counters rewrite the client's row, and the preference and reminder
 * writes about it go on side by side.
 */
int
pg_client_get_visible(struct store *st, const struct user *viewer,
    int64_t id, struct client *out)
{
	static const struct pg_query firm = { "client_get_firm",
	    CLIENT_BY_FIRM };
	static const struct pg_query assigned = { "client_get_assigned",
	    CLIENT_BY_ASSIGNMENT };

	return client_get_as(st, viewer, id, &firm, &assigned, out);
}

int
pg_client_get_to_change(struct store *st, const struct user *viewer,
    int64_t id, struct client *out)
{
	static const struct pg_query firm = { "client_get_firm_lock",
	    CLIENT_BY_FIRM " FOR UPDATE OF c" };
	static const struct pg_query assigned = { "client_get_assigned_lock",
	    CLIENT_BY_ASSIGNMENT " FOR UPDATE OF c" };

	return client_get_as(st, viewer, id, &firm, &assigned, out);
}

int
pg_client_transition(struct store *st, int64_t id, const char *from,
    const char *to)
{
	static const struct pg_query q = { "client_transition",
	    "UPDATE clients SET status = $1, updated_at = $2 "
	    "WHERE id = $3 AND status = $4" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_text(&par, to);
	pg_param_int64(&par, store_now());
	pg_param_int64(&par, id);
	pg_param_text(&par, from);
	if ((rc = pg_run(st, &q, &par, "client transition", &r)) != STORE_OK)
		return rc;
	if (pg_changes(r) != 1)
		rc = STORE_CONFLICT;
	PQclear(r);
	return rc;
}

int
pg_client_update(struct store *st, const struct client_keys *k,
    struct client *c)
{
	static const struct pg_query q = { "client_update",
	    "UPDATE clients SET name = $1, org_number = $2, sort_key = $3, "
	    "search_text = $4, updated_at = $5, country = $8, "
	    "org_key = CASE WHEN org_number = $2 THEN org_key ELSE $2 END, "
	    "external_ref = coalesce(NULLIF($9, ''), external_ref) "
	    "WHERE id = $6 AND partner_id = $7 RETURNING list_json" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_text(&par, c->name);
	pg_param_text(&par, c->org_number);
	pg_param_bytea(&par, k->sort_key, k->sort_key_len);
	pg_param_text(&par, k->search);
	pg_param_int64(&par, c->updated_at);
	pg_param_int64(&par, c->id);
	pg_param_int64(&par, c->partner_id);
	pg_param_text(&par, c->country);
	pg_param_text(&par, c->external_ref);
	if ((rc = pg_run_unique(st, &q, &par, "client update", &r)) !=
	    STORE_OK)
		return client_unique_lost(st, rc);
	rc = PQntuples(r) == 0 ? STORE_NOTFOUND : client_keep_json(r, 0, c);
	PQclear(r);
	return rc;
}

int
pg_client_find(struct store *st, int64_t partner_id, const char *org_key,
    const char *ref, int64_t *id)
{
	/* The first reads clients_by_org_key, whose WHERE it repeats. */
	static const struct pg_query by_org = { "client_find_org",
	    "SELECT id FROM clients WHERE partner_id = $1 AND org_key = $2 "
	    "AND status <> 'declined'" };
	static const struct pg_query by_ref = { "client_find_ref",
	    "SELECT id FROM clients WHERE partner_id = $1 "
	    "AND external_ref = $2" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	pg_param_text(&par, org_key != NULL ? org_key : ref);
	if ((rc = pg_run(st, org_key != NULL ? &by_org : &by_ref, &par,
	    "client find", &r)) != STORE_OK)
		return rc;
	if (PQntuples(r) == 0)
		rc = STORE_NOTFOUND;
	else
		*id = pg_get_int64(r, 0, 0);
	PQclear(r);
	return rc;
}

int
pg_client_set_balance(struct store *st, int64_t id, int64_t amount,
    const char *currency)
{
	static const struct pg_query q = { "client_set_balance",
	    "UPDATE clients SET balance_minor = $1, currency = $2, "
	    "updated_at = $3 WHERE id = $4" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, amount);
	pg_param_text(&par, currency);
	pg_param_int64(&par, store_now());
	pg_param_int64(&par, id);
	if ((rc = pg_run(st, &q, &par, "client balance", &r)) != STORE_OK)
		return rc;
	if (pg_changes(r) != 1)
		rc = STORE_NOTFOUND;
	PQclear(r);
	return rc;
}
