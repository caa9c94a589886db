/*
 * The client rules of the row menu's actions. Going to a client and
 * notifying its accountants need a client the firm works on or is
 * onboarding: an invitation is not the firm's client yet, and an ended
 * one is no one's. Assigning and the details hold in every status.
 */
#include <stddef.h>
#include <string.h>

#include "client_action.h"

static const char *const client_action_names[CLIENT_ACTIONS] = {
	"go_to_client", "notify_accountants", "assign", "see_details"
};

const char *
client_action_name(enum client_action a)
{
	return (unsigned)a < CLIENT_ACTIONS ? client_action_names[a] : NULL;
}

/* Active, or in onboarding: a client the firm reaches. */
static int
client_action_reachable(const char *status)
{
	return strcmp(status, "active") == 0 ||
	    strcmp(status, "onboarding") == 0;
}

enum client_action_refusal
client_action_refusal(enum client_action a, const char *status,
    int has_recipient)
{
	switch (a) {
	case CLIENT_ACTION_GO_TO_CLIENT:
		return client_action_reachable(status) ? CLIENT_ACTION_OK :
		    CLIENT_ACTION_STATUS;
	case CLIENT_ACTION_NOTIFY:
		if (!client_action_reachable(status))
			return CLIENT_ACTION_STATUS;
		return has_recipient ? CLIENT_ACTION_OK :
		    CLIENT_ACTION_NO_RECIPIENT;
	case CLIENT_ACTION_ASSIGN:
	case CLIENT_ACTION_SEE_DETAILS:
	case CLIENT_ACTIONS:
		break;
	}
	return CLIENT_ACTION_OK;
}
