/*
 * The short grams of a folded search text, for the index of searches of
 * one or two characters. See grams.h.
 */
#include <stdlib.h>
#include <string.h>

#include "../text.h"
#include "grams.h"

struct gram {
	const char	*s;
	size_t		 len;
};

/* Bytes from s to the start of the next character (s not at the end). */
static size_t
gram_char_len(const char *s)
{
	size_t	 n = 1;

	while (s[n] != '\0' && ((unsigned char)s[n] & 0xc0) == 0x80)
		n++;
	return n;
}

static int
gram_has_control(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

static int
gram_cmp(const void *a, const void *b)
{
	const struct gram	*x = a, *y = b;
	size_t			 n = x->len < y->len ? x->len : y->len;
	int			 c;

	if ((c = memcmp(x->s, y->s, n)) != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

char *
search_grams(const char *text)
{
	size_t		 len = strlen(text), n = 0, i, o = 0, first, second;
	struct gram	*g;
	const char	*p;
	char		*out;

	/* At most two grams start at each byte that starts a character. */
	if ((g = calloc(2 * len + 1, sizeof(*g))) == NULL)
		return NULL;
	for (p = text; *p != '\0'; p += first) {
		first = gram_char_len(p);
		second = p[first] != '\0' ? gram_char_len(p + first) : 0;
		if (!gram_has_control(p, first))
			g[n++] = (struct gram){ p, first };
		if (second > 0 && !gram_has_control(p, first + second))
			g[n++] = (struct gram){ p, first + second };
	}
	qsort(g, n, sizeof(*g), gram_cmp);
	/*
	 * A character is in at most three grams (its own, and the pairs either
	 * side), each byte written as two hex digits; a space or the NUL each.
	 */
	if ((out = malloc(6 * len + n + 1)) == NULL) {
		free(g);
		return NULL;
	}
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0 && gram_cmp(&g[i - 1], &g[i]) == 0)
			continue;
		if (o > 0)
			out[o++] = ' ';
		text_hex((const unsigned char *)g[i].s, g[i].len, out + o);
		o += 2 * g[i].len;
	}
	free(g);
	return out;
}

int
search_gram_phrase(const char *q, char *out, size_t outlen)
{
	size_t	 len = strlen(q), chars = 0;
	const char *p;

	for (p = q; *p != '\0'; p += gram_char_len(p))
		chars++;
	if (chars < 1 || chars > 2 || gram_has_control(q, len) ||
	    2 * len + 3 > outlen)
		return -1;
	out[0] = '"';
	text_hex((const unsigned char *)q, len, out + 1);
	out[2 * len + 1] = '"';
	out[2 * len + 2] = '\0';
	return 0;
}
