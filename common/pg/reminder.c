/*
 * The PostgreSQL backend's queries on reminders and their recipients.
 */
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../store_reminder.h"
#include "pg.h"

/*
 * Numbers the reminder after the client's last and the sender's last
 * (schema.sql, version 2), and dates it no earlier than either: a clock
 * that steps back, or another process's clock behind this one's, must
 * not put it before them in (created_at, id). pg_reminder_context()'s
 * locks keep the last ones from changing before the commit.
 */
int
pg_reminder_add(struct store *st, struct reminder *r)
{
	static const struct pg_query q = { "reminder_add",
	    "INSERT INTO reminders (partner_id, client_id, sender_id, tasks, "
	    "comment, created_at, client_seq, sender_seq) "
	    "SELECT $1::bigint, $2::bigint, $3::bigint, $4::json, $5::text, "
	    "greatest($6::bigint, c.created_at, s.created_at), "
	    "coalesce(c.client_seq, 0) + 1, "
	    "coalesce(s.sender_seq, 0) + 1 FROM (SELECT 1) AS one "
	    "LEFT JOIN (SELECT created_at, client_seq FROM reminders "
	    "WHERE client_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1) c "
	    "ON true LEFT JOIN (SELECT created_at, sender_seq FROM reminders "
	    "WHERE sender_id = $3 ORDER BY created_at DESC, id DESC LIMIT 1) s "
	    "ON true RETURNING id, created_at" };
	struct pg_params	 par;
	PGresult		*res;
	int			 rc;

	pg_params_init(&par);
	pg_param_int64(&par, r->partner_id);
	pg_param_int64(&par, r->client_id);
	pg_param_int64(&par, r->sender_id);
	pg_param_text(&par, r->tasks_json);
	pg_param_text(&par, r->comment ? r->comment : "");
	pg_param_int64(&par, r->created_at);
	if ((rc = pg_run(st, &q, &par, "reminder insert", &res)) != STORE_OK)
		return rc;
	r->id = pg_get_int64(res, 0, 0);
	r->created_at = pg_get_int64(res, 0, 1);
	PQclear(res);
	return rc;
}

int
pg_reminder_add_recipient(struct store *st, int64_t reminder_id,
    int64_t user_id, int64_t outbox_id)
{
	static const struct pg_query q = { "reminder_add_recipient",
	    "INSERT INTO reminder_recipients (reminder_id, user_id, outbox_id) "
	    "VALUES ($1, $2, $3)" };
	struct pg_params	 par;

	pg_params_init(&par);
	pg_param_int64(&par, reminder_id);
	pg_param_int64(&par, user_id);
	pg_param_int64(&par, outbox_id);
	return pg_run(st, &q, &par, "reminder recipient", NULL);
}

int
pg_reminder_get(struct store *st, int64_t partner_id, int64_t id,
    struct reminder *out)
{
	static const struct pg_query q = { "reminder_get",
	    "SELECT r.id, r.partner_id, r.client_id, r.sender_id, u.name, "
	    "r.tasks, r.comment, r.created_at FROM reminders r "
	    "JOIN users u ON u.id = r.sender_id "
	    "WHERE r.id = $1 AND r.partner_id = $2" };
	struct pg_params	 par;
	PGresult		*r;
	int			 rc;

	memset(out, 0, sizeof(*out));
	pg_params_init(&par);
	pg_param_int64(&par, id);
	pg_param_int64(&par, partner_id);
	if ((rc = pg_run(st, &q, &par, "reminder get", &r)) != STORE_OK)
		return rc;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return STORE_NOTFOUND;
	}
	out->id = pg_get_int64(r, 0, 0);
	out->partner_id = pg_get_int64(r, 0, 1);
	out->client_id = pg_get_int64(r, 0, 2);
	out->sender_id = pg_get_int64(r, 0, 3);
	out->created_at = pg_get_int64(r, 0, 7);
	if (pg_get_text(r, 0, 4, out->sender_name,
	    sizeof(out->sender_name)) == -1 ||
	    (out->tasks_json = strdup(PQgetvalue(r, 0, 5))) == NULL ||
	    (out->comment = strdup(PQgetvalue(r, 0, 6))) == NULL) {
		reminder_cleanup(out);
		rc = STORE_ERROR;
	}
	PQclear(r);
	return rc;
}

int
pg_reminder_recipients(struct store *st, int64_t reminder_id,
    int (*fn)(const struct reminder_recipient *, void *), void *arg)
{
	static const struct pg_query q = { "reminder_recipients",
	    "SELECT u.id, u.name, o.recipient, "
	    "CASE o.status WHEN 'sending' THEN 'queued' ELSE o.status END, "
	    "o.last_error, coalesce(o.sent_at, 0), o.cancel_reason "
	    "FROM reminder_recipients rr JOIN users u ON u.id = rr.user_id "
	    "JOIN outbox o ON o.id = rr.outbox_id "
	    "WHERE rr.reminder_id = $1 ORDER BY u.name, u.id" };
	struct pg_params		 par;
	struct reminder_recipient	 rec;
	PGresult			*r;
	int				 i, rc;

	pg_params_init(&par);
	pg_param_int64(&par, reminder_id);
	if ((rc = pg_run(st, &q, &par, "reminder recipients", &r)) !=
	    STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && rc == STORE_OK; i++) {
		rec.user_id = pg_get_int64(r, i, 0);
		rec.name = PQgetvalue(r, i, 1);
		rec.email = PQgetvalue(r, i, 2);
		rec.status = PQgetvalue(r, i, 3);
		rec.error = pg_get_text_or_null(r, i, 4);
		rec.sent_at = pg_get_int64(r, i, 5);
		rec.reason = pg_get_text_or_null(r, i, 6);
		if (fn(&rec, arg) == -1)
			rc = STORE_ERROR;
	}
	PQclear(r);
	return rc;
}

