/*
 * The PostgreSQL backend's queries on API keys (store_api_key.h).
 */
#include <string.h>

#include "../log.h"
#include "../store_api_key.h"
#include "../text.h"
#include "pg.h"

/* Every statement reads these first, in this order; then the hash. */
#define KEY_COLUMNS \
	"id, partner_id, user_id, name, prefix, scopes, " \
	"coalesce(expires_at, 0), coalesce(last_used_at, 0), " \
	"coalesce(revoked_at, 0), created_by, created_at"

/* Row row of KEY_COLUMNS (and the hash in hex, when with_hash) into k. */
static int
key_from_row(const PGresult *r, int row, struct api_key *k, int with_hash)
{
	char		 scopes[128];
	size_t		 len;

	memset(k, 0, sizeof(*k));
	k->id = pg_get_int64(r, row, 0);
	k->partner_id = pg_get_int64(r, row, 1);
	k->user_id = pg_get_int64(r, row, 2);
	k->expires_at = pg_get_int64(r, row, 6);
	k->last_used_at = pg_get_int64(r, row, 7);
	k->revoked_at = pg_get_int64(r, row, 8);
	k->created_by = pg_get_int64(r, row, 9);
	k->created_at = pg_get_int64(r, row, 10);
	if (pg_get_text(r, row, 3, k->name, sizeof(k->name)) == -1 ||
	    pg_get_text(r, row, 4, k->prefix, sizeof(k->prefix)) == -1 ||
	    pg_get_text(r, row, 5, scopes, sizeof(scopes)) == -1 ||
	    (k->scopes = api_scopes_parse(scopes)) == 0)
		goto bad;
	if (with_hash && (text_unhex(PQgetvalue(r, row, 11), k->hash,
	    sizeof(k->hash), &len) == -1 || len != API_KEY_HASH_LEN))
		goto bad;
	return STORE_OK;
bad:
	log_warnx("api key %lld: malformed row", (long long)k->id);
	return STORE_ERROR;
}

int
pg_api_key_create(struct store *st, struct api_key *k,
    const uint8_t hash[API_KEY_HASH_LEN])
{
	static const struct pg_query q = { "api_key_create",
	    "INSERT INTO api_keys (partner_id, user_id, name, prefix, "
	    "secret_hash, scopes, expires_at, created_by, created_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, nullif($7::bigint, 0), $8, $9) "
	    "RETURNING id" };
	struct pg_params	 par;
	PGresult		*r;
	char			 scopes[128];
	int			 rc;

	if (api_scopes_format(k->scopes, scopes, sizeof(scopes)) == -1)
		return STORE_ERROR;
	pg_params_init(&par);
	pg_param_int64(&par, k->partner_id);
	pg_param_int64(&par, k->user_id);
	pg_param_text(&par, k->name);
	pg_param_text(&par, k->prefix);
	pg_param_bytea(&par, hash, API_KEY_HASH_LEN);
	pg_param_text(&par, scopes);
	pg_param_int64(&par, k->expires_at);
	pg_param_int64(&par, k->created_by);
	pg_param_int64(&par, k->created_at);
	if ((rc = pg_run_unique(st, &q, &par, "api key insert", &r)) !=
	    STORE_OK)
		return rc;
	if (PQntuples(r) != 1)
		rc = STORE_ERROR;
	else
		k->id = pg_get_int64(r, 0, 0);
	PQclear(r);
	return rc;
}

/* The one row q answers into out, or STORE_NOTFOUND. */
static int
key_one(struct store *st, const struct pg_query *q,
    const struct pg_params *par, const char *what, struct api_key *out,
    int with_hash)
{
	PGresult	*r;
	int		 rc;

	if ((rc = pg_run(st, q, par, what, &r)) != STORE_OK)
		return rc;
	rc = PQntuples(r) == 0 ? STORE_NOTFOUND :
	    key_from_row(r, 0, out, with_hash);
	PQclear(r);
	return rc;
}

int
pg_api_key_get(struct store *st, int64_t partner_id, int64_t id,
    struct api_key *out)
{
	static const struct pg_query q = { "api_key_get",
	    "SELECT " KEY_COLUMNS " FROM api_keys "
	    "WHERE id = $1 AND partner_id = $2" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, id);
	pg_param_int64(&par, partner_id);
	return key_one(st, &q, &par, "api key get", out, 0);
}

int
pg_api_key_list(struct store *st, int64_t partner_id, int64_t after_id,
    int limit, int (*fn)(const struct api_key *, void *), void *arg,
    int64_t *total)
{
	static const struct pg_query page = { "api_key_list",
	    "SELECT " KEY_COLUMNS " FROM api_keys "
	    "WHERE partner_id = $1 AND id > $2 ORDER BY id LIMIT $3" };
	static const struct pg_query count = { "api_key_count",
	    "SELECT count(*) FROM api_keys WHERE partner_id = $1" };
	struct pg_params	 par;
	struct api_key		 k;
	PGresult		*r;
	int			 i, rc;

	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	pg_param_int64(&par, after_id);
	pg_param_int64(&par, limit);
	if ((rc = pg_run(st, &page, &par, "api key list", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && rc == STORE_OK; i++) {
		if ((rc = key_from_row(r, i, &k, 0)) == STORE_OK &&
		    fn(&k, arg) == -1)
			rc = STORE_ERROR;
	}
	PQclear(r);
	if (rc != STORE_OK)
		return rc;
	pg_params_init(&par);
	pg_param_int64(&par, partner_id);
	if ((rc = pg_run(st, &count, &par, "api key count", &r)) != STORE_OK)
		return rc;
	*total = pg_get_int64(r, 0, 0);
	PQclear(r);
	return STORE_OK;
}

int
pg_api_key_revoke(struct store *st, int64_t partner_id, int64_t id,
    int64_t now)
{
	static const struct pg_query q = { "api_key_revoke",
	    "UPDATE api_keys SET revoked_at = coalesce(revoked_at, $1) "
	    "WHERE id = $2 AND partner_id = $3" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, now);
	pg_param_int64(&par, id);
	pg_param_int64(&par, partner_id);
	if ((rc = pg_run(st, &q, &par, "api key revoke", &r)) != STORE_OK)
		return rc;
	if (pg_changes(r) != 1)
		rc = STORE_NOTFOUND;
	PQclear(r);
	return rc;
}

int
pg_api_key_by_prefix(struct store *st, const char *prefix,
    struct api_key *out)
{
	static const struct pg_query q = { "api_key_by_prefix",
	    "SELECT " KEY_COLUMNS ", encode(secret_hash, 'hex') "
	    "FROM api_keys WHERE prefix = $1" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_text(&par, prefix);
	return key_one(st, &q, &par, "api key lookup", out, 1);
}

int
pg_api_key_touch(struct store *st, int64_t id, int64_t now)
{
	static const struct pg_query q = { "api_key_touch",
	    "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND "
	    "coalesce(last_used_at, 0) < $1" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, now);
	pg_param_int64(&par, id);
	return pg_run(st, &q, &par, "api key touch", NULL);
}
