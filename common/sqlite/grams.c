/*
 * The short grams of a folded search text, for the index of searches of
 * one to three characters. See grams.h.
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
	size_t		 len = strlen(text), n = 0, i, o = 0, k, glen;
	struct gram	*g;
	const char	*p, *end;
	char		*out;

	/* At most SEARCH_GRAM_CHARS grams start at each byte. */
	if ((g = calloc(SEARCH_GRAM_CHARS * len + 1, sizeof(*g))) == NULL)
		return NULL;
	for (p = text; *p != '\0'; p += gram_char_len(p)) {
		end = p;
		for (k = 0; k < SEARCH_GRAM_CHARS && *end != '\0'; k++) {
			end += gram_char_len(end);
			glen = (size_t)(end - p);
			/* The longer grams from p would hold it too. */
			if (gram_has_control(p, glen))
				break;
			g[n++] = (struct gram){ p, glen };
		}
	}
	qsort(g, n, sizeof(*g), gram_cmp);
	/*
	 * A character is in at most 1 + 2 + 3 grams (the runs of one to three
	 * that hold it), each byte written as two hex digits; a space or the
	 * NUL after each gram.
	 */
	if ((out = malloc(12 * len + n + 1)) == NULL) {
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
search_gram_key(const char *q, char *out, size_t outlen)
{
	size_t	 len = strlen(q), chars = 0;
	const char *p;

	for (p = q; *p != '\0'; p += gram_char_len(p))
		chars++;
	if (chars < 1 || chars > SEARCH_GRAM_CHARS ||
	    gram_has_control(q, len) || 2 * len + 1 > outlen)
		return -1;
	text_hex((const unsigned char *)q, len, out);
	return 0;
}
