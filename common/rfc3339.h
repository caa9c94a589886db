/*
 * RFC 3339 date-times ("2026-03-02T10:15:00Z", "...+01:00") read into Unix
 * seconds: the one parser of the API's and the worker's times.
 */
#ifndef COMMON_RFC3339_H
#define COMMON_RFC3339_H

#include <stdint.h>

/* 9999-12-31T23:59:59Z: past it a time no longer prints in RFC 3339. */
#define RFC3339_TIME_LAST	253402300799LL

/*
 * Which inputs rfc3339_parse() takes. Both read a date, a time, an
 * optional fraction of a second (dropped) and "Z" or an offset.
 */
enum rfc3339_rules {
	/*
	 * What the API takes from clients (an expense's spent_at): exactly
	 * two or four digits a field, 'T' or 't', 'Z' or 'z', a fraction of
	 * at least one digit, real calendar dates, no leap second, and
	 * only instants in 1970..9999 UTC.
	 */
	RFC3339_STRICT,
	/*
	 * What the worker's --now has always taken, the rules of glibc's
	 * strptime("%Y-%m-%dT%H:%M:%S") and an offset read with sscanf
	 * ("%2d:%2d"): white space before a number, shorter numbers, year
	 * 0000, day 31 of any month and seconds 60 and 61 (both carried
	 * over, as timegm() does), an uppercase 'T' only, an empty
	 * fraction, an offset hour or minute of one digit after a space or
	 * a sign, and any instant but the one a second before 1970 as a
	 * wall time.
	 */
	RFC3339_LAX
};

/* Reads s whole into Unix seconds under rules. 0, or -1 when refused. */
int	rfc3339_parse(const char *s, enum rfc3339_rules rules, int64_t *out);

#endif
