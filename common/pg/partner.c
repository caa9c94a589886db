/*
 * The PostgreSQL backend's queries on partners.
 */
#include <string.h>

#include "../log.h"
#include "../store_partner.h"
#include "pg.h"

#define PARTNER_COLUMNS	"id, name, locale, timezone, created_at"

int
pg_partner_create(struct store *st, struct partner *p)
{
	static const struct pg_query q = { "partner_create",
	    "INSERT INTO partners (name, locale, timezone, created_at) "
	    "VALUES ($1, $2, $3, $4) RETURNING id" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_text(&par, p->name);
	pg_param_text(&par, p->locale);
	pg_param_text(&par, p->timezone);
	pg_param_int64(&par, p->created_at);
	if ((rc = pg_run(st, &q, &par, "partner insert", &r)) == STORE_OK) {
		p->id = pg_get_int64(r, 0, 0);
		PQclear(r);
	}
	return rc;
}

const struct pg_query pg_partner_get_q = { "partner_get",
    "SELECT " PARTNER_COLUMNS " FROM partners WHERE id = $1" };

int
pg_partner_from_row(const PGresult *r, int i, struct partner *p)
{
	p->id = pg_get_int64(r, i, 0);
	p->created_at = pg_get_int64(r, i, 4);
	if (pg_get_text(r, i, 1, p->name, sizeof(p->name)) ||
	    pg_get_text(r, i, 2, p->locale, sizeof(p->locale)) ||
	    pg_get_text(r, i, 3, p->timezone, sizeof(p->timezone))) {
		log_warnx("partner %lld: malformed row", (long long)p->id);
		return STORE_ERROR;
	}
	return STORE_OK;
}

int
pg_partner_get(struct store *st, int64_t id, struct partner *out)
{
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, id);
	if ((rc = pg_run(st, &pg_partner_get_q, &par, "partner get", &r)) != STORE_OK)
		return rc;
	rc = PQntuples(r) == 0 ? STORE_NOTFOUND :
	    pg_partner_from_row(r, 0, out);
	PQclear(r);
	return rc;
}

int
pg_partner_list(struct store *st,
    int (*fn)(const struct partner *, void *), void *arg)
{
	static const struct pg_query q = { "partner_list",
	    "SELECT " PARTNER_COLUMNS " FROM partners ORDER BY id" };
	struct partner	 p;
	PGresult	*r;
	int		 i, rc;

	if ((rc = pg_run(st, &q, NULL, "partner list", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r); i++) {
		if (pg_partner_from_row(r, i, &p) != STORE_OK ||
		    fn(&p, arg) == -1) {
			rc = STORE_ERROR;
			break;
		}
	}
	PQclear(r);
	return rc;
}
