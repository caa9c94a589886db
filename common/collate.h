/*
 * Locale-aware text keys from ICU: collation sort keys, so that the
 * database orders names as the firm's language does (Swedish Å Ä Ö after
 * Z, Danish and Norwegian Æ Ø Å after Z, English Å beside A) with a plain
 * byte comparison; and case folding for search in every script.
 */
#ifndef COMMON_COLLATE_H
#define COMMON_COLLATE_H

#include <stddef.h>
#include <stdint.h>

#define COLLATE_KEY_MAX		1024

/*
 * Writes the ICU sort key of the UTF-8 text for locale ("sv", "da", "nb",
 * "en") into key, its length into *keylen. 0 or -1.
 */
int	collate_sort_key(const char *locale, const char *utf8,
	    uint8_t *key, size_t keymax, size_t *keylen);

/*
 * Full Unicode case folding of UTF-8 text into out (NUL-terminated):
 * "Åkesson" and "åKESSON" fold alike. 0, or -1 when out is too small.
 */
int	collate_fold(const char *utf8, char *out, size_t outlen);

#endif
