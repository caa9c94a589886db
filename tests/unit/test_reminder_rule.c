/*
 * Unit tests for common/reminder_rule.h, the recipient rule shared by
 * notify-accountants, its dry run and resends, and for the delivery
 * states the reminder list filters by (common/store_reminder.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/reminder_rule.h"
#include "../../common/store_reminder.h"

static struct user
person(enum role role, int active)
{
	struct user	 u;

	memset(&u, 0, sizeof(u));
	u.id = 7;
	u.role = role;
	u.active = active;
	return u;
}

static void
test_active_assigned_bookkeeper_receives(void **state)
{
	struct user	 u = person(ROLE_BOOKKEEPER, 1);

	(void)state;
	assert_null(reminder_rule_refusal(&u, 1));
}

static void
test_refusals(void **state)
{
	static const struct {
		enum role	 role;
		int		 active;
		int		 assigned;
		const char	*want;
	} cases[] = {
		{ ROLE_ADMIN, 1, 1, REMINDER_ADMIN },
		{ ROLE_BOOKKEEPER, 0, 1, REMINDER_DEACTIVATED },
		/* An account that is off is named so, whatever its role. */
		{ ROLE_ADMIN, 0, 1, REMINDER_DEACTIVATED },
		{ ROLE_INTEGRATION, 1, 1, REMINDER_NOT_BOOKKEEPER },
		/* No longer assigned comes first: nothing else matters. */
		{ ROLE_BOOKKEEPER, 1, 0, REMINDER_NOT_ASSIGNED },
		{ ROLE_BOOKKEEPER, 0, 0, REMINDER_NOT_ASSIGNED },
	};
	struct user	 u;
	size_t		 i;
	const char	*got;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		u = person(cases[i].role, cases[i].active);
		got = reminder_rule_refusal(&u, cases[i].assigned);
		if (got == NULL || strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: %s, want %s", i,
			    got ? got : "(receives)", cases[i].want);
	}
}

static void
test_states(void **state)
{
	static const char *const good[] = {
		"pending", "delivered", "failed", "partly_failed", "cancelled"
	};
	static const char *const bad[] = {
		"", "Pending", "sent", "queued", "failed ", "partly-failed",
		"pending\n", "'; DROP TABLE reminders; --"
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_non_null(reminder_state_name(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (reminder_state_name(bad[i]) != NULL)
			fail_msg("\"%s\" taken as a state", bad[i]);
	assert_string_equal(reminder_state_name("failed"), "failed");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_active_assigned_bookkeeper_receives),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_states),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
