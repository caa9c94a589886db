/*
 * libFuzzer target for common/json.c and common/jsonw.c: a request body
 * through json_parse_strict() as api/server.c reads it, then through
 * json_schema_check() with the schemas of the API's routes (copied from
 * api/), each result compared with a reference check written here; and
 * every string of the document written back with jsonw and parsed again.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../../common/buf.h"
#include "../../common/json.h"
#include "../../common/jsonw.h"
#include "fuzz.h"

/* The routes' schemas, as the files of api/ declare them (limits from the headers). */
static const char *const statuses[] = { "invitation", "onboarding", NULL };
static const char *const receipt[] = { "missing", "attached",
    "not_required", NULL };
static const char *const export[] = { "pending", "ready", "exported", NULL };
static const char *const freqs[] = { "daily", "weekly", "monthly", NULL };
static const char *const tasks[] = { "missing_receipts", "export_ready",
    "balance", NULL };
static const char *const roles[] = { "admin", "bookkeeper", "integration",
    NULL };

static const struct json_field auth_fields[] = {
	{ "email", JSON_KIND_STRING, 1, 1, 254, NULL },
	{ "password", JSON_KIND_STRING, 1, 1, 120, NULL },
};
static const struct json_field client_fields[] = {
	{ "name", JSON_KIND_STRING, 1, 1, 200, NULL },
	{ "org_number", JSON_KIND_STRING, 1, 1, 32, NULL },
	{ "contact_email", JSON_KIND_STRING, 0, 3, 254, NULL },
	{ "status", JSON_KIND_STRING, 0, 1, 16, statuses },
};
static const struct json_field balance_fields[] = {
	{ "amount_minor", JSON_KIND_INT, 1, -1000000000000000LL,
	    1000000000000000LL, NULL },
	{ "currency", JSON_KIND_STRING, 1, 3, 3, NULL },
};
static const struct json_field expense_fields[] = {
	{ "external_id", JSON_KIND_STRING, 1, 1, 100, NULL },
	{ "amount_minor", JSON_KIND_INT, 1, -1000000000000000LL,
	    1000000000000000LL, NULL },
	{ "currency", JSON_KIND_STRING, 1, 3, 3, NULL },
	{ "spent_at", JSON_KIND_STRING, 1, 1, 64, NULL },
	{ "merchant", JSON_KIND_STRING, 1, 1, 200, NULL },
	{ "receipt_status", JSON_KIND_STRING, 1, 1, 16, receipt },
	{ "export_status", JSON_KIND_STRING, 1, 1, 16, export },
};
static const struct json_field preference_fields[] = {
	{ "email", JSON_KIND_BOOL, 1, 0, 0, NULL },
	{ "frequency", JSON_KIND_STRING, 1, 1, 8, freqs },
};
static const struct json_field reminder_fields[] = {
	{ "tasks", JSON_KIND_STRING_ARRAY, 1, 1, 3, tasks },
	{ "comment", JSON_KIND_TEXT, 0, 0, 2000, NULL },
};
static const struct json_field user_fields[] = {
	{ "email", JSON_KIND_STRING, 1, 3, 254, NULL },
	{ "name", JSON_KIND_STRING, 1, 1, 200, NULL },
	{ "role", JSON_KIND_STRING, 1, 1, 16, roles },
	{ "password", JSON_KIND_STRING, 1, 10, 120, NULL },
};
static const struct json_field user_patch_fields[] = {
	{ "name", JSON_KIND_STRING, 0, 1, 200, NULL },
	{ "role", JSON_KIND_STRING, 0, 1, 16, roles },
	{ "active", JSON_KIND_BOOL, 0, 0, 0, NULL },
};
static const struct json_field assignees_fields[] = {
	{ "user_ids", JSON_KIND_INT_ARRAY, 1, 0, 50, NULL },
};
static const struct json_field assignee_fields[] = {
	{ "user_id", JSON_KIND_INT, 1, 1, INT64_MAX, NULL },
};
/* Kinds the routes do not use yet. */
static const struct json_field other_fields[] = {
	{ "settings", JSON_KIND_OBJECT, 0, 0, 0, NULL },
	{ "labels", JSON_KIND_STRING_ARRAY, 0, 0, 5, NULL },
	{ "n", JSON_KIND_INT, 0, INT64_MIN, INT64_MAX, NULL },
};

