/*
 * Streaming JSON output with RFC 8259 string escaping.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "jsonw.h"

/* The longest string jsonw_plain() writes in one piece. */
#define JSONW_PLAIN_MAX	60

void
jsonw_init(struct jsonw *w, struct buf *b)
{
	w->b = b;
	w->error = 0;
	w->first = 1;
}

static void
jsonw_put(struct jsonw *w, const char *s, size_t n)
{
	if (!w->error && buf_add(w->b, s, n) == -1)
		w->error = 1;
}

/* A comma before every value but the first of its container. */
static void
jsonw_sep(struct jsonw *w)
{
	if (!w->first)
		jsonw_put(w, ",", 1);
	w->first = 0;
}

/* A container's first member takes no comma; what follows it does. */
static void
jsonw_open(struct jsonw *w, const char *bracket)
{
	jsonw_sep(w);
	jsonw_put(w, bracket, 1);
	w->first = 1;
}

static void
jsonw_close(struct jsonw *w, const char *bracket)
{
	jsonw_put(w, bracket, 1);
	w->first = 0;
}

void
jsonw_object_open(struct jsonw *w)
{
	jsonw_open(w, "{");
}

void
jsonw_object_close(struct jsonw *w)
{
	jsonw_close(w, "}");
}

void
jsonw_array_open(struct jsonw *w)
{
	jsonw_open(w, "[");
}

void
jsonw_array_close(struct jsonw *w)
{
	jsonw_close(w, "]");
}

static void
jsonw_escaped(struct jsonw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char	*run = s;
	char		 esc[6];

	jsonw_put(w, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		jsonw_put(w, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':
			jsonw_put(w, "\\\"", 2);
			break;
		case '\\':
			jsonw_put(w, "\\\\", 2);
			break;
		case '\n':
			jsonw_put(w, "\\n", 2);
			break;
		case '\r':
			jsonw_put(w, "\\r", 2);
			break;
		case '\t':
			jsonw_put(w, "\\t", 2);
			break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			jsonw_put(w, esc, 6);
		}
	}
	jsonw_put(w, run, (size_t)(s - run));
	jsonw_put(w, "\"", 1);
}

/*
 * A short string that needs no escaping (a key, a code, a formatted
 * amount: most of what a page writes) goes out in one piece, with its
 * comma before and the colon after a key: a page writes thousands.
 * 1 when it went, 0 when s takes jsonw_escaped().
 */
static int
jsonw_plain(struct jsonw *w, const char *s, int key)
{
	char		 out[JSONW_PLAIN_MAX + 4];
	size_t		 n = 0, o = 0;
	unsigned char	 c;

	for (; (c = (unsigned char)s[n]) != '\0'; n++)
		if (n == JSONW_PLAIN_MAX || c < 0x20 || c == '"' || c == '\\')
			return 0;
	if (!w->first)
		out[o++] = ',';
	out[o++] = '"';
	memcpy(out + o, s, n);
	o += n;
	out[o++] = '"';
	if (key)
		out[o++] = ':';
	jsonw_put(w, out, o);
	return 1;
}

void
jsonw_key(struct jsonw *w, const char *name)
{
	if (!jsonw_plain(w, name, 1)) {
		jsonw_sep(w);
		jsonw_escaped(w, name);
		jsonw_put(w, ":", 1);
	}
	/* The value that follows takes no comma. */
	w->first = 1;
}

void
jsonw_string(struct jsonw *w, const char *s)
{
	if (jsonw_plain(w, s, 0)) {
		w->first = 0;
		return;
	}
	jsonw_sep(w);
	jsonw_escaped(w, s);
}

void
jsonw_int(struct jsonw *w, int64_t v)
{
	char		 num[24], *p = num + sizeof(num);
	uint64_t	 u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	/* By hand: printf's machinery costs more than the row around it. */
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	jsonw_sep(w);
	jsonw_put(w, p, (size_t)(num + sizeof(num) - p));
}

void
jsonw_bool(struct jsonw *w, int v)
{
	jsonw_sep(w);
	if (v)
		jsonw_put(w, "true", 4);
	else
		jsonw_put(w, "false", 5);
}

void
jsonw_null(struct jsonw *w)
{
	jsonw_sep(w);
	jsonw_put(w, "null", 4);
}

void
jsonw_time(struct jsonw *w, int64_t t)
{
	char	 stamp[32];

	json_format_time(t, stamp, sizeof(stamp));
	jsonw_string(w, stamp);
}

void
jsonw_raw(struct jsonw *w, const char *json, size_t len)
{
	jsonw_sep(w);
	jsonw_put(w, json, len);
}

void
jsonw_object_extend(struct jsonw *w, const char *obj, size_t len)
{
	if (len < 2 || obj[0] != '{' || obj[len - 1] != '}') {
		w->error = 1;
		return;
	}
	jsonw_sep(w);
	jsonw_put(w, obj, len - 1);
	/* "{}" has no member for the next one to follow with a comma. */
	w->first = len == 2;
}
