/*
 * Small text helpers shared by the API and the worker.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

int
text_parse_int(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || !(*s == '-' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
text_utf8_valid(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, k;
	uint32_t		 cp;

	while (i < len) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

size_t
text_utf8_length(const char *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

int
text_has_control(const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;

	for (; *s != '\0'; s++) {
		if (*s < 0x20 || *s == 0x7f)
			return 1;
		/* U+2028-U+202E are E2 80 A8-AE, U+2066-U+2069 E2 81 A6-A9. */
		if (s[0] == 0xe2 && ((s[1] == 0x80 && s[2] >= 0xa8 &&
		    s[2] <= 0xae) || (s[1] == 0x81 && s[2] >= 0xa6 &&
		    s[2] <= 0xa9)))
			return 1;
	}
	return 0;
}

void
text_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t	 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* The value of a lower-case hex digit, or -1. */
static int
text_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
text_unhex(const char *hex, unsigned char *out, size_t outmax,
    size_t *outlen)
{
	size_t	 i, n = strlen(hex);
	int	 hi, lo;

	if (n % 2 != 0 || n / 2 > outmax)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if ((hi = text_hex_digit(hex[2 * i])) == -1 ||
		    (lo = text_hex_digit(hex[2 * i + 1])) == -1)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*outlen = n / 2;
	return 0;
}

uint64_t
text_hash64(uint64_t h, const void *p, size_t n)
{
	const unsigned char	*s = p;
	size_t			 i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

int
text_equal_ct(const void *a, const void *b, size_t n)
{
	const unsigned char	*x = a, *y = b;
	unsigned char		 d = 0;
	size_t			 i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

char *
text_u64_before(char *end, uint64_t v, int min)
{
	int	 n = 0;

	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
		n++;
	} while (v > 0 || n < min);
	return end;
}

const char *
text_i64_prefix(const char *s, const char *end, int64_t *out)
{
	const char	*p = s;
	uint64_t	 u = 0, limit = INT64_MAX;
	unsigned	 d;
	int		 neg = 0;

	if (p < end && *p == '-') {
		neg = 1;
		limit = (uint64_t)INT64_MAX + 1;
		p++;
	}
	if (p == end || *p < '0' || *p > '9')
		return NULL;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		d = (unsigned)(*p - '0');
		if (u > (limit - d) / 10)
			return NULL;
		u = u * 10 + d;
	}
	if (!neg)
		*out = (int64_t)u;
	else if (u == (uint64_t)INT64_MAX + 1)
		*out = INT64_MIN;
	else
		*out = -(int64_t)u;
	return p;
}

int
text_id_cmp(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int
text_id_list(const int64_t *ids, size_t n, char open, char close, char *out,
    size_t len)
{
	char		 num[24], *p;
	uint64_t	 mag;
	size_t		 i, k, used = 0;

	/* Without printf: a page's reads write one list each. */
	for (i = 0; i < n; i++) {
		mag = ids[i] < 0 ? (uint64_t)0 - (uint64_t)ids[i] :
		    (uint64_t)ids[i];
		p = text_u64_before(num + sizeof(num), mag, 1);
		if (ids[i] < 0)
			*--p = '-';
		k = (size_t)(num + sizeof(num) - p);
		if (k + 1 >= len - used)
			return -1;
		out[used++] = i ? ',' : open;
		memcpy(out + used, p, k);
		used += k;
	}
	if (n == 0 && len > 0)
		out[used++] = open;
	if (used + 2 > len)
		return -1;
	out[used++] = close;
	out[used] = '\0';
	return 0;
}
