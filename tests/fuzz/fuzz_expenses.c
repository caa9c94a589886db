/*
 * libFuzzer target for the expense bodies of POST /clients/{id}/expenses,
 * one expense or {"expenses": [...]}: the checks of api/expense_input.c,
 * linked from the sources' archive. The body is parsed as api/server.c
 * parses it, then checked as expenses_create() in api/expenses.c checks
 * it; what passes must be an expense the store can take. With a leading
 * 0x01 the rest is a spent_at, and rfc3339_parse() is compared with a
 * reference built on timegm().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../api/expense_input.h"
#include "../../common/json.h"
#include "../../common/rfc3339.h"
#include "../../common/store_expense.h"
#include "../../common/text.h"
#include "fuzz.h"

static int
ref_digits(const char *s, int n, int *out)
{
	int	 v = 0;

	while (n-- > 0) {
		if (!(*s >= '0' && *s <= '9'))
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	*out = v;
	return 0;
}

/* RFC 3339 date-time, 1970..9999 UTC, no leap second; timegm() adds up. */
static int
ref_parse_time(const char *s, int64_t *out)
{
	struct tm	 tm;
	const char	*p;
	time_t		 t;
	int		 y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0, mdays;

	if (strlen(s) < 20 || ref_digits(s, 4, &y) || s[4] != '-' ||
	    ref_digits(s + 5, 2, &mo) || s[7] != '-' ||
	    ref_digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    ref_digits(s + 11, 2, &h) || s[13] != ':' ||
	    ref_digits(s + 14, 2, &mi) || s[16] != ':' ||
	    ref_digits(s + 17, 2, &sec))
		return -1;
	p = s + 19;
	if (*p == '.') {
		if (!(p[1] >= '0' && p[1] <= '9'))
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (strlen(p) < 6 || ref_digits(p + 1, 2, &oh) || p[3] != ':' ||
		    ref_digits(p + 4, 2, &om))
			return -1;
		p += 6;
	} else
		return -1;
	if (*p != '\0' || mo < 1 || mo > 12 || y < 1)
		return -1;
	mdays = mo == 2 ? ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ?
	    29 : 28) : (mo == 4 || mo == 6 || mo == 9 || mo == 11) ? 30 : 31;
	if (d < 1 || d > mdays || h > 23 || mi > 59 || sec > 59 || oh > 23 ||
	    om > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	t -= sign * (oh * 3600 + om * 60);
	if (t < 0 || t > RFC3339_TIME_LAST)
		return -1;
	*out = t;
	return 0;
}

static void
check_time(const char *s)
{
	int64_t	 a = -1, b = -2;
	int	 ra, rb;

	ra = rfc3339_parse(s, &a);
	rb = ref_parse_time(s, &b);
	if (ra != rb || (ra == 0 && a != b)) {
		fprintf(stderr, "spent_at \"%s\": %d %lld, reference %d %lld\n",
		    s, ra, (long long)a, rb, (long long)b);
		FUZZ_CHECK(ra == rb && (ra != 0 || a == b));
	}
}

static int
in_list(const char *const *values, const char *s)
{
	for (; *values != NULL; values++)
		if (strcmp(*values, s) == 0)
			return 1;
	return 0;
}

/* An expense that passed every check, as the store will take it. */
static void
check_fields(const struct expense_fields *f, const cJSON *obj)
{
	size_t	 cps;

	FUZZ_CHECK(f->external_id != NULL && f->merchant != NULL &&
	    f->currency != NULL && f->receipt_status != NULL &&
	    f->export_status != NULL);
	FUZZ_CHECK(fuzz_utf8_check(f->external_id, strlen(f->external_id),
	    &cps) && cps >= 1 && cps <= EXPENSE_EXTERNAL_ID_MAX);
	FUZZ_CHECK(fuzz_utf8_check(f->merchant, strlen(f->merchant), &cps) &&
	    cps >= 1 && cps <= EXPENSE_MERCHANT_MAX);
	FUZZ_CHECK(!text_has_control(f->external_id) &&
	    !text_has_control(f->merchant));
	FUZZ_CHECK(strlen(f->currency) == 3 && f->currency[0] >= 'A' &&
	    f->currency[0] <= 'Z' && f->currency[1] >= 'A' &&
	    f->currency[1] <= 'Z' && f->currency[2] >= 'A' &&
	    f->currency[2] <= 'Z');
	FUZZ_CHECK(in_list(expense_receipt_statuses, f->receipt_status));
	FUZZ_CHECK(in_list(expense_export_statuses, f->export_status));
	FUZZ_CHECK(f->amount_minor >= -EXPENSE_AMOUNT_MAX &&
	    f->amount_minor <= EXPENSE_AMOUNT_MAX);
	FUZZ_CHECK(f->amount_minor == (int64_t)cJSON_GetObjectItemCaseSensitive(
	    obj, "amount_minor")->valuedouble);
	FUZZ_CHECK(f->spent_at >= 0 && f->spent_at <= RFC3339_TIME_LAST);
	check_time(json_get_string(obj, "spent_at"));
}

