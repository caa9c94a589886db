/*
 * Strict request-body parsing and schema checks over cJSON.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "text.h"

const char *
json_fault_text(enum json_fault f)
{
	switch (f) {
	case JSON_OK:
		return "ok";
	case JSON_EMPTY:
		return "The request body is empty.";
	case JSON_NUL:
		return "The request body contains a NUL byte.";
	case JSON_BAD_UTF8:
		return "The request body is not valid UTF-8.";
	case JSON_CONTROL:
		return "A string contains a raw control character.";
	case JSON_ESCAPED_NUL:
		return "A string contains the escape \\u0000.";
	case JSON_TOO_DEEP:
		return "The JSON document is nested too deeply.";
	case JSON_SYNTAX:
		return "The request body is not valid JSON.";
	case JSON_DUPLICATE_KEY:
		return "An object contains the same key twice.";
	case JSON_TOO_MANY_MEMBERS:
		return "An object has more members than this API accepts.";
	}
	return "invalid body";
}

static int
json_hex4(const char *p)
{
	int	 i;

	for (i = 0; i < 4; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		    (p[i] >= 'a' && p[i] <= 'f') ||
		    (p[i] >= 'A' && p[i] <= 'F')))
			return 0;
	return 1;
}

/*
 * Length of the RFC 8259 number at p (before end), or 0 when it is not
 * one: cJSON takes strtod's wider grammar ("01", "1.", ".5").
 */
