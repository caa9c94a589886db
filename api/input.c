/*
 * Checks of request values shared by resources (a balance's and an
 * expense's currency, the envelope of a batch).
 */
#include <stdio.h>
#include <string.h>

#include "../common/json.h"
#include "input.h"

int
input_currency_valid(const char *s)
{
	return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' &&
	    s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z';
}

const cJSON *
input_batch(const cJSON *body, const char *name, int max, cJSON *errors)
{
	const cJSON	*m, *items = NULL;
	char		 message[64];
	int		 n, bad = 0;

	cJSON_ArrayForEach(m, body) {
		if (strcmp(m->string, name) == 0)
			items = m;
		else {
			/* The key is valid UTF-8 and goes out JSON-escaped. */
			json_error_add(errors, strlen(m->string) <= 100 ?
			    m->string : "(field name too long)",
			    "is not a known field");
			bad++;
		}
	}
	if (!cJSON_IsArray(items)) {
		json_error_add(errors, name, "must be an array");
		return NULL;
	}
	n = cJSON_GetArraySize(items);
	if (n == 0) {
		json_error_add(errors, name, "must not be empty");
		bad++;
	} else if (n > max) {
		(void)snprintf(message, sizeof(message),
		    "has more than %d items", max);
		json_error_add(errors, name, message);
		bad++;
	}
	return bad > 0 ? NULL : items;
}