#define SCHEMA(f)	{ f, sizeof(f) / sizeof(f[0]) }
static const struct json_schema schemas[] = {
	SCHEMA(auth_fields), SCHEMA(client_fields), SCHEMA(balance_fields),
	SCHEMA(expense_fields), SCHEMA(preference_fields),
	SCHEMA(reminder_fields), SCHEMA(user_fields),
	SCHEMA(user_patch_fields), SCHEMA(assignees_fields),
	SCHEMA(assignee_fields), SCHEMA(other_fields),
};
#define N_SCHEMAS	(sizeof(schemas) / sizeof(schemas[0]))

static int
in_enum(const char *const *values, const char *s)
{
	for (; *values != NULL; values++)
		if (strcmp(*values, s) == 0)
			return 1;
	return 0;
}

static int
ref_integral(const cJSON *v, long long min, long long max)
{
	double	 d;

	if (!cJSON_IsNumber(v))
		return 0;
	d = v->valuedouble;
	if (isnan(d) || isinf(d) || d != trunc(d) ||
	    d <= -9007199254740992.0 || d >= 9007199254740992.0)
		return 0;
	/* Within +-2^53 the double converts exactly. */
	return (long long)d >= min && (long long)d <= max;
}

/* 1 when v is a string the field allows. */
static int
ref_string_ok(const cJSON *v, const struct json_field *f)
{
	const unsigned char	*p;
	size_t			 cps;

	if (!cJSON_IsString(v) || !fuzz_utf8_check(v->valuestring,
	    strlen(v->valuestring), &cps))
		return 0;
	if ((long long)cps < f->min || (long long)cps > f->max)
		return 0;
	for (p = (const unsigned char *)v->valuestring; *p != '\0'; p++) {
		if (*p == 0x7f)
			return 0;
		if (*p < 0x20 && (f->kind == JSON_KIND_STRING ||
		    (*p != '\n' && *p != '\r' && *p != '\t')))
			return 0;
		/* Single-line text: no U+2028-U+202E, no U+2066-U+2069. */
		if (f->kind == JSON_KIND_STRING && p[0] == 0xe2 &&
		    ((p[1] == 0x80 && p[2] >= 0xa8 && p[2] <= 0xae) ||
		    (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)))
			return 0;
	}
	return f->enum_values == NULL || in_enum(f->enum_values,
	    v->valuestring);
}

static int
ref_array_ok(const cJSON *v, const struct json_field *f)
{
	const cJSON	*a, *b;
	long long	 n = 0;

	if (!cJSON_IsArray(v))
		return 0;
	for (a = v->child; a != NULL; a = a->next)
		n++;
	if (n < f->min || n > f->max)
		return 0;
	for (a = v->child; a != NULL; a = a->next) {
		if (f->kind == JSON_KIND_INT_ARRAY && !ref_integral(a, 1,
		    INT64_MAX))
			return 0;
		if (f->kind == JSON_KIND_STRING_ARRAY && (!cJSON_IsString(a) ||
		    (f->enum_values != NULL && !in_enum(f->enum_values,
		    a->valuestring))))
			return 0;
		for (b = a->next; b != NULL; b = b->next) {
			if (f->kind == JSON_KIND_INT_ARRAY &&
			    a->valuedouble == b->valuedouble)
				return 0;
			if (f->kind == JSON_KIND_STRING_ARRAY &&
			    cJSON_IsString(b) &&
			    strcmp(a->valuestring, b->valuestring) == 0)
				return 0;
		}
	}
	return 1;
}

static int
ref_field_ok(const cJSON *v, const struct json_field *f)
{
	switch (f->kind) {
	case JSON_KIND_STRING:
	case JSON_KIND_TEXT:
		return ref_string_ok(v, f);
	case JSON_KIND_INT:
		return ref_integral(v, f->min, f->max);
	case JSON_KIND_BOOL:
		return cJSON_IsBool(v);
	case JSON_KIND_INT_ARRAY:
	case JSON_KIND_STRING_ARRAY:
		return ref_array_ok(v, f);
	case JSON_KIND_OBJECT:
		return cJSON_IsObject(v);
	}
	return 0;
}

