/*
 * Strict JSON input for request bodies, on top of cJSON 1.7.15, which on
 * its own accepts raw control characters, "\u0000", invalid UTF-8,
 * duplicate keys and trailing text. Also small output helpers that keep
 * integers out of cJSON's double printer.
 */
#ifndef COMMON_JSON_H
#define COMMON_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define JSON_DEPTH_MAX	16
/* Members of one object: keeps the duplicate-key check cheap. */
#define JSON_MEMBERS_MAX	256

/* Why a body failed json_parse_strict(); a fixed text for each. */
enum json_fault {
	JSON_OK = 0,
	JSON_EMPTY,
	JSON_NUL,
	JSON_BAD_UTF8,
	JSON_CONTROL,
	JSON_ESCAPED_NUL,
	JSON_TOO_DEEP,
	JSON_SYNTAX,
	JSON_DUPLICATE_KEY,
	JSON_TOO_MANY_MEMBERS
};

const char	*json_fault_text(enum json_fault);

/*
 * Parses exactly len bytes as one JSON value after checking them for NUL
 * bytes, invalid UTF-8, raw control characters in strings, "\u0000",
 * nesting deeper than JSON_DEPTH_MAX and duplicate keys in any object.
 * Returns JSON_OK with *out (caller frees with cJSON_Delete) or a fault.
 */
enum json_fault	 json_parse_strict(const char *buf, size_t len, cJSON **out);

enum json_kind {
	JSON_KIND_STRING,	/* min..max code points */
	JSON_KIND_TEXT,		/* a string that may hold \n, \r and \t */
	JSON_KIND_INT,		/* integral number in min..max */
	JSON_KIND_BOOL,
	JSON_KIND_INT_ARRAY,	/* min..max items, each a positive id */
	JSON_KIND_STRING_ARRAY,	/* min..max items from enum_values */
	JSON_KIND_OBJECT,	/* checked by the handler */
	JSON_KIND_ARRAY,	/* min..max items, checked by the handler */
	/* The same, or null, which the handler reads as "none". */
	JSON_KIND_INT_OR_NULL,
	JSON_KIND_OBJECT_OR_NULL,
	JSON_KIND_STRING_OR_NULL
};

struct json_field {
	const char		*name;
	enum json_kind		 kind;
	int			 required;
	long long		 min;
	long long		 max;
	/* For strings and string arrays: the only values allowed. */
	const char *const	*enum_values;
};

struct json_schema {
	const struct json_field	*fields;
	size_t			 n_fields;
};

/*
 * Checks that obj is an object holding only the schema's fields, each of
 * its kind and within its bounds, and every required one. Appends one
 * {"field", "message"} object to errors (a cJSON array) per problem, with
 * prefix before each field name when not NULL (for "expenses[3].amount").
 * Returns the number of problems found.
 */
int	json_schema_check(const cJSON *obj, const struct json_schema *,
	    const char *prefix, cJSON *errors);

/* Appends {"field", "message"} to errors; ignores allocation failure. */
void	json_error_add(cJSON *errors, const char *field, const char *message);

/* Adds an integer as raw text, printed exactly. NULL on failure. */
cJSON	*json_add_int(cJSON *obj, const char *name, int64_t v);
/* Adds "YYYY-MM-DDTHH:MM:SSZ" for a Unix time. NULL on failure. */
cJSON	*json_add_time(cJSON *obj, const char *name, int64_t t);

/* Lookups after json_schema_check(): NULL / 0 when absent. */
const char	*json_get_string(const cJSON *obj, const char *name);
int64_t		 json_get_int(const cJSON *obj, const char *name, int64_t def);
int		 json_get_bool(const cJSON *obj, const char *name, int def);
int		 json_has(const cJSON *obj, const char *name);

/* Writes RFC 3339 UTC for t into out (at least 21 bytes). */
void	json_format_time(int64_t t, char *out, size_t outlen);

#endif
