/*
 * Shared by the libFuzzer targets: an assertion that aborts with its text
 * (so libFuzzer saves the input), and a reference UTF-8 decoder written
 * from RFC 3629 independently of common/text.c, to compare against.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/*
 * FUZZ_SKIP_KNOWN set in the environment: the targets steer clear of the
 * findings already kept in tests/fuzz/regressions/, so that a run can look
 * for new ones past them. Unset (the default), they are found again.
 */
static inline int
fuzz_skip_known(void)
{
	static int	 skip = -1;

	if (skip == -1)
		skip = getenv("FUZZ_SKIP_KNOWN") != NULL;
	return skip;
}

/*
 * Decodes one code point at s[0..len) into *cp. Returns the number of
 * bytes it takes, or 0 when the bytes there are not well-formed UTF-8
 * (RFC 3629 table: shortest form only, no surrogates, at most U+10FFFF).
 */
static inline size_t
fuzz_utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t	 c, min;
	size_t		 n, k;

	if (len == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* 1 when s[0..len) is well-formed UTF-8; *count gets its code points. */
static inline int
fuzz_utf8_check(const char *str, size_t len, size_t *count)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, cps = 0;
	uint32_t		 cp;

	while (i < len) {
		if ((n = fuzz_utf8_next(s + i, len - i, &cp)) == 0)
			return 0;
		i += n;
		cps++;
	}
	if (count != NULL)
		*count = cps;
	return 1;
}

/*
 * Copies src[0..len) into dst as well-formed UTF-8, each byte that starts
 * no valid sequence replaced by '?'. dst holds at least len + 1 bytes.
 */
static inline size_t
fuzz_utf8_repair(const uint8_t *src, size_t len, char *dst)
{
	size_t		 i = 0, o = 0, n;
	uint32_t	 cp;

	while (i < len) {
		if (src[i] == '\0') {
			i++;
			continue;
		}
		if ((n = fuzz_utf8_next(src + i, len - i, &cp)) == 0) {
			dst[o++] = '?';
			i++;
			continue;
		}
		while (n-- > 0)
			dst[o++] = (char)src[i++];
	}
	dst[o] = '\0';
	return o;
}

/* A NUL-terminated heap copy of the input; the caller frees. */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char	*s = malloc(size + 1);

	if (s == NULL)
		abort();
	for (size_t i = 0; i < size; i++)
		s[i] = (char)data[i];
	s[size] = '\0';
	return s;
}

#endif