static size_t
json_number_len(const char *p, const char *end)
{
	const char	*s = p;

	if (s < end && *s == '-')
		s++;
	if (s < end && *s == '0')
		s++;
	else if (s < end && *s >= '1' && *s <= '9')
		while (s < end && *s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (s < end && *s == '.') {
		if (++s >= end || *s < '0' || *s > '9')
			return 0;
		while (s < end && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < end && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			s++;
		if (s >= end || *s < '0' || *s > '9')
			return 0;
		while (s < end && *s >= '0' && *s <= '9')
			s++;
	}
	/* A number ends at a delimiter, not in more digits or letters. */
	if (s < end && ((*s >= '0' && *s <= '9') || *s == '.' ||
	    (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	return (size_t)(s - p);
}

/*
 * One pass over the raw bytes for what cJSON lets through: raw controls
 * and "\u0000" inside strings, and nesting depth (so that 10,000 '[' are
 * refused before cJSON recurses into them).
 */
static enum json_fault
json_scan(const char *buf, size_t len)
{
	size_t	 i;
	int	 in_string = 0, depth = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '\0')
			return JSON_NUL;
		if (in_string) {
			if (c < 0x20)
				return JSON_CONTROL;
			if (c == '"')
				in_string = 0;
			else if (c == '\\' && i + 1 < len) {
				i++;
				/*
				 * cJSON reads "\\u" with non-hex digits as
				 * "\\u0000", cutting the string there.
				 */
				if (buf[i] == 'u' && (i + 4 >= len ||
				    !json_hex4(buf + i + 1)))
					return JSON_SYNTAX;
				if (buf[i] == 'u' &&
				    memcmp(buf + i + 1, "0000", 4) == 0)
					return JSON_ESCAPED_NUL;
			}
			continue;
		}
		/* cJSON takes any byte up to 0x20 for white space; JSON does not. */
		if (c < 0x20 && c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return JSON_SYNTAX;
		if (c == '-' || (c >= '0' && c <= '9') || c == '.') {
			size_t n = json_number_len(buf + i, buf + len);
			if (n == 0)
				return JSON_SYNTAX;
			i += n - 1;
			continue;
		}
		if (c == '"')
			in_string = 1;
		else if (c == '[' || c == '{') {
			if (++depth > JSON_DEPTH_MAX)
				return JSON_TOO_DEEP;
		} else if (c == ']' || c == '}')
			depth--;
	}
	return JSON_OK;
}

static enum json_fault
json_check_objects(const cJSON *v)
{
	const cJSON	*a, *b;
	enum json_fault	 f;
	int		 n = 0;

	if (cJSON_IsObject(v)) {
		for (a = v->child; a != NULL; a = a->next)
			if (++n > JSON_MEMBERS_MAX)
				return JSON_TOO_MANY_MEMBERS;
		for (a = v->child; a != NULL; a = a->next) {
			for (b = a->next; b != NULL; b = b->next)
				if (strcmp(a->string, b->string) == 0)
					return JSON_DUPLICATE_KEY;
		}
	}
	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		for (a = v->child; a != NULL; a = a->next)
			if ((f = json_check_objects(a)) != JSON_OK)
				return f;
	}
	return JSON_OK;
}

/* Lone surrogate escapes turn into bytes that are not UTF-8. */
static int
json_strings_valid(const cJSON *v)
{
	const cJSON	*a;

	if (cJSON_IsString(v) &&
	    !text_utf8_valid(v->valuestring, strlen(v->valuestring)))
		return 0;
	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		for (a = v->child; a != NULL; a = a->next) {
			if (a->string != NULL &&
			    !text_utf8_valid(a->string, strlen(a->string)))
				return 0;
			if (!json_strings_valid(a))
				return 0;
		}
	}
	return 1;
}

enum json_fault
json_parse_strict(const char *buf, size_t len, cJSON **out)
{
	const char	*end = NULL;
	cJSON		*doc;
	enum json_fault	 f;
	size_t		 i;

	*out = NULL;
	for (i = 0; i < len && (buf[i] == ' ' || buf[i] == '\t' ||
	    buf[i] == '\r' || buf[i] == '\n'); i++)
		;
	if (i == len)
		return JSON_EMPTY;
	if (memchr(buf, '\0', len) != NULL)
		return JSON_NUL;
	if (!text_utf8_valid(buf, len))
		return JSON_BAD_UTF8;
	if ((f = json_scan(buf, len)) != JSON_OK)
		return f;
	/* buf[len] is the NUL the body reader always adds. */
	doc = cJSON_ParseWithOpts(buf, &end, 1);
	if (doc == NULL || end != buf + len) {
		cJSON_Delete(doc);
		return JSON_SYNTAX;
	}
	if ((f = json_check_objects(doc)) != JSON_OK) {
		cJSON_Delete(doc);
		return f;
	}
	if (!json_strings_valid(doc)) {
		cJSON_Delete(doc);
		return JSON_BAD_UTF8;
	}
	*out = doc;
	return JSON_OK;
}

void
json_error_add(cJSON *errors, const char *field, const char *message)
{
	cJSON	*e;

	if (errors == NULL || (e = cJSON_CreateObject()) == NULL)
		return;
	if (cJSON_AddStringToObject(e, "field", field) == NULL ||
	    cJSON_AddStringToObject(e, "message", message) == NULL) {
		cJSON_Delete(e);
		return;
	}
	cJSON_AddItemToArray(errors, e);
}

static void
json_error_field(cJSON *errors, const char *prefix, const char *name,
    const char *message)
{
	char	 field[160];
	int	 n;

	n = snprintf(field, sizeof(field), "%s%s%s", prefix ? prefix : "",
	    prefix ? "." : "", name);
	if (n < 0 || (size_t)n >= sizeof(field))
		(void)snprintf(field, sizeof(field), "(field name too long)");
	json_error_add(errors, field, message);
}

static int
json_in_enum(const char *const *values, const char *s)
{
	for (; *values != NULL; values++)
		if (strcmp(*values, s) == 0)
			return 1;
	return 0;
}

static int
json_is_integral(const cJSON *v, long long min, long long max)
{
	double	 d;

	if (!cJSON_IsNumber(v))
		return 0;
	d = v->valuedouble;
	/* Beyond 2^53 a double no longer holds every integer. */
	return isfinite(d) && d == floor(d) && fabs(d) < 9007199254740992.0 &&
	    d >= (double)min && d <= (double)max;
}

/* Text may break lines and hold tabs, nothing else below 0x20. */
static int
json_text_has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') ||
		    c == 0x7f)
			return 1;
	}
	return 0;
}

static const char *
json_check_string(const cJSON *v, const struct json_field *f)
{
	size_t	 len, cps;

	if (!cJSON_IsString(v))
		return "must be a string";
	len = strlen(v->valuestring);
	cps = text_utf8_length(v->valuestring, len);
	if ((long long)cps < f->min)
		return f->min == 1 ? "must not be empty" : "is too short";
	if ((long long)cps > f->max)
		return "is too long";
	if (f->kind != JSON_KIND_TEXT && text_has_control(v->valuestring))
		return "must not contain control characters";
	if (f->kind == JSON_KIND_TEXT && json_text_has_control(v->valuestring))
		return "must not contain control characters other than "
		    "line breaks and tabs";
	if (f->enum_values != NULL && !json_in_enum(f->enum_values,
	    v->valuestring))
		return "is not one of the allowed values";
	return NULL;
}

