/*
 * The PostgreSQL backend's reads for a whole page of the Clients list at
 * once: the viewer's digest settings, in one statement over the page's
 * ids.
 */
#include <string.h>

#include "../log.h"
#include "../store_client.h"
#include "../text.h"
#include "pg.h"

/* Each row: the preference's columns (0-7). */
int
pg_client_page_facts(struct store *st, int64_t viewer_id,
    const int64_t *ids, size_t n,
    int (*fn)(const struct client_page_fact *, void *), void *arg)
{
	static const struct pg_query q = { "client_page_facts",
	    "SELECT p.user_id, p.client_id, p.email, p.frequency, "
	    "p.starts_at, p.updated_at, p.generation, p.alerts_only "
	    "FROM notification_preferences p "
	    "WHERE p.user_id = $2 AND p.client_id = ANY ($1::bigint[])" };
	struct pg_params	 par;
	struct client_page_fact	 f;
	struct preference	 p;
	PGresult		*r;
	char			 list[PG_IDS_MAX];
	int			 i, rc;

	if (text_id_list(ids, n, '{', '}', list, sizeof(list)) == -1)
		return STORE_ERROR;
	pg_params_init(&par);
	pg_param_text(&par, list);
	pg_param_int64(&par, viewer_id);
	if ((rc = pg_run(st, &q, &par, "page facts", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && rc == STORE_OK; i++) {
		memset(&f, 0, sizeof(f));
		if (pg_preference_row(r, i, &p) != STORE_OK) {
			rc = STORE_ERROR;
			break;
		}
		f.client_id = p.client_id;
		f.preference = &p;
		if (fn(&f, arg) == -1)
			rc = STORE_ERROR;
	}
	PQclear(r);
	return rc;
}
