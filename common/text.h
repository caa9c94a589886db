/*
 * Small text helpers: bounded integer parsing, UTF-8 checks, hex.
 */
#ifndef COMMON_TEXT_H
#define COMMON_TEXT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses a whole decimal integer in [min, max] (after OpenBSD strtonum):
 * no sign other than a leading '-', no spaces, no trailing text.
 */
int	text_parse_int(const char *, long long min, long long max,
	    long long *out);

/*
 * Nonzero when s[0..len) is well-formed UTF-8: no overlong forms, no
 * surrogates, nothing past U+10FFFF.
 */
int	text_utf8_valid(const char *s, size_t len);

/* Number of code points in well-formed UTF-8. */
size_t	text_utf8_length(const char *s, size_t len);

/*
 * Nonzero when the string holds what single-line text (a name, a title)
 * must not: a C0 control character or DEL, a bidirectional control
 * (U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates), or
 * the line and paragraph separators U+2028 and U+2029. The bidirectional
 * controls can make a name read as another, in a list or a mail subject;
 * the separators break a line where a header or a table has none.
 * Matched as bytes, so the string need not be valid UTF-8.
 */
int	text_has_control(const char *s);

/* Writes 2 * n hex digits and a NUL into out. */
void	text_hex(const unsigned char *in, size_t n, char *out);
/*
 * Writes v in decimal, at least min digits (zeros before), so that it
 * ends just before end, and returns where it starts: the numbers of a
 * CSV row without printf, which costs more than the rest of the row.
 * Room for 20 digits (or min) must precede end.
 */
char	*text_u64_before(char *end, uint64_t v, int min);
/*
 * Reads the decimal integer that starts s, before end: an optional '-'
 * and digits, within int64_t, into *out. Returns where it stops, or NULL
 * (and *out untouched) when no digit starts it or it is out of range.
 * Without strtoll, whose locale machinery costs more than reading a
 * list row's balance.
 */
const char	*text_i64_prefix(const char *s, const char *end, int64_t *out);
/*
 * Reads the lower-case hex digits of hex, all of it, as bytes into out
 * (at most outmax) and their number into *outlen. 0, or -1 when hex is
 * of odd length, holds another character, or does not fit.
 */
int	text_unhex(const char *hex, unsigned char *out, size_t outmax,
	    size_t *outlen);

/*
 * FNV-1a, 64 bits, continuing from h (start with TEXT_HASH_INIT): a
 * fingerprint, not a defence against an adversary choosing collisions.
 */
#define TEXT_HASH_INIT	14695981039346656037ULL
uint64_t	text_hash64(uint64_t h, const void *, size_t);

/*
 * Writes the n ids between open and close, separated by commas
 * ("[1,2]" for a JSON array, "{1,2}" for a PostgreSQL array). 0, or -1
 * when out is too small.
 */
int	text_id_list(const int64_t *ids, size_t n, char open, char close,
	    char *out, size_t len);
/* Two int64_t ids in ascending order, for qsort() and bsearch(). */
int	text_id_cmp(const void *, const void *);

/* Constant-time comparison of two buffers of equal length. */
int	text_equal_ct(const void *, const void *, size_t);

#endif
