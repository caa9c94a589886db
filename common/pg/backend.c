/*
 * The PostgreSQL backend as the store's neutral layer sees it: one table
 * of its operations (struct store_backend, common/store_backend.h).
 */
#include "pg.h"

const struct store_backend pg_backend = {
	.global_init = pg_global_init,
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
	.write_counts = pg_write_counts,

	.client_create = pg_client_create,
	.client_get_visible = pg_client_get_visible,
	.client_get_to_change = pg_client_get_to_change,
	.client_transition = pg_client_transition,
	.client_update = pg_client_update,
	.client_find = pg_client_find,
	.client_set_balance = pg_client_set_balance,

	.client_list = pg_client_list,
	.client_status_count = pg_client_status_count,
	.client_search_tidy = pg_client_search_tidy,

	.expense_upsert = pg_expense_upsert,
	.expense_upsert_batch = pg_expense_upsert_batch,
	.expense_get = pg_expense_get,
	.expense_set_status = pg_expense_set_status,
	.expense_delete = pg_expense_delete,
	.expense_list = pg_expense_list,
	.expense_count = pg_expense_count,

	.assignee_list = pg_assignee_list,
	.assignee_check = pg_assignee_check,
	.assignee_add = pg_assignee_add,
	.assignee_remove = pg_assignee_remove,
	.assignee_clear = pg_assignee_clear,

	.user_get = pg_user_get,
	.user_get_to_change = pg_user_get_to_change,
	.user_get_by_email = pg_user_get_by_email,
	.user_create = pg_user_create,
	.user_update = pg_user_update,
	.user_list = pg_user_list,
	.user_addresses = pg_user_addresses,

	.partner_create = pg_partner_create,
	.partner_get = pg_partner_get,
	.partner_list = pg_partner_list,

	.preference_get = pg_preference_get,
	.preference_put = pg_preference_put,
	.preference_renew = pg_preference_renew,
	.preference_generation = pg_preference_generation,
	.preference_list = pg_preference_list,
	.preference_unsubscribe = pg_preference_unsubscribe,

	.digest_pass_begin = pg_digest_pass_begin,
	.digest_pass_end = pg_digest_pass_end,
	.digest_due_users = pg_digest_due_users,
	.digest_items = pg_digest_items,
	.digest_record = pg_digest_record,

	.reminder_add = pg_reminder_add,
	.reminder_add_recipient = pg_reminder_add_recipient,
	.reminder_get = pg_reminder_get,
	.reminder_recipients = pg_reminder_recipients,
	.reminder_list = pg_reminder_list,
	.reminder_context = pg_reminder_context,

	.outbox_add = pg_outbox_add,
	.outbox_claim = pg_outbox_claim,
	.outbox_renew = pg_outbox_renew,
	.outbox_sent = pg_outbox_sent,
	.outbox_retry = pg_outbox_retry,
	.outbox_failed = pg_outbox_failed,
	.outbox_backlog = pg_outbox_backlog,
	.outbox_next_due = pg_outbox_next_due,

	.api_key_create = pg_api_key_create,
	.api_key_get = pg_api_key_get,
	.api_key_list = pg_api_key_list,
	.api_key_revoke = pg_api_key_revoke,
	.api_key_by_prefix = pg_api_key_by_prefix,
	.api_key_touch = pg_api_key_touch,
	.event_list = pg_event_list,
	.tidy_events = pg_tidy_events,
	.audit_add = pg_audit_add,
	.audit_list = pg_audit_list,

	.idempotency_find = pg_idempotency_find,
	.idempotency_record = pg_idempotency_record,

	.login_claim = pg_login_claim,
	.login_release = pg_login_release,

	.tidy_idempotency = pg_tidy_idempotency,
	.tidy_logins = pg_tidy_logins,
	.tidy_count = pg_tidy_count,

	.copy_read = pg_copy_read,
	.copy_begin = pg_copy_begin,
	.copy_load_begin = pg_copy_load_begin,
	.copy_load_row = pg_copy_load_row,
	.copy_load_end = pg_copy_load_end,
	.copy_finish = pg_copy_finish,
};
