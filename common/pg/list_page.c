/*
 * The PostgreSQL backend's reads for a whole page of the Clients list at
 * once: the viewer's digest settings and the clients' assigned users, in
 * one statement over the page's ids.
 */
#include <string.h>

#include "../log.h"
#include "../store_client.h"
#include "../text.h"
#include "pg.h"

/*
 * Each row: the preference's columns (0-7, NULL when the viewer has
 * none), the client's id, and an assigned user's id, role and active
 * (NULL when it has none).
 */
int
pg_client_page_facts(struct store *st, int64_t viewer_id,
    const int64_t *ids, size_t n,
    int (*fn)(const struct client_page_fact *, void *), void *arg)
{
	static const struct pg_query q = { "client_page_facts",
	    "SELECT p.user_id, p.client_id, p.email, p.frequency, "
	    "p.starts_at, p.updated_at, p.generation, p.alerts_only, "
	    "j.id, u.id, u.role, u.active "
	    "FROM unnest($1::bigint[]) AS j (id) "
	    "LEFT JOIN notification_preferences p ON p.user_id = $2 AND "
	    "p.client_id = j.id "
	    "LEFT JOIN assignments a ON a.client_id = j.id "
	    "LEFT JOIN users u ON u.id = a.user_id" };
	struct pg_params	 par;
	struct client_page_fact	 f;
	struct preference	 p;
	struct user		 u;
	PGresult		*r;
	char			 list[PG_IDS_MAX], role[16];
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
		f.client_id = pg_get_int64(r, i, 8);
		if (!PQgetisnull(r, i, 0)) {
			if (pg_preference_row(r, i, &p) != STORE_OK) {
				rc = STORE_ERROR;
				break;
			}
			f.preference = &p;
		}
		if (!PQgetisnull(r, i, 9)) {
			memset(&u, 0, sizeof(u));
			u.id = pg_get_int64(r, i, 9);
			u.active = pg_get_bool(r, i, 11);
			if (pg_get_text(r, i, 10, role, sizeof(role)) == -1 ||
			    role_parse(role, &u.role) == -1) {
				log_warnx("user %lld: malformed role",
				    (long long)u.id);
				rc = STORE_ERROR;
				break;
			}
			f.assignee = &u;
		}
		if (fn(&f, arg) == -1)
			rc = STORE_ERROR;
	}
	PQclear(r);
	return rc;
}
