/*
 * libFuzzer target for common/text.c and common/address.c: text_utf8_valid,
 * text_utf8_length and text_has_control (C0, DEL, bidirectional controls
 * and the line and paragraph separators) against a reference decoder,
 * text_parse_int against a reference decimal reader, and address_valid
 * against a reference reading of its rule.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "../../common/address.h"
#include "../../common/text.h"
#include "fuzz.h"

/* Reference for text_parse_int: -?[0-9]+ in [min, max], nothing else. */
static int
ref_parse_int(const char *s, long long min, long long max, long long *out)
{
	const char	*p = s;
	int		 neg = 0;
	/* Magnitude up to 2^63, which only a negative number may reach. */
	unsigned long long	 mag = 0, lim;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (*p == '\0')
		return -1;
	lim = neg ? (unsigned long long)INT64_MAX + 1 : INT64_MAX;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (mag > (lim - (unsigned long long)(*p - '0')) / 10)
			return -1;
		mag = mag * 10 + (unsigned long long)(*p - '0');
	}
	if (neg)
		*out = mag == (unsigned long long)INT64_MAX + 1 ? INT64_MIN :
		    -(long long)mag;
	else
		*out = (long long)mag;
	return *out < min || *out > max ? -1 : 0;
}

static void
check_parse_int(const char *s)
{
	static const long long bounds[][2] = {
		{ 1, 200 },		/* limit */
		{ 1, INT64_MAX },	/* ids */
		{ INT64_MIN, INT64_MAX },
		{ -1000000000000000LL, 1000000000000000LL }
	};
	long long	 a, b;
	size_t		 i;
	int		 ra, rb;

	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		a = b = 0x5a5a;
		ra = text_parse_int(s, bounds[i][0], bounds[i][1], &a);
		rb = ref_parse_int(s, bounds[i][0], bounds[i][1], &b);
		FUZZ_CHECK(ra == rb);
		if (ra == 0) {
			FUZZ_CHECK(a == b);
			FUZZ_CHECK(a >= bounds[i][0] && a <= bounds[i][1]);
		}
	}
}

/* Reference for address_valid, read from address.h label by label. */
static int
ref_address(const char *s)
{
	const char	*at = NULL, *p, *label;
	size_t		 n, labels = 0;
	int		 alldigits;

	if (strlen(s) > 254)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (*p == '@') {
			if (at != NULL)
				return 0;
			at = p;
		}
	if (at == NULL || at == s || at - s > 64 || s[0] == '.' ||
	    at[-1] == '.' || strlen(at + 1) > 253)
		return 0;
	for (p = s; p < at; p++) {
		if (*p == '.' && p[1] == '.')
			return 0;
		if (*p != '.' && !(isalnum((unsigned char)*p) &&
		    (unsigned char)*p < 0x80) &&
		    strchr("!#$%&'*+-/=?^_`{|}~", *p) == NULL)
			return 0;
	}
	label = at + 1;
	for (;;) {
		n = strcspn(label, ".");
		if (n == 0 || n > 63 || label[0] == '-' || label[n - 1] == '-')
			return 0;
		alldigits = 1;
		for (p = label; p < label + n; p++) {
			if (!((*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '-'))
				return 0;
			if (*p < '0' || *p > '9')
				alldigits = 0;
		}
		labels++;
		if (label[n] == '\0')
			return labels >= 2 && !alldigits;
		label += n + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s = fuzz_strndup(data, size);
	size_t	 cps = 0, len, i;
	int	 valid, ctl;

	/* Over the whole buffer, NUL bytes included: valid UTF-8 too. */
	valid = fuzz_utf8_check(s, size, &cps);
	FUZZ_CHECK(!!text_utf8_valid(s, size) == valid);
	if (valid)
		FUZZ_CHECK(text_utf8_length(s, size) == cps);

	/* Every prefix length: a cut inside a character is invalid. */
	for (i = 0; i < size && i < 64; i++)
		FUZZ_CHECK(!!text_utf8_valid(s, i) == fuzz_utf8_check(s, i,
		    NULL));

	/* As a C string, up to its first NUL. */
	len = strlen(s);
	ctl = 0;
	for (i = 0; i < len; i++) {
		const unsigned char *u = (const unsigned char *)s + i;
		uint32_t cp;

		if (u[0] < 0x20 || u[0] == 0x7f)
			ctl = 1;
		/* Three-byte forms, read whole when the bytes are there. */
		if (i + 2 < len && u[0] == 0xe2 && (u[1] & 0xc0) == 0x80 &&
		    (u[2] & 0xc0) == 0x80) {
			cp = 0x2000 | (uint32_t)(u[1] & 0x3f) << 6 |
			    (u[2] & 0x3f);
			if ((cp >= 0x2028 && cp <= 0x202e) ||
			    (cp >= 0x2066 && cp <= 0x2069))
				ctl = 1;
		}
	}
	FUZZ_CHECK(!!text_has_control(s) == ctl);

	FUZZ_CHECK(!!address_valid(s) == ref_address(s));

	if (size <= 64)
		check_parse_int(s);
	free(s);
	return 0;
}
