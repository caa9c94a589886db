/*
 * The SQLite backend as the store's neutral layer sees it: one table of
 * its operations (struct store_backend, common/store_backend.h).
 */
#include "sqlite.h"

const struct store_backend sqlite_backend = {
	.global_init = sqlite_global_init,
	.open = sqlite_open,
	.close = sqlite_close,
	.migrate = sqlite_migrate,
	.schema_version = sqlite_schema_version,
	.schema_latest = sqlite_schema_latest,
	.ping = sqlite_ping,

	.begin = sqlite_begin,
	.begin_read = sqlite_begin_read,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.in_transaction = sqlite_in_transaction,
	.write_counts = sqlite_write_counts,

	.client_create = sqlite_client_create,
	.client_get_visible = sqlite_client_get_visible,
	/* A write transaction holds the whole file: nothing to add. */
	.client_get_to_change = sqlite_client_get_visible,
	.client_transition = sqlite_client_transition,
	.client_update = sqlite_client_update,
	.client_find = sqlite_client_find,
	.client_set_balance = sqlite_client_set_balance,

	.client_list = sqlite_client_list,
	.client_status_count = sqlite_client_status_count,
	.client_search_tidy = sqlite_client_search_tidy,

	.expense_upsert = sqlite_expense_upsert,
	.expense_upsert_batch = sqlite_expense_upsert_batch,
	.expense_get = sqlite_expense_get,
	.expense_set_status = sqlite_expense_set_status,
	.expense_delete = sqlite_expense_delete,
	.expense_list = sqlite_expense_list,
	.expense_count = sqlite_expense_count,

	.assignee_list = sqlite_assignee_list,
	.assignee_check = sqlite_assignee_check,
	.assignee_add = sqlite_assignee_add,
	.assignee_remove = sqlite_assignee_remove,
	.assignee_clear = sqlite_assignee_clear,

	.user_get = sqlite_user_get,
	/* A write transaction holds the whole file: nothing to add. */
	.user_get_to_change = sqlite_user_get,
	.user_get_by_email = sqlite_user_get_by_email,
	.user_create = sqlite_user_create,
	.user_update = sqlite_user_update,
	.user_list = sqlite_user_list,
	.user_addresses = sqlite_user_addresses,

	.partner_create = sqlite_partner_create,
	.partner_get = sqlite_partner_get,
	.partner_list = sqlite_partner_list,

	.preference_get = sqlite_preference_get,
	.preference_put = sqlite_preference_put,
	.preference_renew = sqlite_preference_renew,
	.preference_generation = sqlite_preference_generation,
	.preference_list = sqlite_preference_list,
	.preference_unsubscribe = sqlite_preference_unsubscribe,

	.digest_pass_begin = sqlite_digest_pass_begin,
	.digest_pass_end = sqlite_digest_pass_end,
	.digest_due_users = sqlite_digest_due_users,
	.digest_items = sqlite_digest_items,
	.digest_record = sqlite_digest_record,

	.reminder_add = sqlite_reminder_add,
	.reminder_add_recipient = sqlite_reminder_add_recipient,
	.reminder_get = sqlite_reminder_get,
	.reminder_recipients = sqlite_reminder_recipients,
	.reminder_list = sqlite_reminder_list,
	.reminder_context = sqlite_reminder_context,
	.reminder_page = sqlite_reminder_page,
	.reminder_failures = sqlite_reminder_failures,
	.reminder_relink = sqlite_reminder_relink,

	.outbox_add = sqlite_outbox_add,
	.outbox_claim = sqlite_outbox_claim,
	.outbox_renew = sqlite_outbox_renew,
	.outbox_sent = sqlite_outbox_sent,
	.outbox_retry = sqlite_outbox_retry,
	.outbox_failed = sqlite_outbox_failed,
	.outbox_backlog = sqlite_outbox_backlog,
	.outbox_next_due = sqlite_outbox_next_due,

	.api_key_create = sqlite_api_key_create,
	.api_key_get = sqlite_api_key_get,
	.api_key_list = sqlite_api_key_list,
	.api_key_revoke = sqlite_api_key_revoke,
	.api_key_by_prefix = sqlite_api_key_by_prefix,
	.api_key_touch = sqlite_api_key_touch,
	.event_list = sqlite_event_list,
	.tidy_events = sqlite_tidy_events,
	.webhook_create = sqlite_webhook_create,
	.webhook_get = sqlite_webhook_get,
	.webhook_list = sqlite_webhook_list,
	.webhook_delete = sqlite_webhook_delete,
	.webhook_set_secret = sqlite_webhook_set_secret,
	.webhook_set_enabled = sqlite_webhook_set_enabled,
	.webhook_attempts = sqlite_webhook_attempts,
	.webhook_claim = sqlite_webhook_claim,
	.webhook_record = sqlite_webhook_record,
	.audit_add = sqlite_audit_add,
	.audit_list = sqlite_audit_list,

	.idempotency_find = sqlite_idempotency_find,
	.idempotency_record = sqlite_idempotency_record,

	.login_claim = sqlite_login_claim,
	.login_release = sqlite_login_release,

	.tidy_idempotency = sqlite_tidy_idempotency,
	.tidy_logins = sqlite_tidy_logins,
	.tidy_count = sqlite_tidy_count,

	.copy_read = sqlite_copy_read,
	.copy_begin = sqlite_copy_begin,
	.copy_load_begin = sqlite_copy_load_begin,
	.copy_load_row = sqlite_copy_load_row,
	.copy_load_end = sqlite_copy_load_end,
	.copy_finish = sqlite_copy_finish,
};