/* The number of problems json_schema_check() should report. */
static int
ref_schema_problems(const cJSON *obj, const struct json_schema *s)
{
	const cJSON	*item;
	size_t		 i;
	int		 n = 0, known;

	if (!cJSON_IsObject(obj))
		return 1;
	for (item = obj->child; item != NULL; item = item->next) {
		known = 0;
		for (i = 0; i < s->n_fields; i++)
			known |= strcmp(item->string, s->fields[i].name) == 0;
		n += !known;
	}
	for (i = 0; i < s->n_fields; i++) {
		for (item = obj->child; item != NULL; item = item->next)
			if (strcmp(item->string, s->fields[i].name) == 0)
				break;
		if (item == NULL)
			n += s->fields[i].required;
		else
			n += !ref_field_ok(item, &s->fields[i]);
	}
	return n;
}

/* Depth of containers, duplicate keys, member counts, string validity. */
static void
check_tree(const cJSON *v, int depth)
{
	const cJSON	*a, *b;
	int		 n = 0;

	if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		FUZZ_CHECK(depth + 1 <= JSON_DEPTH_MAX);
		for (a = v->child; a != NULL; a = a->next) {
			check_tree(a, depth + 1);
			n++;
		}
	}
	if (cJSON_IsObject(v)) {
		FUZZ_CHECK(n <= JSON_MEMBERS_MAX);
		for (a = v->child; a != NULL; a = a->next) {
			FUZZ_CHECK(fuzz_utf8_check(a->string,
			    strlen(a->string), NULL));
			for (b = a->next; b != NULL; b = b->next)
				FUZZ_CHECK(strcmp(a->string, b->string) != 0);
		}
	}
	if (cJSON_IsString(v))
		FUZZ_CHECK(fuzz_utf8_check(v->valuestring,
		    strlen(v->valuestring), NULL));
}

static void
check_schemas(const cJSON *doc)
{
	const cJSON	*e;
	cJSON		*errors;
	size_t		 i;
	int		 n, want;

	for (i = 0; i < N_SCHEMAS; i++) {
		errors = cJSON_CreateArray();
		FUZZ_CHECK(errors != NULL);
		n = json_schema_check(doc, &schemas[i],
		    i % 2 ? "expenses[999]" : NULL, errors);
		want = ref_schema_problems(doc, &schemas[i]);
		FUZZ_CHECK(n == want);
		FUZZ_CHECK(cJSON_GetArraySize(errors) == n);
		/* Error fields echo keys: they must stay valid UTF-8. */
		cJSON_ArrayForEach(e, errors) {
			const char *f = json_get_string(e, "field");
			const char *m = json_get_string(e, "message");
			FUZZ_CHECK(f != NULL && m != NULL);
			FUZZ_CHECK(fuzz_utf8_check(f, strlen(f), NULL));
		}
		cJSON_Delete(errors);
		/*
		 * Handlers read fields with the json_get_* helpers; the
		 * expense check (api/expenses.c) reads amount_minor whether or
		 * not it passed, the others after a clean check.
		 */
		if (schemas[i].fields == expense_fields || n == 0) {
			size_t k;
			for (k = 0; k < schemas[i].n_fields; k++) {
				const struct json_field *f =
				    &schemas[i].fields[k];
				const cJSON *v =
				    cJSON_GetObjectItemCaseSensitive(doc,
				    f->name);
				/* Known: a cast out of range (regressions). */
				if (fuzz_skip_known() && cJSON_IsNumber(v) &&
				    !(v->valuedouble > -9.2e18 &&
				    v->valuedouble < 9.2e18))
					continue;
				if (f->kind == JSON_KIND_INT)
					(void)json_get_int(doc, f->name, 0);
				else if (f->kind == JSON_KIND_BOOL)
					(void)json_get_bool(doc, f->name, 0);
				else
					(void)json_get_string(doc, f->name);
			}
		}
		if (n == 0) {
			size_t k;
			for (k = 0; k < schemas[i].n_fields; k++) {
				const struct json_field *f =
				    &schemas[i].fields[k];
				const cJSON *v =
				    cJSON_GetObjectItemCaseSensitive(doc,
				    f->name);
				if (v != NULL && f->kind == JSON_KIND_INT)
					FUZZ_CHECK(json_get_int(doc, f->name,
					    0) == (int64_t)v->valuedouble);
			}
		}
	}
}

