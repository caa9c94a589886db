/*
 * ICU collation keys and case folding.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucol.h>
#include <unicode/ustring.h>

#include "collate.h"
#include "log.h"

#define COLLATE_UTF16_MAX	2048

static const char *const collate_locales[] = { "sv", "da", "nb", "en" };
#define COLLATE_N	(sizeof(collate_locales) / sizeof(collate_locales[0]))

/* Opened once; a collator is used under the lock, never concurrently. */
static UCollator	*collate_cache[COLLATE_N];
static pthread_mutex_t	 collate_lock = PTHREAD_MUTEX_INITIALIZER;

static UCollator *
collate_get(const char *locale)
{
	UErrorCode	 err = U_ZERO_ERROR;
	size_t		 i;

	for (i = 0; i < COLLATE_N; i++)
		if (strcmp(collate_locales[i], locale) == 0)
			break;
	if (i == COLLATE_N)
		i = COLLATE_N - 1;	/* unknown: English order */
	if (collate_cache[i] == NULL) {
		collate_cache[i] = ucol_open(collate_locales[i], &err);
		if (U_FAILURE(err)) {
			log_warnx("ICU collator %s: %s", collate_locales[i],
			    u_errorName(err));
			collate_cache[i] = NULL;
		}
	}
	return collate_cache[i];
}

static int
collate_to_utf16(const char *utf8, UChar *out, int32_t outmax, int32_t *len)
{
	UErrorCode	 err = U_ZERO_ERROR;

	u_strFromUTF8(out, outmax, len, utf8, -1, &err);
	return U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING ?
	    -1 : 0;
}

int
collate_sort_key(const char *locale, const char *utf8, uint8_t *key,
    size_t keymax, size_t *keylen)
{
	UChar		 text[COLLATE_UTF16_MAX];
	UCollator	*coll;
	uint8_t		*full = NULL;
	int32_t		 len, n;
	int		 rc = -1;

	if (keymax == 0 ||
	    collate_to_utf16(utf8, text, COLLATE_UTF16_MAX, &len) == -1)
		return -1;
	pthread_mutex_lock(&collate_lock);
	if ((coll = collate_get(locale)) == NULL)
		goto out;
	/* The count includes the terminating zero. */
	if ((n = ucol_getSortKey(coll, text, len, key, (int32_t)keymax)) <= 0)
		goto out;
	if ((size_t)n <= keymax) {
		*keylen = (size_t)n - 1;
		rc = 0;
		goto out;
	}
	/*
	 * Ligatures and other expanding characters can make a key longer
	 * than keymax: keep its first keymax bytes. A prefix orders the same
	 * way but for names that agree that far, which the id then orders.
	 */
	if ((full = malloc((size_t)n)) == NULL ||
	    ucol_getSortKey(coll, text, len, full, n) != n)
		goto out;
	memcpy(key, full, keymax);
	*keylen = keymax;
	rc = 0;
out:
	pthread_mutex_unlock(&collate_lock);
	free(full);
	return rc;
}

int
collate_fold(const char *utf8, char *out, size_t outlen)
{
	UChar		 text[COLLATE_UTF16_MAX], folded[COLLATE_UTF16_MAX];
	UErrorCode	 err = U_ZERO_ERROR;
	int32_t		 len, flen, olen;

	if (collate_to_utf16(utf8, text, COLLATE_UTF16_MAX, &len) == -1)
		return -1;
	flen = u_strFoldCase(folded, COLLATE_UTF16_MAX, text, len,
	    U_FOLD_CASE_DEFAULT, &err);
	if (U_FAILURE(err) || flen >= COLLATE_UTF16_MAX)
		return -1;
	u_strToUTF8(out, (int32_t)outlen, &olen, folded, flen, &err);
	if (U_FAILURE(err) || olen < 0 || (size_t)olen >= outlen)
		return -1;
	out[olen] = '\0';
	return 0;
}
