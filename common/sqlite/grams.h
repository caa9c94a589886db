/*
 * The short grams of a client's folded search text: every distinct run of
 * one to three characters, each written as the hex of its UTF-8 bytes.
 * They fill the index that finds a firm's search of up to three
 * characters without reading every client (client_grams, schema.sql
 * version 14), and its counts; longer searches go to the trigram index.
 * Hex, so that a gram may be a space, a '&' or any letter of any script
 * and the grams still read as words split by spaces.
 */
#ifndef COMMON_SQLITE_GRAMS_H
#define COMMON_SQLITE_GRAMS_H

#include <stddef.h>

/*
 * The grams of text (well-formed UTF-8), sorted, without repeats,
 * separated by spaces; "" for an empty text. A gram holding a control
 * character (the line between name and organisation number) is left out:
 * no search holds one. Owned by the caller; NULL when out of memory.
 */
char	*search_grams(const char *text);

/* The longest gram, in characters. */
#define SEARCH_GRAM_CHARS	3

/*
 * The index's key for a search of one to three characters, its hex
 * (6162 for "ab"), in out (at least SEARCH_GRAM_KEY_MAX bytes). -1 when q
 * is empty, longer than SEARCH_GRAM_CHARS characters or holds a control
 * character.
 */
#define SEARCH_GRAM_KEY_MAX	(2 * 4 * SEARCH_GRAM_CHARS + 1)
int	search_gram_key(const char *q, char *out, size_t outlen);

#endif