/* Strings and integers written by jsonw must read back the same. */
static void
check_jsonw(const cJSON *doc)
{
	const cJSON	*a, *b;
	struct buf	 out;
	struct jsonw	 w;
	cJSON		*back = NULL;
	enum json_fault	 f;

	if (!cJSON_IsObject(doc) && !cJSON_IsArray(doc))
		return;
	buf_init(&out, 4 * 1024 * 1024);
	/* Every member of an object, under its own key. */
	if (cJSON_IsObject(doc)) {
		jsonw_init(&w, &out);
		jsonw_object_open(&w);
		for (a = doc->child; a != NULL; a = a->next) {
			jsonw_key(&w, a->string);
			if (cJSON_IsString(a))
				jsonw_string(&w, a->valuestring);
			else if (ref_integral(a, INT64_MIN, INT64_MAX))
				jsonw_int(&w, (int64_t)a->valuedouble);
			else if (cJSON_IsBool(a))
				jsonw_bool(&w, cJSON_IsTrue(a));
			else
				jsonw_null(&w);
		}
		jsonw_object_close(&w);
		FUZZ_CHECK(!w.error);
		f = json_parse_strict(out.data, out.len, &back);
		FUZZ_CHECK(f == JSON_OK);
		for (a = doc->child, b = back->child; a != NULL;
		    a = a->next, b = b->next) {
			FUZZ_CHECK(b != NULL && strcmp(a->string,
			    b->string) == 0);
			if (cJSON_IsString(a))
				FUZZ_CHECK(cJSON_IsString(b) && strcmp(
				    a->valuestring, b->valuestring) == 0);
			else if (ref_integral(a, INT64_MIN, INT64_MAX))
				FUZZ_CHECK(cJSON_IsNumber(b) &&
				    b->valuedouble == a->valuedouble);
			else if (cJSON_IsBool(a))
				FUZZ_CHECK(cJSON_IsBool(b) &&
				    cJSON_IsTrue(a) == cJSON_IsTrue(b));
		}
		FUZZ_CHECK(b == NULL);
		cJSON_Delete(back);
	}

	/* Every string value of an array, as one array. */
	if (cJSON_IsArray(doc)) {
		jsonw_init(&w, &out);
		jsonw_array_open(&w);
		cJSON_ArrayForEach(a, doc)
			if (cJSON_IsString(a))
				jsonw_string(&w, a->valuestring);
		jsonw_array_close(&w);
		FUZZ_CHECK(!w.error);
		FUZZ_CHECK(json_parse_strict(out.data, out.len, &back) ==
		    JSON_OK);
		b = back->child;
		cJSON_ArrayForEach(a, doc) {
			if (!cJSON_IsString(a))
				continue;
			FUZZ_CHECK(b != NULL && cJSON_IsString(b) &&
			    strcmp(a->valuestring, b->valuestring) == 0);
			b = b->next;
		}
		FUZZ_CHECK(b == NULL);
		cJSON_Delete(back);
	}
	buf_cleanup(&out);
}

/*
 * A reference reader of RFC 8259 grammar (values, not meaning): 1 when
 * s[*i..len) starts with one value, *i moved past it and its trailing
 * white space; 0 when not; -1 when nested past 64 (not judged).
 * With known set, it reads as cJSON does where the known findings kept in
 * regressions are: numbers as strtod() reads them ("01", "1.", "-.5") and
 * "\u" with anything but four hex digits (cJSON makes it a NUL).
 */
