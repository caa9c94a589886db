/*
 * Checks of request values that more than one resource takes: what a
 * JSON schema cannot say about a field's text.
 */
#ifndef API_INPUT_H
#define API_INPUT_H

#include <cjson/cJSON.h>

/* Nonzero for an ISO 4217 code's shape: three capital letters. */
int		 input_currency_valid(const char *);

/*
 * Checks the envelope of a batch, {"<name>": [...]} and nothing else,
 * with 1 to max items. Returns the array (owned by body), or NULL after
 * adding errors.
 */
const cJSON	*input_batch(const cJSON *body, const char *name, int max,
		    cJSON *errors);

#endif
