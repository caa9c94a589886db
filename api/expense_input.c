/*
 * The checks of an expense body, one expense or a batch: the schema, then
 * what a schema cannot say, each bad field named once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/json.h"
#include "../common/rfc3339.h"
#include "expense_input.h"
#include "input.h"

#define EXPENSE_INPUT_TIME_MAX	64	/* characters of a spent_at */
/* Room for "expenses[999].receipt_status". */
#define EXPENSE_INPUT_FIELD_MAX	64

static const struct json_field expense_input_fields[] = {
	{ "external_id", JSON_KIND_STRING, 1, 1, EXPENSE_EXTERNAL_ID_MAX,
	    NULL },
	{ "amount_minor", JSON_KIND_INT, 1, -EXPENSE_AMOUNT_MAX,
	    EXPENSE_AMOUNT_MAX, NULL },
	{ "currency", JSON_KIND_STRING, 1, 3, 3, NULL },
	{ "spent_at", JSON_KIND_STRING, 1, 1, EXPENSE_INPUT_TIME_MAX, NULL },
	{ "merchant", JSON_KIND_STRING, 1, 1, EXPENSE_MERCHANT_MAX, NULL },
	{ "receipt_status", JSON_KIND_STRING, 1, 1, 16,
	    expense_receipt_statuses },
	{ "export_status", JSON_KIND_STRING, 1, 1, 16,
	    expense_export_statuses },
};
static const struct json_schema expense_input_schema = {
	expense_input_fields,
	sizeof(expense_input_fields) / sizeof(expense_input_fields[0])
};

/* A batch's item that deletes the expense with its external_id. */
static const struct json_field expense_input_delete_fields[] = {
	{ "external_id", JSON_KIND_STRING, 1, 1, EXPENSE_EXTERNAL_ID_MAX,
	    NULL },
	{ "deleted", JSON_KIND_BOOL, 1, 0, 0, NULL },
};
static const struct json_schema expense_input_delete_schema = {
	expense_input_delete_fields,
	sizeof(expense_input_delete_fields) /
	    sizeof(expense_input_delete_fields[0])
};

/* The name json_schema_check() gives a field: "expenses[3].currency". */
static void
expense_input_field_name(char *out, size_t outlen, const char *prefix,
    const char *name)
{
	(void)snprintf(out, outlen, "%s%s%s", prefix ? prefix : "",
	    prefix ? "." : "", name);
}

/* Whether errors already name field. */
static int
expense_input_failed(const cJSON *errors, const char *field)
{
	const cJSON	*e;
	const char	*f;

	cJSON_ArrayForEach(e, errors) {
		f = json_get_string(e, "field");
		if (f != NULL && strcmp(f, field) == 0)
			return 1;
	}
	return 0;
}

/* A string member that passed the schema check, or NULL. */
static const char *
expense_input_valid_string(const cJSON *obj, const cJSON *errors,
    const char *prefix, const char *name)
{
	char	 field[EXPENSE_INPUT_FIELD_MAX];

	expense_input_field_name(field, sizeof(field), prefix, name);
	return expense_input_failed(errors, field) ? NULL :
	    json_get_string(obj, name);
}

static void
expense_input_error(cJSON *errors, const char *prefix, const char *name,
    const char *message)
{
	char	 field[EXPENSE_INPUT_FIELD_MAX];

	expense_input_field_name(field, sizeof(field), prefix, name);
	json_error_add(errors, field, message);
}

/*
 * A batch's item {"external_id", "deleted": true}: its own schema, and
 * true only (false would say nothing an upsert does not).
 */
static int
expense_input_check_delete(const cJSON *obj, const char *prefix,
    cJSON *errors, struct expense_fields *f)
{
	int	 n;

	n = json_schema_check(obj, &expense_input_delete_schema, prefix,
	    errors);
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, "deleted"))) {
		if (n == 0)
			expense_input_error(errors, prefix, "deleted",
			    "must be true (leave it out to write the "
			    "expense)");
		return n + (n == 0);
	}
	f->deleted = 1;
	if (n == 0)
		f->external_id = json_get_string(obj, "external_id");
	return n;
}

/*
 * The schema first; the other checks only for the fields it accepted,
 * so that each bad field is named once.
 */
int
expense_input_check(const cJSON *obj, const char *prefix, cJSON *errors,
    struct expense_fields *f)
{
	cJSON		*mine, *e;
	const char	*s;
	int		 n;

	memset(f, 0, sizeof(*f));
	if (prefix != NULL && cJSON_IsObject(obj) &&
	    json_has(obj, "deleted"))
		return expense_input_check_delete(obj, prefix, errors, f);
	if ((mine = cJSON_CreateArray()) == NULL)
		return -1;
	n = json_schema_check(obj, &expense_input_schema, prefix, mine);
	if (cJSON_IsObject(obj)) {
		f->external_id = expense_input_valid_string(obj, mine, prefix,
		    "external_id");
		f->merchant = expense_input_valid_string(obj, mine, prefix,
		    "merchant");
		f->receipt_status = expense_input_valid_string(obj, mine,
		    prefix, "receipt_status");
		f->export_status = expense_input_valid_string(obj, mine, prefix,
		    "export_status");
		f->amount_minor = json_get_int(obj, "amount_minor", 0);
		s = expense_input_valid_string(obj, mine, prefix, "currency");
		if (s != NULL && !input_currency_valid(s)) {
			expense_input_error(mine, prefix, "currency",
			    "must be an ISO 4217 code such as SEK");
			n++;
		} else
			f->currency = s;
		s = expense_input_valid_string(obj, mine, prefix, "spent_at");
		if (s != NULL &&
		    rfc3339_parse(s, &f->spent_at) == -1) {
			expense_input_error(mine, prefix, "spent_at",
			    "must be an RFC 3339 time such as "
			    "2026-03-02T10:15:00Z");
			n++;
		}
	}
	while ((e = cJSON_DetachItemFromArray(mine, 0)) != NULL)
		cJSON_AddItemToArray(errors, e);
	cJSON_Delete(mine);
	return n;
}

struct expense_input_key {
	const char	*external_id;
	int		 index;
};

static int
expense_input_key_cmp(const void *a, const void *b)
{
	const struct expense_input_key	*x = a, *y = b;
	int				 c;

	if ((c = strcmp(x->external_id, y->external_id)) != 0)
		return c;
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * A batch that names one external_id twice is refused: which of the two
 * should win is a guess. Adds an error for each repeat (not the first
 * one) and returns how many, or -1 when out of memory.
 */
int
expense_input_repeats(const struct expense_fields *f, int n, cJSON *errors)
{
	struct expense_input_key	*keys;
	char				 field[EXPENSE_INPUT_FIELD_MAX];
	int				 i, k = 0, bad = 0;

	if ((keys = calloc((size_t)n + 1, sizeof(*keys))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (f[i].external_id == NULL)
			continue;
		keys[k].external_id = f[i].external_id;
		keys[k].index = i;
		k++;
	}
	qsort(keys, (size_t)k, sizeof(*keys), expense_input_key_cmp);
	for (i = 1; i < k; i++) {
		if (strcmp(keys[i].external_id, keys[i - 1].external_id) != 0)
			continue;
		(void)snprintf(field, sizeof(field), "expenses[%d].external_id",
		    keys[i].index);
		json_error_add(errors, field, "repeats the external_id of an "
		    "earlier expense in this batch");
		bad++;
	}
	free(keys);
	return bad;
}

const cJSON *
expense_input_batch(const cJSON *body, cJSON *errors)
{
	return input_batch(body, "expenses", EXPENSE_BATCH_MAX, errors);
}