struct ref_reader {
	const char	*s;
	size_t		 len;
	size_t		 i;
	int		 known;
	/*
	 * Valid grammar that cJSON refuses, rightly or as a limit: a lone
	 * surrogate escape (not a Unicode string), a number of 64 or more
	 * characters (cJSON reads at most 63).
	 */
	int		 refusable;
};

static void
ref_ws(struct ref_reader *r)
{
	while (r->i < r->len && (r->s[r->i] == ' ' || r->s[r->i] == '\t' ||
	    r->s[r->i] == '\n' || r->s[r->i] == '\r'))
		r->i++;
}

static int
ref_digit(struct ref_reader *r)
{
	return r->i < r->len && r->s[r->i] >= '0' && r->s[r->i] <= '9';
}

static int	ref_number_body(struct ref_reader *);

static int
ref_number(struct ref_reader *r)
{
	size_t	 begin = r->i;
	int	 ok;

	ok = ref_number_body(r);
	if (r->i - begin >= 64)
		r->refusable = 1;
	return ok;
}

static int
ref_number_body(struct ref_reader *r)
{
	size_t	 start;

	if (r->i < r->len && r->s[r->i] == '-')
		r->i++;
	start = r->i;
	if (!r->known) {
		if (!ref_digit(r))
			return 0;
		if (r->s[r->i] == '0')
			r->i++;
		else
			while (ref_digit(r))
				r->i++;
		if (r->i < r->len && r->s[r->i] == '.') {
			r->i++;
			if (!ref_digit(r))
				return 0;
			while (ref_digit(r))
				r->i++;
		}
	} else {
		/* cJSON takes a number at '-' or a digit; strtod the rest. */
		if (start == 0 || r->s[start - 1] != '-')
			if (!ref_digit(r))
				return 0;
		while (ref_digit(r))
			r->i++;
		if (r->i < r->len && r->s[r->i] == '.')
			r->i++;
		while (ref_digit(r))
			r->i++;
		if (r->i == start || (r->i == start + 1 &&
		    r->s[start] == '.'))
			return 0;
	}
	if (r->i < r->len && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
		r->i++;
		if (r->i < r->len && (r->s[r->i] == '+' || r->s[r->i] == '-'))
			r->i++;
		if (!ref_digit(r))
			return 0;
		while (ref_digit(r))
			r->i++;
	}
	return 1;
}

static unsigned
ref_hex4(const char *p)
{
	unsigned	 v = 0;
	int		 k;

	for (k = 0; k < 4; k++)
		v = v << 4 | (unsigned)(p[k] <= '9' ? p[k] - '0' :
		    (p[k] | 0x20) - 'a' + 10);
	return v;
}

static int
ref_string(struct ref_reader *r)
{
	unsigned	 u, pending = 0;
	int		 k;

	r->i++;		/* the opening quote */
	while (r->i < r->len) {
		unsigned char c = (unsigned char)r->s[r->i++];
		if (c == '"') {
			r->refusable |= pending;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c != '\\') {
			r->refusable |= pending;
			pending = 0;
			continue;
		}
		if (r->i >= r->len)
			return 0;
		c = (unsigned char)r->s[r->i++];
		if (c == 'u' && r->known && (r->len - r->i < 4 ||
		    strspn(r->s + r->i, "0123456789abcdefABCDEF") < 4)) {
			/*
			 * The known "\u" finding: cJSON finds the string's
			 * end skipping one byte after each backslash, and
			 * may take it or not; neither is judged.
			 */
			while (r->i < r->len && r->s[r->i] != '"')
				r->i += r->s[r->i] == '\\' ? 2 : 1;
			if (r->i >= r->len)
				return 0;
			r->i++;
			r->refusable = 1;
			return 1;
		} else if (c == 'u') {
			for (k = 0; k < 4; k++, r->i++)
				if (r->i >= r->len ||
				    !strchr("0123456789abcdefABCDEF",
				    r->s[r->i]) || r->s[r->i] == '\0')
					return 0;
			u = ref_hex4(r->s + r->i - 4);
			if (u >= 0xdc00 && u <= 0xdfff && !pending)
				r->refusable = 1;
			else if (!(u >= 0xdc00 && u <= 0xdfff))
				r->refusable |= pending;
			pending = u >= 0xd800 && u <= 0xdbff;
		} else if (!strchr("\"\\/bfnrt", c) || c == '\0')
			return 0;
		else {
			r->refusable |= pending;
			pending = 0;
		}
	}
	return 0;
}

