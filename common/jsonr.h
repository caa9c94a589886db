/*
 * Reading members of a stored JSON document without building a tree, for
 * hot paths that read a few fields of many rows (the client list's CSV
 * export): cJSON's parse allocates a node per value, which cost the
 * export five times the JSON list's time a row. The text must be JSON
 * the program checked or wrote itself (a row the database keeps); on
 * text that is not, the calls fail but never read past its end.
 */
#ifndef COMMON_JSONR_H
#define COMMON_JSONR_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* A JSON value: the bytes [p, p + len) of the text, blanks trimmed. */
struct jsonr {
	const char	*p;
	size_t		 len;
};

/*
 * The next member of object o from *pos (0 for the first): its key's
 * raw text, without the quotes and undecoded, and its value. 1 with a
 * member, 0 after the last, -1 when o is no well-formed object.
 */
int	jsonr_object_next(const struct jsonr *o, size_t *pos,
	    struct jsonr *key, struct jsonr *value);
/*
 * The member name of object o (a key written without escapes) into
 * value, which must not be o itself. 0 or -1.
 */
int	jsonr_get(const struct jsonr *o, const char *name,
	    struct jsonr *value);
/* The next element of array a from *pos (0 for the first): 1, 0 or -1. */
int	jsonr_array_next(const struct jsonr *a, size_t *pos,
	    struct jsonr *elem);

/* Whether v is a string ("..."), an object ({...}) or an array. */
int	jsonr_is_string(const struct jsonr *v);
int	jsonr_is_object(const struct jsonr *v);
int	jsonr_is_array(const struct jsonr *v);
/*
 * The integer v is, written without fraction or exponent. 0, or -1 for
 * anything else or a value past int64_t.
 */
int	jsonr_int(const struct jsonr *v, int64_t *out);
/*
 * Appends string v, escapes decoded to UTF-8 (a \u0000 is left out), to
 * out. 0, or -1 when v is no string or out is full.
 */
int	jsonr_string(const struct jsonr *v, struct buf *out);
/* Whether string v holds no escape: its raw text is its value. */
int	jsonr_string_plain(const struct jsonr *v);

#endif
