/*
 * copy-to: a firm's whole database copied from one store into another,
 * empty one (a SQLite file onto PostgreSQL, or back into a new file), in
 * one transaction of the target's, proved by the row count and a
 * checksum of each table read back from both sides before it commits.
 */
#ifndef COMMON_STORE_COPY_H
#define COMMON_STORE_COPY_H

#include <stdint.h>

#include "store.h"

/* A SHA-256 in lower-case hex, NUL-terminated. */
#define STORE_COPY_SUM_LEN	65

/* One table as copied and compared; the strings are static. */
struct store_copy_report {
	const char	*table;
	/* The columns both schemas share, which the checksum covers. */
	const char	*columns;
	/*
	 * What the target makes again rather than copies, then compared
	 * like the rest; NULL when all is copied.
	 */
	const char	*remade;
	int64_t		 source_rows;
	int64_t		 target_rows;
	char		 source_sum[STORE_COPY_SUM_LEN];
	char		 target_sum[STORE_COPY_SUM_LEN];
	int		 ok;	/* counts and checksums agree */
};

/*
 * How a checksum renders a row: each column of store_copy_report's
 * columns as text (integers in decimal, booleans 0 or 1, bytes as \x and
 * lower-case hex, NULL as \N), escaped and joined as PostgreSQL's COPY
 * text format writes a line; a table's checksum is the SHA-256 of its
 * lines in primary key order (text keys by their bytes).
 */
#define STORE_COPY_CANONICAL	"SHA-256 of the rows by primary key, " \
	"each column as text, one COPY text line a row"

/*
 * Copies every table of src into dst, whose schema is migrated first:
 * one transaction on dst, committed only when every table's count and
 * checksum agree (the identity sequences then go past the copied ids).
 * src is read from one snapshot. report, when set, gets each table once
 * the comparison is done, in the order they were copied. STORE_OK;
 * STORE_CONFLICT when dst holds a row already, or a table differs
 * (rolled back: no row written, though the migration stays);
 * STORE_ERROR, logged.
 */
int	store_copy(struct store *src, struct store *dst,
	    void (*report)(const struct store_copy_report *, void *),
	    void *arg);

#endif
