/*
 * The recipient rule of reminders: active bookkeepers assigned to the
 * client. Admins are left out on purpose: they send reminders, and an
 * admin assigned to a client already sees it.
 */
#include <stddef.h>

#include "reminder_rule.h"

const char *
reminder_rule_refusal(const struct user *u, int assigned)
{
	if (!assigned)
		return REMINDER_NOT_ASSIGNED;
	if (!u->active)
		return REMINDER_DEACTIVATED;
	if (u->role == ROLE_ADMIN)
		return REMINDER_ADMIN;
	if (u->role != ROLE_BOOKKEEPER)
		return REMINDER_NOT_BOOKKEEPER;
	return NULL;
}
