/*
 * The checks of an expense body, one expense or a batch of them, before
 * anything is written: each bad field named once in the errors array
 * json_schema_check() fills, so that a refused batch writes nothing.
 */
#ifndef API_EXPENSE_INPUT_H
#define API_EXPENSE_INPUT_H

#include <cjson/cJSON.h>

#include "../common/store_expense.h"

/*
 * Checks one expense against the schema and then what a schema cannot
 * say (the currency's shape, spent_at), only for fields the schema
 * accepted. In a batch (prefix set), an item with "deleted" is checked
 * as {"external_id", "deleted": true} and sets f->deleted. Appends the errors to errors, names prefixed with prefix
 * ("expenses[3]") unless it is NULL. Fills f with pointers into obj for
 * the valid fields (NULL for the others): f lives no longer than obj.
 * Returns the number of problems, or -1 when out of memory.
 */
int		 expense_input_check(const cJSON *obj, const char *prefix,
		    cJSON *errors, struct expense_fields *f);

/*
 * Adds an error for each expense of f[0..n) that repeats the external_id
 * of an earlier one; returns how many, or -1 when out of memory.
 */
int		 expense_input_repeats(const struct expense_fields *f, int n,
		    cJSON *errors);

/*
 * Checks the envelope of a batch, {"expenses": [...]} and nothing else,
 * with 1 to EXPENSE_BATCH_MAX items. Returns the array (owned by body),
 * or NULL after adding errors.
 */
const cJSON	*expense_input_batch(const cJSON *body, cJSON *errors);

#endif
