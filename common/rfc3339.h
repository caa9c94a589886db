/*
 * RFC 3339 date-times ("2026-03-02T10:15:00Z", "...+01:00") read into Unix
 * seconds: the one parser of the times the API takes (an expense's
 * spent_at) and the worker's --now.
 */
#ifndef COMMON_RFC3339_H
#define COMMON_RFC3339_H

#include <stdint.h>

/* 9999-12-31T23:59:59Z: past it a time no longer prints in RFC 3339. */
#define RFC3339_TIME_LAST	253402300799LL

/*
 * Reads s whole into Unix seconds: exactly two or four digits a field,
 * 'T' or 't', an optional fraction of at least one digit (dropped), 'Z',
 * 'z' or a "+hh:mm"/"-hh:mm" offset; real calendar dates, no leap second,
 * only instants in 1970..9999 UTC. 0, or -1 with *out untouched.
 */
int	rfc3339_parse(const char *s, int64_t *out);

#endif
