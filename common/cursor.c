/*
 * Cursor encoding: version, sort, fingerprint, count, id, key length and
 * key, big-endian, in base64url without padding.
 */
#include <string.h>

#include "cursor.h"

#define CURSOR_VERSION	1
#define CURSOR_FIXED	(1 + 1 + 4 + 8 + 8 + 2)

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

uint32_t
cursor_fingerprint(const char *s)
{
	uint32_t	 h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

static void
put_be(uint8_t *p, uint64_t v, int n)
{
	int	 i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

static uint64_t
get_be(const uint8_t *p, int n)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

int
cursor_encode(const struct cursor *c, char *out, size_t outlen)
{
	uint8_t		 raw[CURSOR_FIXED + COLLATE_KEY_MAX];
	size_t		 n, i, o = 0;
	uint32_t	 v;

	if (c->keylen > COLLATE_KEY_MAX)
		return -1;
	raw[0] = CURSOR_VERSION;
	raw[1] = c->sort;
	put_be(raw + 2, c->query, 4);
	put_be(raw + 6, (uint64_t)c->count, 8);
	put_be(raw + 14, (uint64_t)c->id, 8);
	put_be(raw + 22, c->keylen, 2);
	memcpy(raw + CURSOR_FIXED, c->key, c->keylen);
	n = CURSOR_FIXED + c->keylen;
	if ((n * 4 + 2) / 3 + 1 > outlen)
		return -1;
	for (i = 0; i < n; i += 3) {
		v = (uint32_t)raw[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)raw[i + 1] << 8;
		if (i + 2 < n)
			v |= raw[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = b64[(v >> 6) & 63];
		if (i + 2 < n)
			out[o++] = b64[v & 63];
	}
	out[o] = '\0';
	return 0;
}

static int
b64_value(char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(b64, c)) == NULL)
		return -1;
	return (int)(p - b64);
}

int
cursor_decode(const char *text, struct cursor *c)
{
	uint8_t		 raw[CURSOR_FIXED + COLLATE_KEY_MAX];
	size_t		 len = strlen(text), n = 0, i, j;
	uint32_t	 v;
	int		 d, k;

	if (len < 2 || len > CURSOR_TEXT_MAX || len % 4 == 1)
		return -1;
	for (i = 0; i < len; i += 4) {
		v = 0;
		k = 0;
		for (j = i; j < i + 4 && j < len; j++, k++) {
			if ((d = b64_value(text[j])) == -1)
				return -1;
			v = (v << 6) | (uint32_t)d;
		}
		v <<= 6 * (4 - k);
		for (j = 0; j < (size_t)k - 1; j++) {
			if (n == sizeof(raw))
				return -1;
			raw[n++] = (uint8_t)(v >> (16 - 8 * j));
		}
	}
	if (n < CURSOR_FIXED || raw[0] != CURSOR_VERSION)
		return -1;
	memset(c, 0, sizeof(*c));
	c->sort = raw[1];
	c->query = (uint32_t)get_be(raw + 2, 4);
	c->count = (int64_t)get_be(raw + 6, 8);
	c->id = (int64_t)get_be(raw + 14, 8);
	c->keylen = (size_t)get_be(raw + 22, 2);
	if (c->keylen != n - CURSOR_FIXED || c->id <= 0 || c->count < 0)
		return -1;
	memcpy(c->key, raw + CURSOR_FIXED, c->keylen);
	return 0;
}
