/*
 * The names of a client's alerts.
 */
#include <string.h>

#include "alert.h"

/* The list_json of schema.sql version 21 writes the same, in order. */
const char *const alert_names[] = {
	"low_balance", "many_missing_receipts", "old_missing_receipts", NULL
};

unsigned
alert_bit(const char *name)
{
	int	 i;

	for (i = 0; i < ALERT_COUNT; i++)
		if (strcmp(name, alert_names[i]) == 0)
			return 1u << i;
	return 0;
}
