/*
 * The HTTP Accept header (RFC 9110, section 12.5.1): how much a client
 * wants a media type, so that a route with more than one representation
 * answers the one it prefers.
 */
#ifndef COMMON_ACCEPT_H
#define COMMON_ACCEPT_H

/*
 * The weight, in thousandths (0 to 1000), that accept gives type
 * ("text/csv"): the q of the most specific range that matches it (the
 * type itself, then its major type with a star for subtype, then a star
 * for both), 0 when none does. A NULL or
 * empty header accepts anything: 1000. Ranges whose q is not a valid
 * qvalue are skipped; parameters other than q are ignored.
 */
int	accept_quality(const char *accept, const char *type);

#endif
