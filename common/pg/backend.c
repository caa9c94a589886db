/*
 * The PostgreSQL backend as the store's neutral layer sees it: one table
 * of its operations (struct store_backend, common/store_backend.h).
 *
 * Not complete: the operations not listed are still to be written, and
 * a call to one would jump to NULL. The backend is selectable only so
 * that tests can run what exists (store.c).
 */
#include "pg.h"

const struct store_backend pg_backend = {
	.open = pg_open,
	.close = pg_close,
	.migrate = pg_migrate,
	.schema_version = pg_schema_version,
	.schema_latest = pg_schema_latest,
	.ping = pg_ping,

	.begin = pg_begin,
	.begin_read = pg_begin_read,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.in_transaction = pg_in_transaction,

	.client_create = pg_client_create,
	.client_get_visible = pg_client_get_visible,
	.client_transition = pg_client_transition,
	.client_update = pg_client_update,
	.client_set_balance = pg_client_set_balance,

	.client_list = pg_client_list,
	.client_status_count = pg_client_status_count,
	.client_search_tidy = pg_client_search_tidy,

	.assignee_list = pg_assignee_list,
	.assignee_check = pg_assignee_check,
	.assignee_add = pg_assignee_add,
	.assignee_remove = pg_assignee_remove,
	.assignee_clear = pg_assignee_clear,

	.user_get = pg_user_get,
	.user_get_by_email = pg_user_get_by_email,
	.user_create = pg_user_create,
	.user_update = pg_user_update,
	.user_list = pg_user_list,
	.user_addresses = pg_user_addresses,

	.partner_create = pg_partner_create,
	.partner_get = pg_partner_get,
	.partner_list = pg_partner_list,

	.audit_add = pg_audit_add,
	.audit_list = pg_audit_list,

	.idempotency_find = pg_idempotency_find,
	.idempotency_record = pg_idempotency_record,

	.login_claim = pg_login_claim,
	.login_release = pg_login_release,

	.tidy_idempotency = pg_tidy_idempotency,
	.tidy_logins = pg_tidy_logins,
	.tidy_count = pg_tidy_count,
};
