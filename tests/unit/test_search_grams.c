/*
 * Unit tests for common/sqlite/grams.h: the grams of a search text that
 * find searches of one to three characters, and the key of a search.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/sqlite/grams.h"

static void
grams_are(const char *text, const char *want)
{
	char	*got = search_grams(text);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_grams_ascii(void **state)
{
	(void)state;
	grams_are("", "");
	grams_are("a", "61");
	/* a, ab, b: sorted by bytes, a pair after its first character. */
	grams_are("ab", "61 6162 62");
	grams_are("abc", "61 6162 616263 62 6263 63");
	/* Repeats once: "aa" twice, "a" three times. */
	grams_are("aaa", "61 6161 616161");
	grams_are("ab ab", "20 2061 206162 61 6162 616220 62 6220 622061");
}

static void
test_grams_utf8(void **state)
{
	(void)state;
	/* å is c3 a5: one character, whole in each gram. */
	grams_are("gå", "67 67c3a5 c3a5");
	grams_are("gård",
	    "64 67 67c3a5 67c3a572 72 7264 c3a5 c3a572 c3a57264");
	grams_are("åö", "c3a5 c3a5c3b6 c3b6");
	/* A four-byte character. */
	grams_are("\xf0\x9f\x98\x80x",
	    "78 f09f9880 f09f988078");
}

static void
test_grams_skip_controls(void **state)
{
	(void)state;
	/* The line between name and number starts no gram and ends none. */
	grams_are("ab\n55", "35 3535 61 6162 62");
	grams_are("a\nbcd", "61 62 6263 626364 63 6364 64");
	grams_are("\n", "");
}

/* The bytes of the character at s. */
static size_t
char_len(const char *s)
{
	size_t	 n = 1;

	while ((s[n] & 0xc0) == 0x80)
		n++;
	return n;
}

/* Each gram's key is a word of the grams, unless it spans the line. */
static void
gram_found(const char *grams, const char *s, size_t len)
{
	char	 gram[16], key[SEARCH_GRAM_KEY_MAX + 2], *words;
	size_t	 n;

	memcpy(gram, s, len);
	gram[len] = '\0';
	if (strchr(gram, '\n') != NULL) {
		assert_int_equal(search_gram_key(gram, key + 1,
		    sizeof(key) - 1), -1);
		return;
	}
	assert_int_equal(search_gram_key(gram, key + 1, sizeof(key) - 1), 0);
	/* " key " within " grams ": a whole word. */
	n = strlen(key + 1);
	key[0] = key[n + 1] = ' ';
	key[n + 2] = '\0';
	assert_non_null(words = malloc(strlen(grams) + 3));
	words[0] = ' ';
	strcpy(words + 1, grams);
	strcat(words, " ");
	assert_non_null(strstr(words, key));
	free(words);
}

/* Every search of one to three characters that the text holds is there. */
static void
test_grams_cover_every_short_search(void **state)
{
	const char	*text = "berg & s\xc3\xb6ner ab\n556677-1234";
	const char	*p;
	char		*grams;
	size_t		 a, b;

	(void)state;
	assert_non_null(grams = search_grams(text));
	for (p = text; *p != '\0'; p += a) {
		a = char_len(p);
		gram_found(grams, p, a);
		if (p[a] == '\0')
			continue;
		b = char_len(p + a);
		gram_found(grams, p, a + b);
		if (p[a + b] != '\0')
			gram_found(grams, p, a + b + char_len(p + a + b));
	}
	free(grams);
}

static void
test_key(void **state)
{
	char	 out[SEARCH_GRAM_KEY_MAX];

	(void)state;
	assert_int_equal(search_gram_key("a", out, sizeof(out)), 0);
	assert_string_equal(out, "61");
	assert_int_equal(search_gram_key("ab", out, sizeof(out)), 0);
	assert_string_equal(out, "6162");
	assert_int_equal(search_gram_key("gå", out, sizeof(out)), 0);
	assert_string_equal(out, "67c3a5");
	assert_int_equal(search_gram_key("går", out, sizeof(out)), 0);
	assert_string_equal(out, "67c3a572");
	assert_int_equal(search_gram_key("\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	    "\xf0\x9f\x98\x80", out, sizeof(out)), 0);
	assert_string_equal(out, "f09f9880f09f9880f09f9880");
	/* Not a short search. */
	assert_int_equal(search_gram_key("", out, sizeof(out)), -1);
	assert_int_equal(search_gram_key("abcd", out, sizeof(out)), -1);
	assert_int_equal(search_gram_key("a\n", out, sizeof(out)), -1);
	/* Too small a buffer. */
	assert_int_equal(search_gram_key("ab", out, 4), -1);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_grams_ascii),
		cmocka_unit_test(test_grams_utf8),
		cmocka_unit_test(test_grams_skip_controls),
		cmocka_unit_test(test_grams_cover_every_short_search),
		cmocka_unit_test(test_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
