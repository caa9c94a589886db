/*
 * What a caller may do with a client now: the rules the client routes
 * enforce about the client itself (its status, whether a reminder has
 * anyone to go to), shared with the list's "actions", so that what a row
 * offers and what its route answers cannot disagree. Who may use each
 * route (roles, API key scopes) stays in the route table, which the list
 * reads too (api/list_rows.c).
 */
#ifndef COMMON_CLIENT_ACTION_H
#define COMMON_CLIENT_ACTION_H

/* In the order the list names them. */
enum client_action {
	CLIENT_ACTION_GO_TO_CLIENT,	/* POST /v1/clients/{id}/access */
	CLIENT_ACTION_NOTIFY,		/* POST .../notify-accountants */
	CLIENT_ACTION_ASSIGN,		/* PUT, POST .../assignees */
	CLIENT_ACTION_SEE_DETAILS,	/* GET /v1/clients/{id} */
	CLIENT_ACTIONS
};

enum client_action_refusal {
	CLIENT_ACTION_OK,
	/* Not in this status: the route answers 409. */
	CLIENT_ACTION_STATUS,
	/* No assignee would get the reminder: the route answers 422. */
	CLIENT_ACTION_NO_RECIPIENT
};

/* "go_to_client", "notify_accountants", "assign", "see_details". */
const char	*client_action_name(enum client_action);

/*
 * Whether a caller who sees a client of status may do action with it,
 * has_recipient telling whether any of its assignees gets a reminder
 * (reminder_rule_refusal() of each, as assigned). Notifying the
 * accountants needs one; a route that checks the status before it knows
 * the recipients passes 1 first.
 */
enum client_action_refusal client_action_refusal(enum client_action action,
		    const char *status, int has_recipient);

#endif
