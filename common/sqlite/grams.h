/*
 * The short grams of a client's folded search text: every distinct run of
 * one or two characters, each written as the hex of its UTF-8 bytes. They
 * fill the index that finds a search of one or two characters without
 * reading every client (clients_grams, schema.sql version 9); longer
 * searches go to the trigram index. Hex, because the index's tokenizer
 * takes ASCII letters and digits as they are, and a gram may be a space,
 * a '&' or any letter of any script.
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

/*
 * The index's token for a search of one or two characters, as an FTS5
 * phrase ("6162" for "ab") in out (at least SEARCH_GRAM_PHRASE_MAX
 * bytes). -1 when q is empty, longer than two characters or holds a
 * control character.
 */
#define SEARCH_GRAM_PHRASE_MAX	(2 * 8 + 3)
int	search_gram_phrase(const char *q, char *out, size_t outlen);

#endif