static int
ref_value(struct ref_reader *r, int depth)
{
	int	 rc, first;
	char	 close;

	if (depth > 64)
		return -1;
	ref_ws(r);
	if (r->i >= r->len)
		return 0;
	switch (r->s[r->i]) {
	case '{':
	case '[':
		close = r->s[r->i] == '{' ? '}' : ']';
		r->i++;
		ref_ws(r);
		if (r->i < r->len && r->s[r->i] == close) {
			r->i++;
			break;
		}
		for (first = 1;; first = 0) {
			if (!first) {
				ref_ws(r);
				if (r->i < r->len && r->s[r->i] == close) {
					r->i++;
					break;
				}
				if (r->i >= r->len || r->s[r->i] != ',')
					return 0;
				r->i++;
			}
			if (close == '}') {
				ref_ws(r);
				if (r->i >= r->len || r->s[r->i] != '"' ||
				    !ref_string(r))
					return 0;
				ref_ws(r);
				if (r->i >= r->len || r->s[r->i] != ':')
					return 0;
				r->i++;
			}
			if ((rc = ref_value(r, depth + 1)) != 1)
				return rc;
		}
		break;
	case '"':
		if (!ref_string(r))
			return 0;
		break;
	case 't':
	case 'f':
	case 'n': {
		const char *w = r->s[r->i] == 't' ? "true" :
		    r->s[r->i] == 'f' ? "false" : "null";
		if (r->len - r->i < strlen(w) ||
		    memcmp(r->s + r->i, w, strlen(w)) != 0)
			return 0;
		r->i += strlen(w);
		break;
	}
	default:
		if (!ref_number(r))
			return 0;
		break;
	}
	ref_ws(r);
	return 1;
}

/*
 * 1 when body is one RFC 8259 value, 0 when not, -1 when not judged, 2
 * when valid but refusable (see struct ref_reader).
 */
static int
ref_json(const char *body, size_t len, int known)
{
	struct ref_reader	 r = { body, len, 0, known, 0 };
	int			 rc;

	/* RFC 8259 8.1: a reader may ignore a byte order mark. */
	if (len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0)
		r.i = 3;

	if ((rc = ref_value(&r, 0)) != 1)
		return rc;
	if (r.i != len)
		return 0;
	return r.refusable ? 2 : 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The body reader always puts a NUL after the body. */
	char		*body = fuzz_strndup(data, size);
	cJSON		*doc = (cJSON *)&doc;
	enum json_fault	 f;
	int		 valid;

	f = json_parse_strict(body, size, &doc);
	FUZZ_CHECK(json_fault_text(f) != NULL);
	/*
	 * Against the grammar: a body taken must be JSON, and one refused
	 * as not JSON must not be. Other refusals are policy (depth, keys,
	 * escapes) on bodies that may well be JSON.
	 */
	valid = ref_json(body, size, fuzz_skip_known());
	if (f == JSON_OK && valid == 0) {
		fprintf(stderr, "taken, but not RFC 8259 JSON\n");
		FUZZ_CHECK(valid != 0);
	}
	if (f == JSON_SYNTAX && valid == 1 && memchr(data, '\0', size) ==
	    NULL) {
		fprintf(stderr, "refused as not JSON, but it is\n");
		FUZZ_CHECK(valid != 1);
	}
	if (f != JSON_OK) {
		FUZZ_CHECK(doc == NULL);
		free(body);
		return 0;
	}
	FUZZ_CHECK(doc != NULL);
	FUZZ_CHECK(memchr(data, '\0', size) == NULL);
	FUZZ_CHECK(fuzz_utf8_check(body, size, NULL));
	check_tree(doc, 0);
	check_schemas(doc);
	check_jsonw(doc);
	cJSON_Delete(doc);
	free(body);
	return 0;
}
