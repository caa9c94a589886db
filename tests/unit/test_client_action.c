/*
 * Unit tests for common/client_action.h, the client rules of the row
 * menu's actions that the routes and the list's "actions" share.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/client_action.h"

static const char *const statuses[] = {
	"invitation", "onboarding", "active", "declined", "rejected",
	"disconnected"
};
#define N_STATUSES	(sizeof(statuses) / sizeof(statuses[0]))

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(client_action_name(CLIENT_ACTION_GO_TO_CLIENT),
	    "go_to_client");
	assert_string_equal(client_action_name(CLIENT_ACTION_NOTIFY),
	    "notify_accountants");
	assert_string_equal(client_action_name(CLIENT_ACTION_ASSIGN),
	    "assign");
	assert_string_equal(client_action_name(CLIENT_ACTION_SEE_DETAILS),
	    "see_details");
	assert_null(client_action_name(CLIENT_ACTIONS));
}

/* Only a client the firm reaches: onboarding or active. */
static void
test_go_to_client(void **state)
{
	size_t	 i;
	int	 reach;

	(void)state;
	for (i = 0; i < N_STATUSES; i++) {
		reach = i == 1 || i == 2;
		assert_int_equal(client_action_refusal(
		    CLIENT_ACTION_GO_TO_CLIENT, statuses[i], 0),
		    reach ? CLIENT_ACTION_OK : CLIENT_ACTION_STATUS);
	}
}

/* The status first, then someone to notify. */
static void
test_notify(void **state)
{
	size_t	 i;
	int	 reach;

	(void)state;
	for (i = 0; i < N_STATUSES; i++) {
		reach = i == 1 || i == 2;
		assert_int_equal(client_action_refusal(CLIENT_ACTION_NOTIFY,
		    statuses[i], 1), reach ? CLIENT_ACTION_OK :
		    CLIENT_ACTION_STATUS);
		assert_int_equal(client_action_refusal(CLIENT_ACTION_NOTIFY,
		    statuses[i], 0), reach ? CLIENT_ACTION_NO_RECIPIENT :
		    CLIENT_ACTION_STATUS);
	}
}

static void
test_assign_and_details_any_status(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < N_STATUSES; i++) {
		assert_int_equal(client_action_refusal(CLIENT_ACTION_ASSIGN,
		    statuses[i], 0), CLIENT_ACTION_OK);
		assert_int_equal(client_action_refusal(
		    CLIENT_ACTION_SEE_DETAILS, statuses[i], 0),
		    CLIENT_ACTION_OK);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_go_to_client),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_assign_and_details_any_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
