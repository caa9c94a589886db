/*
 * A small JSON writer into a struct buf, for replies on hot paths (the
 * client list), where cJSON's tree and double printer cost more than the
 * query. The caller writes commas and keys in order; errors stick, so one
 * check at the end covers every call.
 */
#ifndef COMMON_JSONW_H
#define COMMON_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct jsonw {
	struct buf	*b;
	int		 error;		/* set by any failed append */
	int		 first;		/* no comma before the next member */
};

void	jsonw_init(struct jsonw *, struct buf *);
void	jsonw_object_open(struct jsonw *);
void	jsonw_object_close(struct jsonw *);
void	jsonw_array_open(struct jsonw *);
void	jsonw_array_close(struct jsonw *);
/* Starts a member: a comma if needed, then "name": */
void	jsonw_key(struct jsonw *, const char *name);
/* Values; inside an array, each adds its own comma. */
void	jsonw_string(struct jsonw *, const char *);
void	jsonw_int(struct jsonw *, int64_t);
void	jsonw_bool(struct jsonw *, int);
void	jsonw_null(struct jsonw *);
void	jsonw_time(struct jsonw *, int64_t);
/* Text that is already JSON (a stored, checked document). */
void	jsonw_raw(struct jsonw *, const char *, size_t);
/*
 * Opens an object with the members of a stored one, obj (a checked
 * document ending in '}'), so that more members follow before
 * jsonw_object_close().
 */
void	jsonw_object_extend(struct jsonw *, const char *obj, size_t len);

#endif
