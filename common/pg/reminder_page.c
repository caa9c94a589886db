/*
 * The PostgreSQL backend's queries of the admin's view of reminders: the
 * firm's reminders a page at a time, and the failed recipients a resend
 * sends to again.
 */
#include <stdint.h>

#include "../store_reminder.h"
#include "pg.h"

/*
 * As common/sqlite/reminder_page.c: one statement per index a page
 * walks (the client's, the sender's, the firm's by state, the firm's;
 * schema.sql versions 1 and 8), so that each plan is the walk it names;
 * the page's reminders first, then joined to their recipients.
 */
#define REMINDER_PAGE_SQL(key)						\
	"SELECT r.id, r.client_id, c.name, r.sender_id, s.name, r.tasks, "	\
	"r.comment, r.state, r.created_at, u.id, u.name, o.recipient, "	\
	"CASE o.status WHEN 'sending' THEN 'queued' ELSE o.status END, "	\
	"o.last_error, coalesce(o.sent_at, 0), o.cancel_reason "		\
	"FROM (SELECT id, client_id, sender_id, tasks, comment, state, "	\
	"created_at FROM reminders WHERE " key " "			\
	"AND created_at >= $5 AND created_at <= $6 "			\
	"AND (created_at < $6 OR id < $7) "				\
	"AND ($2::bigint = 0 OR client_id = $2) "			\
	"AND ($3::bigint = 0 OR sender_id = $3) "			\
	"AND ($4::text IS NULL OR state = $4) "				\
	"ORDER BY created_at DESC, id DESC LIMIT $8) AS r "		\
	"JOIN clients c ON c.id = r.client_id "				\
	"JOIN users s ON s.id = r.sender_id "				\
	"LEFT JOIN reminder_recipients rr ON rr.reminder_id = r.id "	\
	"LEFT JOIN users u ON u.id = rr.user_id "			\
	"LEFT JOIN outbox o ON o.id = rr.outbox_id "			\
	"ORDER BY r.created_at DESC, r.id DESC, u.name, u.id"

int
pg_reminder_page(struct store *st, const struct reminder_query *q,
    int (*fn)(const struct reminder_item *, const struct reminder_recipient *,
    void *), void *arg)
{
	static const struct pg_query by_client = { "reminder_page_client",
	    REMINDER_PAGE_SQL("client_id = $2 AND partner_id = $1") };
	static const struct pg_query by_sender = { "reminder_page_sender",
	    REMINDER_PAGE_SQL("sender_id = $3 AND partner_id = $1") };
	static const struct pg_query by_state = { "reminder_page_state",
	    REMINDER_PAGE_SQL("partner_id = $1 AND state = $4") };
	static const struct pg_query by_firm = { "reminder_page_firm",
	    REMINDER_PAGE_SQL("partner_id = $1") };
	const struct pg_query		*pq;
	struct pg_params		 par;
	struct reminder_item		 it;
	struct reminder_recipient	 rec;
	PGresult			*r;
	int				 i, rc;

	pq = q->client_id != 0 ? &by_client : q->sender_id != 0 ? &by_sender :
	    q->state != NULL ? &by_state : &by_firm;
	pg_params_init(&par);
	pg_param_int64(&par, q->partner_id);
	pg_param_int64(&par, q->client_id);
	pg_param_int64(&par, q->sender_id);
	pg_param_text(&par, q->state);
	pg_param_int64(&par, q->since);
	pg_param_int64(&par, q->after_at);
	pg_param_int64(&par, q->after_id);
	pg_param_int64(&par, q->limit);
	if ((rc = pg_run(st, pq, &par, "reminder page", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && rc == STORE_OK; i++) {
		it.id = pg_get_int64(r, i, 0);
		it.client_id = pg_get_int64(r, i, 1);
		it.client_name = PQgetvalue(r, i, 2);
		it.sender_id = pg_get_int64(r, i, 3);
		it.sender_name = PQgetvalue(r, i, 4);
		it.tasks_json = PQgetvalue(r, i, 5);
		it.comment = PQgetvalue(r, i, 6);
		it.state = PQgetvalue(r, i, 7);
		it.created_at = pg_get_int64(r, i, 8);
		if (PQgetisnull(r, i, 9)) {
			if (fn(&it, NULL, arg) == -1)
				rc = STORE_ERROR;
			continue;
		}
		rec.user_id = pg_get_int64(r, i, 9);
		rec.name = PQgetvalue(r, i, 10);
		rec.email = PQgetvalue(r, i, 11);
		rec.status = PQgetvalue(r, i, 12);
		rec.error = pg_get_text_or_null(r, i, 13);
		rec.sent_at = pg_get_int64(r, i, 14);
		rec.reason = pg_get_text_or_null(r, i, 15);
		if (fn(&it, &rec, arg) == -1)
			rc = STORE_ERROR;
	}
	PQclear(r);
	return rc;
}

/*
 * FOR UPDATE OF rr: a second resend of the reminder waits here for the
 * first to commit, and then sees each recipient it took pointing at the
 * new email, which is no longer the failed one joined: it finds none.
 */
int
pg_reminder_failures(struct store *st, int64_t reminder_id,
    int (*fn)(const struct reminder_failure *, void *), void *arg)
{
	static const struct pg_query q = { "reminder_failures",
	    "SELECT rr.user_id, EXISTS (SELECT 1 FROM assignments a "
	    "WHERE a.client_id = r.client_id AND a.user_id = rr.user_id), "
	    "o.id, o.payload FROM reminder_recipients rr "
	    "JOIN reminders r ON r.id = rr.reminder_id "
	    "JOIN users u ON u.id = rr.user_id "
	    "JOIN outbox o ON o.id = rr.outbox_id "
	    "WHERE rr.reminder_id = $1 AND o.status = 'failed' "
	    "ORDER BY u.name, u.id FOR UPDATE OF rr" };
	struct pg_params	 par;
	struct reminder_failure	 f;
	PGresult		*r;
	int			 i, rc;

	pg_params_init(&par);
	pg_param_int64(&par, reminder_id);
	if ((rc = pg_run(st, &q, &par, "reminder failures", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && rc == STORE_OK; i++) {
		f.user_id = pg_get_int64(r, i, 0);
		f.assigned = pg_get_bool(r, i, 1);
		f.outbox_id = pg_get_int64(r, i, 2);
		f.payload = PQgetvalue(r, i, 3);
		if (fn(&f, arg) == -1)
			rc = STORE_ERROR;
	}
	PQclear(r);
	return rc;
}

int
pg_reminder_relink(struct store *st, int64_t reminder_id, int64_t user_id,
    int64_t old_outbox_id, int64_t new_outbox_id)
{
	static const struct pg_query q = { "reminder_relink",
	    "UPDATE reminder_recipients SET outbox_id = $4 "
	    "WHERE reminder_id = $1 AND user_id = $2 AND outbox_id = $3" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, reminder_id);
	pg_param_int64(&par, user_id);
	pg_param_int64(&par, old_outbox_id);
	pg_param_int64(&par, new_outbox_id);
	if ((rc = pg_run(st, &q, &par, "reminder relink", &r)) != STORE_OK)
		return rc;
	rc = pg_changes(r) == 1 ? STORE_OK : STORE_CONFLICT;
	PQclear(r);
	return rc;
}
