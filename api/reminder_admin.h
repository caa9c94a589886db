/*
 * The admin's view of reminders (reminder_admin.c), and the preview of a
 * notify request that its dry run answers with (reminders.c).
 */
#ifndef API_REMINDER_ADMIN_H
#define API_REMINDER_ADMIN_H

#include "../common/store_client.h"
#include "http.h"

/*
 * Answers 200 with each assignee of c, whether a reminder about it would
 * reach them and, when not, why (reminder_rule.h). Writes nothing.
 */
void	reminder_preview_reply(struct request *, const struct client *c);

#endif
