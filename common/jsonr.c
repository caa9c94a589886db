/*
 * A reader of stored JSON: values are found by skipping over the text,
 * strings decoded only when asked for.
 */
#include <string.h>

#include "jsonr.h"

/* Nesting a skip follows; stored rows have three levels. */
#define JSONR_DEPTH_MAX	64

static size_t
jsonr_ws(const char *p, size_t i, size_t n)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
	    p[i] == '\r'))
		i++;
	return i;
}

/*
 * Past the string that opens at p[i] ('"'), or 0 when it does not end:
 * the next quote that an odd run of backslashes does not escape.
 */
static size_t
jsonr_skip_string(const char *p, size_t i, size_t n)
{
	const char	*q;
	size_t		 k;

	for (i++; i < n; i = (size_t)(q - p) + 1) {
		if ((q = memchr(p + i, '"', n - i)) == NULL)
			return 0;
		for (k = 0; q - k > p + i && q[-1 - (ptrdiff_t)k] == '\\'; k++)
			;
		if (k % 2 == 0)
			return (size_t)(q - p) + 1;
	}
	return 0;
}

/* Whether c ends a number or a literal. */
static int
jsonr_delim(char c)
{
	switch (c) {
	case ',':
	case '}':
	case ']':
	case ' ':
	case '\t':
	case '\r':
	case '\n':
	case '\0':
		return 1;
	}
	return 0;
}

/*
 * Past the value that starts at p[i], or 0 when it is cut short. Objects
 * and arrays are skipped by their brackets, strings (with their escapes)
 * jumped over; a number or a literal runs to the next delimiter.
 */
static size_t
jsonr_skip(const char *p, size_t i, size_t n)
{
	int	 depth = 0;

	if (i >= n)
		return 0;
	if (p[i] != '{' && p[i] != '[' && p[i] != '"') {
		while (i < n && !jsonr_delim(p[i]))
			i++;
		return i;
	}
	while (i < n) {
		switch (p[i]) {
		case '"':
			if ((i = jsonr_skip_string(p, i, n)) == 0)
				return 0;
			if (depth == 0)
				return i;
			continue;
		case '{':
		case '[':
			if (++depth > JSONR_DEPTH_MAX)
				return 0;
			break;
		case '}':
		case ']':
			if (--depth == 0)
				return i + 1;
			break;
		}
		i++;
	}
	return 0;
}

/*
 * The next item of a container from *pos: its key (objects only) and its
 * value. *pos is 0 before the opening bracket, then just after an item.
 */
static int
jsonr_next(const struct jsonr *c, char open, char close, size_t *pos,
    struct jsonr *key, struct jsonr *value)
{
	const char	*p = c->p;
	size_t		 n = c->len, i = *pos, end;

	if (i == 0) {
		if (n < 2 || p[0] != open)
			return -1;
		i = jsonr_ws(p, 1, n);
		if (i < n && p[i] == close)
			return 0;
	} else {
		i = jsonr_ws(p, i, n);
		if (i < n && p[i] == close)
			return 0;
		if (i >= n || p[i] != ',')
			return -1;
		i = jsonr_ws(p, i + 1, n);
	}
	if (key != NULL) {
		if (i >= n || p[i] != '"' ||
		    (end = jsonr_skip_string(p, i, n)) == 0)
			return -1;
		key->p = p + i + 1;
		key->len = end - i - 2;
		i = jsonr_ws(p, end, n);
		if (i >= n || p[i] != ':')
			return -1;
		i = jsonr_ws(p, i + 1, n);
	}
	if ((end = jsonr_skip(p, i, n)) == 0 || end == i)
		return -1;
	value->p = p + i;
	value->len = end - i;
	*pos = end;
	return 1;
}

int
jsonr_object_next(const struct jsonr *o, size_t *pos, struct jsonr *key,
    struct jsonr *value)
{
	return jsonr_next(o, '{', '}', pos, key, value);
}

