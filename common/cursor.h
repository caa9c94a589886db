/*
 * Opaque page cursors: the sort position of the last row of a page plus a
 * fingerprint of the query, encoded as base64url. Keyset paging from a
 * position, not an offset, so rows added or moved elsewhere never shift
 * the rows that were there all along.
 */
#ifndef COMMON_CURSOR_H
#define COMMON_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "collate.h"

#define CURSOR_TEXT_MAX	(((COLLATE_KEY_MAX + 32) * 4) / 3 + 8)

struct cursor {
	uint8_t		 sort;		/* which order the position is in */
	uint32_t	 query;		/* cursor_fingerprint() of the query */
	int64_t		 count;		/* e.g. missing receipts of the row */
	int64_t		 id;
	uint8_t		 key[COLLATE_KEY_MAX];
	size_t		 keylen;
};

/* FNV-1a of the text that names a query's filters. */
uint32_t	cursor_fingerprint(const char *);

/* Writes the cursor as base64url text. 0, or -1 when out is too small. */
int	cursor_encode(const struct cursor *, char *out, size_t outlen);
/* Reads text made by cursor_encode. 0, or -1 for anything else. */
int	cursor_decode(const char *text, struct cursor *out);

#endif