/* Known finding: amount_minor past int64 (tests/fuzz/regressions/). */
static int
known_amount(const cJSON *doc)
{
	const cJSON	*v, *item;

	v = cJSON_GetObjectItemCaseSensitive(doc, "amount_minor");
	if (cJSON_IsNumber(v) && !(v->valuedouble > -9.2e18 &&
	    v->valuedouble < 9.2e18))
		return 1;
	v = cJSON_GetObjectItemCaseSensitive(doc, "expenses");
	cJSON_ArrayForEach(item, v)
		if (cJSON_IsObject(item) && known_amount(item))
			return 1;
	return 0;
}

/* expenses_create() up to the transaction. */
static void
check_body(const char *body, size_t len)
{
	struct expense_fields	*fields = NULL;
	const cJSON		*items = NULL, *item, *e;
	cJSON			*doc = NULL, *errors;
	char			 prefix[32];
	int			 batch, n = 1, i, r, bad = 0;

	if (json_parse_strict(body, len, &doc) != JSON_OK)
		return;
	if (fuzz_skip_known() && known_amount(doc)) {
		cJSON_Delete(doc);
		return;
	}
	errors = cJSON_CreateArray();
	FUZZ_CHECK(errors != NULL);
	batch = cJSON_IsObject(doc) && json_has(doc, "expenses");
	if (batch) {
		if ((items = expense_input_batch(doc, errors)) == NULL) {
			FUZZ_CHECK(cJSON_GetArraySize(errors) > 0);
			goto out;
		}
		n = cJSON_GetArraySize(items);
		FUZZ_CHECK(n >= 1 && n <= EXPENSE_BATCH_MAX);
	}
	fields = calloc((size_t)n, sizeof(*fields));
	FUZZ_CHECK(fields != NULL);
	if (batch) {
		i = 0;
		cJSON_ArrayForEach(item, items) {
			(void)snprintf(prefix, sizeof(prefix), "expenses[%d]",
			    i);
			r = expense_input_check(item, prefix, errors,
			    &fields[i]);
			FUZZ_CHECK(r >= 0);
			bad += r;
			i++;
		}
		r = expense_input_repeats(fields, n, errors);
		FUZZ_CHECK(r >= 0);
		bad += r;
	} else {
		r = expense_input_check(doc, NULL, errors, &fields[0]);
		FUZZ_CHECK(r >= 0);
		bad += r;
	}
	/* One error per problem; each names a field in valid UTF-8. */
	FUZZ_CHECK(cJSON_GetArraySize(errors) == bad);
	cJSON_ArrayForEach(e, errors) {
		const char *f = json_get_string(e, "field");
		FUZZ_CHECK(f != NULL && fuzz_utf8_check(f, strlen(f), NULL));
	}
	if (bad == 0) {
		i = 0;
		if (batch) {
			cJSON_ArrayForEach(item, items) {
				check_fields(&fields[i], item);
				for (r = 0; r < i; r++)
					FUZZ_CHECK(strcmp(fields[r].external_id,
					    fields[i].external_id) != 0);
				i++;
			}
		} else
			check_fields(&fields[0], doc);
	}
out:
	free(fields);
	cJSON_Delete(errors);
	cJSON_Delete(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	if (size > 0 && data[0] == 0x01) {
		s = fuzz_strndup(data + 1, size - 1);
		if (strlen(s) < 128)
			check_time(s);
	} else {
		s = fuzz_strndup(data, size);
		check_body(s, size);
	}
	free(s);
	return 0;
}