int
jsonr_array_next(const struct jsonr *a, size_t *pos, struct jsonr *elem)
{
	return jsonr_next(a, '[', ']', pos, NULL, elem);
}

int
jsonr_get(const struct jsonr *o, const char *name, struct jsonr *value)
{
	struct jsonr	 key;
	size_t		 pos = 0, len = strlen(name);
	int		 rc;

	while ((rc = jsonr_object_next(o, &pos, &key, value)) == 1)
		if (key.len == len && memcmp(key.p, name, len) == 0)
			return 0;
	return -1;
}

int
jsonr_is_string(const struct jsonr *v)
{
	return v->len >= 2 && v->p[0] == '"' && v->p[v->len - 1] == '"';
}

int
jsonr_is_object(const struct jsonr *v)
{
	return v->len >= 2 && v->p[0] == '{';
}

int
jsonr_is_array(const struct jsonr *v)
{
	return v->len >= 2 && v->p[0] == '[';
}

int
jsonr_int(const struct jsonr *v, int64_t *out)
{
	uint64_t	 mag = 0, limit;
	size_t		 i = 0;
	int		 neg;

	if (v->len == 0)
		return -1;
	neg = v->p[0] == '-';
	i = neg;
	if (i == v->len || (v->p[i] == '0' && v->len > i + 1))
		return -1;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < v->len; i++) {
		if (v->p[i] < '0' || v->p[i] > '9' ||
		    mag > (limit - (uint64_t)(v->p[i] - '0')) / 10)
			return -1;
		mag = mag * 10 + (uint64_t)(v->p[i] - '0');
	}
	*out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return 0;
}

int
jsonr_string_plain(const struct jsonr *v)
{
	return jsonr_is_string(v) && memchr(v->p, '\\', v->len) == NULL;
}

/* The four hex digits at s as a number, or -1. */
static long
jsonr_hex4(const char *s)
{
	long	 v = 0;
	int	 i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			v |= s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			v |= s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			v |= s[i] - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Code point cp as UTF-8, appended. */
static int
jsonr_utf8(struct buf *out, long cp)
{
	char	 u[4];
	size_t	 n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_add(out, u, n);
}

/* The \u escape at s[0..] (s[0] is 'u'): its code point and length. */
static long
jsonr_unicode(const char *s, size_t left, size_t *used)
{
	long	 hi, lo;

	if (left < 5 || (hi = jsonr_hex4(s + 1)) < 0)
		return -1;
	*used = 5;
	if (hi < 0xd800 || hi > 0xdfff)
		return hi;
	/* A surrogate pair: high, then low; a lone half is refused. */
	if (hi > 0xdbff || left < 11 || s[5] != '\\' || s[6] != 'u' ||
	    (lo = jsonr_hex4(s + 7)) < 0xdc00 || lo > 0xdfff)
		return -1;
	*used = 11;
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

int
jsonr_string(const struct jsonr *v, struct buf *out)
{
	static const char	 from[] = "\"\\/bfnrt";
	static const char	 to[] = "\"\\/\b\f\n\r\t";
	const char		*s, *end, *esc;
	size_t			 used;
	long			 cp;

	if (!jsonr_is_string(v))
		return -1;
	s = v->p + 1;
	end = v->p + v->len - 1;
	while (s < end) {
		if ((esc = memchr(s, '\\', (size_t)(end - s))) == NULL)
			esc = end;
		if (buf_add(out, s, (size_t)(esc - s)) == -1)
			return -1;
		if (esc == end)
			break;
		s = esc + 1;
		if (s < end && *s == 'u') {
			if ((cp = jsonr_unicode(s, (size_t)(end - s), &used)) ==
			    -1 || (cp != 0 && jsonr_utf8(out, cp) == -1))
				return -1;
			s += used;
		} else if (s < end && *s != '\0' && strchr(from, *s) != NULL) {
			if (buf_addc(out, to[strchr(from, *s) - from]) == -1)
				return -1;
			s++;
		} else
			return -1;
	}
	return 0;
}