static const char *
json_check_array(const cJSON *v, const struct json_field *f)
{
	const cJSON	*a, *b;
	int		 n;

	if (!cJSON_IsArray(v))
		return "must be an array";
	n = cJSON_GetArraySize(v);
	if (n < f->min)
		return f->min == 1 ? "must not be empty" : "has too few items";
	if (n > f->max)
		return "has too many items";
	if (f->kind == JSON_KIND_ARRAY)
		return NULL;
	for (a = v->child; a != NULL; a = a->next) {
		if (f->kind == JSON_KIND_INT_ARRAY &&
		    !json_is_integral(a, 1, INT64_MAX))
			return "must hold positive integer ids";
		if (f->kind == JSON_KIND_STRING_ARRAY && (!cJSON_IsString(a) ||
		    (f->enum_values != NULL &&
		    !json_in_enum(f->enum_values, a->valuestring))))
			return "holds a value that is not allowed";
		for (b = a->next; b != NULL; b = b->next) {
			if (f->kind == JSON_KIND_INT_ARRAY &&
			    a->valuedouble == b->valuedouble)
				return "holds the same value twice";
			if (f->kind == JSON_KIND_STRING_ARRAY &&
			    cJSON_IsString(b) &&
			    strcmp(a->valuestring, b->valuestring) == 0)
				return "holds the same value twice";
		}
	}
	return NULL;
}

static const char *
json_check_field(const cJSON *v, const struct json_field *f)
{
	switch (f->kind) {
	case JSON_KIND_STRING_OR_NULL:
		if (cJSON_IsNull(v))
			return NULL;
		/* FALLTHROUGH */
	case JSON_KIND_STRING:
	case JSON_KIND_TEXT:
		return json_check_string(v, f);
	case JSON_KIND_INT_OR_NULL:
		if (cJSON_IsNull(v))
			return NULL;
		/* FALLTHROUGH */
	case JSON_KIND_INT:
		if (!cJSON_IsNumber(v))
			return "must be an integer";
		if (!json_is_integral(v, f->min, f->max))
			return "must be an integer within the allowed range";
		return NULL;
	case JSON_KIND_BOOL:
		return cJSON_IsBool(v) ? NULL : "must be true or false";
	case JSON_KIND_INT_ARRAY:
	case JSON_KIND_STRING_ARRAY:
	case JSON_KIND_ARRAY:
		return json_check_array(v, f);
	case JSON_KIND_OBJECT_OR_NULL:
		if (cJSON_IsNull(v))
			return NULL;
		/* FALLTHROUGH */
	case JSON_KIND_OBJECT:
		return cJSON_IsObject(v) ? NULL : "must be an object";
	}
	return "is not allowed";
}

int
json_schema_check(const cJSON *obj, const struct json_schema *schema,
    const char *prefix, cJSON *errors)
{
	const cJSON	*item;
	const char	*msg;
	size_t		 i;
	int		 n = 0, known;

	if (!cJSON_IsObject(obj)) {
		json_error_add(errors, prefix ? prefix : "(body)",
		    "must be a JSON object");
		return 1;
	}
	for (item = obj->child; item != NULL; item = item->next) {
		known = 0;
		for (i = 0; i < schema->n_fields; i++)
			if (strcmp(item->string, schema->fields[i].name) == 0)
				known = 1;
		if (!known) {
			/* The key is valid UTF-8 and goes out JSON-escaped. */
			json_error_field(errors, prefix, item->string,
			    "is not a known field");
			n++;
		}
	}
	for (i = 0; i < schema->n_fields; i++) {
		const struct json_field *f = &schema->fields[i];
		item = cJSON_GetObjectItemCaseSensitive(obj, f->name);
		if (item == NULL) {
			if (f->required) {
				json_error_field(errors, prefix, f->name,
				    "is required");
				n++;
			}
			continue;
		}
		if ((msg = json_check_field(item, f)) != NULL) {
			json_error_field(errors, prefix, f->name, msg);
			n++;
		}
	}
	return n;
}

cJSON *
json_add_int(cJSON *obj, const char *name, int64_t v)
{
	char	 num[24];

	(void)snprintf(num, sizeof(num), "%lld", (long long)v);
	return cJSON_AddRawToObject(obj, name, num);
}

void
json_format_time(int64_t t, char *out, size_t outlen)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(out, outlen, "1970-01-01T00:00:00Z");
}

cJSON *
json_add_time(cJSON *obj, const char *name, int64_t t)
{
	char	 stamp[32];

	json_format_time(t, stamp, sizeof(stamp));
	return cJSON_AddStringToObject(obj, name, stamp);
}

const char *
json_get_string(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int64_t
json_get_int(const cJSON *obj, const char *name, int64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	/* Only a value a double holds exactly converts; the rest is def. */
	if (!cJSON_IsNumber(v) || !(v->valuedouble > -9007199254740992.0 &&
	    v->valuedouble < 9007199254740992.0))
		return def;
	return (int64_t)v->valuedouble;
}

int
json_get_bool(const cJSON *obj, const char *name, int def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

int
json_has(const cJSON *obj, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(obj, name) != NULL;
}