int
pg_reminder_list(struct store *st, int64_t client_id, int limit,
    int (*fn)(int64_t, void *), void *arg)
{
	static const struct pg_query q = { "reminder_list",
	    "SELECT id FROM reminders WHERE client_id = $1 "
	    "ORDER BY created_at DESC, id DESC LIMIT $2" };
	struct pg_params	 par;
	PGresult		*r;
	int			 i, rc;

	pg_params_init(&par);
	pg_param_int64(&par, client_id);
	pg_param_int64(&par, limit);
	if ((rc = pg_run(st, &q, &par, "reminder list", &r)) != STORE_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && rc == STORE_OK; i++)
		if (fn(pg_get_int64(r, i, 0), arg) == -1)
			rc = STORE_ERROR;
	PQclear(r);
	return rc;
}

/*
 * The advisory lock spaces of the rate limits' counts (the schema's key
 * plus two and three): the client's, then the sender's, always in that
 * order, so that two writers never wait for each other in a circle.
 */
#define REMINDER_CLIENT_LOCK	"7370618"
#define REMINDER_SENDER_LOCK	"7370619"

/*
 * The firm, the hour's counts and the assignees in one round trip:
 * the statements depend on nothing but the request. The counts are read
 * under the client's and the sender's locks, held to the end of the
 * transaction: notifications about one client, or by one sender, from
 * any process, count and add one at a time, so that no two both see
 * the hour's last free one. (Read committed: the count, a statement
 * after the lock, sees what the holder before committed.) The counts
 * are the numbers of the hour's first and last reminders (schema.sql,
 * version 2), not a count of its rows.
 */
int
pg_reminder_context(struct store *st, int64_t partner_id,
    int64_t client_id, int64_t sender_id, int64_t since,
    struct partner *firm, struct reminder_recent *recent,
    int (*fn)(const struct user *, void *), void *arg)
{
	static const struct pg_query lock_q = { "reminder_lock",
	    "SELECT pg_advisory_xact_lock(" REMINDER_CLIENT_LOCK ", "
	    "($1 % 2147483647)::int), pg_advisory_xact_lock("
	    REMINDER_SENDER_LOCK ", ($2 % 2147483647)::int)" };
	static const struct pg_query recent_q = { "reminder_recent",
	    "SELECT coalesce((SELECT client_seq FROM reminders "
	    "WHERE client_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1) "
	    "- c.client_seq + 1, 0), coalesce(c.created_at, 0), "
	    "coalesce((SELECT sender_seq FROM reminders "
	    "WHERE sender_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1) "
	    "- s.sender_seq + 1, 0), coalesce(s.created_at, 0) "
	    "FROM (SELECT 1) AS one LEFT JOIN (SELECT client_seq, created_at "
	    "FROM reminders WHERE client_id = $1 AND created_at > $3 "
	    "ORDER BY created_at, id LIMIT 1) c ON true "
	    "LEFT JOIN (SELECT sender_seq, created_at FROM reminders "
	    "WHERE sender_id = $2 AND created_at > $3 "
	    "ORDER BY created_at, id LIMIT 1) s ON true" };
	struct pg_params	 lock_par, firm_par, recent_par, assignees_par;
	struct pg_step		 steps[4] = {
		{ &lock_q, &lock_par, "reminder lock", 0, NULL },
		{ &pg_partner_get_q, &firm_par, "partner get", 0, NULL },
		{ &recent_q, &recent_par, "reminder recent", 0, NULL },
		/* Every assignee: the caller applies the recipient rule. */
		{ &pg_assignee_list_q, &assignees_par, "reminder assignees", 0,
		    NULL },
	};
	const PGresult		*r;
	int			 i, rc;

	pg_params_init(&lock_par);
	pg_param_int64(&lock_par, client_id);
	pg_param_int64(&lock_par, sender_id);
	pg_params_init(&firm_par);
	pg_param_int64(&firm_par, partner_id);
	pg_params_init(&recent_par);
	pg_param_int64(&recent_par, client_id);
	pg_param_int64(&recent_par, sender_id);
	pg_param_int64(&recent_par, since);
	pg_params_init(&assignees_par);
	pg_param_int64(&assignees_par, client_id);
	if ((rc = pg_run_steps(st, steps, 4)) != STORE_OK)
		return rc;
	if (PQntuples(steps[1].res) == 0)
		rc = STORE_NOTFOUND;
	else
		rc = pg_partner_from_row(steps[1].res, 0, firm);
	if (rc == STORE_OK) {
		r = steps[2].res;
		recent->by_client = pg_get_int64(r, 0, 0);
		recent->client_oldest = pg_get_int64(r, 0, 1);
		recent->by_sender = pg_get_int64(r, 0, 2);
		recent->sender_oldest = pg_get_int64(r, 0, 3);
		rc = pg_user_rows(steps[3].res, fn, arg);
	}
	for (i = 0; i < 4; i++)
		PQclear(steps[i].res);
	return rc;
}
