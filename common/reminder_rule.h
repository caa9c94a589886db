/*
 * Who gets a reminder's email: the one rule that notify-accountants, its
 * dry run and a resend all apply, so that what the preview says and what
 * is sent cannot disagree.
 */
#ifndef COMMON_REMINDER_RULE_H
#define COMMON_REMINDER_RULE_H

#include "store_user.h"

/* The reasons reminder_rule_refusal() gives, for the contract's enum. */
#define REMINDER_NOT_ASSIGNED	"unassigned"
#define REMINDER_DEACTIVATED	"deactivated"
#define REMINDER_ADMIN		"admin"
#define REMINDER_NOT_BOOKKEEPER	"not_bookkeeper"

/*
 * NULL when u, assigned to the reminder's client or not (assigned), gets
 * the email; else why not, one of the reasons above (static text). An
 * account that is off wins over its role: reactivating it is the fix.
 */
const char	*reminder_rule_refusal(const struct user *u, int assigned);

#endif
