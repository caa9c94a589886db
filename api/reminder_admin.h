/*
 * The admin's view of reminders (reminder_admin.c), and the preview of a
 * notify request that its dry run answers with (reminders.c).
 */
#ifndef API_REMINDER_ADMIN_H
#define API_REMINDER_ADMIN_H

#include "../common/store_client.h"
#include "../common/store_user.h"
#include "http.h"

/*
 * Answers 200 with each assignee of c, whether a reminder about it would
 * reach them and, when not, why (reminder_rule.h). Writes nothing.
 */
void	reminder_preview_reply(struct request *, const struct client *c);

/*
 * Adds {user_id, name, email} to the cJSON array list (which owns it)
 * and returns it for more members; NULL when out of memory.
 */
cJSON	*reminder_person_add(cJSON *list, const struct user *u);

/*
 * Answers 202 with doc (taken over) and the reminder's Location: the
 * answer of a notify and of a resend, once the emails are queued.
 */
void	reminder_queued_reply(struct request *, int64_t id, cJSON *doc);

#endif
